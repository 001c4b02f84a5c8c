import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError as CvError } from 'class-validator';
import { EnvDto, GUARDED_PREFIXES } from './env.dto';
import { parseCacheConfig, parseOtlpHeaders, parseRateLimiting } from './guardrails';
import type { AuthConfig, JwtAlgorithm, MeridianConfig } from './meridian-config';
import { MERIDIAN_VERSION } from './version';

/** MCP_RESPONSE_BUDGET_BYTES when unset (or MCP_MAX_RESPONSE_BYTES, when that is lower). */
export const DEFAULT_RESPONSE_BUDGET_BYTES = 50_000;

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
    'MERIDIAN_MARIADB_EXAMPLES_URI',
    'MCP_SERVICE_URL',
    'MCP_DEV_USERNAME',
    'MCP_ALLOWED_HOSTS',
    'MCP_ALLOWED_ORIGINS',
    'MCP_TRUSTED_PROXIES',
    'MCP_JWT_MAX_AGE_SECONDS',
    'MERIDIAN_RENDER_THREADS',
    'SECRET_KEY',
    'NATS_URL',
    'NATS_USER',
    'NATS_PASSWORD',
    'NATS_NKEY_SEED',
    'NATS_TLS_CA',
    'NATS_TLS_CERT',
    'NATS_TLS_KEY',
    'MCP_JWT_ISSUER',
    'MCP_JWT_AUDIENCE',
    'MCP_JWKS_URI',
    'MCP_JWT_PUBLIC_KEY',
    'MCP_JWT_SECRET',
    'MCP_REQUIRED_SCOPES',
    'MCP_TOOL_SCOPES',
    'MCP_DISABLED_TOOLS',
    'MCP_RESPONSE_BUDGET_BYTES',
    'MCP_ROLES_CLAIM',
    'MCP_ROLE_MAPPING',
    'MCP_AUTHORIZATION_SERVERS',
    'METRICS_BEARER_TOKEN',
    'PREVIOUS_SECRET_KEY',
    'MERIDIAN_EVENTS_NATS_USER',
    'MERIDIAN_EVENTS_NATS_PASSWORD',
    'MCP_RATE_LIMITING',
    'MCP_CACHE_CONFIG',
    'OTEL_EXPORTER_OTLP_ENDPOINT',
    'OTEL_EXPORTER_OTLP_HEADERS',
    'OTEL_SERVICE_NAME',
    'SENTRY_DSN',
  ];
}

/** Each trusted proxy is an IPv4/IPv6 address or CIDR whose prefix fits its family. */
function proxyProblems(entries: string[]): string[] {
  return entries
    .filter((entry) => {
      const [address, prefix, extra] = entry.split('/');
      const family = isIP(address);
      if (!family || extra !== undefined) return true;
      if (prefix === undefined) return false;
      const bits = Number(prefix);
      return !/^\d{1,3}$/.test(prefix) || bits > (family === 4 ? 32 : 128);
    })
    .map((entry) => `MCP_TRUSTED_PROXIES: ${entry} is not an IP address or CIDR`);
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
  const roleMapping = parseRoleMapping(dto.MCP_ROLE_MAPPING, problems);
  const toolScopes = parseToolScopes(dto.MCP_TOOL_SCOPES, problems);
  const rateLimiting = parseRateLimiting(dto.MCP_RATE_LIMITING, problems);
  const cache = parseCacheConfig(dto.MCP_CACHE_CONFIG, problems);
  const otlpHeaders = parseOtlpHeaders(dto.OTEL_EXPORTER_OTLP_HEADERS, problems);
  problems.push(...authProblems(dto));
  problems.push(...proxyProblems(splitList(dto.MCP_TRUSTED_PROXIES)));
  problems.push(...natsProblems(dto));
  problems.push(...budgetProblems(dto));
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    version: MERIDIAN_VERSION,
    databaseUrl: dto.SQLALCHEMY_DATABASE_URI ?? dto.DATABASE_URL,
    examplesDatabaseUrl: dto.EXAMPLES_DATABASE_URI,
    mariadbExamplesUrl: dto.MERIDIAN_MARIADB_EXAMPLES_URI,
    pool: {
      size: dto.SQLALCHEMY_POOL_SIZE,
      maxOverflow: dto.SQLALCHEMY_MAX_OVERFLOW,
      timeoutSeconds: dto.SQLALCHEMY_POOL_TIMEOUT,
      recycleSeconds: dto.SQLALCHEMY_POOL_RECYCLE,
    },
    sql: {
      maxTimeoutSeconds: dto.SQLLAB_TIMEOUT,
      workerConcurrency: dto.SQL_WORKER_CONCURRENCY,
      workerQueueSize: dto.SQL_WORKER_QUEUE_SIZE,
    },
    host: dto.MCP_SERVICE_HOST,
    port: dto.MCP_SERVICE_PORT,
    serviceUrl: dto.MCP_SERVICE_URL?.replace(/\/+$/, ''),
    devUsername: dto.MCP_DEV_USERNAME,
    allowedHosts: splitList(dto.MCP_ALLOWED_HOSTS),
    allowedOrigins: splitList(dto.MCP_ALLOWED_ORIGINS),
    maxResponseBytes: dto.MCP_MAX_RESPONSE_BYTES,
    responseBudgetBytes:
      dto.MCP_RESPONSE_BUDGET_BYTES ?? Math.min(DEFAULT_RESPONSE_BUDGET_BYTES, dto.MCP_MAX_RESPONSE_BYTES),
    disabledTools: splitList(dto.MCP_DISABLED_TOOLS),
    readOnly: dto.MCP_READ_ONLY,
    structuredOutput: dto.MCP_STRUCTURED_OUTPUT,
    secretKey: dto.SECRET_KEY,
    previousSecretKey: dto.PREVIOUS_SECRET_KEY,
    auth: {
      enabled: dto.MCP_AUTH_ENABLED,
      issuer: dto.MCP_JWT_ISSUER,
      audience: splitList(dto.MCP_JWT_AUDIENCE),
      algorithm: dto.MCP_JWT_ALGORITHM as JwtAlgorithm,
      jwksUri: dto.MCP_JWKS_URI,
      publicKey: dto.MCP_JWT_PUBLIC_KEY,
      secret: dto.MCP_JWT_SECRET,
      requiredScopes: splitScopes(dto.MCP_REQUIRED_SCOPES),
      toolScopes,
      userClaim: dto.MCP_USER_CLAIM,
      autoProvision: dto.MCP_AUTO_PROVISION,
      rolesClaim: dto.MCP_ROLES_CLAIM,
      roleMapping,
      authorizationServers: splitList(dto.MCP_AUTHORIZATION_SERVERS),
      clockSkewSeconds: dto.MCP_JWT_CLOCK_SKEW_SECONDS,
      maxTokenAgeSeconds: dto.MCP_JWT_MAX_AGE_SECONDS,
      jwksCooldownSeconds: dto.MCP_JWKS_COOLDOWN_SECONDS,
      jwksCacheMaxAgeSeconds: dto.MCP_JWKS_CACHE_MAX_AGE_SECONDS,
    },
    metricsBearerToken: dto.METRICS_BEARER_TOKEN,
    proxyFix: dto.ENABLE_PROXY_FIX,
    proxyHops: dto.MCP_PROXY_HOPS,
    trustedProxies: splitList(dto.MCP_TRUSTED_PROXIES),
    natsUrl: dto.NATS_URL,
    natsServers: splitList(dto.NATS_URL),
    natsAuth: natsAuth(dto),
    requestTimeoutMs: dto.NATS_REQUEST_TIMEOUT_MS,
    webserverTimeoutMs: dto.SUPERSET_WEBSERVER_TIMEOUT * 1000,
    shutdownDelayMs: dto.MERIDIAN_SHUTDOWN_DELAY_SECONDS * 1000,
    metricsPort: dto.METRICS_PORT,
    metricsHost: dto.METRICS_HOST,
    logLevel: dto.LOG_LEVEL,
    logPretty: dto.LOG_PRETTY,
    logChosen: raw.LOG_LEVEL !== undefined || raw.LOG_PRETTY !== undefined,
    dataDir: dto.MERIDIAN_DATA_DIR,
    embeddedPgPort: dto.MERIDIAN_EMBEDDED_PG_PORT,
    events: {
      streamMaxAgeDays: dto.MERIDIAN_EVENTS_STREAM_MAX_AGE_DAYS,
      streamMaxBytes: dto.MERIDIAN_EVENTS_STREAM_MAX_BYTES,
      streamReplicas: dto.MERIDIAN_EVENTS_STREAM_REPLICAS,
      bufferSize: dto.MERIDIAN_EVENT_BUFFER_SIZE,
      natsUser: dto.MERIDIAN_EVENTS_NATS_USER,
      natsPassword: dto.MERIDIAN_EVENTS_NATS_PASSWORD,
    },
    auditRetentionDays: dto.MERIDIAN_AUDIT_RETENTION_DAYS,
    auditStoreAttempts: dto.MERIDIAN_AUDIT_STORE_ATTEMPTS,
    auditStallSeconds: dto.MERIDIAN_AUDIT_STALL_SECONDS,
    linkTtlSeconds: dto.MERIDIAN_LINK_TTL_MINUTES * 60,
    renderThreads: dto.MERIDIAN_RENDER_THREADS ?? defaultRenderThreads(),
    rateLimiting,
    cache,
    telemetry: {
      otlpEndpoint: dto.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/+$/, ''),
      otlpHeaders,
      serviceName: dto.OTEL_SERVICE_NAME,
      sentryDsn: dto.SENTRY_DSN,
      sentryEnvironment: dto.SENTRY_ENVIRONMENT,
      sentryTracesSampleRate: dto.SENTRY_TRACES_SAMPLE_RATE,
    },
  };
}

const splitScopes = (value?: string) =>
  (value ?? '')
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/** RFC 6749 scope-token characters. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]{1,200}$/;
const SCOPE_KINDS = ['read', 'write', 'sql'] as const;

function parseToolScopes(raw: string | undefined, problems: string[]): AuthConfig['toolScopes'] {
  if (raw === undefined || raw.trim() === '') return {};
  if (['off', 'false', 'none'].includes(raw.trim().toLowerCase())) return false;
  const problem = (msg: string) => {
    problems.push(`MCP_TOOL_SCOPES: ${msg}`);
    return {};
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return problem('must be a JSON object such as {"read":"superset:read"} or off');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return problem('must be a JSON object such as {"read":"superset:read"} or off');
  }
  const scopes: Partial<Record<(typeof SCOPE_KINDS)[number], string>> = {};
  for (const [kind, name] of Object.entries(parsed)) {
    if (!(SCOPE_KINDS as readonly string[]).includes(kind)) {
      return problem(`unknown scope kind "${kind}" (known: ${SCOPE_KINDS.join(', ')})`);
    }
    if (typeof name !== 'string' || !SCOPE_TOKEN.test(name)) {
      return problem(`${kind} must be a scope name (no spaces, quotes or backslashes)`);
    }
    scopes[kind as (typeof SCOPE_KINDS)[number]] = name;
  }
  return scopes;
}

function parseRoleMapping(raw: string | undefined, problems: string[]): Record<string, string[]> {
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    problems.push('MCP_ROLE_MAPPING: must be a JSON object');
    return {};
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    problems.push('MCP_ROLE_MAPPING: must be a JSON object of claim value to role name(s)');
    return {};
  }
  const out: Record<string, string[]> = {};
  for (const [claimValue, roles] of Object.entries(parsed)) {
    const list = typeof roles === 'string' ? [roles] : roles;
    if (!Array.isArray(list) || !list.every((r) => typeof r === 'string' && r.length > 0)) {
      problems.push(`MCP_ROLE_MAPPING: "${claimValue}" must map to a role name or a list of them`);
      continue;
    }
    out[claimValue] = list as string[];
  }
  return out;
}

/** Settings that are each valid alone but do not make a working verifier together. */
function authProblems(dto: EnvDto): string[] {
  const problems: string[] = [];
  const hs = dto.MCP_JWT_ALGORITHM.startsWith('HS');
  if (dto.MCP_JWT_SECRET && !hs) {
    problems.push(`MCP_JWT_SECRET: only used with HS* algorithms, not ${dto.MCP_JWT_ALGORITHM}`);
  }
  if (hs && (dto.MCP_JWKS_URI || dto.MCP_JWT_PUBLIC_KEY)) {
    problems.push(
      `MCP_JWT_ALGORITHM: ${dto.MCP_JWT_ALGORITHM} takes MCP_JWT_SECRET, not a public key or JWKS`,
    );
  }
  if (dto.MCP_JWKS_URI && dto.MCP_JWT_PUBLIC_KEY) {
    problems.push('MCP_JWT_PUBLIC_KEY: set either MCP_JWKS_URI or MCP_JWT_PUBLIC_KEY, not both');
  }
  if (dto.MCP_AUTH_ENABLED) {
    if (hs && !dto.MCP_JWT_SECRET) problems.push(`MCP_JWT_SECRET: required for ${dto.MCP_JWT_ALGORITHM}`);
    if (!hs && !dto.MCP_JWKS_URI && !dto.MCP_JWT_PUBLIC_KEY) {
      problems.push(
        `MCP_JWKS_URI: MCP_JWKS_URI or MCP_JWT_PUBLIC_KEY is required for ${dto.MCP_JWT_ALGORITHM}`,
      );
    }
    if (dto.MCP_AUTO_PROVISION && dto.MCP_ROLE_MAPPING && !dto.MCP_ROLES_CLAIM) {
      problems.push('MCP_ROLES_CLAIM: required when MCP_ROLE_MAPPING is set');
    }
  }
  return problems;
}

/** The budget an LLM client is sent cannot exceed what the transport carries. */
function budgetProblems(dto: EnvDto): string[] {
  const budget = dto.MCP_RESPONSE_BUDGET_BYTES;
  if (typeof budget !== 'number' || typeof dto.MCP_MAX_RESPONSE_BYTES !== 'number') return [];
  if (budget <= dto.MCP_MAX_RESPONSE_BYTES) return [];
  return [
    `MCP_RESPONSE_BUDGET_BYTES: ${budget} exceeds MCP_MAX_RESPONSE_BYTES (${dto.MCP_MAX_RESPONSE_BYTES}); ` +
      'the budget must be at most the transport cap',
  ];
}

function natsProblems(dto: EnvDto): string[] {
  const problems: string[] = [];
  if (dto.NATS_USER && !dto.NATS_PASSWORD) problems.push('NATS_PASSWORD: required with NATS_USER');
  if (dto.NATS_PASSWORD && !dto.NATS_USER) problems.push('NATS_USER: required with NATS_PASSWORD');
  if (dto.NATS_NKEY_SEED && dto.NATS_USER) {
    problems.push('NATS_NKEY_SEED: set either an nkey seed or NATS_USER/NATS_PASSWORD, not both');
  }
  if (!!dto.NATS_TLS_CERT !== !!dto.NATS_TLS_KEY) {
    problems.push('NATS_TLS_CERT: NATS_TLS_CERT and NATS_TLS_KEY go together');
  }
  for (const name of ['NATS_TLS_CA', 'NATS_TLS_CERT', 'NATS_TLS_KEY'] as const) {
    const file = dto[name];
    if (file && !existsSync(file)) problems.push(`${name}: no such file ${file}`);
  }
  return problems;
}

function natsAuth(dto: EnvDto): MeridianConfig['natsAuth'] {
  const tlsUrl = splitList(dto.NATS_URL).some((u) => u.startsWith('tls://'));
  const tls =
    dto.NATS_TLS_CA || dto.NATS_TLS_CERT || tlsUrl
      ? { caFile: dto.NATS_TLS_CA, certFile: dto.NATS_TLS_CERT, keyFile: dto.NATS_TLS_KEY }
      : undefined;
  return { user: dto.NATS_USER, password: dto.NATS_PASSWORD, nkeySeed: dto.NATS_NKEY_SEED, tls };
}

/** Rendering threads when MERIDIAN_RENDER_THREADS is unset: leave one core to the event loop, 1 to 4. */
export function defaultRenderThreads(): number {
  return Math.min(4, Math.max(1, availableParallelism() - 1));
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}
