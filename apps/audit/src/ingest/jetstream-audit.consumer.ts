import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Consumer, JsMsg, NatsConnection } from 'nats';
import { MERIDIAN_CONFIG, type MeridianConfig } from '@meridian/config';
import {
  AUDIT_CONSUMER,
  EVENTS_STREAM,
  auditConsumerLag,
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

/**
 * The audit's durable JetStream consumer. It pulls batches of tool events, stores them in one
 * statement and acknowledges each only after that statement has committed. A crash between the
 * commit and the ack means a redelivery, which the unique event_id turns into a no-op: every
 * event is stored exactly once. While it is stopped, events wait in the stream; on start it
 * resumes where its durable consumer left off.
 */
@Injectable()
export class JetStreamAuditConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(JetStreamAuditConsumer.name);
  private nc?: NatsConnection;
  private running?: Promise<void>;
  private stopping = false;

  constructor(
    @Inject(MERIDIAN_CONFIG) private readonly config: MeridianConfig,
    private readonly ingest: AuditIngestService,
  ) {}

  onApplicationBootstrap(): void {
    this.running ??= this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.running;
    const nc = this.nc;
    this.nc = undefined;
    if (nc && !nc.isClosed()) await nc.drain().catch(() => nc.close());
  }

  private async run(): Promise<void> {
    let consumer: Consumer | undefined;
    let lastError = '';
    while (!this.stopping) {
      try {
        consumer ??= await this.attach();
        await this.pullOnce(consumer);
        lastError = '';
      } catch (err) {
        const message = (err as Error).message;
        if (message !== lastError) this.logger.warn(`Audit consumer paused: ${message}`);
        lastError = message;
        consumer = undefined;
        await this.sleep(RETRY_MS);
      }
    }
  }

  /** Connects (once), makes sure the stream and the durable consumer exist, and binds to it. */
  private async attach(): Promise<Consumer> {
    this.nc ??= await connectForEvents(this.config, 'meridian-audit-events');
    const jsm = await this.nc.jetstreamManager({ checkAPI: false });
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
    if (messages.length === 0) {
      auditConsumerLag().set(0);
      return;
    }
    await this.store(messages);
    auditConsumerLag().set(messages[messages.length - 1].info.pending);
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
      // Nothing was stored: offer them again after a pause.
      for (const m of messages) m.nak(RETRY_MS);
      throw new Error(`cannot store audit events: ${(err as Error).message}`);
    }
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
