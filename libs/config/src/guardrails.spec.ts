import { describe, expect, it } from 'vitest';
import { parseLimit } from './guardrails';
import { ConfigError, loadConfig } from './load-config';

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('accepted');
}

describe('parseLimit', () => {
  it.each([
    ['100 per minute', 100, 60],
    ['10/second', 10, 1],
    ['1000 per hour', 1000, 3600],
    ['5 per 2 minutes', 5, 120],
    ['20 per day', 20, 86_400],
    ['  7 PER Minutes ', 7, 60],
  ])('reads %j', (text, points, seconds) => {
    expect(parseLimit(text)).toMatchObject({ points, seconds });
  });

  it.each(['100', 'many per minute', '0 per minute', '10 per fortnight', '10 per 0 minutes'])(
    'refuses %j',
    (text) => {
      expect(() => parseLimit(text)).toThrow();
    },
  );
});

describe('MCP_RATE_LIMITING', () => {
  it('reads the seed keys and the extra ones', () => {
    const config = loadConfig({
      MCP_RATE_LIMITING: JSON.stringify({
        enabled: true,
        storage_uri: 'redis://127.0.0.1:6379/1',
        default_limits: ['50 per minute'],
        per_tool_limits: { execute_sql: '10 per minute', generate_chart: ['20 per minute', '100 per hour'] },
        per_ip_limits: '30 per second',
        service_limits: { sql: '60 per minute' },
        on_store_failure: 'closed',
        key_prefix: 'tenant-a:rl',
      }),
    }).rateLimiting;
    expect(config.enabled).toBe(true);
    expect(config.storageUri).toBe('redis://127.0.0.1:6379/1');
    expect(config.defaultLimits).toEqual([{ points: 50, seconds: 60, text: '50 per minute' }]);
    expect(config.perToolLimits.execute_sql).toEqual([{ points: 10, seconds: 60, text: '10 per minute' }]);
    expect(config.perToolLimits.generate_chart.map((r) => r.seconds)).toEqual([60, 3600]);
    expect(config.perIpLimits).toEqual([{ points: 30, seconds: 1, text: '30 per second' }]);
    expect(config.serviceLimits.sql).toEqual([{ points: 60, seconds: 60, text: '60 per minute' }]);
    expect(config.serviceLimits.catalog[0].points).toBe(1200);
    expect(config.onStoreFailure).toBe('closed');
    expect(config.keyPrefix).toBe('tenant-a:rl');
  });

  it.each([
    ['not json', 'must be a JSON object'],
    ['[1]', 'must be a JSON object'],
    ['{"enabeld": true}', 'unknown key "enabeld"'],
    ['{"storage_uri": "memcached://x"}', 'storage_uri'],
    ['{"default_limits": ["lots"]}', 'default_limits'],
    ['{"per_tool_limits": {"Bad Name": "1 per minute"}}', 'per_tool_limits'],
    ['{"on_store_failure": "maybe"}', 'on_store_failure'],
    ['{"enabled": "yes"}', 'enabled'],
  ])('refuses %s naming the problem', (value, fragment) => {
    const found = problems({ MCP_RATE_LIMITING: value });
    expect(found.every((p) => p.startsWith('MCP_RATE_LIMITING:'))).toBe(true);
    expect(found.join('\n')).toContain(fragment);
  });
});

describe('MCP_CACHE_CONFIG', () => {
  it('reads the seed keys', () => {
    const config = loadConfig({
      MCP_CACHE_CONFIG: JSON.stringify({
        enabled: true,
        backend: 'redis',
        url: 'redis://127.0.0.1:6379/2',
        ttl: 60,
        cache_tools: ['get_dataset_info', 'list_charts'],
      }),
    }).cache;
    expect(config).toEqual({
      enabled: true,
      backend: 'redis',
      url: 'redis://127.0.0.1:6379/2',
      ttlSeconds: 60,
      cacheTools: ['get_dataset_info', 'list_charts'],
      keyPrefix: 'meridian:cache',
      maxEntries: 10_000,
    });
  });

  it.each([
    ['{"backend": "redis"}', 'url is required'],
    ['{"backend": "memcached"}', 'backend'],
    ['{"ttl": 0}', 'ttl'],
    ['{"ttl": "300"}', 'ttl'],
    ['{"cache_tools": "list_charts"}', 'cache_tools'],
    ['{"url": "http://cache"}', 'url'],
    ['{"CACHE_TYPE": "RedisCache"}', 'unknown key'],
  ])('refuses %s naming the problem', (value, fragment) => {
    const found = problems({ MCP_CACHE_CONFIG: value });
    expect(found.every((p) => p.startsWith('MCP_CACHE_CONFIG:'))).toBe(true);
    expect(found.join('\n')).toContain(fragment);
  });
});

describe('telemetry settings', () => {
  it('reads OTEL_* and SENTRY_* through the config', () => {
    const config = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=abc%3D,tenant=t1',
      OTEL_SERVICE_NAME: 'meridian-eu',
      SENTRY_DSN: 'https://public@sentry.example.com/42',
      SENTRY_ENVIRONMENT: 'staging',
      SENTRY_TRACES_SAMPLE_RATE: '0.25',
    }).telemetry;
    expect(config).toEqual({
      otlpEndpoint: 'http://collector:4318',
      otlpHeaders: { 'x-api-key': 'abc=', tenant: 't1' },
      serviceName: 'meridian-eu',
      sentryDsn: 'https://public@sentry.example.com/42',
      sentryEnvironment: 'staging',
      sentryTracesSampleRate: 0.25,
    });
  });

  it.each([
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318'],
    ['OTEL_EXPORTER_OTLP_HEADERS', 'novalue'],
    ['SENTRY_DSN', 'not a dsn'],
    ['SENTRY_TRACES_SAMPLE_RATE', '1.5'],
    ['SENTRY_TRACES_SAMPLE_RATE', 'half'],
  ])('refuses %s=%j', (name, value) => {
    const found = problems({ [name]: value });
    expect(found.every((p) => p.startsWith(`${name}:`))).toBe(true);
  });
});
