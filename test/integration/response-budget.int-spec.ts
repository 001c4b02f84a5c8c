import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { Client as PgClient } from 'pg';
import { register } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolRegistry } from '@meridian/contracts';
import type { RunningPlatform } from '../../apps/meridian/src/platform';
import { startTestPlatform } from '../support/authed-platform';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { freePort } from '../support/processes';

/** The default MCP_RESPONSE_BUDGET_BYTES. */
const BUDGET = 50_000;
const WIDE_COLUMNS = 600;

type Answer = Record<string, unknown>;

/**
 * MCP_RESPONSE_BUDGET_BYTES through the whole platform with the MCP SDK client: real oversized
 * answers come back cut to the budget, valid against the tool's output schema, saying what was cut
 * and how to ask for less, while the REST form answers in full.
 */
describe('the MCP response budget', () => {
  let db: TestDatabase;
  let platform: RunningPlatform;
  let client: McpClient;
  let baseUrl: string;
  let examples: number;
  let birthNames: number;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);

  beforeAll(async () => {
    db = await createTestDatabase('budget');
    const pg = new PgClient({ connectionString: db.url });
    await pg.connect();
    const one = async (sql: string) => ((await pg.query(sql)).rows[0] as { id: number }).id;
    examples = await one("SELECT id FROM databases WHERE database_name = 'examples'");
    birthNames = await one("SELECT id FROM datasets WHERE table_name = 'birth_names'");
    // A wide dataset and many long dashboards: answers far over the budget, within the transport cap.
    await pg.query(
      `INSERT INTO dataset_columns (dataset_id, column_name, type, description)
       SELECT $1, 'reading_' || g, 'DOUBLE PRECISION', repeat('What the sensor read at this point. ', 5)
       FROM generate_series(1, ${WIDE_COLUMNS}) g`,
      [birthNames],
    );
    await pg.query(
      `INSERT INTO dashboards (dashboard_title, description, published)
       SELECT 'Budget dashboard ' || g, repeat('All about the quarterly numbers. ', 20), true
       FROM generate_series(1, 100) g`,
    );
    await pg.end();
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    platform = await startTestPlatform({ databaseUrl: db.url, port });
    client = new McpClient({ name: 'budget', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`)));
    // The SDK client checks structuredContent against the output schemas it has listed.
    await client.listTools();
  }, 90_000);

  afterAll(async () => {
    await client?.close();
    await platform?.close();
    register.clear();
    await db?.drop();
  });

  /** Calls over MCP; checks the answer is within the budget and valid against the tool's schema. */
  async function mcp(name: string, args: Answer): Promise<Answer> {
    const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    const text = (result.content[0] as { text: string }).text;
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(BUDGET);
    expect(JSON.parse(text)).toEqual(result.structuredContent);
    const validate = ajv.compile(toolRegistry().get(name).outputSchema);
    expect(validate(result.structuredContent), JSON.stringify(validate.errors)).toBe(true);
    return result.structuredContent as Answer;
  }

  async function rest(name: string, args: Answer): Promise<Answer> {
    const res = await fetch(`${baseUrl}/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ request: args }),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as Answer;
  }

  it('cuts execute_sql rows from the end and points at limit and narrower columns; REST has them all', async () => {
    const args = {
      database_id: examples,
      sql: "SELECT g AS id, md5(g::text) AS hash, repeat('wide ', 40) AS padding FROM generate_series(1, 1000) g",
      limit: 1000,
    };
    const cut = await mcp('execute_sql', args);
    const rows = cut.rows as { id: number }[];
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.length).toBeLessThan(1000);
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: rows.length }, (_, i) => i + 1));
    expect(cut).toMatchObject({ row_count: rows.length, truncated: true });
    expect(cut.truncation_reason).toBe(
      `Answer cut to fit MCP_RESPONSE_BUDGET_BYTES (50000 bytes): rows cut from 1000 to ${rows.length}. ` +
        'Ask for less with a lower limit, a statement selecting fewer or narrower columns.',
    );

    const full = await rest('execute_sql', args);
    expect(full).toMatchObject({ row_count: 1000, truncated: false, truncation_reason: null });
    expect((full.rows as unknown[]).slice(0, rows.length)).toEqual(rows);
  });

  it('shortens a value too long for the budget on its own, with a marker', async () => {
    const cut = await mcp('execute_sql', {
      database_id: examples,
      sql: "SELECT 1 AS id, repeat('abcdefghij', 12000) AS document",
    });
    const [row] = cut.rows as { id: number; document: string }[];
    expect(row.id).toBe(1);
    expect(row.document).toMatch(/^(abcdefghij)+[a-j]*… \[\d+ more characters\]$/);
    expect(cut.truncation_reason).toMatch(/strings over \d+ characters shortened/);
    const full = await rest('execute_sql', {
      database_id: examples,
      sql: "SELECT repeat('abcdefghij', 12000) AS d",
    });
    expect((full.rows as { d: string }[])[0].d.length).toBe(120_000);
  });

  it('cuts a big page of list_dashboards, keeping count true, and names page_size', async () => {
    const args = { page_size: 100, select_columns: ['id', 'dashboard_title', 'description'] };
    const cut = await mcp('list_dashboards', args);
    const kept = (cut.dashboards as unknown[]).length;
    expect(kept).toBeLessThan(100);
    expect(cut.count).toBe(kept);
    expect(cut.truncation_reason).toContain(`dashboards cut from 100 to ${kept}`);
    expect(cut.truncation_reason).toContain('a smaller page_size');
    expect(((await rest('list_dashboards', args)).dashboards as unknown[]).length).toBe(100);
  });

  it('cuts the columns of a wide dataset and says so', async () => {
    const cut = await mcp('get_dataset_info', { identifier: birthNames });
    const columns = cut.columns as { column_name: string }[];
    const full = await rest('get_dataset_info', { identifier: birthNames });
    const all = full.columns as { column_name: string }[];
    expect(all.length).toBeGreaterThan(WIDE_COLUMNS);
    expect(columns.length).toBeLessThan(all.length);
    expect(columns).toEqual(all.slice(0, columns.length));
    expect(cut.truncated).toBe(true);
    expect(cut.truncation_reason).toContain(`columns cut from ${all.length} to ${columns.length}`);
  });

  it('counts the answers it cut, by tool (REST answers are not)', async () => {
    const metric = await register.getSingleMetric('mcp_responses_cut_to_budget_total')?.get();
    const byTool = Object.fromEntries((metric?.values ?? []).map((v) => [v.labels.tool, v.value]));
    expect(byTool).toEqual({ execute_sql: 2, list_dashboards: 1, get_dataset_info: 1 });
  });
});
