import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startProcess, waitForReady, type ManagedProcess, ROOT } from '../support/processes';
import { callOk, connectClient } from '../support/mcp-client';
import { catalogSuite, type PlatformUnderTest } from './catalog-suite';
import { runConformance } from '../support/conformance';
import { PG_ATTACKS } from '../support/sql-attacks';
import type { LoadTestSummary } from '../../bench/load-test';

/** The embedded default, started the way a newcomer does: the all-in-one with its own PostgreSQL. */
describe('embedded all-in-one (npm start)', () => {
  let proc: ManagedProcess;
  let dataDir: string;
  const target: PlatformUnderTest = { baseUrl: '', mcpUrl: '', databaseUrl: '' };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'meridian-e2e-'));
    chmodSync(dataDir, 0o755);
    const port = await freePort();
    const pgPort = await freePort();
    proc = startProcess('meridian', 'dist/apps/meridian/src/main.js', ['start'], {
      MERIDIAN_DATA_DIR: dataDir,
      MCP_SERVICE_PORT: String(port),
      MERIDIAN_EMBEDDED_PG_PORT: String(pgPort),
    });
    target.baseUrl = `http://127.0.0.1:${port}`;
    target.mcpUrl = `${target.baseUrl}/mcp`;
    target.databaseUrl = `postgresql://meridian:meridian-embedded@127.0.0.1:${pgPort}/meridian`;
    await waitForReady(`${target.baseUrl}/ready`, proc, 180_000);
  });

  afterAll(async () => {
    await proc?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints the MCP URL and a client configuration', () => {
    expect(proc.output()).toContain(target.mcpUrl);
    expect(proc.output()).toContain('"mcpServers"');
  });

  it('answers health_check from the edge', async () => {
    const client = await connectClient(target.mcpUrl);
    const health = await callOk(client, 'health_check');
    await client.close();
    expect(health).toMatchObject({ status: 'healthy', mode: 'embedded' });
  });

  catalogSuite(() => target);

  it('registers the examples on the least-privilege reader and runs SQL through it', async () => {
    const meta = new Client({ connectionString: target.databaseUrl });
    await meta.connect();
    try {
      const [row] = (await meta.query("SELECT id, username FROM databases WHERE database_name = 'examples'"))
        .rows as {
        id: number;
        username: string;
      }[];
      expect(row.username).toBe('meridian_reader');
      const client = await connectClient(target.mcpUrl);
      const r = await callOk(client, 'execute_sql', {
        database_id: row.id,
        sql: 'SELECT count(*) AS n FROM orders',
      });
      expect((r.rows as { n: number }[])[0].n).toBeGreaterThan(0);
      const info = await callOk(client, 'get_database_info', { identifier: row.id });
      await client.close();
      expect(info.connection_privileges).toMatchObject({ privileged: false, powers: [] });
    } finally {
      await meta.end();
    }
  });

  describe('the SQL guard on the embedded PostgreSQL 18', () => {
    const ORDINARY = [
      `SELECT c.region, date_trunc('month', o.order_date) AS month, sum(o.revenue) AS revenue,
              rank() OVER (PARTITION BY c.region ORDER BY sum(o.revenue) DESC) AS r
         FROM orders o JOIN customers c ON c.customer_id = o.customer_id
        GROUP BY GROUPING SETS ((c.region, date_trunc('month', o.order_date)), ())`,
      `WITH top AS (SELECT DISTINCT ON (region) region, order_id, revenue FROM orders ORDER BY region, revenue DESC)
       SELECT t.region, jsonb_build_object('id', t.order_id, 'revenue', t.revenue) ->> 'id' AS id,
              CASE WHEN t.revenue > 100 THEN 'big' ELSE 'small' END AS size, x.n
         FROM top t CROSS JOIN LATERAL (SELECT count(*) AS n FROM orders o WHERE o.region = t.region) x`,
      `SELECT upper(country) || '/' || lower(segment) AS tag, extract(year FROM now()) - 2000 AS y,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY customer_id) AS median
         FROM customers GROUP BY country, segment`,
    ];
    const call = async (sql: string) => {
      const client = await connectClient(target.mcpUrl);
      try {
        return (await client.callTool({ name: 'execute_sql', arguments: { database_id: 1, sql } })) as {
          isError?: boolean;
          structuredContent?: { error?: string; details?: Record<string, unknown>; rows?: unknown[] };
        };
      } finally {
        await client.close();
      }
    };

    it('refuses every PostgreSQL attack of the corpus to Admin, with its rule', async () => {
      for (const [name, sql, rule, names] of PG_ATTACKS) {
        const r = await call(sql);
        expect(r.isError, `${name}: ${JSON.stringify(r.structuredContent)}`).toBe(true);
        expect(r.structuredContent?.details?.rule, name).toBe(rule);
        if (names) expect(r.structuredContent?.error, name).toContain(names);
      }
    });

    it('refuses PostgreSQL 17+ SQL/JSON query functions and runs ordinary analytical SQL', async () => {
      const json = await call(
        `SELECT * FROM JSON_TABLE('[{"a": 1}]'::jsonb, '$[*]' COLUMNS (a int PATH '$.a')) j`,
      );
      expect(json.structuredContent?.details?.rule).toBe('unsupported_syntax');
      for (const sql of ORDINARY) {
        const r = await call(sql);
        expect(r.isError ?? false, JSON.stringify(r.structuredContent)).toBe(false);
        expect(r.structuredContent?.rows?.length, sql).toBeGreaterThan(0);
      }
    });
  });

  describe("npm run load (the production guide's load test, a short closed-loop run)", () => {
    const load = async (args: string[]) => {
      const json = join(dataDir, `load-${Date.now()}.json`);
      const run = startProcess(
        'load',
        'dist/bench/load-test.js',
        [
          ...['--url', target.mcpUrl, '--users', '4', '--ramp', '0', '--duration', '4', '--closed'],
          ...['--json', json, ...args],
        ],
        {},
      );
      const code = await new Promise<number | null>((done) => run.child.once('exit', done));
      return {
        code,
        output: run.output(),
        summary: JSON.parse(readFileSync(json, 'utf8')) as LoadTestSummary,
      };
    };

    it("calls the guide's mix as several users and reports figures per tool", async () => {
      const { code, output, summary } = await load([]);
      expect(Object.keys(summary.tools).sort()).toEqual(['generate_chart', 'get_chart_info', 'list_charts']);
      expect(summary.users_reached).toBe(4);
      expect(summary.total.errors, output).toBe(0);
      for (const [tool, f] of Object.entries(summary.tools)) {
        expect(f.calls, tool).toBeGreaterThan(0);
        expect(f.p50_ms, tool).toBeGreaterThan(0);
        expect(f.p95_ms, tool).toBeGreaterThanOrEqual(f.p50_ms);
        expect(f.p99_ms, tool).toBeGreaterThanOrEqual(f.p95_ms);
      }
      // list_charts : get_chart_info : generate_chart = 3 : 2 : 1, up to chance.
      expect(summary.tools.list_charts.calls).toBeGreaterThan(summary.tools.generate_chart.calls);
      expect(summary.total.calls).toBe(Object.values(summary.tools).reduce((n, f) => n + f.calls, 0));
      expect(summary.goals.p95_met).toBe(summary.total.p95_ms < 2000);
      expect(code).toBe(summary.goals.met ? 0 : 2);
      expect(output).toContain('goal p95 < 2000 ms');
    });

    it('counts failed calls by their error type and fails the run on them', async () => {
      const { code, summary } = await load(['--mix', 'list_charts=1,get_chart_info=0,no_such_tool=1']);
      expect(summary.tools.list_charts.errors).toBe(0);
      const failed = summary.tools.no_such_tool;
      expect(failed.calls).toBeGreaterThan(0);
      expect(failed.errors).toBe(failed.calls);
      expect(Object.values(failed.errors_by_type).reduce((a, b) => a + b, 0)).toBe(failed.calls);
      expect(summary.goals.errors_met).toBe(false);
      expect(code).toBe(2);
    });
  });

  it.each([
    'server-initialize',
    'tools-list',
    'ping',
    'dns-rebinding-protection',
    'logging-set-level',
    'resources-list',
    'prompts-list',
  ])('passes the MCP conformance scenario %s', async (scenario) => {
    const result = await runConformance(ROOT, target.mcpUrl.replace('127.0.0.1', 'localhost'), scenario);
    expect(result.failed, result.output).toBe(0);
    expect(result.passed, result.output).toBeGreaterThan(0);
  });
});
