import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestContext {
  requestId: string;
  tool?: string;
  username?: string;
}

/**
 * Carries the edge's request id through the handling of one call, in the edge and in each
 * service, so every log line of that call names it (HTTP context alone stops at the transport).
 */
export const requestContext = new AsyncLocalStorage<RequestContext>();
