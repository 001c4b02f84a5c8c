import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { MeridianConfig } from '@meridian/config';
import { ValidationError, toMeridianError } from '@meridian/errors';
import { PROBE_PATHS } from '../limits/address-rate-limit';
import { OriginPolicy } from '../mcp/origin-policy';
import { sendError } from './error-reply';

/** Public metadata keeps its own rules too: no Host/Origin policy, like the probes. */
const OPEN_PREFIXES = ['/.well-known/'];

export function isOpenPath(url: string): boolean {
  const path = url.split('?', 1)[0];
  return PROBE_PATHS.has(path) || OPEN_PREFIXES.some((p) => path.startsWith(p));
}

/**
 * Which X-Forwarded-For hops the edge believes: none without ENABLE_PROXY_FIX; otherwise exactly
 * the listed proxies (MCP_TRUSTED_PROXIES) or exactly MCP_PROXY_HOPS hops, so an address a client
 * wrote into the header itself is never taken for its own.
 */
export function trustProxyOf(config: MeridianConfig): boolean | number | string[] {
  if (!config.proxyFix) return false;
  return config.trustedProxies.length > 0 ? config.trustedProxies : config.proxyHops;
}

const CLIENT_ERRORS: Record<string, string> = {
  HPE_HEADER_OVERFLOW: 'Request headers (or URL) too large',
  ERR_HTTP_REQUEST_TIMEOUT: 'Request not received in time',
};

/**
 * Requests Node's HTTP parser refuses before Fastify sees them (oversized headers, malformed
 * request lines) still get the one error form.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const body = JSON.stringify(
      new ValidationError(CLIENT_ERRORS[err.code ?? ''] ?? 'Malformed HTTP request', {
        code: err.code,
      }).toBody(),
    );
    socket.write(
      `HTTP/1.1 400 Bad Request\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/json\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** Fastify's own refusals (a malformed URL escape, a bad Content-Length...) as ValidationErrors. */
export function frameworkErrors(error: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode ?? 500;
  const typed =
    status >= 400 && status < 500
      ? new ValidationError(`Malformed request: ${error.message}`, { code: error.code })
      : toMeridianError(error);
  sendError(reply, typed);
}

export function edgeFastifyOptions(
  config: MeridianConfig,
  genReqId: FastifyServerOptions['genReqId'],
): FastifyServerOptions {
  return {
    trustProxy: trustProxyOf(config),
    bodyLimit: 4 * 1024 * 1024,
    genReqId,
    clientErrorHandler,
    frameworkErrors,
  };
}

/**
 * DNS-rebinding protection for every route that acts or answers data (/mcp, the REST tools, the
 * pages): one onRequest hook, ahead of authentication and routing, so no route can forget it.
 */
export function installOriginPolicy(app: NestFastifyApplication): void {
  const policy = app.get(OriginPolicy);
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', async (req, reply) => {
      if (isOpenPath(req.url)) return;
      try {
        policy.check(req.headers);
      } catch (err) {
        sendError(reply, toMeridianError(err));
        return reply;
      }
    });
}
