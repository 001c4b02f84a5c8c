import { NatsRecord } from '@nestjs/microservices';
import { cleanTraceHeaders, type TraceHeaders } from '@meridian/observability';

/**
 * The W3C trace context of an incoming message: NATS headers (NatsContext.getHeaders()) or the
 * in-process transport's headers. Malformed values are dropped.
 */
export function traceHeadersOf(rpcContext: unknown): TraceHeaders | undefined {
  const getHeaders = (rpcContext as { getHeaders?: () => unknown } | undefined)?.getHeaders;
  if (typeof getHeaders !== 'function') return undefined;
  const headers = getHeaders.call(rpcContext) as
    { get?: (name: string) => string } | Record<string, unknown> | undefined;
  if (!headers) return undefined;
  const read = (name: string): unknown =>
    typeof headers.get === 'function'
      ? headers.get(name) || undefined
      : (headers as Record<string, unknown>)[name];
  return cleanTraceHeaders({ traceparent: read('traceparent'), tracestate: read('tracestate') });
}

/** The request as a client sends it: with trace headers when there are any, bare otherwise. */
export function withTraceHeaders<T>(data: T, trace: TraceHeaders): T | NatsRecord<T, Record<string, string>> {
  const headers = Object.fromEntries(
    Object.entries(trace).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''),
  );
  return Object.keys(headers).length > 0 ? new NatsRecord(data, headers) : data;
}
