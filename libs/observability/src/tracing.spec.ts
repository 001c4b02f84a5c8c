import { describe, expect, it } from 'vitest';
import { loadConfig } from '@meridian/config';
import { cleanTraceHeaders, inSpan, startTracing, traceIdOf, tracingEnabled } from './tracing';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = `00-${TRACE}-00f067aa0ba902b7-01`;

describe('trace context', () => {
  it('reads the trace id of a valid traceparent only', () => {
    expect(traceIdOf({ traceparent: PARENT })).toBe(TRACE);
    expect(traceIdOf({ traceparent: PARENT.toUpperCase() })).toBe(TRACE);
    expect(traceIdOf({ traceparent: `00-${'0'.repeat(32)}-00f067aa0ba902b7-01` })).toBeUndefined();
    expect(traceIdOf({ traceparent: 'not-a-traceparent' })).toBeUndefined();
    expect(traceIdOf(undefined)).toBeUndefined();
  });

  it('keeps well-formed headers and drops the rest', () => {
    expect(cleanTraceHeaders({ traceparent: PARENT, tracestate: 'vendor=1' })).toEqual({
      traceparent: PARENT,
      tracestate: 'vendor=1',
    });
    expect(cleanTraceHeaders({ traceparent: [PARENT, 'x'] })).toEqual({ traceparent: PARENT });
    expect(cleanTraceHeaders({ traceparent: 'garbage', tracestate: 'vendor=1' })).toBeUndefined();
    expect(cleanTraceHeaders({ tracestate: 'x'.repeat(600), traceparent: PARENT })).toEqual({
      traceparent: PARENT,
    });
  });
});

describe('without OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  it('starts nothing and passes the caller’s context through unchanged', async () => {
    await startTracing(loadConfig({}), 'test');
    expect(tracingEnabled()).toBe(false);
    const seen = await inSpan('op', { parent: { traceparent: PARENT }, kind: 'server' }, async (out) => out);
    expect(seen).toEqual({ traceparent: PARENT });
    expect(await inSpan('op', { kind: 'internal' }, async (out) => out)).toEqual({});
  });
});
