import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { Client as PgClient } from 'pg';
import { register } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_SCOPES, toolRegistry } from '@meridian/contracts';
import type { RunningPlatform } from '../../apps/meridian/src/platform';
import { startTestPlatform, type PlatformOverrides } from '../support/authed-platform';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startOidcServer, type TestAuthorizationServer } from '../support/oidc-server';
import { freePort } from '../support/processes';

const SUPERSET_SCOPES = ['superset:read', 'superset:write', 'superset:sql'];

/**
 * The operator's switches and Superset-compatible calls, through the whole platform with the MCP
 * SDK client: scope names of the identity provider (MCP_TOOL_SCOPES), `{"request": {...}}`
 * arguments, MCP_DISABLED_TOOLS, MCP_READ_ONLY and MCP_STRUCTURED_OUTPUT.
 */
describe('operator switches and Superset-compatible calls', () => {
  let db: TestDatabase;
  let as: TestAuthorizationServer;
  let examples: number;
  let birthNames: number;
  const running: { platform: RunningPlatform; clients: McpClient[] }[] = [];

  /** A platform with these settings; with `auth`, tokens from the test authorization server. */
  async function platform(overrides: PlatformOverrides, withAuth: boolean) {
    // One platform at a time in this process (they share the metrics registry).
    await stopAll();
    const port = await freePort();
    const mcpUrl = `http://127.0.0.1:${port}/mcp`;
    const started = await startTestPlatform({
      databaseUrl: db.url,
      port,
      as: withAuth ? as : undefined,
      overrides,
    });
    const entry = { platform: started, clients: [] as McpClient[] };
    running.push(entry);
    const connect = async (token?: string) => {
      const client = new McpClient({ name: 'switches', version: '1' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(mcpUrl), {
          requestInit: { headers: token ? { Authorization: `Bearer ${token}` } : {} },
        }),
      );
      entry.clients.push(client);
      return client;
    };
    const post = (token: string, body: unknown) =>
      fetch(mcpUrl, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify(body),
      });
    return { mcpUrl, baseUrl: `http://127.0.0.1:${port}`, connect, post };
  }

  const call = async (client: McpClient, name: string, args: Record<string, unknown> = {}) =>
    (await client.callTool({ name, arguments: args })) as CallToolResult;

  beforeAll(async () => {
    db = await createTestDatabase('switches');
    as = await startOidcServer({
      resource: 'http://127.0.0.1/mcp',
      clients: ['admin', 'alice', 'sam'],
      scopes: [...ALL_SCOPES, ...SUPERSET_SCOPES],
    });
    const pg = new PgClient({ connectionString: db.url });
    await pg.connect();
    const one = async (sql: string) => ((await pg.query(sql)).rows[0] as { id: number }).id;
    examples = await one("SELECT id FROM databases WHERE database_name = 'examples'");
    birthNames = await one("SELECT id FROM datasets WHERE table_name = 'birth_names'");
    await pg.end();
  }, 60_000);

  async function stopAll() {
    for (const { platform, clients } of running.splice(0)) {
      for (const client of clients) await client.close();
      await platform.close();
    }
    // The next platform in this process registers its metrics afresh.
    register.clear();
  }

  afterAll(async () => {
    await stopAll();
    await as?.close();
    await db?.drop();
  });

  describe('an identity provider set up for Superset (MCP_TOOL_SCOPES, MCP_REQUIRED_SCOPES)', () => {
    let edge: Awaited<ReturnType<typeof platform>>;
    let readAndSql: string;

    beforeAll(async () => {
      edge = await platform(
        {
          auth: {
            requiredScopes: ['superset:read'],
            toolScopes: { read: 'superset:read', write: 'superset:write', sql: 'superset:sql' },
          },
        },
        true,
      );
      readAndSql = await as.token({
        client: 'admin',
        scope: 'superset:read superset:sql',
        resource: edge.mcpUrl,
      });
    }, 60_000);

    it('accepts its scope names on the tools that need them', async () => {
      const client = await edge.connect(readAndSql);
      const charts = await call(client, 'list_charts', { page_size: 2 });
      expect(charts.isError ?? false, JSON.stringify(charts.structuredContent)).toBe(false);
      const sql = await call(client, 'execute_sql', { database_id: examples, sql: 'SELECT 1 AS one' });
      expect(sql.structuredContent).toMatchObject({ rows: [{ one: 1 }] });
    });

    it('asks for its write scope, by its name, when a tool needs it', async () => {
      const res = await edge.post(readAndSql, {
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'generate_dashboard', arguments: { chart_ids: [1], dashboard_title: 'x' } },
      });
      expect(res.status).toBe(403);
      expect(res.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
      expect(res.headers.get('www-authenticate')).toContain('superset:write');
      expect(await res.json()).toMatchObject({ details: { missing_scopes: ['superset:write'] } });
    });

    it('refuses a token carrying Meridian’s own names instead', async () => {
      const meridianNames = await as.token({
        client: 'admin',
        scope: 'meridian:read meridian:write meridian:sql',
        resource: edge.mcpUrl,
      });
      const res = await edge.post(meridianNames, { jsonrpc: '2.0', id: 1, method: 'tools/list' });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ details: { missing_scopes: ['superset:read'] } });
    });

    it('publishes its scope names in the protected resource metadata', async () => {
      const meta = (await (await fetch(`${edge.baseUrl}/.well-known/oauth-protected-resource`)).json()) as {
        scopes_supported: string[];
      };
      expect(meta.scopes_supported).toEqual(['superset:read', 'superset:write', 'superset:sql']);
    });

    it('takes Superset’s {"request": {...}} arguments as well as flat ones, with the same answer', async () => {
      const client = await edge.connect(readAndSql);
      const flat = await call(client, 'list_charts', { page_size: 3, order_column: 'id' });
      const wrapped = await call(client, 'list_charts', { request: { page_size: 3, order_column: 'id' } });
      expect(wrapped.isError ?? false).toBe(false);
      expect(wrapped.structuredContent).toEqual(flat.structuredContent);
      const info = await call(client, 'get_dataset_info', { request: { identifier: birthNames } });
      expect(info.structuredContent).toMatchObject({ id: birthNames, table_name: 'birth_names' });
      // tools/list stays flat: no tool declares a `request` parameter.
      const { tools } = await client.listTools();
      for (const tool of tools)
        expect(Object.keys(tool.inputSchema.properties ?? {}), tool.name).not.toContain('request');
    });

    it('refuses a request object mixed with flat arguments, naming the field', async () => {
      const client = await edge.connect(readAndSql);
      const mixed = await call(client, 'list_charts', { request: { page_size: 3 }, page: 1 });
      expect(mixed.isError).toBe(true);
      expect(mixed.structuredContent).toMatchObject({ error_type: 'ValidationError' });
      expect(JSON.stringify(mixed.structuredContent)).toContain('request');
    });
  });

  it('with MCP_TOOL_SCOPES=off, tools need no scope of their own', async () => {
    const edge = await platform({ auth: { toolScopes: false } }, true);
    // A scope the server does not use at all: nothing Meridian would ask for.
    const noScopes = await as.token({ client: 'sam', scope: 'superset:write', resource: edge.mcpUrl });
    const client = await edge.connect(noScopes);
    const sql = await call(client, 'execute_sql', { database_id: examples, sql: 'SELECT 2 AS two' });
    expect(sql.structuredContent).toMatchObject({ rows: [{ two: 2 }] });
    const meta = (await (await fetch(`${edge.baseUrl}/.well-known/oauth-protected-resource`)).json()) as {
      scopes_supported: string[];
    };
    expect(meta.scopes_supported).toEqual([]);
  }, 60_000);

  describe('read-only, with a tool disabled and text-only answers', () => {
    let client: McpClient;
    const changing = toolRegistry()
      .list()
      .filter((t) => t.annotations.readOnlyHint === false && t.name !== 'execute_sql')
      .map((t) => t.name);

    beforeAll(async () => {
      const edge = await platform(
        { readOnly: true, disabledTools: ['list_audit_events'], structuredOutput: false },
        false,
      );
      client = await edge.connect();
    }, 60_000);

    it('lists neither the tools that change something nor the disabled one, even to Admin', async () => {
      expect(changing).toEqual(
        expect.arrayContaining(['generate_chart', 'update_chart', 'generate_dashboard']),
      );
      const names = (await client.listTools()).tools.map((t) => t.name);
      for (const name of [...changing, 'list_audit_events']) expect(names).not.toContain(name);
      expect(names).toEqual(expect.arrayContaining(['execute_sql', 'list_charts', 'get_chart_preview']));
    });

    it('refuses them when called anyway, saying which switch', async () => {
      const chart = await call(client, 'generate_chart', {
        dataset_id: birthNames,
        config: { chart_type: 'big_number', metric: { name: 'count' } },
        save_chart: true,
      });
      expect(chart.isError).toBe(true);
      expect(JSON.parse((chart.content[0] as { text: string }).text)).toMatchObject({
        error_type: 'PermissionDeniedError',
        error: 'generate_chart changes data and this server is read-only (MCP_READ_ONLY)',
      });
      const audit = await call(client, 'list_audit_events');
      expect(JSON.parse((audit.content[0] as { text: string }).text)).toMatchObject({
        error_type: 'PermissionDeniedError',
        error: 'list_audit_events is disabled on this server (MCP_DISABLED_TOOLS)',
      });
    });

    it('keeps execute_sql for reading statements only', async () => {
      const read = await call(client, 'execute_sql', { database_id: examples, sql: 'SELECT 3 AS three' });
      expect(JSON.parse((read.content[0] as { text: string }).text)).toMatchObject({ rows: [{ three: 3 }] });
      const write = await call(client, 'execute_sql', {
        database_id: examples,
        sql: "UPDATE birth_names SET name = 'x' WHERE false",
      });
      expect(write.isError).toBe(true);
      expect(JSON.parse((write.content[0] as { text: string }).text)).toMatchObject({
        error_type: 'ValidationError',
        details: { rule: 'dml_not_allowed' },
        error: expect.stringContaining('MCP_READ_ONLY'),
      });
    });

    it('answers text content only, without output schemas or structuredContent', async () => {
      const { tools } = await client.listTools();
      for (const tool of tools) expect(tool.outputSchema, tool.name).toBeUndefined();
      const result = await call(client, 'list_charts', { page_size: 1 });
      expect(result.structuredContent).toBeUndefined();
      expect(JSON.parse((result.content[0] as { text: string }).text)).toMatchObject({ page_size: 1 });
    });
  });
});
