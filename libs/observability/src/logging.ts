import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import type { LoggerOptions } from 'pino';
import type { MeridianConfig } from '@meridian/config';
import { requestContext } from './request-context';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.authorization',
  '*.password',
  '*.passwd',
  '*.token',
  '*.access_token',
  '*.refresh_token',
  '*.id_token',
  '*.secret',
  '*.client_secret',
  '*.api_key',
  '*.signature',
  '*.dsn',
  '*.*.password',
  '*.*.token',
  '*.*.secret',
];

const SECRET_PARAMS = /^(access_token|id_token|token|code|signature|api_key|password|secret)$/i;

/** A caller's malformed escape (`%zz`) is kept as written, never thrown. */
function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function redactUrl(url: string | undefined): string | undefined {
  if (!url || !url.includes('?')) return url;
  const [path, query] = url.split('?', 2);
  const parts = query.split('&').map((pair) => {
    const [key] = pair.split('=', 1);
    return SECRET_PARAMS.test(safeDecode(key)) ? `${key}=[redacted]` : pair;
  });
  return `${path}?${parts.join('&')}`;
}

function redactQuery(query: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(query).map(([k, v]) => [k, SECRET_PARAMS.test(k) ? '[redacted]' : v]),
  );
}

/** Nest's start-up chatter (modules loaded, routes mapped): debug detail, not news. */
const BOOTSTRAP_CONTEXTS = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
  'NestMicroservice',
]);

/**
 * @nestjs/typeorm counts data source names per process, but each Meridian service is a Nest
 * application of its own with its own default data source; in the all-in-one they share a process
 * and the warning is wrong.
 */
const SHARED_PROCESS_WARNING = /^A data source with the default name is already registered/;

type LogMethod = NonNullable<NonNullable<LoggerOptions['hooks']>['logMethod']>;

const INFO = 30;

export const quietFramework: LogMethod = function (args, method, level) {
  const first = args[0];
  const context =
    first && typeof first === 'object' && !(first instanceof Error)
      ? (first as { context?: unknown }).context
      : undefined;
  const message = typeof args[1] === 'string' ? args[1] : typeof first === 'string' ? first : '';
  if (context === 'DataSourceNameRegistry' && SHARED_PROCESS_WARNING.test(message)) return;
  if (level === INFO && typeof context === 'string' && BOOTSTRAP_CONTEXTS.has(context)) {
    if (!this.isLevelEnabled('debug')) return;
  }
  method.apply(this, args);
};

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
        if (!ctx) return {};
        const line: Record<string, string | undefined> = {
          request_id: ctx.requestId,
          tool: ctx.tool,
          user: ctx.username,
        };
        if (ctx.traceId) line.trace_id = ctx.traceId;
        return line;
      },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      hooks: { logMethod: quietFramework },
      serializers: {
        // Tokens sent where they do not belong (a query string) must not reach the log either.
        req: (req: { url?: string; query?: Record<string, unknown> }) => ({
          ...req,
          url: redactUrl(req.url),
          query: req.query ? redactQuery(req.query) : req.query,
        }),
      },
      transport:
        config.logPretty && prettyAvailable()
          ? { target: 'pino-pretty', options: { singleLine: true, colorize: true } }
          : undefined,
    },
  };
}

/** A caller-chosen request id, if it is short and plain enough to put in logs and headers. */
export function requestIdFrom(value: string | string[] | undefined): string | undefined {
  const s = Array.isArray(value) ? value[0] : value;
  return s && /^[\w.:-]{1,128}$/.test(s) ? s : undefined;
}

/** Pretty output is for development: pino-pretty is a dev dependency, absent from production images. */
function prettyAvailable(): boolean {
  try {
    require.resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}
