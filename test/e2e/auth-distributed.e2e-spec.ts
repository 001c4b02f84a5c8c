import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_SECRET_KEY, type TestDatabase } from '../support/database';
import { callOk } from '../support/mcp-client';
import { startOidcServer, type TestAuthorizationServer } from '../support/oidc-server';
import type { OwnNatsServer } from '../support/nats-server';
import { freePort, startProcess, waitForReady, type ManagedProcess } from '../support/processes';
import { natsEnvFor, startShippedNatsServer } from '../support/shipped-nats';

/**
 * The distributed deployment with token authentication on: the built edge and catalog processes
 * on NATS, tokens from a real authorization server, driven by the MCP SDK client.
 */
describe('distributed deployment with token authentication', () => {
  let db: TestDatabase;
  let nats: OwnNatsServer;
  let as: TestAuthorizationServer;
  let edge: ManagedProcess;
  let catalog: ManagedProcess;
  let baseUrl = '';
  let mcpUrl = '';

  const connect = async (token: string) => {
    const client = new Client({ name: 'auth-e2e', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(mcpUrl), {
        requestInit: { headers: { Authorization: `Bearer ${token}` } },
      }),
    );
    return client;
  };

  beforeAll(async () => {
    db = await createTestDatabase('e2e_auth');
    const edgePort = await freePort();
    baseUrl = `http://127.0.0.1:${edgePort}`;
    mcpUrl = `${baseUrl}/mcp`;
    as = await startOidcServer({ resource: mcpUrl, clients: ['alice', 'mallory'] });
    nats = await startShippedNatsServer();
    const common = { SQLALCHEMY_DATABASE_URI: db.url, NATS_URL: nats.url, SECRET_KEY: TEST_SECRET_KEY };
    const catalogPort = await freePort();
    catalog = startProcess('catalog', 'dist/apps/catalog/src/main.js', [], {
      ...common,
      ...natsEnvFor('catalog'),
      METRICS_PORT: String(catalogPort),
    });
    edge = startProcess('edge', 'dist/apps/edge/src/main.js', [], {
      ...common,
      ...natsEnvFor('edge'),
      MCP_SERVICE_PORT: String(edgePort),
      MCP_AUTH_ENABLED: 'true',
      MCP_JWT_ISSUER: as.issuer,
      MCP_JWT_AUDIENCE: mcpUrl,
      MCP_JWKS_URI: as.jwksUri,
      MCP_AUTHORIZATION_SERVERS: as.issuer,
    });
    await Promise.all([
      waitForReady(`http://127.0.0.1:${catalogPort}/ready`, catalog),
      waitForReady(`${baseUrl}/ready`, edge),
    ]);
  });

  afterAll(async () => {
    await Promise.all([edge?.stop(), catalog?.stop()]);
    await nats?.dispose();
    await as?.close();
    await db?.drop();
  });

  it('serves an MCP client holding a valid token: tools/list and tools/call', async () => {
    const client = await connect(await as.token({ client: 'alice', scope: 'meridian:read' }));
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['health_check', 'list_dashboards']));
    expect(await callOk(client, 'health_check')).toMatchObject({ status: 'healthy', mode: 'distributed' });
    expect((await callOk(client, 'list_dashboards')).total_count).toBeGreaterThan(0);
    await client.close();
  });

  it('turns an MCP client away without a token, pointing at the resource metadata', async () => {
    const client = new Client({ name: 'auth-e2e', version: '1.0.0' });
    await expect(client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl)))).rejects.toMatchObject({
      code: 401,
    });
    const res = await fetch(mcpUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    const metadataUrl = res.headers.get('www-authenticate')?.match(/resource_metadata="([^"]+)"/)?.[1];
    expect(metadataUrl).toBe(`${baseUrl}/.well-known/oauth-protected-resource/mcp`);
    const metadata = (await (await fetch(metadataUrl!)).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({ resource: mcpUrl, authorization_servers: [as.issuer] });
  });

  it('answers a tool call lacking its scope with 403 insufficient_scope, which the SDK surfaces', async () => {
    const client = await connect(await as.token({ client: 'alice', scope: 'meridian:write' }));
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    await expect(client.callTool({ name: 'list_dashboards', arguments: {} })).rejects.toMatchObject({
      code: 403,
    });
    await client.close();
  });

  it('refuses a genuine token for an unknown user', async () => {
    const token = await as.token({ client: 'mallory', scope: 'meridian:read' });
    const res = await fetch(`${baseUrl}/health_check`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'User not found', error_type: 'AuthenticationError' });
  });
});
