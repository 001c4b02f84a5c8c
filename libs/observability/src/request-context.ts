import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestContext {
  requestId: string;
  tool?: string;
  username?: string;
}

/** Carries the edge's request id through a service's handling of one message. */
export const requestContext = new AsyncLocalStorage<RequestContext>();
