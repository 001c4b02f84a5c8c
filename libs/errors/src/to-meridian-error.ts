import type { Logger } from '@nestjs/common';
import { InternalError, MeridianError } from './meridian-error';

/**
 * Normalises anything thrown into a MeridianError. Unknown failures become an InternalError whose
 * id is logged together with the original error, so clients never see stacks or driver messages.
 */
export function toMeridianError(err: unknown, logger?: Pick<Logger, 'error'>): MeridianError {
  if (err instanceof MeridianError) return err;
  const fromBody = MeridianError.fromBody(err);
  if (fromBody) return fromBody;
  const internal = new InternalError();
  logger?.error({ err, error_id: internal.errorId }, `Unhandled error ${internal.errorId}`);
  return internal;
}
