import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, defaultRenderThreads, isLoopbackHost, knownVariables, loadConfig } from './load-config';
import { MERIDIAN_VERSION } from './version';

/** Runs loadConfig expecting a ConfigError and returns it. */
function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

/** The problems reported for `env`, every one of which must name `variable`; joined for matching. */
function problemFor(env: NodeJS.ProcessEnv, variable: string): string {
  const err = configError(env);
  expect(err.problems.length).toBeGreaterThan(0);
  for (const problem of err.problems) expect(problem.startsWith(`${variable}:`)).toBe(true);
  expect(err.message).toContain(variable);
  return err.problems.join('\n');
}

describe('loadConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meridian-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const secretFile = (name: string, content: string): string => {
    const path = join(dir, name);
    writeFileSync(path, content, 'utf8');
    return path;
  };

  describe('defaults', () => {
    const config = loadConfig({});

    it('binds the edge to loopback on port 5008', () => {
      expect(config.host).toBe('127.0.0.1');
      expect(config.port).toBe(5008);
    });

    it('limits tool results to 512 KiB', () => {
      expect(config.maxResponseBytes).toBe(524288);
    });

    it('uses the documented defaults for everything else', () => {
      expect(config).toEqual({
        version: MERIDIAN_VERSION,
        databaseUrl: undefined,
        examplesDatabaseUrl: undefined,
        mariadbExamplesUrl: undefined,
        pool: { size: 5, maxOverflow: 10, timeoutSeconds: 30, recycleSeconds: 3600 },
        sql: { maxTimeoutSeconds: 30, workerConcurrency: 8, workerQueueSize: 16 },
        host: '127.0.0.1',
        port: 5008,
        serviceUrl: undefined,
        devUsername: undefined,
        allowedHosts: [],
        allowedOrigins: [],
        maxResponseBytes: 524288,
        responseBudgetBytes: 50_000,
        disabledTools: [],
        readOnly: false,
        structuredOutput: true,
        secretKey: undefined,
        previousSecretKey: undefined,
        auth: {
          enabled: false,
          issuer: undefined,
          audience: [],
          algorithm: 'RS256',
          jwksUri: undefined,
          publicKey: undefined,
          secret: undefined,
          requiredScopes: [],
          toolScopes: {},
          userClaim: 'sub',
          autoProvision: false,
          rolesClaim: undefined,
          roleMapping: {},
          authorizationServers: [],
          clockSkewSeconds: 30,
          jwksCooldownSeconds: 30,
          jwksCacheMaxAgeSeconds: 600,
        },
        metricsBearerToken: undefined,
        proxyFix: false,
        proxyHops: 1,
        trustedProxies: [],
        natsUrl: undefined,
        natsServers: [],
        natsAuth: { user: undefined, password: undefined, nkeySeed: undefined, tls: undefined },
        requestTimeoutMs: 30_000,
        webserverTimeoutMs: 60_000,
        shutdownDelayMs: 0,
        metricsPort: 0,
        metricsHost: '127.0.0.1',
        logLevel: 'info',
        logPretty: false,
        logChosen: false,
        dataDir: '.data',
        embeddedPgPort: 0,
        events: {
          streamMaxAgeDays: 7,
          streamMaxBytes: 1073741824,
          streamReplicas: 1,
          bufferSize: 10_000,
          natsUser: undefined,
          natsPassword: undefined,
        },
        auditRetentionDays: 90,
        auditStoreAttempts: 3,
        auditStallSeconds: 60,
        linkTtlSeconds: 900,
        renderThreads: defaultRenderThreads(),
        rateLimiting: {
          enabled: false,
          storageUri: 'memory://',
          defaultLimits: [
            { points: 100, seconds: 60, text: '100 per minute' },
            { points: 1000, seconds: 3600, text: '1000 per hour' },
          ],
          perToolLimits: {},
          perIpLimits: [{ points: 600, seconds: 60, text: '600 per minute' }],
          serviceLimits: {
            catalog: [{ points: 1200, seconds: 60, text: '1200 per minute' }],
            chart: [{ points: 240, seconds: 60, text: '240 per minute' }],
            sql: [{ points: 120, seconds: 60, text: '120 per minute' }],
            audit: [{ points: 120, seconds: 60, text: '120 per minute' }],
          },
          onStoreFailure: 'memory',
          keyPrefix: 'meridian:rl',
        },
        cache: {
          enabled: false,
          backend: 'memory',
          url: undefined,
          ttlSeconds: 300,
          cacheTools: ['get_dataset_info', 'get_chart_data', 'get_chart_preview'],
          keyPrefix: 'meridian:cache',
          maxEntries: 10_000,
        },
        telemetry: {
          otlpEndpoint: undefined,
          otlpHeaders: {},
          serviceName: undefined,
          sentryDsn: undefined,
          sentryEnvironment: 'production',
          sentryTracesSampleRate: 0.1,
        },
      });
    });

    it('treats an empty variable as unset', () => {
      expect(loadConfig({ MCP_SERVICE_PORT: '', LOG_LEVEL: '' })).toMatchObject({
        port: 5008,
        logLevel: 'info',
      });
    });

    it('ignores variables outside the guarded prefixes', () => {
      expect(loadConfig({ PATH: '/usr/bin', HOME: '/root', NODE_ENV: 'test' }).port).toBe(5008);
    });
  });

  describe('typed conversions', () => {
    it('turns integer variables into numbers', () => {
      const config = loadConfig({
        MCP_SERVICE_PORT: '8080',
        MCP_MAX_RESPONSE_BYTES: '2048',
        SQLALCHEMY_POOL_SIZE: '7',
        SQLALCHEMY_MAX_OVERFLOW: '0',
        SQLALCHEMY_POOL_TIMEOUT: '12',
        SQLALCHEMY_POOL_RECYCLE: '60',
        NATS_REQUEST_TIMEOUT_MS: '1500',
        METRICS_PORT: '9100',
        MERIDIAN_EMBEDDED_PG_PORT: '54329',
      });
      expect(config.port).toBe(8080);
      expect(config.maxResponseBytes).toBe(2048);
      expect(config.pool).toEqual({ size: 7, maxOverflow: 0, timeoutSeconds: 12, recycleSeconds: 60 });
      expect(config.requestTimeoutMs).toBe(1500);
      expect(loadConfig({ SUPERSET_WEBSERVER_TIMEOUT: '120' }).webserverTimeoutMs).toBe(120_000);
      expect(loadConfig({ MERIDIAN_SHUTDOWN_DELAY_SECONDS: '5' }).shutdownDelayMs).toBe(5000);
      expect(config.metricsPort).toBe(9100);
      expect(config.embeddedPgPort).toBe(54329);
    });

    it('keeps the MCP response budget within the transport cap', () => {
      expect(loadConfig({ MCP_RESPONSE_BUDGET_BYTES: '20000' }).responseBudgetBytes).toBe(20_000);
      expect(loadConfig({ MCP_MAX_RESPONSE_BYTES: '2048' }).responseBudgetBytes).toBe(2048);
      expect(
        loadConfig({ MCP_MAX_RESPONSE_BYTES: '100000', MCP_RESPONSE_BUDGET_BYTES: '100000' })
          .responseBudgetBytes,
      ).toBe(100_000);
      expect(() =>
        loadConfig({ MCP_MAX_RESPONSE_BYTES: '40000', MCP_RESPONSE_BUDGET_BYTES: '50000' }),
      ).toThrow(
        'MCP_RESPONSE_BUDGET_BYTES: 50000 exceeds MCP_MAX_RESPONSE_BYTES (40000); the budget must be at most the transport cap',
      );
    });

    it('reads the sql service limits', () => {
      expect(
        loadConfig({ SQLLAB_TIMEOUT: '120', SQL_WORKER_CONCURRENCY: '4', SQL_WORKER_QUEUE_SIZE: '0' }).sql,
      ).toEqual({ maxTimeoutSeconds: 120, workerConcurrency: 4, workerQueueSize: 0 });
    });

    it.each([
      ['true', true],
      ['TRUE', true],
      ['1', true],
      ['yes', true],
      ['on', true],
      ['false', false],
      ['0', false],
      ['no', false],
      ['off', false],
    ])('reads boolean %j as %s', (raw, expected) => {
      const config = loadConfig({ ENABLE_PROXY_FIX: raw, LOG_PRETTY: raw });
      expect(config.proxyFix).toBe(expected);
      expect(config.logPretty).toBe(expected);
    });

    it('keeps strings as given and drops the trailing slash of MCP_SERVICE_URL', () => {
      const config = loadConfig({
        MCP_SERVICE_HOST: '0.0.0.0',
        MCP_SERVICE_URL: 'https://mcp.example.com/',
        MCP_DEV_USERNAME: 'alice',
        LOG_LEVEL: 'debug',
        MERIDIAN_DATA_DIR: '/var/lib/meridian',
        METRICS_HOST: '0.0.0.0',
      });
      expect(config).toMatchObject({
        host: '0.0.0.0',
        serviceUrl: 'https://mcp.example.com',
        devUsername: 'alice',
        logLevel: 'debug',
        dataDir: '/var/lib/meridian',
        metricsHost: '0.0.0.0',
      });
    });
  });

  describe('invalid values', () => {
    it.each([
      ['MCP_SERVICE_PORT', 'abc'],
      ['MCP_SERVICE_PORT', '70000'],
      ['MCP_SERVICE_PORT', '80.5'],
      ['MCP_MAX_RESPONSE_BYTES', '10'],
      ['MCP_RESPONSE_BUDGET_BYTES', '100'],
      ['MCP_RESPONSE_BUDGET_BYTES', 'lots'],
      ['SQLALCHEMY_POOL_SIZE', '0'],
      ['NATS_URL', 'http://x'],
      ['NATS_URL', 'nats://a,http://b'],
      ['SECRET_KEY', 'short'],
      ['LOG_LEVEL', 'loud'],
      ['ENABLE_PROXY_FIX', 'maybe'],
      ['MCP_SERVICE_URL', 'not a url'],
      ['MCP_SERVICE_URL', 'ftp://mcp.example.com'],
      ['SQLALCHEMY_DATABASE_URI', 'mysql://db/meridian'],
      ['DATABASE_URL', 'sqlite:///x.db'],
      ['EXAMPLES_DATABASE_URI', 'http://db/examples'],
      ['SQLLAB_TIMEOUT', '0'],
      ['SQLLAB_TIMEOUT', '3601'],
      ['SQL_WORKER_CONCURRENCY', '0'],
      ['MERIDIAN_RENDER_THREADS', '-1'],
      ['MCP_DISABLED_TOOLS', 'list charts'],
      ['MCP_READ_ONLY', 'perhaps'],
      ['MCP_STRUCTURED_OUTPUT', 'sometimes'],
      ['MCP_TOOL_SCOPES', '["superset:read"]'],
      ['MCP_TOOL_SCOPES', '{"admin":"superset:admin"}'],
      ['MCP_TOOL_SCOPES', '{"read":"has space"}'],
      ['MCP_TOOL_SCOPES', '{"read":""}'],
      ['MCP_TOOL_SCOPES', '{"read":'],
      ['MERIDIAN_RENDER_THREADS', 'two'],
    ])('refuses %s=%j and names it', (name, value) => {
      problemFor({ [name]: value }, name);
    });

    it('explains what a bad value should have been', () => {
      expect(problemFor({ SECRET_KEY: 'short' }, 'SECRET_KEY')).toContain('at least 16 characters');
      expect(problemFor({ NATS_URL: 'http://x' }, 'NATS_URL')).toContain('nats://');
      expect(problemFor({ LOG_LEVEL: 'loud' }, 'LOG_LEVEL')).toContain('info');
    });

    it.each(['MCP_FOO', 'MERIDIAN_BAR', 'SQLALCHEMY_X', 'MCP_FOO_FILE'])(
      'refuses the unknown setting %s',
      (name) => {
        expect(problemFor({ [name]: '1' }, name)).toContain('unknown');
      },
    );

    it('reports every problem at once', () => {
      const err = configError({
        MCP_SERVICE_PORT: 'abc',
        LOG_LEVEL: 'loud',
        SECRET_KEY: 'short',
        MCP_FOO: '1',
      });
      for (const name of ['MCP_SERVICE_PORT', 'LOG_LEVEL', 'SECRET_KEY', 'MCP_FOO']) {
        expect(err.problems.some((p) => p.startsWith(`${name}:`))).toBe(true);
        expect(err.message).toContain(name);
      }
      expect(err.problems.every((p) => /^(MCP_SERVICE_PORT|LOG_LEVEL|SECRET_KEY|MCP_FOO):/.test(p))).toBe(
        true,
      );
    });

    it('is an Error named ConfigError', () => {
      const err = configError({ LOG_LEVEL: 'loud' });
      expect(err).toBeInstanceOf(Error);
      expect(err.name).toBe('ConfigError');
    });
  });

  it('renders on worker threads, one core left to the event loop, or on the main thread when told 0', () => {
    expect(defaultRenderThreads()).toBeGreaterThanOrEqual(1);
    expect(defaultRenderThreads()).toBeLessThanOrEqual(4);
    expect(loadConfig({ MERIDIAN_RENDER_THREADS: '0' }).renderThreads).toBe(0);
    expect(loadConfig({ MERIDIAN_RENDER_THREADS: '3' }).renderThreads).toBe(3);
  });

  it('reads the operator switches: scope names, disabled tools, read-only, structured output', () => {
    const config = loadConfig({
      MCP_TOOL_SCOPES: '{"read":"superset:read","sql":"superset:sql"}',
      MCP_DISABLED_TOOLS: 'execute_sql, generate_dashboard',
      MCP_READ_ONLY: 'true',
      MCP_STRUCTURED_OUTPUT: 'false',
    });
    expect(config.auth.toolScopes).toEqual({ read: 'superset:read', sql: 'superset:sql' });
    expect(config.disabledTools).toEqual(['execute_sql', 'generate_dashboard']);
    expect(config.readOnly).toBe(true);
    expect(config.structuredOutput).toBe(false);
    expect(loadConfig({ MCP_TOOL_SCOPES: 'off' }).auth.toolScopes).toBe(false);
  });

  describe('database URL', () => {
    it('accepts DATABASE_URL as an alias of SQLALCHEMY_DATABASE_URI', () => {
      const url = 'postgresql://meridian@db:5432/meridian';
      expect(loadConfig({ DATABASE_URL: url }).databaseUrl).toBe(url);
      expect(loadConfig({ SQLALCHEMY_DATABASE_URI: url }).databaseUrl).toBe(url);
    });

    it('prefers SQLALCHEMY_DATABASE_URI when both are set', () => {
      const config = loadConfig({
        SQLALCHEMY_DATABASE_URI: 'postgresql://primary/meridian',
        DATABASE_URL: 'postgres://alias/meridian',
      });
      expect(config.databaseUrl).toBe('postgresql://primary/meridian');
    });

    it('keeps the examples database separate', () => {
      const config = loadConfig({ EXAMPLES_DATABASE_URI: 'postgres://db/examples' });
      expect(config.examplesDatabaseUrl).toBe('postgres://db/examples');
      expect(config.databaseUrl).toBeUndefined();
    });
  });

  describe('<NAME>_FILE secrets', () => {
    it('reads the value from the file, without the trailing newline', () => {
      const key = 'k'.repeat(24);
      const config = loadConfig({ SECRET_KEY_FILE: secretFile('secret-key', `${key}\n`) });
      expect(config.secretKey).toBe(key);
    });

    it('works for any known variable, typed like the variable itself', () => {
      const config = loadConfig({
        SQLALCHEMY_DATABASE_URI_FILE: secretFile('db-url', 'postgresql://u:p@db/meridian\n'),
        MCP_SERVICE_PORT_FILE: secretFile('port', '6001\n'),
      });
      expect(config.databaseUrl).toBe('postgresql://u:p@db/meridian');
      expect(config.port).toBe(6001);
    });

    it('prefers the variable set directly over its file', () => {
      const config = loadConfig({
        SECRET_KEY: 'd'.repeat(16),
        SECRET_KEY_FILE: secretFile('ignored-key', 'f'.repeat(16)),
      });
      expect(config.secretKey).toBe('d'.repeat(16));
    });

    it('validates what the file holds', () => {
      problemFor({ SECRET_KEY_FILE: secretFile('short-key', 'tiny\n') }, 'SECRET_KEY');
    });

    it('names an unreadable file', () => {
      const missing = join(dir, 'does-not-exist');
      const problem = problemFor({ SECRET_KEY_FILE: missing }, 'SECRET_KEY_FILE');
      expect(problem).toContain(missing);
      expect(problem).toContain('ENOENT');
    });
  });

  describe('lists', () => {
    it('splits NATS_URL into its servers', () => {
      const config = loadConfig({ NATS_URL: 'nats://a:4222,nats://b:4222' });
      expect(config.natsUrl).toBe('nats://a:4222,nats://b:4222');
      expect(config.natsServers).toEqual(['nats://a:4222', 'nats://b:4222']);
    });

    it('splits MCP_ALLOWED_HOSTS and MCP_ALLOWED_ORIGINS, trimming and dropping empty entries', () => {
      const config = loadConfig({
        MCP_ALLOWED_HOSTS: 'mcp.example.com, api.example.com:8443,,',
        MCP_ALLOWED_ORIGINS: 'https://app.example.com , https://admin.example.com',
      });
      expect(config.allowedHosts).toEqual(['mcp.example.com', 'api.example.com:8443']);
      expect(config.allowedOrigins).toEqual(['https://app.example.com', 'https://admin.example.com']);
    });
  });

  describe('NATS identity', () => {
    const SEED = 'SUAGMJH5XLGZKQQWAWKRZJIGMOU4HPFUYLXJMXOO5NLFEO2OOQJ5LPRDPM';

    it('takes a user and password, also from files, and no TLS for nats:// URLs', () => {
      const config = loadConfig({
        NATS_URL: 'nats://nats:4222',
        NATS_USER: 'chart',
        NATS_PASSWORD_FILE: secretFile('nats-password', 'chart-pw\n'),
      });
      expect(config.natsAuth).toEqual({ user: 'chart', password: 'chart-pw', tls: undefined });
    });

    it('takes an nkey seed from NATS_NKEY_SEED_FILE', () => {
      const config = loadConfig({ NATS_NKEY_SEED_FILE: secretFile('nkey', `${SEED}\n`) });
      expect(config.natsAuth.nkeySeed).toBe(SEED);
    });

    it('turns TLS on with a CA file or a tls:// URL', () => {
      const ca = secretFile('ca.pem', 'not read here');
      expect(loadConfig({ NATS_TLS_CA: ca }).natsAuth.tls).toEqual({ caFile: ca });
      expect(loadConfig({ NATS_URL: 'tls://nats:4222' }).natsAuth.tls).toEqual({});
    });

    it.each([
      [{ NATS_USER: 'edge' }, 'NATS_PASSWORD'],
      [{ NATS_PASSWORD: 'pw' }, 'NATS_USER'],
      [{ NATS_USER: 'edge', NATS_PASSWORD: 'pw', NATS_NKEY_SEED: SEED }, 'NATS_NKEY_SEED'],
      [{ NATS_NKEY_SEED: 'not-a-seed' }, 'NATS_NKEY_SEED'],
      [{ NATS_TLS_CA: '/nowhere/ca.pem' }, 'NATS_TLS_CA'],
    ])('refuses %o, naming %s', (env, name) => {
      problemFor(env, name);
    });

    it('refuses a client key without its certificate', () => {
      problemFor({ NATS_TLS_KEY: secretFile('key.pem', 'not read here') }, 'NATS_TLS_CERT');
    });
  });

  it('knows every variable it reads', () => {
    const known = knownVariables();
    for (const name of ['SECRET_KEY', 'DATABASE_URL', 'NATS_URL', 'MCP_SERVICE_PORT', 'MERIDIAN_DATA_DIR']) {
      expect(known).toContain(name);
    }
    expect(known).toEqual([...known].sort());
  });
});

describe('isLoopbackHost', () => {
  it.each(['localhost', 'LOCALHOST', '127.0.0.1', '127.1.2.3', '::1', '[::1]'])('%s is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each([
    'evil.example.com',
    '0.0.0.0',
    '10.0.0.1',
    'localhost.evil.com',
    '127.0.0.1.nip.io',
    '128.0.0.1',
    '',
  ])('%j is not loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });

  describe('proxy trust', () => {
    it('trusts one hop by default and takes a hop count or addresses', () => {
      expect(loadConfig({}).proxyHops).toBe(1);
      expect(loadConfig({ MCP_PROXY_HOPS: '2' }).proxyHops).toBe(2);
      expect(
        loadConfig({ MCP_TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1,::1, fd00::/8' }).trustedProxies,
      ).toEqual(['10.0.0.0/8', '127.0.0.1', '::1', 'fd00::/8']);
    });

    it.each([
      [{ MCP_PROXY_HOPS: '0' }, /MCP_PROXY_HOPS/],
      [{ MCP_PROXY_HOPS: 'all' }, /MCP_PROXY_HOPS/],
      [{ MCP_TRUSTED_PROXIES: 'proxy.internal' }, /MCP_TRUSTED_PROXIES/],
      [
        { MCP_TRUSTED_PROXIES: '10.0.0.0/33' },
        /MCP_TRUSTED_PROXIES: 10\.0\.0\.0\/33 is not an IP address or CIDR/,
      ],
      [{ MCP_TRUSTED_PROXIES: '999.1.1.1' }, /MCP_TRUSTED_PROXIES: 999\.1\.1\.1 is not/],
      [{ MCP_TRUSTED_PROXIES: 'fd00::/129' }, /MCP_TRUSTED_PROXIES: fd00::\/129 is not/],
    ])('refuses %j', (env, message) => {
      expect(() => loadConfig(env)).toThrow(message);
    });
  });
});
