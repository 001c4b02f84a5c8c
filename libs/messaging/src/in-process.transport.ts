import {
  BaseRpcContext,
  ClientProxy,
  NatsRecord,
  Server,
  type CustomTransportStrategy,
  type ReadPacket,
  type WritePacket,
} from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { NO_MESSAGE_HANDLER } from '@nestjs/microservices/constants';
import { requestContext } from '@meridian/observability';

/** The trace context of the call a request is made in, sent along like NATS headers. */
function traceOfCall(): Record<string, string> | undefined {
  const trace = requestContext.getStore()?.trace;
  return trace?.traceparent ? (trace as Record<string, string>) : undefined;
}

export class InProcessContext extends BaseRpcContext<[string, Record<string, string>?]> {
  getPattern(): string {
    return this.args[0];
  }

  /** Message headers (trace context), as NatsContext.getHeaders() gives them over NATS. */
  getHeaders(): Record<string, string> {
    return this.args[1] ?? {};
  }
}

/**
 * The all-in-one process's transport: the same @MessagePattern handlers as over NATS, reached by
 * a direct call instead of a network hop.
 */
export class InProcessBus {
  private readonly servers = new Set<InProcessServer>();

  register(server: InProcessServer): void {
    this.servers.add(server);
  }

  unregister(server: InProcessServer): void {
    this.servers.delete(server);
  }

  async dispatch(pattern: string, data: unknown, headers?: Record<string, string>): Promise<unknown> {
    for (const server of this.servers) {
      const handler = server.getHandlerByPattern(pattern);
      if (!handler) continue;
      const ctx = new InProcessContext([pattern, { ...headers }]);
      // Requests and replies cross the seam as JSON, exactly as they would over NATS.
      const input = JSON.parse(JSON.stringify(data)) as unknown;
      const result$ = server.toObservable(await handler(input, ctx));
      const result = await lastValueFrom(result$, { defaultValue: undefined });
      return result === undefined ? undefined : (JSON.parse(JSON.stringify(result)) as unknown);
    }
    throw { status: 'error', message: NO_MESSAGE_HANDLER, pattern };
  }
}

export class InProcessServer extends Server implements CustomTransportStrategy {
  constructor(private readonly bus: InProcessBus) {
    super();
  }

  listen(callback: () => void): void {
    this.bus.register(this);
    callback();
  }

  close(): void {
    this.bus.unregister(this);
  }

  toObservable(value: unknown) {
    return this.transformToObservable(value);
  }

  on(): void {
    // No transport-level events in process.
  }

  unwrap<T>(): T {
    return this.bus as T;
  }
}

export class InProcessClient extends ClientProxy {
  constructor(private readonly bus: InProcessBus) {
    super();
  }

  async connect(): Promise<void> {}

  async close(): Promise<void> {}

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    // A NatsRecord carries headers beside the data, over NATS and here alike.
    const record = packet.data instanceof NatsRecord ? (packet.data as NatsRecord<unknown>) : undefined;
    this.bus
      .dispatch(
        packet.pattern as string,
        record ? record.data : packet.data,
        (record?.headers as Record<string, string> | undefined) ?? traceOfCall(),
      )
      .then((response) => callback({ response, isDisposed: true }))
      .catch((err: unknown) => callback({ err, isDisposed: true }));
    return () => undefined;
  }

  protected async dispatchEvent<T>(): Promise<T> {
    throw new Error('Events do not travel over the request transport');
  }

  override on(): void {}

  unwrap<T>(): T {
    return this.bus as T;
  }
}
