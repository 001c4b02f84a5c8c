import type { NatsOptions } from '@nestjs/microservices';
import type { NatsConnection } from 'nats';
import { SQL_CANCEL_SUBJECT, sqlOverflowSubject, toolRegistry } from '@meridian/contracts';
import { MeridianNatsServer } from '@meridian/messaging';
import type { ConcurrencyGate } from '../limits/concurrency-gate';

type NatsServerOptions = Required<NatsOptions>['options'];

/**
 * Nest's NATS server, with the subscriptions a sql worker needs to share load well:
 *
 * - the tool subjects, in the queue group, left while the worker's gate says it is saturated and
 *   joined again once it drained to its low-water mark, so NATS hands new calls to the other
 *   workers instead of queueing them behind busy ones;
 * - the overflow subjects, in the queue group, kept while running: the edge goes there when no
 *   worker is on the tool subjects, and a worker queues the call or answers ServiceBusyError;
 * - the cancel subject, outside any queue group, so every worker hears every cancel (even one
 *   that is not ready or stopping: its running queries can still be cancelled).
 *
 * A worker that is not ready (MeridianNatsServer) leaves the tool and overflow subjects too.
 * Stopping, it leaves them first; the service's shutdown hook lets the running queries finish
 * before the connection closes.
 */
export class SqlWorkerServer extends MeridianNatsServer {
  private readonly overflowSubjects = new Set(
    toolRegistry()
      .forService('sql')
      .map((t) => sqlOverflowSubject(t.subject)),
  );
  private stopFollowing?: () => void;

  constructor(
    options: NatsServerOptions,
    private readonly gate: ConcurrencyGate,
  ) {
    super(options);
  }

  override bindEvents(client: NatsConnection): void {
    super.bindEvents(client);
    this.stopFollowing = this.gate.onChange(() => this.sync());
  }

  override async close(): Promise<void> {
    this.stopFollowing?.();
    await super.close();
  }

  /** Draining at shutdown counts as stopping from the moment the gate closes. */
  override get outOfQueueGroup(): string[] | undefined {
    return this.gate.state.closing ? ['stopping'] : super.outOfQueueGroup;
  }

  protected override wants(channel: string): boolean {
    if (channel === SQL_CANCEL_SUBJECT) return true;
    const state = this.gate.state;
    if (state.closing || !super.wants(channel)) return false;
    return this.overflowSubjects.has(channel) || !state.paused;
  }

  protected override inQueue(channel: string): boolean {
    return channel !== SQL_CANCEL_SUBJECT;
  }
}
