import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  MAX_CANCEL_KEY_LENGTH,
  SQL_CANCEL_SUBJECT,
  SQL_CANCEL_TOOL,
  type SqlCancelArgs,
  type ToolRequest,
} from '@meridian/contracts';
import { MERIDIAN_CONFIG, type MeridianConfig } from '@meridian/config';
import { EnvelopeSigner, ReplayGuard } from '@meridian/messaging';
import { RunningCalls } from '../limits/running-calls';

/**
 * Stops the calls a cancel names. Every worker receives every cancel (no queue group); only one
 * the edge signed, for the cancel subject, is obeyed, once per worker (so its nonce is kept in this
 * process, not in the store the replicas share), and only for the calls of its own principal.
 */
@Injectable()
export class SqlCancelService {
  private readonly logger = new Logger(SqlCancelService.name);
  private readonly signer: EnvelopeSigner;
  private readonly replays = new ReplayGuard('sql-cancel');

  constructor(
    @Inject(MERIDIAN_CONFIG) config: MeridianConfig,
    private readonly calls: RunningCalls,
  ) {
    if (!config.secretKey) throw new Error('SECRET_KEY is required by the sql service');
    this.signer = new EnvelopeSigner(config.secretKey, config.previousSecretKey);
  }

  async cancel(req: ToolRequest<SqlCancelArgs>): Promise<{ cancelled: number }> {
    try {
      await this.replays.claim(this.signer.verify(req, SQL_CANCEL_SUBJECT));
    } catch (err) {
      this.logger.warn({ err, request_id: req?.request_id }, 'Ignored a cancel without a valid envelope');
      return { cancelled: 0 };
    }
    const key = req.args?.cancel_key;
    if (req.tool !== SQL_CANCEL_TOOL || typeof key !== 'string' || key.length > MAX_CANCEL_KEY_LENGTH) {
      return { cancelled: 0 };
    }
    const cancelled = this.calls.cancel(req.principal.user_id, key);
    if (cancelled > 0)
      this.logger.log({ request_id: req.request_id, cancelled }, 'Cancelled at the caller’s request');
    return { cancelled };
  }
}
