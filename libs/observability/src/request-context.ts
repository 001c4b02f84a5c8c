import { AsyncLocalStorage } from 'node:async_hooks';
import type { TraceHeaders } from './tracing';

export interface RequestContext {
  requestId: string;
  tool?: string;
  username?: string;
  /** The W3C trace id of the call, when the caller sent one or tracing is on. */
  traceId?: string;
  /** The caller's W3C trace context, until the call's own span takes over. */
  trace?: TraceHeaders;
}

/**
 * Carries the edge's request id through the handling of one call, in the edge and in each
 * service, so every log line of that call names it (HTTP context alone stops at the transport).
 */
export const requestContext = new AsyncLocalStorage<RequestContext>();
