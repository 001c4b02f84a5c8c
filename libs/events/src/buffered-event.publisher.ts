import { Logger } from '@nestjs/common';
import { domainEventSubject, toolEventSubject, type MeridianEvent } from './event-types';
import type { EventPublisher } from './event-publisher';
import {
  eventsBuffered,
  eventsDeliveryFailuresTotal,
  eventsDroppedTotal,
  eventsPublishedTotal,
  DROP_REASONS,
  type DropReason,
} from './events.metrics';
import { buildDomainEvent, buildToolEvent, type DomainEventContext, type ToolCallRecord } from './tool-event';

export interface PendingEvent {
  subject: string;
  event: MeridianEvent;
}

export interface BufferOptions {
  /** Whose events these are (`edge`, `chart`...): the metrics' `source` label and the events' `source`. */
  source: string;
  /** Most events held while the transport is unreachable (MERIDIAN_EVENT_BUFFER_SIZE). */
  capacity: number;
  /** Most events handed to the transport at once. */
  batchSize: number;
}

const MIN_RETRY_MS = 100;
const MAX_RETRY_MS = 2_000;
const LOG_EVERY_MS = 10_000;
/** Failed tries of the batch at the head of the buffer before its first event is tried alone. */
const ISOLATE_AFTER = 3;

/**
 * The buffer every publisher shares: a bounded FIFO drained in order by one background loop.
 *
 * On overflow the NEWEST event is dropped. An event accepted into the buffer is never evicted
 * later, so what is lost is exactly the events of one contiguous, logged window (from the moment
 * the buffer filled until the transport took events again), while the events leading into the
 * outage, usually the ones an investigation needs, are kept. Dropping the oldest instead would let
 * a burst of calls erase the record of what happened before it.
 *
 * One event the transport keeps refusing must not hold the others back: after a few failed tries
 * the head event is tried alone, and when it fails again while the event behind it is accepted
 * (and once more after that), the head is dropped (logged in full, counted as `rejected`). When
 * both fail the transport is down, and everything waits.
 */
export abstract class BufferedEventPublisher implements EventPublisher {
  protected readonly logger: Logger;
  private readonly queue: PendingEvent[] = [];
  private pumping = false;
  private accepting = true;
  private stopped = false;
  private retryMs = MIN_RETRY_MS;
  private wake?: () => void;
  private drops = { count: 0, since: 0, lastLog: 0 };
  private failures = { since: 0, lastLog: 0 };
  private headFailures = 0;

  protected constructor(protected readonly options: BufferOptions) {
    this.logger = new Logger(`Events(${options.source})`);
    // Every series exported at 0 from the start, so increase() sees the first drop.
    const source = options.source;
    eventsDeliveryFailuresTotal().inc({ source }, 0);
    eventsPublishedTotal().inc({ source }, 0);
    eventsBuffered().set({ source }, 0);
    for (const reason of DROP_REASONS) eventsDroppedTotal().inc({ source, reason }, 0);
  }

  /** Hands a batch from the head of the buffer to the transport; resolves how many it accepted, in order. */
  protected abstract deliver(batch: readonly PendingEvent[]): Promise<number>;

  /** Whether the transport is worth trying now (not disconnected). */
  protected isReady(): boolean {
    return true;
  }

  /** Releases the transport after the final flush. */
  protected async disconnect(): Promise<void> {}

  start(): void {}

  /** Events waiting to be delivered. */
  get pending(): number {
    return this.queue.length;
  }

  publishToolEvent(record: ToolCallRecord): void {
    this.safely(() => {
      const event = buildToolEvent(record, this.options.source);
      this.enqueue({ subject: toolEventSubject(event.tool), event });
    });
  }

  publishDomainEvent(type: string, data: Record<string, unknown>, context?: DomainEventContext): void {
    this.safely(() => {
      const subject = domainEventSubject(type);
      this.enqueue({ subject, event: buildDomainEvent(type, data, this.options.source, context) });
    });
  }

  async close(timeoutMs = 5_000): Promise<void> {
    this.accepting = false;
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length > 0 && Date.now() < deadline) {
      this.resume();
      await new Promise((r) => setTimeout(r, 20));
    }
    this.stopped = true;
    this.wake?.();
    if (this.queue.length > 0) {
      const lost = this.queue.splice(0).length;
      eventsDroppedTotal().inc({ source: this.options.source, reason: 'shutdown' }, lost);
      this.logger.error(`${lost} events could not be delivered before shutdown and are lost`);
    }
    this.updateGauge();
    await this.disconnect();
  }

  /** Tells the loop the transport is back: retry now rather than at the next back-off. */
  protected resume(): void {
    this.retryMs = MIN_RETRY_MS;
    this.wake?.();
    this.kick();
  }

  /** Counts and logs events the transport refused for good (they would never be accepted). */
  protected reject(count: number, reason: string): void {
    this.drop(count, 'rejected');
    this.logger.error(`${count} events refused by the event stream and dropped: ${reason}`);
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      // An event must never break the call it describes.
      this.logger.error({ err }, 'Could not build an event');
    }
  }

  private enqueue(item: PendingEvent): void {
    if (!this.accepting) return this.drop(1, 'shutdown');
    if (this.queue.length >= this.options.capacity) return this.drop(1, 'overflow');
    this.queue.push(item);
    this.updateGauge();
    this.kick();
  }

  private drop(count: number, reason: DropReason): void {
    eventsDroppedTotal().inc({ source: this.options.source, reason }, count);
    if (reason !== 'overflow') return;
    const now = Date.now();
    if (this.drops.count === 0) {
      this.drops = { count: 0, since: now, lastLog: now };
      this.logger.warn(
        `Event buffer full (${this.options.capacity} events waiting): new events are dropped until the ` +
          'event stream accepts events again',
      );
    }
    this.drops.count += count;
    if (now - this.drops.lastLog >= LOG_EVERY_MS) {
      this.drops.lastLog = now;
      this.logger.warn(
        `${this.drops.count} events dropped so far since ${new Date(this.drops.since).toISOString()}`,
      );
    }
  }

  private kick(): void {
    if (this.pumping || this.stopped) return;
    this.pumping = true;
    setImmediate(() => void this.pump());
  }

  private async pump(): Promise<void> {
    try {
      while (this.queue.length > 0 && !this.stopped) {
        if (!this.isReady()) {
          await this.pause();
          continue;
        }
        const isolated = this.headFailures >= ISOLATE_AFTER;
        const batch = this.queue.slice(0, isolated ? 1 : this.options.batchSize);
        let accepted = 0;
        let error: unknown;
        try {
          accepted = await this.deliver(batch);
        } catch (err) {
          error = err;
          this.onFailure(err);
        }
        if (this.stopped) return;
        if (accepted > 0) {
          this.headFailures = 0;
          this.onDelivered(accepted);
        }
        if (accepted < batch.length) {
          eventsDeliveryFailuresTotal().inc({ source: this.options.source });
          this.headFailures++;
          const verdict = isolated ? await this.probeBehindHead() : 'down';
          if (verdict === 'refused') this.dropHead(error);
          if (verdict !== 'down') continue;
          await this.pause();
        }
      }
    } finally {
      this.pumping = false;
      if (this.queue.length > 0 && !this.stopped) this.kick();
    }
  }

  /**
   * After the head failed alone: delivers the event behind it alone. Refused too, the transport is
   * `down`. Accepted, the head gets one more try (the transport may only just have come back):
   * `recovered` if it goes through, else the head is what the transport `refused`.
   */
  private async probeBehindHead(): Promise<'down' | 'recovered' | 'refused'> {
    if (this.queue.length < 2 || !(await this.delivered(this.queue.slice(1, 2)))) return 'down';
    this.queue.splice(1, 1);
    eventsPublishedTotal().inc({ source: this.options.source });
    this.updateGauge();
    if (!(await this.delivered(this.queue.slice(0, 1)))) return 'refused';
    this.headFailures = 0;
    this.onDelivered(1);
    return 'recovered';
  }

  private async delivered(batch: readonly PendingEvent[]): Promise<boolean> {
    try {
      return (await this.deliver(batch)) === batch.length;
    } catch {
      return false;
    }
  }

  private dropHead(error: unknown): void {
    const [head] = this.queue.splice(0, 1);
    this.headFailures = 0;
    this.updateGauge();
    this.drop(1, 'rejected');
    this.logger.error(
      { event: head.event, err: error },
      `Event ${head.event.event_id} dropped: refused ${ISOLATE_AFTER + 2} times, the last while the event ` +
        `behind it was accepted (${(error as Error)?.message ?? 'not accepted'})`,
    );
  }

  private onDelivered(count: number): void {
    this.queue.splice(0, count);
    eventsPublishedTotal().inc({ source: this.options.source }, count);
    this.updateGauge();
    this.retryMs = MIN_RETRY_MS;
    if (this.failures.since) {
      this.logger.log(`Event stream reachable again; ${this.queue.length} events still waiting`);
      this.failures = { since: 0, lastLog: 0 };
    }
    if (this.drops.count > 0) {
      this.logger.warn(
        `Event buffer overflow over: ${this.drops.count} events dropped between ` +
          `${new Date(this.drops.since).toISOString()} and ${new Date().toISOString()}`,
      );
      this.drops = { count: 0, since: 0, lastLog: 0 };
    }
  }

  private onFailure(err: unknown): void {
    const now = Date.now();
    if (!this.failures.since) this.failures.since = now;
    if (now - this.failures.lastLog < LOG_EVERY_MS) return;
    this.failures.lastLog = now;
    this.logger.warn(
      `Events cannot be delivered (${(err as Error)?.message ?? String(err)}); ` +
        `${this.queue.length} waiting in the buffer`,
    );
  }

  private pause(): Promise<void> {
    const ms = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.wake = done;
    });
  }

  private updateGauge(): void {
    eventsBuffered().set({ source: this.options.source }, this.queue.length);
  }
}
