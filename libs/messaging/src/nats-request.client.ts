import { ClientProxy, NatsRecord, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import {
  connect,
  ErrorCode,
  Events,
  headers as createHeaders,
  JSONCodec,
  type ConnectionOptions,
  type MsgHdrs,
  type NatsConnection,
  type NatsError,
} from 'nats';
import { ServiceUnavailableError, TimeoutError } from '@meridian/errors';
import { natsRequestDuration, requestContext } from '@meridian/observability';

const codec = JSONCodec<Record<string, unknown>>();

/**
 * ClientProxy over NATS request/reply, speaking Nest's NATS wire format, so the services run
 * Nest's stock NATS server with queue groups. Unlike Nest's muxed client it uses NATS's own
 * request, so a subject nobody serves answers "no responders" at once (ServiceUnavailableError)
 * and a slow service answers TimeoutError at the deadline. Its connection options come whole from
 * natsConnectionOptions (credentials, TLS, inbox prefix).
 */
export class NatsRequestClient extends ClientProxy {
  private connection?: NatsConnection;
  private connecting?: Promise<NatsConnection>;
  private disconnected = false;

  constructor(
    private readonly options: ConnectionOptions,
    private readonly timeoutMs: number,
  ) {
    super();
  }

  async connect(): Promise<NatsConnection> {
    if (this.connection && !this.connection.isClosed()) return this.connection;
    this.connecting ??= connect({
      ...this.options,
      reconnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      waitOnFirstConnect: true,
    }).then((nc) => {
      this.connection = nc;
      this.disconnected = false;
      void this.watch(nc);
      return nc;
    });
    try {
      return await this.connecting;
    } finally {
      this.connecting = undefined;
    }
  }

  private async watch(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === Events.Disconnect) this.disconnected = true;
      if (status.type === Events.Reconnect) this.disconnected = false;
    }
  }

  /** Connected now (not closed, not between reconnect attempts). */
  get isConnected(): boolean {
    return !!this.connection && !this.connection.isClosed() && !this.disconnected;
  }

  get nats(): NatsConnection | undefined {
    return this.connection;
  }

  async close(): Promise<void> {
    const nc = this.connection;
    this.connection = undefined;
    if (nc && !nc.isClosed()) await nc.drain();
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    const subject = packet.pattern as string;
    const nc = this.connection;
    if (!nc || !this.isConnected) {
      // Fail fast rather than let the request wait in the reconnect buffer until its timeout.
      callback({ err: new ServiceUnavailableError('Message bus is not connected'), isDisposed: true });
      return () => undefined;
    }
    const id = randomUUID();
    // A NatsRecord's headers (trace context) travel as NATS message headers.
    const record = packet.data instanceof NatsRecord ? (packet.data as NatsRecord<unknown>) : undefined;
    const started = process.hrtime.bigint();
    const observe = (outcome: string) =>
      natsRequestDuration().observe({ subject, outcome }, Number(process.hrtime.bigint() - started) / 1e9);
    nc.request(subject, codec.encode({ pattern: subject, data: record ? record.data : packet.data, id }), {
      timeout: this.timeoutMs,
      // Explicit headers, or the trace context of the call this request is made in.
      headers: natsHeaders(record?.headers ?? requestContext.getStore()?.trace),
    })
      .then((msg) => {
        const reply = codec.decode(msg.data);
        if (reply.err !== undefined && reply.err !== null) {
          observe('error');
          callback({ err: reply.err, isDisposed: true });
        } else {
          observe('success');
          callback({ response: reply.response, isDisposed: true });
        }
      })
      .catch((err: NatsError) => {
        observe((err.code as ErrorCode) === ErrorCode.Timeout ? 'timeout' : 'unavailable');
        callback({ err: mapNatsError(err, subject, this.timeoutMs), isDisposed: true });
      });
    return () => undefined;
  }

  protected async dispatchEvent<T>(): Promise<T> {
    throw new Error('Events are published to JetStream, not through the request client');
  }

  override on(): void {}

  unwrap<T>(): T {
    return this.connection as T;
  }
}

export function mapNatsError(err: NatsError, subject: string, timeoutMs: number): Error {
  const service = subject.split('.')[2] ?? 'service';
  switch (err.code as ErrorCode) {
    case ErrorCode.NoResponders:
      return new ServiceUnavailableError(`The ${service} service is not available`, { service });
    case ErrorCode.Timeout:
      return new TimeoutError(`The ${service} service did not answer within ${timeoutMs} ms`, {
        service,
        timeout_ms: timeoutMs,
      });
    case ErrorCode.MaxPayloadExceeded:
      return new ServiceUnavailableError('Request exceeds the message bus payload limit', { service });
    default:
      return new ServiceUnavailableError(`The ${service} service is not reachable`, { service });
  }
}

function natsHeaders(values: unknown): MsgHdrs | undefined {
  if (!values || typeof values !== 'object') return undefined;
  const entries = Object.entries(values as Record<string, unknown>).filter(
    (e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '',
  );
  if (entries.length === 0) return undefined;
  const h = createHeaders();
  for (const [k, v] of entries) h.set(k, v);
  return h;
}
