import type { NatsOptions } from '@nestjs/microservices';
import type { NatsConnection, Subscription } from 'nats';
import { SQL_CANCEL_SUBJECT, sqlOverflowSubject, toolRegistry } from '@meridian/contracts';
import { MeridianNatsServer } from '@meridian/messaging';
import type { ConcurrencyGate, GateState } from '../limits/concurrency-gate';

type NatsServerOptions = Required<NatsOptions>['options'];

/**
 * Nest's NATS server, with the subscriptions a sql worker needs to share load well:
 *
 * - the tool subjects, in the queue group, left while the worker's gate says it is saturated and
 *   joined again once it drained to its low-water mark, so NATS hands new calls to the other
 *   workers instead of queueing them behind busy ones;
 * - the overflow subjects, in the queue group, kept while running: the edge goes there when no
 *   worker is on the tool subjects, and a worker queues the call or answers ServiceBusyError;
 * - the cancel subject, outside any queue group, so every worker hears every cancel.
 *
 * Stopping, it leaves the tool and overflow subjects first; the service's shutdown hook lets the
 * running queries finish before the connection closes.
 */
export class SqlWorkerServer extends MeridianNatsServer {
  private readonly queue?: string;
  private readonly overflowSubjects = new Set(
    toolRegistry()
      .forService('sql')
      .map((t) => sqlOverflowSubject(t.subject)),
  );
  private readonly joined = new Map<string, Subscription | undefined>();
  private connection?: NatsConnection;
  private stopFollowing?: () => void;

  constructor(
    options: NatsServerOptions,
    private readonly gate: ConcurrencyGate,
  ) {
    super(options);
    this.queue = options.queue;
  }

  override bindEvents(client: NatsConnection): void {
    this.connection = client;
    for (const channel of this.messageHandlers.keys()) {
      this.joined.set(channel, undefined);
      if (channel === SQL_CANCEL_SUBJECT) this.joined.set(channel, this.subscribe(client, channel, false));
    }
    this.stopFollowing = this.gate.onChange((state) => this.follow(state));
    this.follow(this.gate.state);
  }

  override async close(): Promise<void> {
    this.stopFollowing?.();
    this.follow({ ...this.gate.state, paused: true, closing: true });
    await this.connection?.flush().catch(() => undefined);
    await super.close();
  }

  /** Joins or leaves the tool and overflow subjects as the gate's state asks. */
  private follow(state: GateState): void {
    const nc = this.connection;
    if (!nc || nc.isClosed()) return;
    for (const [channel, sub] of this.joined) {
      if (channel === SQL_CANCEL_SUBJECT) continue;
      const wanted = this.overflowSubjects.has(channel) ? !state.closing : !state.paused;
      if (wanted && !sub) this.joined.set(channel, this.subscribe(nc, channel, true));
      if (!wanted && sub) {
        // Draining, not unsubscribing: a request NATS routed here before it learnt of the leave
        // still gets an answer (from a saturated worker: "try another") instead of being dropped.
        sub.drain().catch(() => undefined);
        this.joined.set(channel, undefined);
      }
    }
  }

  private subscribe(nc: NatsConnection, channel: string, inQueue: boolean): Subscription {
    const handler = this.getMessageHandler(channel) as (err: unknown, msg: unknown) => Promise<unknown>;
    return nc.subscribe(channel, {
      queue: inQueue ? this.queue : undefined,
      callback: (err, msg) => void handler.call(this, err, msg),
    });
  }
}
