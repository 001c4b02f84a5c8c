import type { Logger } from '@nestjs/common';
import { InternalError, MeridianError, ValidationError } from './meridian-error';

/**
 * Normalises anything thrown into a MeridianError. Unknown failures become an InternalError whose
 * id is logged together with the original error, so clients never see stacks or driver messages.
 */
export function toMeridianError(err: unknown, logger?: Pick<Logger, 'error'>): MeridianError {
  if (err instanceof MeridianError) return err;
  const fromBody = MeridianError.fromBody(err);
  if (fromBody) return fromBody;
  const refused = refusedValue(err);
  if (refused) return refused;
  const internal = new InternalError();
  logger?.error({ err, error_id: internal.errorId }, `Unhandled error ${internal.errorId}`);
  return internal;
}

/**
 * PostgreSQL's data exceptions (SQLSTATE class 22: a value out of range, a NUL or an invalid byte
 * sequence in text, a malformed date...) and its limits on sizes (54000) come from a value a caller
 * sent that no check caught: they are the caller's ValidationError, not the server's fault. Only
 * errors that carry a driver SQLSTATE are read (the metadata database's; analytics databases'
 * errors are translated by the sql engines before they get here).
 */
function refusedValue(err: unknown): ValidationError | undefined {
  const e = err as { code?: unknown; driverError?: { code?: unknown }; message?: unknown } | null;
  const code = e?.driverError?.code ?? e?.code;
  if (typeof code !== 'string' || !/^(22[0-9A-Z]{3}|54000|54001)$/.test(code)) return undefined;
  const message = typeof e?.message === 'string' ? e.message : 'value refused by the database';
  return new ValidationError(`Invalid value: ${message}`, { sqlstate: code });
}
