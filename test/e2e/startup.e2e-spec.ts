import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, NATS_TEST_URL, PG_SERVER_URL, TEST_SECRET_KEY } from '../support/database';
import type { OwnNatsServer } from '../support/nats-server';
import { until } from '../support/polling';
import { freePort, startProcess } from '../support/processes';
import { natsEnvFor, startShippedNatsServer } from '../support/shipped-nats';

async function exitOf(script: string, args: string[], env: Record<string, string>) {
  const proc = startProcess(script, script, args, env);
  const code = await new Promise<number | null>((done) => proc.child.once('exit', done));
  return { code, output: proc.output() };
}

/** Settings that must stop a process before it serves anything, with a message naming why. */
describe('start-up refusals', () => {
  it('refuses the development identity on a non-loopback bind', async () => {
    const { code, output } = await exitOf('dist/apps/edge/src/main.js', [], {
      NATS_URL: NATS_TEST_URL,
      MCP_DEV_USERNAME: 'admin',
      MCP_SERVICE_HOST: '0.0.0.0',
      MCP_SERVICE_PORT: String(await freePort()),
    });
    expect(code).toBe(1);
    expect(output).toContain('MCP_DEV_USERNAME');
    expect(output).toContain('MCP_SERVICE_HOST=0.0.0.0');
  });

  it('refuses to run the edge with no identity at all', async () => {
    const { code, output } = await exitOf('dist/apps/edge/src/main.js', [], {
      NATS_URL: NATS_TEST_URL,
      MCP_SERVICE_PORT: String(await freePort()),
    });
    expect(code).toBe(1);
    expect(output).toContain('No authentication configured');
  });

  it('refuses the development identity together with token authentication', async () => {
    const { code, output } = await exitOf('dist/apps/edge/src/main.js', [], {
      NATS_URL: NATS_TEST_URL,
      SQLALCHEMY_DATABASE_URI: PG_SERVER_URL,
      SECRET_KEY: TEST_SECRET_KEY,
      MCP_DEV_USERNAME: 'admin',
      MCP_AUTH_ENABLED: 'true',
      MCP_JWT_ISSUER: 'https://idp.example.com/',
      MCP_JWT_AUDIENCE: 'https://meridian.example.com/mcp',
      MCP_JWKS_URI: 'https://idp.example.com/jwks',
      MCP_SERVICE_PORT: String(await freePort()),
    });
    expect(code).toBe(1);
    expect(output).toContain('MCP_DEV_USERNAME is a development-only identity and cannot be combined');
  });

  it('refuses disabled authentication on a non-loopback bind', async () => {
    const { code, output } = await exitOf('dist/apps/edge/src/main.js', [], {
      NATS_URL: NATS_TEST_URL,
      SQLALCHEMY_DATABASE_URI: PG_SERVER_URL,
      SECRET_KEY: TEST_SECRET_KEY,
      MCP_SERVICE_HOST: '0.0.0.0',
      MCP_SERVICE_PORT: String(await freePort()),
    });
    expect(code).toBe(1);
    expect(output).toContain('Authentication is disabled (MCP_AUTH_ENABLED=false)');
    expect(output).toContain('MCP_SERVICE_HOST=0.0.0.0');
  });

  it('refuses to run the edge without SECRET_KEY', async () => {
    const { code, output } = await exitOf('dist/apps/edge/src/main.js', [], {
      NATS_URL: NATS_TEST_URL,
      SQLALCHEMY_DATABASE_URI: PG_SERVER_URL,
      MCP_DEV_USERNAME: 'admin',
      MCP_SERVICE_PORT: String(await freePort()),
    });
    expect(code).toBe(1);
    expect(output).toContain('SECRET_KEY is required');
  });

  it('names every bad or unknown setting', async () => {
    const { code, output } = await exitOf('dist/apps/meridian/src/main.js', ['start'], {
      MCP_SERVICE_PORT: 'not-a-port',
      NATS_URL: 'http://127.0.0.1:4222',
      MCP_SERVCE_HOST: '127.0.0.1',
    });
    expect(code).toBe(1);
    expect(output).toContain('MCP_SERVICE_PORT');
    expect(output).toContain('NATS_URL');
    expect(output).toContain('MCP_SERVCE_HOST: unknown setting');
  });

  it('names bad proxy trust and token lifetime settings', async () => {
    const { code, output } = await exitOf('dist/apps/meridian/src/main.js', ['start'], {
      ENABLE_PROXY_FIX: 'true',
      MCP_PROXY_HOPS: '0',
      MCP_TRUSTED_PROXIES: '10.0.0.0/8,proxy.internal',
      MCP_JWT_MAX_AGE_SECONDS: '5',
    });
    expect(code).toBe(1);
    expect(output).toContain('MCP_PROXY_HOPS');
    expect(output).toContain('MCP_TRUSTED_PROXIES');
    expect(output).toContain('MCP_JWT_MAX_AGE_SECONDS');
  });

  it('refuses a response limit that the NATS server cannot carry', async () => {
    const { code, output } = await exitOf('dist/apps/catalog/src/main.js', [], {
      NATS_URL: NATS_TEST_URL,
      SQLALCHEMY_DATABASE_URI: PG_SERVER_URL,
      SECRET_KEY: TEST_SECRET_KEY,
      MCP_MAX_RESPONSE_BYTES: String(4 * 1024 * 1024),
      METRICS_PORT: String(await freePort()),
    });
    expect(code).toBe(1);
    expect(output).toMatch(/MCP_MAX_RESPONSE_BYTES \(4194304\).*max_payload/);
  });

  it('requires NATS_URL for a service on its own', async () => {
    const { code, output } = await exitOf('dist/apps/catalog/src/main.js', [], {
      SQLALCHEMY_DATABASE_URI: PG_SERVER_URL,
      SECRET_KEY: TEST_SECRET_KEY,
    });
    expect(code).toBe(1);
    expect(output).toContain('NATS_URL is required');
  });
});

/** A service against the deployment's NATS configuration with the wrong identity. */
describe('start-up against the shipped NATS users', () => {
  let nats: OwnNatsServer;
  beforeAll(async () => {
    nats = await startShippedNatsServer();
  });
  afterAll(() => nats?.dispose());

  it('stops a service whose credentials NATS refuses, naming the settings', async () => {
    const attempts: Record<string, string>[] = [{}, { NATS_USER: 'catalog', NATS_PASSWORD: 'a-guess' }];
    for (const creds of attempts) {
      const { code, output } = await exitOf('dist/apps/catalog/src/main.js', [], {
        NATS_URL: nats.url,
        SQLALCHEMY_DATABASE_URI: PG_SERVER_URL,
        SECRET_KEY: TEST_SECRET_KEY,
        METRICS_PORT: String(await freePort()),
        ...creds,
      });
      expect(code).toBe(1);
      expect(output).toContain('NATS refused this process');
      expect(output).toContain('NATS_USER');
    }
  });

  it('keeps a service that may not hear its subjects out of readiness, naming them', async () => {
    const db = await createTestDatabase('e2e_startup_nats');
    const port = await freePort();
    // The catalog with the sql service's user: it connects, but may not subscribe to catalog subjects.
    const proc = startProcess('catalog-as-sql', 'dist/apps/catalog/src/main.js', [], {
      NATS_URL: nats.url,
      SQLALCHEMY_DATABASE_URI: db.url,
      SECRET_KEY: TEST_SECRET_KEY,
      METRICS_PORT: String(port),
      ...natsEnvFor('sql'),
    });
    try {
      const ready = await until(
        async () => {
          const res = await fetch(`http://127.0.0.1:${port}/ready`).catch(() => undefined);
          return res ? { status: res.status, body: await res.text() } : undefined;
        },
        (r) => r !== undefined && r.body.includes('subscription refused'),
        60_000,
      );
      expect(ready!.status).toBe(503);
      expect(ready!.body).toContain('meridian.rpc.catalog.');
    } finally {
      await proc.stop();
      await db.drop();
    }
  });
});
