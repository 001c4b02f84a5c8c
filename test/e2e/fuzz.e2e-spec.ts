import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { Client as PgClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolRegistry } from '@meridian/contracts';
import { createTestDatabase, TEST_SECRET_KEY, type TestDatabase } from '../support/database';
import { connectClient } from '../support/mcp-client';
import { inPool, until } from '../support/polling';
import { freePort, startProcess, waitForReady, type ManagedProcess } from '../support/processes';
import { SchemaFuzzer, type FuzzCase, type Schema } from '../support/schema-fuzzer';

const MAIN = 'dist/apps/meridian/src/main.js';
/** Cases per tool and transport; `npm run fuzz` raises it (FUZZ_CASES) and varies the seed (FUZZ_SEED). */
const CASES = Number(process.env.FUZZ_CASES ?? 70);
const SEED = process.env.FUZZ_SEED ?? 'meridian-fuzz-1';
const ERROR_TYPES = new Set([
  'ValidationError',
  'AuthenticationError',
  'PermissionDeniedError',
  'NotFoundError',
  'RateLimitError',
  'TimeoutError',
  'ServiceBusyError',
  'ServiceUnavailableError',
  'DatabaseError',
]);

interface Outcome {
  tool: string;
  transport: 'mcp' | 'rest';
  label: string;
  problem: string;
}

/**
 * Arguments derived from every tool's input schema with a fixed seed — valid values, then the same
 * with one part replaced by a wrong type, null, a huge or deep value, control characters, an
 * unknown key or an out-of-range number — sent over MCP and REST to the all-in-one. Every answer
 * must be a success or a typed error of the closed set: never InternalError, never an untyped 5xx,
 * and the platform must still answer afterwards. The audit trail must keep up: every REST call
 * (each under its own request id) is in it exactly once, nothing dead-lettered or dropped.
 */
describe('fuzzing every tool’s input over MCP and REST', () => {
  let db: TestDatabase;
  let proc: ManagedProcess;
  let base: string;
  let client: Client;
  let tools: { name: string; inputSchema: Schema }[];
  let pg: PgClient;
  const restIds: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('e2e_fuzz');
    const port = await freePort();
    proc = startProcess('meridian', MAIN, ['start'], {
      SQLALCHEMY_DATABASE_URI: db.url,
      SECRET_KEY: TEST_SECRET_KEY,
      MCP_SERVICE_PORT: String(port),
      LOG_LEVEL: 'error',
    });
    base = `http://127.0.0.1:${port}`;
    await waitForReady(`${base}/ready`, proc);
    client = await connectClient(`${base}/mcp`, 'fuzz');
    tools = (await client.listTools()).tools;
    pg = new PgClient({ connectionString: db.url });
    await pg.connect();
  });

  afterAll(async () => {
    await pg?.end();
    await client?.close();
    await proc?.stop();
    await db?.drop();
  });

  const judgeBody = (status: number, body: unknown): string | undefined => {
    const error = (body as { error_type?: unknown } | null)?.error_type;
    if (error === 'InternalError') return `InternalError: ${JSON.stringify(body).slice(0, 300)}`;
    if (status >= 400 && (typeof error !== 'string' || !ERROR_TYPES.has(error))) {
      return `untyped ${status}: ${JSON.stringify(body).slice(0, 300)}`;
    }
    if (
      status >= 500 &&
      !['ServiceBusyError', 'ServiceUnavailableError', 'TimeoutError', 'DatabaseError'].includes(
        String(error),
      )
    ) {
      return `${status} for ${String(error)}`;
    }
    return undefined;
  };

  const viaMcp = async (tool: string, c: FuzzCase): Promise<string | undefined> => {
    try {
      const result = (await client.callTool({
        name: tool,
        arguments: c.args as Record<string, unknown>,
      })) as CallToolResult;
      if (!result.isError) return undefined;
      return judgeBody(400, result.structuredContent);
    } catch (err) {
      // A JSON-RPC refusal of malformed params is a typed answer too; an internal error is not.
      const code = (err as { code?: unknown }).code;
      return code === -32602
        ? undefined
        : `JSON-RPC error ${String(code)}: ${(err as Error).message.slice(0, 200)}`;
    }
  };

  const viaRest = async (tool: string, c: FuzzCase): Promise<string | undefined> => {
    const requestId = `fuzz-rest-${restIds.length}`;
    restIds.push(requestId);
    const res = await fetch(`${base}/${tool}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Request-Id': requestId },
      body: JSON.stringify({ request: c.args }),
    });
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return `non-JSON ${res.status}: ${text.slice(0, 200)}`;
    }
    return judgeBody(res.status, body);
  };

  it('answers every case with a success or a typed error', async () => {
    expect(tools.length).toBeGreaterThan(15);
    const failures: Outcome[] = [];
    let calls = 0;
    // tools/list keeps chart configurations compact; the fuzzer derives them from the full schema.
    const work = tools.flatMap((t) =>
      new SchemaFuzzer(`${SEED}:${t.name}`, toolRegistry().fullInputSchema(t.name) as Schema)
        .cases(CASES)
        .map((c) => ({ tool: t.name, c })),
    );
    const chartConfigs = work
      .filter((w) => w.tool === 'generate_chart' && w.c.label === 'valid')
      .map((w) => (w.c.args as { config?: object }).config ?? {});
    expect(
      chartConfigs.filter((c) => ['y', 'columns', 'dimension', 'metric'].some((k) => k in c)),
    ).not.toEqual([]);
    await inPool(work, 4, async ({ tool, c }) => {
      for (const [transport, send] of [
        ['mcp', viaMcp],
        ['rest', viaRest],
      ] as const) {
        calls++;
        const problem = await send(tool, c);
        if (problem) failures.push({ tool, transport, label: c.label, problem });
      }
    });
    expect(calls).toBeGreaterThanOrEqual(tools.length * CASES * 2);
    const report = failures.slice(0, 60).map((f) => `${f.transport} ${f.tool} [${f.label}]: ${f.problem}`);
    expect(
      failures.length,
      `${failures.length} of ${calls} answers were not typed:\n${report.join('\n')}`,
    ).toBe(0);
  });

  it('keeps the audit trail up with the fuzzer: every REST call in it once, nothing dead-lettered', async () => {
    expect(restIds.length).toBeGreaterThanOrEqual(tools.length * CASES);
    const counts = async () =>
      (
        await pg.query<{ rows: string; ids: string }>(
          `SELECT count(*) AS rows, count(DISTINCT request_id) AS ids FROM audit_events
            WHERE request_id LIKE 'fuzz-rest-%'`,
        )
      ).rows[0];
    const trail = await until(counts, (c) => Number(c.ids) === restIds.length, 30_000);
    expect(Number(trail.rows)).toBe(restIds.length);
    const letters = await pg.query(`SELECT reason, error FROM audit_dead_letters`);
    expect(letters.rows).toEqual([]);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^meridian_events_buffered\{source="edge"\} 0$/m);
    expect(metrics).not.toMatch(/^meridian_events_dropped_total\{source="edge"[^}]*\} [1-9]/m);
  });

  // The findings that started this suite, kept as named cases.
  it.each<[string, string, Record<string, unknown>, RegExp]>([
    ['NUL in a search', 'list_charts', { search: 'a\u0000b' }, /search must not contain NUL characters/],
    [
      'NUL in a filter value',
      'list_datasets',
      { filters: [{ col: 'table_name', opr: 'eq', value: '\u0000' }] },
      /NUL/,
    ],
    [
      'NUL in a chart title',
      'generate_chart',
      { dataset_id: 1, chart_name: 'x\u0000', config: { chart_type: 'table', columns: [{ name: 'state' }] } },
      /chart_name must not contain NUL/,
    ],
    ['NUL in a key', 'list_charts', { ['a\u0000b']: 1 }, /names a field with a NUL character/],
    ['null chart config', 'generate_chart', { dataset_id: 1, config: null }, /config/],
    ['an array as the chart config', 'generate_chart', { dataset_id: 1, config: [] }, /config/],
    [
      'an array as the x axis',
      'generate_chart',
      { dataset_id: 1, config: { chart_type: 'xy', x: [], y: [{ name: 'num', aggregate: 'SUM' }] } },
      /x/,
    ],
    [
      'a database id beyond integer',
      'execute_sql',
      { database_id: 2147483648, sql: 'SELECT 1' },
      /database_id/,
    ],
    ['a chart id beyond integer', 'get_chart_info', { identifier: 2147483648 }, /identifier/],
    ['a page beyond any offset', 'list_audit_events', { page: 1e17 }, /page/],
    ['a page size of a million', 'list_charts', { page_size: 1_000_000 }, /page_size/],
  ])('answers %s with ValidationError', async (_name, tool, args, message) => {
    const rest = await fetch(`${base}/${tool}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ request: args }),
    });
    expect(rest.status).toBe(400);
    const body = (await rest.json()) as { error_type: string; error: string };
    expect(body.error_type).toBe('ValidationError');
    expect(body.error).toMatch(message);
    const viaMcp = (await client.callTool({ name: tool, arguments: args })) as CallToolResult;
    expect(viaMcp.isError).toBe(true);
    expect(viaMcp.structuredContent).toMatchObject({ error_type: 'ValidationError' });
  });

  it('treats an explicit null for an optional argument as absent', async () => {
    const withNull = (await client.callTool({
      name: 'list_audit_events',
      arguments: { since: null, until: null },
    })) as CallToolResult;
    expect(withNull.isError ?? false, JSON.stringify(withNull.structuredContent)).toBe(false);
  });

  it.each<[string, unknown]>([
    ['arguments as an array', { name: 'list_charts', arguments: [] }],
    ['a number as the tool name', { name: 123, arguments: {} }],
    ['no params at all', undefined],
  ])('answers a tools/call with %s with JSON-RPC -32602', async (_name, params) => {
    const res = await fetch(`${base}/mcp`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params }),
    });
    const text = await res.text();
    const json = JSON.parse(/^data: (.*)$/m.exec(text)?.[1] ?? text) as {
      error?: { code: number; message: string };
    };
    expect(json.error?.code).toBe(-32602);
    expect(json.error?.message).toMatch(/Invalid tools\/call params: /);
  });

  it('still answers ordinary calls afterwards', async () => {
    const health = (await client.callTool({ name: 'health_check', arguments: {} })) as CallToolResult;
    expect(health.isError ?? false).toBe(false);
    const dashboards = (await client.callTool({ name: 'list_dashboards', arguments: {} })) as CallToolResult;
    expect((dashboards.structuredContent as { total_count: number }).total_count).toBeGreaterThan(0);
  });
});
