import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import type { MeridianConfig } from '@meridian/config';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  '*.password',
  '*.token',
  '*.secret',
  '*.api_key',
];

/** pino options shared by every process: JSON lines, secrets redacted, one service label. */
export function loggerParams(config: MeridianConfig, service: string): Params {
  return {
    // Probes and scrapes arrive every few seconds; logging them would drown the tool calls.
    exclude: ['health', 'ready', 'metrics'].map((path) => ({ method: RequestMethod.ALL, path })),
    pinoHttp: {
      level: config.logLevel,
      base: { service },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      transport: config.logPretty
        ? { target: 'pino-pretty', options: { singleLine: true, colorize: true } }
        : undefined,
    },
  };
}
