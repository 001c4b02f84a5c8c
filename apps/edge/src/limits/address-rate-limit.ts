import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { toMeridianError } from '@meridian/errors';
import { RateLimitService, rateLimitHeaders } from '@meridian/rate-limit';

/** Probes and scrapes are never limited: an orchestrator must always see the truth. */
const UNLIMITED = new Set(['/health', '/ready', '/metrics']);

/**
 * The per-address limit (`per_ip_limits`), as a Fastify onRequest hook: it runs before routing
 * reaches Nest's guards, so a flood of bad tokens is turned away before any token is parsed or a
 * JWKS is fetched. The address is the socket's, or X-Forwarded-For's with ENABLE_PROXY_FIX.
 */
export function installAddressRateLimit(app: NestFastifyApplication): void {
  const limits = app.get(RateLimitService);
  if (!limits.enabled) return;
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', async (req, reply) => {
      if (UNLIMITED.has(req.url.split('?', 1)[0])) return;
      try {
        await limits.checkAddress(req.ip);
      } catch (err) {
        const error = toMeridianError(err);
        const retryAfter = error.retryAfterSeconds;
        void reply.headers(rateLimitHeaders(error.details));
        if (retryAfter !== undefined) void reply.header('Retry-After', String(Math.ceil(retryAfter)));
        return reply.status(error.status).header('Content-Type', 'application/json').send(error.toBody());
      }
    });
}
