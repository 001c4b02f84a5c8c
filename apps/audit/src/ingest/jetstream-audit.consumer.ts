import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Consumer, JetStreamManager, JsMsg, NatsConnection } from 'nats';
import { MERIDIAN_CONFIG, type MeridianConfig } from '@meridian/config';
import { ReadinessService } from '@meridian/observability';
import {
  AUDIT_CONSUMER,
  EVENTS_STREAM,
  auditConsumerLag,
  auditConsumerStalled,
  connectForEvents,
  ensureAuditConsumer,
  ensureEventStream,
} from '@meridian/events';
import { AuditIngestService } from './audit-ingest.service';

const BATCH = 256;
const FETCH_EXPIRES_MS = 1_000;
const RETRY_MS = 2_000;
/** An event of a newer format waits this long before it is offered again. */
const LATER_MS = 60_000;
/** How often the lag is read from JetStream. */
const LAG_EVERY_MS = 5_000;

/** What /ready and the metrics say about the consumer. */
export interface AuditConsumerHealth {
  /** Tool events in the stream not yet stored: JetStream's pending plus delivered-but-unacknowledged. */
  lag: number | null;
  /** Set while the loop cannot pull or store (NATS or the database unreachable). */
  pausedSince: Date | null;
  lastError: string | null;
  /** When it last stored events, or last found nothing to deliver to it. */
  lastProgress: Date;
  /** Events wait and nothing was stored for MERIDIAN_AUDIT_STALL_SECONDS, or paused that long. */
  stalled: boolean;
}

/** The database refused a whole batch: the consumer stays attached and tries again. */
class StoreFailure extends Error {}

/**
 * The audit's durable JetStream consumer. It pulls batches of tool events, stores them (in one
 * statement, or event by event when that fails, the refused ones in audit_dead_letters) and
 * acknowledges each only after it has been committed. A crash between the commit and the ack means
 * a redelivery, which the unique event_id turns into a no-op: every event is stored exactly once.
 * While it is stopped, events wait in the stream; on start it resumes where its durable consumer
 * left off. Its lag is read from JetStream, and /ready fails while it is paused or stalled.
 */
@Injectable()
export class JetStreamAuditConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(JetStreamAuditConsumer.name);
  private nc?: NatsConnection;
  private consumer?: Consumer;
  private jsm?: JetStreamManager;
  private running?: Promise<void>;
  private stopping = false;
  private monitor?: NodeJS.Timeout;
  private lag: number | null = null;
  /** Since when pulling from the stream fails (NATS unreachable), and storing fails (the database). */
  private pullFailingSince: Date | null = null;
  private storeFailingSince: Date | null = null;
  private lastError: string | null = null;
  private lastProgress = new Date();

  constructor(
    @Inject(MERIDIAN_CONFIG) private readonly config: MeridianConfig,
    private readonly ingest: AuditIngestService,
    @Optional() private readonly readiness?: ReadinessService,
  ) {}

  onApplicationBootstrap(): void {
    this.readiness?.add('audit-consumer', () => this.assertHealthy());
    this.monitor ??= setInterval(() => void this.refreshLag(), LAG_EVERY_MS);
    this.monitor.unref();
    this.running ??= this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.monitor);
    await this.running;
    const nc = this.nc;
    this.nc = undefined;
    if (nc && !nc.isClosed()) await nc.drain().catch(() => nc.close());
  }

  private get pausedSince(): Date | null {
    const since = [this.pullFailingSince, this.storeFailingSince].filter((d): d is Date => d !== null);
    return since.length ? new Date(Math.min(...since.map((d) => d.getTime()))) : null;
  }

  /** The consumer's state now; the lag as last read from JetStream. */
  health(now = Date.now()): AuditConsumerHealth {
    const stallMs = this.config.auditStallSeconds * 1000;
    const pausedSince = this.pausedSince;
    const stalled =
      (pausedSince !== null && now - pausedSince.getTime() >= stallMs) ||
      ((this.lag ?? 0) > 0 && now - this.lastProgress.getTime() >= stallMs);
    return {
      lag: this.lag,
      pausedSince,
      lastError: this.lastError,
      lastProgress: this.lastProgress,
      stalled,
    };
  }

  /** Reads the lag from JetStream now (also done every few seconds in the background). */
  async refreshLag(): Promise<number | null> {
    const jsm = this.jsm;
    if (jsm && this.nc && !this.nc.isClosed()) {
      try {
        const info = await jsm.consumers.info(EVENTS_STREAM, AUDIT_CONSUMER);
        this.lag = info.num_pending + info.num_ack_pending;
        auditConsumerLag().set(this.lag);
        if (this.lag === 0) this.lastProgress = new Date();
      } catch (err) {
        this.logger.debug(`Cannot read the audit consumer's lag: ${(err as Error).message}`);
      }
    }
    auditConsumerStalled().set(this.health().stalled ? 1 : 0);
    return this.lag;
  }

  private assertHealthy(): void {
    const h = this.health();
    if (h.pausedSince) {
      throw new Error(`paused since ${h.pausedSince.toISOString()}: ${h.lastError ?? 'unknown error'}`);
    }
    if (h.stalled) {
      throw new Error(
        `stalled: nothing stored since ${h.lastProgress.toISOString()} with ${h.lag} events waiting`,
      );
    }
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        if (!this.consumer) {
          this.consumer = await this.attach();
          void this.refreshLag();
        }
        const wasPaused = this.pausedSince !== null;
        await this.pullOnce(this.consumer);
        this.pullFailingSince = null;
        if (wasPaused && !this.pausedSince) {
          this.logger.log('Audit consumer resumed');
          this.lastError = null;
        }
      } catch (err) {
        const message = (err as Error).message;
        if (message !== this.lastError) this.logger.warn(`Audit consumer paused: ${message}`);
        this.lastError = message;
        if (!(err instanceof StoreFailure)) {
          this.pullFailingSince ??= new Date();
          this.consumer = undefined;
        }
        await this.sleep(RETRY_MS);
      }
    }
  }

  /** Connects (once), makes sure the stream and the durable consumer exist, and binds to it. */
  private async attach(): Promise<Consumer> {
    this.nc ??= await connectForEvents(this.config, 'meridian-audit-events');
    const jsm = await this.nc.jetstreamManager({ checkAPI: false });
    this.jsm = jsm;
    await ensureEventStream(jsm, this.config);
    await ensureAuditConsumer(jsm);
    const consumer = await this.nc.jetstream().consumers.get(EVENTS_STREAM, AUDIT_CONSUMER);
    this.logger.log(`Consuming ${EVENTS_STREAM} as durable consumer ${AUDIT_CONSUMER}`);
    return consumer;
  }

  private async pullOnce(consumer: Consumer): Promise<void> {
    const batch = await consumer.fetch({ max_messages: BATCH, expires: FETCH_EXPIRES_MS });
    const messages: JsMsg[] = [];
    for await (const m of batch) messages.push(m);
    if (messages.length > 0) await this.store(messages);
    // Nothing to deliver to this replica is progress too (another replica may hold what is
    // pending), unless what it failed to store is only waiting to be offered again.
    if (messages.length > 0 || !this.storeFailingSince) this.lastProgress = new Date();
  }

  private async store(messages: JsMsg[]): Promise<void> {
    const items = messages.map((m) => {
      let data: unknown;
      try {
        data = m.json<unknown>();
      } catch {
        data = undefined;
      }
      return { data, raw: m.data, subject: m.subject };
    });
    let outcomes;
    try {
      ({ outcomes } = await this.ingest.ingest(items));
    } catch (err) {
      // The database is unreachable: offer them again after a pause.
      for (const m of messages) m.nak(RETRY_MS);
      this.storeFailingSince ??= new Date();
      throw new StoreFailure(`cannot store audit events: ${(err as Error).message}`);
    }
    this.storeFailingSince = null;
    messages.forEach((m, i) => {
      switch (outcomes[i]) {
        case 'stored':
        case 'skipped':
          m.ack();
          break;
        case 'later':
          m.nak(LATER_MS);
          break;
        case 'invalid':
        case 'dead':
          // Kept in audit_dead_letters: never offered again.
          m.term();
          break;
      }
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms).unref());
  }
}
