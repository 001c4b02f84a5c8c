import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { Client as PgClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_SCOPES, toolRegistry } from '@meridian/contracts';
import type { RunningPlatform } from '../../apps/meridian/src/platform';
import { startTestPlatform } from '../support/authed-platform';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startOidcServer, type TestAuthorizationServer } from '../support/oidc-server';
import { freePort } from '../support/processes';

const USERS = ['admin', 'alice', 'gary', 'sam'] as const;
type User = (typeof USERS)[number];

/**
 * Who may call what, per seeded user: the expectation is written here, by hand, from the seeded
 * roles (admin: Admin; alice: Alpha; gary: Gamma + two datasets; sam: Gamma + sql_lab + the
 * examples database). A tool added to the registry fails this test until it is placed in the table.
 */
const MATRIX: Record<string, Record<User, boolean>> = {
  health_check: { admin: true, alice: true, gary: true, sam: true },
  get_instance_info: { admin: true, alice: true, gary: true, sam: true },
  list_dashboards: { admin: true, alice: true, gary: true, sam: true },
  get_dashboard_info: { admin: true, alice: true, gary: true, sam: true },
  list_charts: { admin: true, alice: true, gary: true, sam: true },
  get_chart_info: { admin: true, alice: true, gary: true, sam: true },
  list_datasets: { admin: true, alice: true, gary: true, sam: true },
  get_dataset_info: { admin: true, alice: true, gary: true, sam: true },
  list_databases: { admin: true, alice: true, gary: true, sam: true },
  get_database_info: { admin: true, alice: true, gary: true, sam: true },
  execute_sql: { admin: true, alice: false, gary: false, sam: true },
  query_dataset: { admin: true, alice: true, gary: true, sam: true },
  generate_chart: { admin: true, alice: true, gary: false, sam: false },
  update_chart: { admin: true, alice: true, gary: false, sam: false },
  get_chart_data: { admin: true, alice: true, gary: true, sam: true },
  get_chart_sql: { admin: true, alice: true, gary: true, sam: true },
  get_chart_preview: { admin: true, alice: true, gary: true, sam: true },
  get_chart_type_schema: { admin: true, alice: true, gary: true, sam: true },
  generate_dashboard: { admin: true, alice: true, gary: false, sam: false },
  add_chart_to_existing_dashboard: { admin: true, alice: true, gary: false, sam: false },
  generate_explore_link: { admin: true, alice: true, gary: true, sam: true },
  list_audit_events: { admin: true, alice: false, gary: false, sam: false },
};

/** The whole platform with token authentication against a real authorization server on loopback. */
describe('RBAC matrix: each seeded user × each tool, through the edge with real tokens', () => {
  let db: TestDatabase;
  let as: TestAuthorizationServer;
  let platform: RunningPlatform;
  const clients = new Map<User, Client>();
  const args: Record<string, Record<string, unknown>> = {};

  beforeAll(async () => {
    db = await createTestDatabase('rbac_matrix');
    const port = await freePort();
    const mcpUrl = `http://127.0.0.1:${port}/mcp`;
    as = await startOidcServer({ resource: mcpUrl, clients: [...USERS] });
    platform = await startTestPlatform({ databaseUrl: db.url, port, as });
    for (const user of USERS) {
      const token = await as.token({ client: user, scope: ALL_SCOPES.join(' ') });
      const client = new McpClient({ name: `rbac-${user}`, version: '1' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(mcpUrl), {
          requestInit: { headers: { Authorization: `Bearer ${token}` } },
        }),
      );
      clients.set(user, client);
    }
    const pg = new PgClient({ connectionString: db.url });
    await pg.connect();
    const one = async (sql: string) => ((await pg.query(sql)).rows[0] as { id: number }).id;
    const birthNames = await one("SELECT id FROM datasets WHERE table_name = 'birth_names'");
    const examples = await one("SELECT id FROM databases WHERE database_name = 'examples'");
    const chart = await one(`SELECT id FROM charts WHERE dataset_id = ${birthNames} ORDER BY id LIMIT 1`);
    const alicesChart = await one("SELECT id FROM charts WHERE slice_name = 'Countries by Life Expectancy'");
    await pg.end();
    Object.assign(args, {
      get_dashboard_info: { identifier: 'births' },
      get_chart_info: { identifier: chart },
      get_dataset_info: { identifier: birthNames },
      get_database_info: { identifier: examples },
      execute_sql: { database_id: examples, sql: 'SELECT count(*) AS n FROM birth_names' },
      query_dataset: { dataset_id: birthNames, metrics: [{ name: 'count', saved_metric: true }] },
      generate_chart: {
        dataset_id: birthNames,
        config: { chart_type: 'big_number', metric: { name: 'count' } },
        preview_formats: ['ascii'],
      },
      update_chart: { identifier: alicesChart, description: 'Reviewed', generate_preview: false },
      get_chart_data: { identifier: chart, limit: 5 },
      get_chart_sql: { identifier: chart },
      get_chart_preview: { identifier: chart, format: 'ascii' },
      get_chart_type_schema: { chart_type: 'pie', dataset_id: birthNames },
      generate_dashboard: { chart_ids: [chart], dashboard_title: 'Access check' },
      // Already on alice's dashboard: the call answers where it is and changes nothing.
      add_chart_to_existing_dashboard: { dashboard_id: 'world-indicators', chart_id: alicesChart },
      generate_explore_link: { chart_id: chart },
    });
  }, 120_000);

  afterAll(async () => {
    for (const client of clients.values()) await client.close();
    await platform?.close();
    await as?.close();
    await db?.drop();
  });

  it('places every registry tool in the matrix', () => {
    expect(Object.keys(MATRIX).sort()).toEqual(
      toolRegistry()
        .list()
        .map((t) => t.name)
        .sort(),
    );
  });

  it.each(USERS)('tools/list shows %s exactly the tools the matrix allows', async (user) => {
    const { tools } = await clients.get(user)!.listTools();
    const expected = Object.entries(MATRIX)
      .filter(([, allowed]) => allowed[user])
      .map(([tool]) => tool)
      .sort();
    expect(tools.map((t) => t.name).sort()).toEqual(expected);
  });

  const cases = USERS.flatMap((user) => Object.keys(MATRIX).map((tool) => [user, tool] as const));
  it.each(cases)('%s calling %s', async (user, tool) => {
    const result = (await clients.get(user)!.callTool({
      name: tool,
      arguments: args[tool] ?? {},
    })) as CallToolResult;
    const body = result.structuredContent as { error_type?: string; error?: string } | undefined;
    if (MATRIX[tool][user]) {
      expect(body?.error_type, JSON.stringify(body)).not.toBe('PermissionDeniedError');
      expect(result.isError ?? false, JSON.stringify(body)).toBe(false);
    } else {
      expect(result.isError).toBe(true);
      expect(body?.error_type).toBe('PermissionDeniedError');
      expect(body?.error).toMatch(/^Missing permission /);
    }
  });
});
