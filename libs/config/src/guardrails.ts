import type { CacheConfig, LimitRule, RateLimitConfig, StoreFailureMode } from './meridian-config';

/** Tools whose answers are cached when MCP_CACHE_CONFIG does not name `cache_tools`. */
export const DEFAULT_CACHE_TOOLS = ['get_dataset_info', 'get_chart_data', 'get_chart_preview'] as const;

export const DEFAULT_USER_LIMITS = ['100 per minute', '1000 per hour'];
export const DEFAULT_IP_LIMITS = ['600 per minute'];
/** What each backend service allows one user, whatever the edge lets through. */
export const DEFAULT_SERVICE_LIMITS: Record<string, string[]> = {
  catalog: ['1200 per minute'],
  chart: ['240 per minute'],
  sql: ['120 per minute'],
  audit: ['120 per minute'],
};

const UNIT_SECONDS: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: 86_400 };
const RULE = /^\s*(\d+)\s*(?:per|\/)\s*(\d+\s+)?(second|minute|hour|day)s?\s*$/i;
const TOOL_NAME = /^[a-z][a-z0-9_]{0,63}$/;
const REDIS_URL = /^rediss?:\/\/\S+$/;

/** "100 per minute", "10/second", "1000 per 2 hours" → points per window. */
export function parseLimit(text: string): LimitRule {
  const m = RULE.exec(text);
  if (!m) throw new Error(`"${text}" is not a limit like "100 per minute"`);
  const points = Number(m[1]);
  const seconds = Number(m[2] ?? 1) * UNIT_SECONDS[m[3].toLowerCase()];
  if (points < 1 || seconds < 1) throw new Error(`"${text}" must allow at least one call per window`);
  return { points, seconds, text: text.trim() };
}

function parseJsonObject(name: string, raw: string | undefined, problems: string[]): Record<string, unknown> {
  if (!raw) return {};
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // reported below
  }
  problems.push(`${name}: must be a JSON object`);
  return {};
}

function unknownKeys(
  name: string,
  value: Record<string, unknown>,
  known: string[],
  problems: string[],
): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) problems.push(`${name}: unknown key "${key}" (known: ${known.join(', ')})`);
  }
}

function rules(name: string, key: string, value: unknown, problems: string[]): LimitRule[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || !list.every((v) => typeof v === 'string')) {
    problems.push(`${name}: ${key} must be a limit string or a list of them`);
    return [];
  }
  const out: LimitRule[] = [];
  for (const text of list) {
    try {
      out.push(parseLimit(text));
    } catch (err) {
      problems.push(`${name}: ${key}: ${(err as Error).message}`);
    }
  }
  return out;
}

function ruleMap(name: string, key: string, value: unknown, problems: string[]): Record<string, LimitRule[]> {
  if (value === undefined) return {};
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`${name}: ${key} must be an object of name to limit(s)`);
    return {};
  }
  const out: Record<string, LimitRule[]> = {};
  for (const [entry, limits] of Object.entries(value)) {
    if (!TOOL_NAME.test(entry)) problems.push(`${name}: ${key}: "${entry}" is not a valid name`);
    else out[entry] = rules(name, `${key}.${entry}`, limits, problems);
  }
  return out;
}

function bool(name: string, key: string, value: unknown, fallback: boolean, problems: string[]): boolean {
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  problems.push(`${name}: ${key} must be true or false`);
  return fallback;
}

function prefix(name: string, value: unknown, fallback: string, problems: string[]): string {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && /^[\w:.-]{1,100}$/.test(value)) return value;
  problems.push(`${name}: key_prefix must be 1-100 letters, digits, _ : . or -`);
  return fallback;
}

const RATE_KEYS = [
  'enabled',
  'storage_uri',
  'default_limits',
  'per_tool_limits',
  'per_ip_limits',
  'service_limits',
  'on_store_failure',
  'key_prefix',
];

/** MCP_RATE_LIMITING: the seed's keys plus the per-IP and per-service limits and the store policy. */
export function parseRateLimiting(raw: string | undefined, problems: string[]): RateLimitConfig {
  const name = 'MCP_RATE_LIMITING';
  const v = parseJsonObject(name, raw, problems);
  unknownKeys(name, v, RATE_KEYS, problems);
  const storageUri = v.storage_uri ?? 'memory://';
  if (typeof storageUri !== 'string' || !(storageUri === 'memory://' || REDIS_URL.test(storageUri))) {
    problems.push(`${name}: storage_uri must be memory:// or a redis:// (rediss://) URL`);
  }
  const mode = v.on_store_failure ?? 'memory';
  if (!['memory', 'open', 'closed'].includes(mode as string)) {
    problems.push(`${name}: on_store_failure must be memory, open or closed`);
  }
  const serviceLimits = Object.fromEntries(
    Object.entries(DEFAULT_SERVICE_LIMITS).map(([s, l]) => [s, rules(name, 'service_limits', l, problems)]),
  );
  return {
    enabled: bool(name, 'enabled', v.enabled, false, problems),
    storageUri: typeof storageUri === 'string' ? storageUri : 'memory://',
    defaultLimits: rules(name, 'default_limits', v.default_limits ?? DEFAULT_USER_LIMITS, problems),
    perToolLimits: ruleMap(name, 'per_tool_limits', v.per_tool_limits, problems),
    perIpLimits: rules(name, 'per_ip_limits', v.per_ip_limits ?? DEFAULT_IP_LIMITS, problems),
    serviceLimits: { ...serviceLimits, ...ruleMap(name, 'service_limits', v.service_limits, problems) },
    onStoreFailure: mode as StoreFailureMode,
    keyPrefix: prefix(name, v.key_prefix, 'meridian:rl', problems),
  };
}

const CACHE_KEYS = ['enabled', 'backend', 'url', 'ttl', 'cache_tools', 'key_prefix', 'max_entries'];

/** MCP_CACHE_CONFIG: the seed's keys plus the key prefix and the in-memory size bound. */
export function parseCacheConfig(raw: string | undefined, problems: string[]): CacheConfig {
  const name = 'MCP_CACHE_CONFIG';
  const v = parseJsonObject(name, raw, problems);
  unknownKeys(name, v, CACHE_KEYS, problems);
  const backend = v.backend ?? 'memory';
  if (backend !== 'memory' && backend !== 'redis') problems.push(`${name}: backend must be memory or redis`);
  const url = v.url;
  if (url !== undefined && (typeof url !== 'string' || !REDIS_URL.test(url))) {
    problems.push(`${name}: url must be a redis:// (rediss://) URL`);
  }
  if (backend === 'redis' && url === undefined) problems.push(`${name}: url is required with backend redis`);
  const ttl = v.ttl ?? 300;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1 || ttl > 86_400) {
    problems.push(`${name}: ttl must be whole seconds between 1 and 86400`);
  }
  const tools = v.cache_tools ?? [...DEFAULT_CACHE_TOOLS];
  if (!Array.isArray(tools) || !tools.every((t) => typeof t === 'string' && TOOL_NAME.test(t))) {
    problems.push(`${name}: cache_tools must be a list of tool names`);
  }
  const maxEntries = v.max_entries ?? 10_000;
  if (typeof maxEntries !== 'number' || !Number.isInteger(maxEntries) || maxEntries < 10) {
    problems.push(`${name}: max_entries must be a whole number of at least 10`);
  }
  return {
    enabled: bool(name, 'enabled', v.enabled, false, problems),
    backend: backend === 'redis' ? 'redis' : 'memory',
    url: typeof url === 'string' ? url : undefined,
    ttlSeconds: typeof ttl === 'number' ? ttl : 300,
    cacheTools: Array.isArray(tools) ? (tools as string[]) : [...DEFAULT_CACHE_TOOLS],
    keyPrefix: prefix(name, v.key_prefix, 'meridian:cache', problems),
    maxEntries: typeof maxEntries === 'number' ? maxEntries : 10_000,
  };
}

/** OTEL_EXPORTER_OTLP_HEADERS: `key=value` pairs separated by commas, values URL-encoded. */
export function parseOtlpHeaders(raw: string | undefined, problems: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (raw ?? '').split(',').filter((p) => p.trim())) {
    const at = pair.indexOf('=');
    if (at < 1) {
      problems.push('OTEL_EXPORTER_OTLP_HEADERS: must be key=value pairs separated by commas');
      return {};
    }
    out[pair.slice(0, at).trim()] = decodeURIComponent(pair.slice(at + 1).trim());
  }
  return out;
}
