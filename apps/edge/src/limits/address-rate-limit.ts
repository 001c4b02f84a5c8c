import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { toMeridianError } from '@meridian/errors';
import { RateLimitService } from '@meridian/rate-limit';
import { sendError } from '../http/error-reply';

/** Probes and scrapes: never limited, never behind the origin policy; an orchestrator must always see the truth. */
export const PROBE_PATHS: ReadonlySet<string> = new Set(['/health', '/ready', '/metrics']);

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
      if (PROBE_PATHS.has(req.url.split('?', 1)[0])) return;
      try {
        await limits.checkAddress(req.ip);
      } catch (err) {
        sendError(reply, toMeridianError(err));
        return reply;
      }
    });
}
