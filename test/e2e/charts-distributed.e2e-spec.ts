import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { Client as PgClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  databaseUrl,
  EXAMPLES_DB,
  TEST_SECRET_KEY,
  type TestDatabase,
} from '../support/database';
import { callOk, connectClient, type Structured } from '../support/mcp-client';
import { decodePng, luminanceVariance } from '../support/png';
import type { OwnNatsServer } from '../support/nats-server';
import { freePort, startProcess, waitForReady, type ManagedProcess } from '../support/processes';
import { natsEnvFor, startShippedNatsServer } from '../support/shipped-nats';

/** The chart service in its own process: it reaches the sql service over NATS, as the caller. */
describe('charts in the distributed deployment (edge, catalog, chart and sql over NATS)', () => {
  let db: TestDatabase;
  let nats: OwnNatsServer;
  let client: Client;
  const procs: ManagedProcess[] = [];
  let base = '';

  const rows = async <T = Structured>(url: string, sql: string, params: unknown[] = []) => {
    const c = new PgClient({ connectionString: url });
    await c.connect();
    try {
      return (await c.query(sql, params)).rows as T[];
    } finally {
      await c.end();
    }
  };

  beforeAll(async () => {
    // The deployment's NATS configuration: each process as its service's own user.
    [nats, db] = await Promise.all([startShippedNatsServer(), createTestDatabase('e2e_charts_nats')]);
    const common = { SQLALCHEMY_DATABASE_URI: db.url, NATS_URL: nats.url, SECRET_KEY: TEST_SECRET_KEY };
    const ready: Promise<void>[] = [];
    for (const service of ['catalog', 'sql', 'chart'] as const) {
      const port = await freePort();
      const proc = startProcess(service, `dist/apps/${service}/src/main.js`, [], {
        ...common,
        ...natsEnvFor(service),
        METRICS_PORT: String(port),
      });
      procs.push(proc);
      ready.push(waitForReady(`http://127.0.0.1:${port}/ready`, proc));
    }
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const edge = startProcess('edge', 'dist/apps/edge/src/main.js', [], {
      ...common,
      ...natsEnvFor('edge'),
      MCP_DEV_USERNAME: 'admin',
      MCP_SERVICE_PORT: String(port),
    });
    procs.push(edge);
    await Promise.all([...ready, waitForReady(`${base}/ready`, edge)]);
    client = await connectClient(`${base}/mcp`);
  });

  afterAll(async () => {
    await client?.close();
    await Promise.all(procs.map((p) => p.stop()));
    await nats?.dispose();
    await db?.drop();
  });

  it('generates and saves a chart with a PNG, and reads its data back', async () => {
    const [births] = await rows<{ id: number }>(
      db.url,
      "SELECT id FROM datasets WHERE table_name = 'birth_names'",
    );
    const result = (await client.callTool({
      name: 'generate_chart',
      arguments: {
        dataset_id: births.id,
        chart_name: 'Births by gender over NATS',
        config: {
          chart_type: 'pie',
          dimension: { name: 'gender' },
          metric: { name: 'num', aggregate: 'SUM', label: 'n' },
        },
        save_chart: true,
        preview_formats: ['png'],
      },
    })) as CallToolResult;
    expect(result.isError ?? false, JSON.stringify(result.structuredContent)).toBe(false);
    const image = result.content.find((c) => c.type === 'image') as { data: string };
    expect(luminanceVariance(decodePng(Buffer.from(image.data, 'base64')))).toBeGreaterThan(100);
    const chart = (result.structuredContent as { chart: { id: number } }).chart;
    const data = await callOk(client, 'get_chart_data', { identifier: chart.id });
    const expected = await rows(
      databaseUrl(EXAMPLES_DB),
      'SELECT gender, SUM(num)::bigint AS n FROM birth_names GROUP BY gender',
    );
    const got = new Map((data.rows as Structured[]).map((r) => [r.gender, Number(r.n)]));
    expect(got).toEqual(new Map(expected.map((r) => [r.gender, Number(r.n)])));
  });

  it('serves the page of a dashboard through its link', async () => {
    const [chart] = await rows<{ id: number }>(
      db.url,
      "SELECT id FROM charts WHERE slice_name = 'Total Births'",
    );
    const made = await callOk(client, 'generate_dashboard', {
      chart_ids: [chart.id],
      dashboard_title: 'Over NATS',
    });
    const url = new URL(made.url as string);
    const res = await fetch(`${base}${url.pathname}${url.search}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<h1>Over NATS</h1>');
    expect(html).toContain('"mark":{"type":"text"');
  });
});
