import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Tracer,
} from '@opentelemetry/api';
import type { MeridianConfig } from '@meridian/config';

/** W3C trace context as it travels in HTTP and NATS headers. */
export interface TraceHeaders {
  traceparent?: string;
  tracestate?: string;
}

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

interface Tracing {
  tracer: Tracer;
  flush(): Promise<void>;
}

let tracing: Tracing | undefined;
let starting: Promise<void> | undefined;

/** The trace id of a W3C traceparent, when it is a valid one (for log lines). */
export function traceIdOf(headers: TraceHeaders | undefined): string | undefined {
  const match = headers?.traceparent ? TRACEPARENT.exec(headers.traceparent.trim().toLowerCase()) : null;
  return match && !/^0+$/.test(match[1]) ? match[1] : undefined;
}

/** Only well-formed trace context is forwarded; anything else is dropped, never echoed. */
export function cleanTraceHeaders(input: object): TraceHeaders | undefined {
  const headers = input as { traceparent?: unknown; tracestate?: unknown };
  const first = (v: unknown) => (Array.isArray(v) ? (v[0] as unknown) : v);
  const traceparent = first(headers.traceparent);
  if (typeof traceparent !== 'string' || !traceIdOf({ traceparent })) return undefined;
  const tracestate = first(headers.tracestate);
  return {
    traceparent: traceparent.trim().toLowerCase(),
    ...(typeof tracestate === 'string' && tracestate.length <= 512 ? { tracestate } : {}),
  };
}

/**
 * Starts the OpenTelemetry SDK when OTEL_EXPORTER_OTLP_ENDPOINT is set (spans over OTLP/HTTP,
 * W3C propagation); otherwise nothing is loaded. Once per process: the all-in-one's services share
 * the first caller's service name.
 */
export function startTracing(config: MeridianConfig, service: string): Promise<void> {
  const endpoint = config.telemetry.otlpEndpoint;
  if (!endpoint) return Promise.resolve();
  starting ??= (async () => {
    const [
      { NodeTracerProvider },
      { BatchSpanProcessor },
      { OTLPTraceExporter },
      { resourceFromAttributes },
    ] = await Promise.all([
      import('@opentelemetry/sdk-trace-node'),
      import('@opentelemetry/sdk-trace-base'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/resources'),
    ]);
    const exporter = new OTLPTraceExporter({
      url: `${endpoint}/v1/traces`,
      headers: config.telemetry.otlpHeaders,
    });
    const provider = new NodeTracerProvider({
      resource: resourceFromAttributes({
        'service.name': config.telemetry.serviceName ?? service,
        'service.version': config.version,
      }),
      spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1000 })],
    });
    provider.register();
    tracing = { tracer: trace.getTracer('meridian', config.version), flush: () => provider.forceFlush() };
  })();
  return starting;
}

export function tracingEnabled(): boolean {
  return tracing !== undefined;
}

/** Sends the spans still buffered (at shutdown). */
export async function flushTracing(): Promise<void> {
  await tracing?.flush().catch(() => undefined);
}

export interface SpanOptions {
  /** Incoming trace context; without it the span continues the active context (or starts a trace). */
  parent?: TraceHeaders;
  kind: 'server' | 'client' | 'internal';
  attributes?: Attributes;
}

const KINDS = { server: SpanKind.SERVER, client: SpanKind.CLIENT, internal: SpanKind.INTERNAL } as const;

/**
 * Runs `fn` in a span and hands it the trace context to send further (NATS headers). With tracing
 * off, the incoming context is passed through unchanged, so the services still see the caller's
 * trace id.
 */
export async function inSpan<T>(
  name: string,
  opts: SpanOptions,
  fn: (outgoing: TraceHeaders) => Promise<T>,
): Promise<T> {
  if (!tracing) return fn(opts.parent ?? {});
  const parent = opts.parent?.traceparent ? propagation.extract(ROOT_CONTEXT, opts.parent) : context.active();
  const span = tracing.tracer.startSpan(
    name,
    { kind: KINDS[opts.kind], attributes: opts.attributes },
    parent,
  );
  const ctx = trace.setSpan(parent, span);
  const outgoing: TraceHeaders = {};
  propagation.inject(ctx, outgoing);
  try {
    return await context.with(ctx, () => fn(outgoing));
  } catch (err) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message });
    if (err instanceof Error) span.recordException(err);
    throw err;
  } finally {
    span.end();
  }
}

/** Marks the active span as failed with an error type, for outcomes that are answers, not throws. */
export function markSpanError(errorType: string): void {
  const span = trace.getActiveSpan();
  span?.setAttribute('meridian.error_type', errorType);
  span?.setStatus({ code: SpanStatusCode.ERROR, message: errorType });
}
