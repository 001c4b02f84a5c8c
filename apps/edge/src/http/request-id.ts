import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyRequest } from 'fastify';
import { requestIdFrom } from '@meridian/observability';

/**
 * Fastify's request id: the caller's X-Request-Id when it is a usable one, a UUID otherwise. The
 * request logger takes it over, so the access line and the call's own lines share it.
 */
export function newRequestId(req: Pick<IncomingMessage, 'headers'>): string {
  return requestIdFrom(req.headers['x-request-id']) ?? randomUUID();
}

/** The id of this request (see newRequestId). */
export function requestIdOf(req: FastifyRequest): string {
  return requestIdFrom(req.id) ?? newRequestId(req.raw);
}
