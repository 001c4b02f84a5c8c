import { Logger } from '@nestjs/common';
import { ServerNats, type NatsOptions } from '@nestjs/microservices';
import { Events, type NatsConnection, type Status, type Subscription } from 'nats';
import { queueGroupMember } from './queue-membership.metrics';

type NatsServerOptions = Required<NatsOptions>['options'];

/** What keeps a service out of its queue group: the names of its failing readiness checks. */
export type ReadinessProbe = () => Promise<string[]>;

/** How often a service following its readiness checks asks them again. */
export const READINESS_FOLLOW_MS = 1000;

/**
 * Nest's NATS server, taking work from its queue group only while the service can do it.
 *
 * - Membership: every handler's subject is joined (in the queue group) while the service is ready
 *   and left while it is not (its database unreachable, its schema too old, it is stopping), so
 *   NATS hands the work to a healthy replica, or answers "no responders" at once when there is
 *   none. Leaving drains the subscription: a request routed here before the server learnt of the
 *   leave is still answered. A subclass may keep or drop a subject for reasons of its own
 *   (`wants`) or keep one out of the queue group (`inQueue`).
 * - Reconnects: nats.js subscribes again, by itself, to every subject the service is joined to;
 *   a subject left while NATS was away stays left. `connected` says whether NATS is reachable now.
 * - Refusals: nats.js closes a subscription the NATS server refused and Nest only logs the error,
 *   so a service without the permission to hear its subjects would look healthy; readiness asks
 *   `refusedSubscriptions` instead.
 */
export class MeridianNatsServer extends ServerNats {
  private readonly membershipLogger = new Logger('NatsServer');
  private readonly refused = new Set<string>();
  /** Each handler's subject, with its subscription while joined. */
  protected readonly joined = new Map<string, Subscription | undefined>();
  protected connection?: NatsConnection;
  private readonly queue?: string;
  private probe?: ReadinessProbe;
  private timer?: NodeJS.Timeout;
  private evaluating = false;
  private disconnected = false;
  /** Ready unless a readiness probe follows the service and said otherwise (or has not yet spoken). */
  private ready = true;
  private notReadyBecause: string[] = [];
  protected closing = false;

  constructor(options: NatsServerOptions) {
    super(options);
    this.queue = options.queue;
  }

  /** Subjects (with their queue group) the NATS server refused to let this service subscribe to. */
  get refusedSubscriptions(): string[] {
    return [...this.refused];
  }

  /** Whether the NATS connection is up now (false while it is lost and nats.js reconnects). */
  get connected(): boolean {
    return this.connection !== undefined && !this.connection.isClosed() && !this.disconnected;
  }

  /** Why the service is out of its queue group, or undefined while it is in. */
  get outOfQueueGroup(): string[] | undefined {
    if (this.closing) return ['stopping'];
    return this.ready ? undefined : this.notReadyBecause;
  }

  /**
   * Joins the queue group only while `probe` finds nothing failing, asking it at start and every
   * `intervalMs`. Call before the server listens: until the first answer it stays out.
   */
  followReadiness(probe: ReadinessProbe, intervalMs = READINESS_FOLLOW_MS): void {
    this.probe = probe;
    this.ready = false;
    this.notReadyBecause = ['starting'];
    this.timer = setInterval(() => void this.evaluate(), intervalMs);
    this.timer.unref();
  }

  // Nest calls this right after connecting and before subscribing: no refusal can come earlier.
  override handleStatusUpdates(client: NatsConnection): Promise<void> {
    void this.watchStatus(client.status());
    return super.handleStatusUpdates(client);
  }

  override bindEvents(client: NatsConnection): void {
    this.connection = client;
    for (const channel of this.messageHandlers.keys()) this.joined.set(channel, undefined);
    this.sync();
    if (this.probe) void this.evaluate();
  }

  /** Leaves every subject it may leave (drained), then closes the connection. */
  override async close(): Promise<void> {
    clearInterval(this.timer);
    if (!this.closing)
      this.membershipLogger.log({ queue: this.queue }, `Stopping: leaving queue group ${this.queue}`);
    this.closing = true;
    this.sync();
    await this.connection?.flush().catch(() => undefined);
    await super.close();
  }

  /** Whether the service should be on `channel` now. */
  protected wants(channel: string): boolean {
    void channel;
    return this.ready && !this.closing;
  }

  /** Whether `channel` is heard in the queue group (shared by the replicas) or by every replica. */
  protected inQueue(channel: string): boolean {
    void channel;
    return true;
  }

  /** Joins or leaves each subject as `wants` asks now. */
  protected sync(): void {
    const nc = this.connection;
    if (!nc || nc.isClosed()) return;
    for (const [channel, sub] of this.joined) {
      const wanted = this.wants(channel);
      if (wanted && !sub) this.joined.set(channel, this.subscribe(nc, channel));
      if (!wanted && sub) {
        // Draining, not unsubscribing: a request NATS routed here before it learnt of the leave
        // still gets an answer. While NATS is away the drain settles at the next dial, and
        // nats.js does not subscribe to the subject again.
        sub.drain().catch(() => undefined);
        this.joined.set(channel, undefined);
      }
    }
  }

  private subscribe(nc: NatsConnection, channel: string): Subscription {
    const handler = this.getMessageHandler(channel) as (err: unknown, msg: unknown) => Promise<unknown>;
    const extras = this.messageHandlers.get(channel)?.extras as { queue?: string } | undefined;
    return nc.subscribe(channel, {
      queue: this.inQueue(channel) ? (extras?.queue ?? this.queue) : undefined,
      callback: (err, msg) => void handler.call(this, err, msg),
    });
  }

  private async evaluate(): Promise<void> {
    if (!this.probe || this.evaluating || this.closing) return;
    this.evaluating = true;
    try {
      const failing = await this.probe().catch((err: unknown) => [`readiness: ${(err as Error).message}`]);
      this.setReady(failing);
    } finally {
      this.evaluating = false;
    }
  }

  private setReady(failing: string[]): void {
    const ready = failing.length === 0;
    const queue = this.queue ?? '';
    const was = this.ready;
    this.ready = ready;
    this.notReadyBecause = failing;
    if (was !== ready && !this.closing) {
      if (ready) this.membershipLogger.log({ queue }, `Ready again: rejoining queue group ${queue}`);
      else {
        this.membershipLogger.warn(
          { queue, failing },
          `Not ready (${failing.join(', ')}): leaving queue group ${queue} until ready`,
        );
      }
    }
    queueGroupMember().set({ queue }, ready ? 1 : 0);
    this.sync();
  }

  private async watchStatus(statuses: AsyncIterable<Status>): Promise<void> {
    for await (const status of statuses) {
      if (status.type === Events.Disconnect) this.disconnected = true;
      if (status.type === Events.Reconnect) this.disconnected = false;
      const ctx = (
        status as Status & { permissionContext?: { operation: string; subject: string; queue?: string } }
      ).permissionContext;
      if (status.type !== Events.Error || ctx?.operation !== 'subscription') continue;
      const what = ctx.queue ? `${ctx.subject} (queue ${ctx.queue})` : ctx.subject;
      this.refused.add(what);
      this.membershipLogger.error(
        { subject: ctx.subject, queue: ctx.queue },
        `NATS refused the subscription to ${what}`,
      );
    }
  }
}
