import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import type { MeridianConfig } from '@meridian/config';
import { requestContext } from './request-context';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  '*.password',
  '*.token',
  '*.secret',
  '*.api_key',
];

const SECRET_PARAMS = /^(access_token|id_token|token|code|signature|api_key|password|secret)$/i;

export function redactUrl(url: string | undefined): string | undefined {
  if (!url || !url.includes('?')) return url;
  const [path, query] = url.split('?', 2);
  const parts = query.split('&').map((pair) => {
    const [key] = pair.split('=', 1);
    return SECRET_PARAMS.test(decodeURIComponent(key)) ? `${key}=[redacted]` : pair;
  });
  return `${path}?${parts.join('&')}`;
}

function redactQuery(query: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(query).map(([k, v]) => [k, SECRET_PARAMS.test(k) ? '[redacted]' : v]),
  );
}

/** pino options shared by every process: JSON lines, secrets redacted, one service label. */
export function loggerParams(config: MeridianConfig, service: string): Params {
  return {
    // Probes and scrapes arrive every few seconds; logging them would drown the tool calls.
    exclude: ['health', 'ready', 'metrics'].map((path) => ({ method: RequestMethod.ALL, path })),
    pinoHttp: {
      level: config.logLevel,
      base: { service },
      // Lines written while a tool call is handled carry its request id, tool and user.
      mixin: () => {
        const ctx = requestContext.getStore();
        return ctx ? { request_id: ctx.requestId, tool: ctx.tool, user: ctx.username } : {};
      },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: {
        // Tokens sent where they do not belong (a query string) must not reach the log either.
        req: (req: { url?: string; query?: Record<string, unknown> }) => ({
          ...req,
          url: redactUrl(req.url),
          query: req.query ? redactQuery(req.query) : req.query,
        }),
      },
      transport: config.logPretty
        ? { target: 'pino-pretty', options: { singleLine: true, colorize: true } }
        : undefined,
    },
  };
}
