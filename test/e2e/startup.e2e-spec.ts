import { describe, expect, it } from 'vitest';
import { NATS_TEST_URL, PG_SERVER_URL, TEST_SECRET_KEY } from '../support/database';
import { freePort, startProcess } from '../support/processes';

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
