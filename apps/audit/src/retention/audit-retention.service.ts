import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { MERIDIAN_CONFIG, type MeridianConfig } from '@meridian/config';
import { AuditEventsRepository } from '../audit-events/audit-events.repository';

const DAY_MS = 86_400_000;
const EVERY_MS = 60 * 60_000;

/** Deletes audit rows older than MERIDIAN_AUDIT_RETENTION_DAYS, at start and then hourly. */
@Injectable()
export class AuditRetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AuditRetentionService.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    @Inject(MERIDIAN_CONFIG) private readonly config: MeridianConfig,
    private readonly events: AuditEventsRepository,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.auditRetentionDays === 0) return;
    const tick = () => {
      this.running = this.purge().catch((err: unknown) =>
        this.logger.warn(`Audit retention run failed: ${(err as Error).message}`),
      );
    };
    tick();
    this.timer = setInterval(tick, EVERY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Deletes what is past retention now; returns the number of rows deleted (null: another replica is on it). */
  async purge(now = new Date()): Promise<number | null> {
    const cutoff = new Date(now.getTime() - this.config.auditRetentionDays * DAY_MS);
    const deleted = await this.events.deleteOlderThan(cutoff);
    if (deleted) this.logger.log(`Deleted ${deleted} audit events older than ${cutoff.toISOString()}`);
    return deleted;
  }
}
