import { Events, JSONCodec, type JetStreamClient, type NatsConnection } from 'nats';
import type { MeridianConfig } from '@meridian/config';
import { BufferedEventPublisher, type PendingEvent } from './buffered-event.publisher';
import { EVENTS_STREAM, type MeridianEvent } from './event-types';
import { connectForEvents, ensureEventStream, isStreamNotFound, jsErrorCode } from './jetstream';

const codec = JSONCodec<MeridianEvent>();
const PUBLISH_TIMEOUT_MS = 5_000;
const MAX_EVENT_BYTES = 256 * 1024;

/**
 * Publishes events to the JetStream stream over its own NATS connection. Each event carries its
 * event_id as Nats-Msg-Id, so an event re-sent after a lost acknowledgement is stored once.
 * While NATS or JetStream is unreachable, events wait in the buffer and go out in order after.
 */
export class JetStreamEventPublisher extends BufferedEventPublisher {
  private nc?: NatsConnection;
  private js?: JetStreamClient;
  private connected = false;
  private streamReady = false;
  private started = false;
  private closing = false;

  constructor(
    private readonly config: MeridianConfig,
    source: string,
  ) {
    super({ source, capacity: config.events.bufferSize, batchSize: 64 });
  }

  override start(): void {
    if (this.started) return;
    this.started = true;
    void this.connectLoop();
  }

  protected override isReady(): boolean {
    return this.connected;
  }

  protected override async deliver(batch: readonly PendingEvent[]): Promise<number> {
    const { nc, js } = this;
    if (!nc || !js) return 0;
    if (!this.streamReady) {
      await ensureEventStream(await nc.jetstreamManager({ checkAPI: false }), this.config);
      this.streamReady = true;
    }
    const payloads = batch.map((p) => codec.encode(p.event));
    const oversized = payloads.findIndex((data) => data.length > MAX_EVENT_BYTES);
    if (oversized === 0) {
      this.reject(1, `event larger than ${MAX_EVENT_BYTES} bytes`);
      return 1;
    }
    const sendable = oversized > 0 ? oversized : batch.length;
    // Sent together on one connection, they reach the stream in this order.
    const results = await Promise.allSettled(
      batch.slice(0, sendable).map((p, i) =>
        js.publish(p.subject, payloads[i], {
          msgID: p.event.event_id,
          timeout: PUBLISH_TIMEOUT_MS,
          expect: { streamName: EVENTS_STREAM },
        }),
      ),
    );
    const firstFailure = results.findIndex((r) => r.status === 'rejected');
    if (firstFailure === -1) return sendable;
    const err = (results[firstFailure] as PromiseRejectedResult).reason as Error;
    if (isStreamNotFound(err) || jsErrorCode(err) === undefined) this.streamReady = false;
    if (firstFailure === 0) throw err;
    return firstFailure;
  }

  protected override async disconnect(): Promise<void> {
    this.closing = true;
    const nc = this.nc;
    this.nc = undefined;
    this.connected = false;
    if (nc && !nc.isClosed()) await nc.drain().catch(() => nc.close());
  }

  private async connectLoop(): Promise<void> {
    while (!this.closing) {
      try {
        const nc = await connectForEvents(this.config, `meridian-${this.options.source}-events`);
        if (this.closing) {
          await nc.close();
          return;
        }
        this.nc = nc;
        this.js = nc.jetstream({ timeout: PUBLISH_TIMEOUT_MS });
        this.connected = true;
        this.streamReady = false;
        this.resume();
        await this.watch(nc);
      } catch (err) {
        this.logger.warn(`Cannot connect to NATS for events: ${(err as Error).message}`);
      }
      this.connected = false;
      if (!this.closing) await new Promise((r) => setTimeout(r, 1_000).unref());
    }
  }

  /** Follows the connection until it is closed for good. */
  private async watch(nc: NatsConnection): Promise<void> {
    const closed = nc.closed();
    for await (const status of nc.status()) {
      if (status.type === Events.Disconnect) {
        this.connected = false;
        this.logger.warn(`Lost the NATS connection for events; ${this.pending} events waiting`);
      } else if (status.type === Events.Reconnect) {
        this.connected = true;
        this.streamReady = false;
        this.logger.log('Reconnected to NATS for events');
        this.resume();
      }
    }
    const err = await closed;
    if (err && !this.closing) this.logger.warn(`NATS connection for events closed: ${err.message}`);
  }
}
