import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import { ErrorType, type MeridianError } from '@meridian/errors';
import { rateLimitHeaders } from '@meridian/rate-limit';

function isFastifyReply(target: FastifyReply | ServerResponse): target is FastifyReply {
  return typeof (target as FastifyReply).status === 'function';
}

function headersOf(error: MeridianError): Record<string, string> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  const retryAfter = error.retryAfterSeconds;
  if (retryAfter !== undefined) headers['Retry-After'] = String(Math.ceil(retryAfter));
  if (error.type === ErrorType.RateLimit) Object.assign(headers, rateLimitHeaders(error.details));
  return headers;
}

/**
 * Writes an error in the one wire form, to a Fastify reply or, where Fastify hands over the bare
 * Node response (middleware, hooks before routing), to that. Nothing is written twice.
 */
export function sendError(target: FastifyReply | ServerResponse, error: MeridianError): void {
  const headers = headersOf(error);
  if (isFastifyReply(target)) {
    if (target.sent || (target.raw as ServerResponse | undefined)?.headersSent) return;
    for (const [name, value] of Object.entries(headers)) void target.header(name, value);
    void target.status(error.status).send(error.toBody());
    return;
  }
  if (target.headersSent || target.writableEnded) return;
  target.writeHead(error.status, headers);
  target.end(JSON.stringify(error.toBody()));
}
