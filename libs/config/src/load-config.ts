import { readFileSync } from 'node:fs';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError as CvError } from 'class-validator';
import { EnvDto, GUARDED_PREFIXES } from './env.dto';
import type { MeridianConfig } from './meridian-config';
import { MERIDIAN_VERSION } from './version';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const KNOWN = new Set(Object.keys(new EnvDto()).concat(knownOptional()));

function knownOptional(): string[] {
  return [
    'SQLALCHEMY_DATABASE_URI',
    'DATABASE_URL',
    'EXAMPLES_DATABASE_URI',
    'MCP_SERVICE_URL',
    'MCP_DEV_USERNAME',
    'MCP_ALLOWED_HOSTS',
    'MCP_ALLOWED_ORIGINS',
    'SECRET_KEY',
    'NATS_URL',
  ];
}

export function knownVariables(): string[] {
  return [...KNOWN].sort();
}

/** Reads `<NAME>_FILE` for any known variable that is not set directly (Docker/Kubernetes secrets). */
function resolveFiles(env: NodeJS.ProcessEnv, problems: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of KNOWN) {
    const direct = env[name];
    const file = env[`${name}_FILE`];
    if (direct !== undefined && direct !== '') {
      out[name] = direct;
    } else if (file) {
      try {
        out[name] = readFileSync(file, 'utf8').trim();
      } catch (err) {
        problems.push(`${name}_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code})`);
      }
    }
  }
  return out;
}

function flatten(errors: CvError[], prefix = ''): string[] {
  return errors.flatMap((e) => {
    const own = Object.values(e.constraints ?? {}).map(
      (msg) => `${prefix}${e.property}: ${msg.replace(`${e.property} `, '')}`,
    );
    return own.concat(flatten(e.children ?? [], `${prefix}${e.property}.`));
  });
}

const splitList = (value?: string) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export function loadConfig(env: NodeJS.ProcessEnv = process.env): MeridianConfig {
  const problems: string[] = [];
  for (const name of Object.keys(env)) {
    const base = name.endsWith('_FILE') ? name.slice(0, -5) : name;
    if (GUARDED_PREFIXES.some((p) => name.startsWith(p)) && !KNOWN.has(base)) {
      problems.push(`${name}: unknown setting`);
    }
  }
  const raw = resolveFiles(env, problems);
  const dto = plainToInstance(EnvDto, raw);
  problems.push(...flatten(validateSync(dto, { forbidUnknownValues: false })));
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    version: MERIDIAN_VERSION,
    databaseUrl: dto.SQLALCHEMY_DATABASE_URI ?? dto.DATABASE_URL,
    examplesDatabaseUrl: dto.EXAMPLES_DATABASE_URI,
    pool: {
      size: dto.SQLALCHEMY_POOL_SIZE,
      maxOverflow: dto.SQLALCHEMY_MAX_OVERFLOW,
      timeoutSeconds: dto.SQLALCHEMY_POOL_TIMEOUT,
      recycleSeconds: dto.SQLALCHEMY_POOL_RECYCLE,
    },
    host: dto.MCP_SERVICE_HOST,
    port: dto.MCP_SERVICE_PORT,
    serviceUrl: dto.MCP_SERVICE_URL?.replace(/\/+$/, ''),
    devUsername: dto.MCP_DEV_USERNAME,
    allowedHosts: splitList(dto.MCP_ALLOWED_HOSTS),
    allowedOrigins: splitList(dto.MCP_ALLOWED_ORIGINS),
    maxResponseBytes: dto.MCP_MAX_RESPONSE_BYTES,
    secretKey: dto.SECRET_KEY,
    proxyFix: dto.ENABLE_PROXY_FIX,
    natsUrl: dto.NATS_URL,
    natsServers: splitList(dto.NATS_URL),
    requestTimeoutMs: dto.NATS_REQUEST_TIMEOUT_MS,
    metricsPort: dto.METRICS_PORT,
    metricsHost: dto.METRICS_HOST,
    logLevel: dto.LOG_LEVEL,
    logPretty: dto.LOG_PRETTY,
    dataDir: dto.MERIDIAN_DATA_DIR,
    embeddedPgPort: dto.MERIDIAN_EMBEDDED_PG_PORT,
  };
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}
