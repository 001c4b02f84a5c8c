import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_NAMES, type ServiceName } from '@meridian/contracts';
import { createTestDatabase, TEST_SECRET_KEY, type TestDatabase } from '../support/database';
import { callOk, connectClient } from '../support/mcp-client';
import {
  dashboardQueries,
  GRAFANA_DIR,
  ruleGroups,
  selectorsOf,
  type Dashboard,
  type Selector,
} from '../support/monitoring';
import type { OwnNatsServer } from '../support/nats-server';
import { freePort, startProcess, waitForReady, type ManagedProcess } from '../support/processes';
import { natsEnvFor, startShippedNatsServer } from '../support/shipped-nats';

/** Series a Prometheus scrape adds of its own, not exported by any process. */
const SCRAPE_SERIES = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped']);

/** The names a /metrics page lets PromQL read: a histogram's _bucket, _sum and _count, a summary's quantiles too. */
function exportedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
    else if (type === 'summary') for (const s of ['', '_sum', '_count']) names.add(name + s);
    else names.add(name);
  }
  return names;
}

/**
 * Every metric name the alert rules and the dashboard read is one a running Meridian process
 * exports (promtool cannot know names). The distributed processes are started from dist/ as in
 * production, each service as its own NATS user, and scraped after a call through each of them.
 */
describe('metric names used by alerts and dashboard (distributed processes)', () => {
  let db: TestDatabase;
  let nats: OwnNatsServer;
  let client: Client;
  const procs: ManagedProcess[] = [];
  const metricsUrls = {} as Record<ServiceName, string>;
  const catalog = {} as Record<ServiceName, Set<string>>;

  beforeAll(async () => {
    [db, nats] = await Promise.all([createTestDatabase('e2e_metric_names'), startShippedNatsServer()]);
    const common = {
      SQLALCHEMY_DATABASE_URI: db.url,
      NATS_URL: nats.url,
      SECRET_KEY: TEST_SECRET_KEY,
      NATS_REQUEST_TIMEOUT_MS: '20000',
    };
    const ready: Promise<void>[] = [];
    for (const service of SERVICE_NAMES) {
      const port = await freePort();
      const env: Record<string, string> =
        service === 'edge'
          ? { MCP_DEV_USERNAME: 'admin', MCP_SERVICE_PORT: String(port) }
          : { METRICS_PORT: String(port) };
      const proc = startProcess(service, `dist/apps/${service}/src/main.js`, [], {
        ...common,
        ...natsEnvFor(service),
        ...env,
      });
      procs.push(proc);
      metricsUrls[service] = `http://127.0.0.1:${port}`;
      ready.push(waitForReady(`${metricsUrls[service]}/ready`, proc));
    }
    await Promise.all(ready);

    client = await connectClient(`${metricsUrls.edge}/mcp`, 'metric-names');
    const { databases } = (await callOk(client, 'list_databases')) as {
      databases: { id: number; database_name: string }[];
    };
    const examples = databases.find((d) => d.database_name === 'examples')!.id;
    const { charts } = (await callOk(client, 'list_charts', { page_size: 1 })) as {
      charts: { id: number }[];
    };
    const chart = charts[0].id;
    await callOk(client, 'execute_sql', { database_id: examples, sql: 'SELECT 1 AS one' });
    await callOk(client, 'get_chart_data', { identifier: chart });
    await callOk(client, 'list_audit_events', { page_size: 1 });

    for (const service of SERVICE_NAMES) {
      const res = await fetch(`${metricsUrls[service]}/metrics`);
      expect(res.status, service).toBe(200);
      catalog[service] = exportedNames(await res.text());
    }
  });

  afterAll(async () => {
    await client?.close();
    await Promise.all(procs.map((p) => p.stop()));
    await nats?.dispose();
    await db?.drop();
  });

  const exportedAnywhere = (name: string) => SERVICE_NAMES.some((s) => catalog[s].has(name));
  const unknown = (selectors: Selector[]) =>
    [...new Set(selectors.map((s) => s.metric))]
      .filter((m) => !SCRAPE_SERIES.has(m) && !exportedAnywhere(m))
      .sort();

  it('exports process metrics from every service, and each service its own', () => {
    for (const service of SERVICE_NAMES) {
      for (const name of [
        'process_resident_memory_bytes',
        'process_cpu_seconds_total',
        'nodejs_heap_size_used_bytes',
      ])
        expect([...catalog[service]], `${service}: ${name}`).toContain(name);
    }
    expect([...catalog.edge]).toEqual(
      expect.arrayContaining([
        'mcp_requests_total',
        'mcp_request_duration_seconds_bucket',
        'mcp_active_connections',
        'mcp_active_streams',
        'meridian_jwks_fetch_failures_total',
      ]),
    );
    expect([...catalog.sql]).toEqual(
      expect.arrayContaining(['sql_queued_queries', 'sql_pool_connections', 'sql_queries_total']),
    );
    expect([...catalog.audit]).toEqual(expect.arrayContaining(['meridian_audit_consumer_lag']));
    expect([...catalog.catalog]).not.toContain('mcp_requests_total');
  });

  it('alerts on names the services export', () => {
    const selectors = ruleGroups()
      .flatMap((g) => g.rules)
      .flatMap((r) => selectorsOf(r.expr));
    expect(selectors.length).toBeGreaterThan(20);
    expect(unknown(selectors)).toEqual([]);
  });

  it('graphs names the services export', () => {
    const dashboard = JSON.parse(readFileSync(join(GRAFANA_DIR, 'meridian.json'), 'utf8')) as Dashboard;
    const selectors = dashboardQueries(dashboard).flatMap((q) => selectorsOf(q.expr));
    expect(selectors.length).toBeGreaterThan(30);
    expect(unknown(selectors)).toEqual([]);
  });

  it('finds a misspelt name (the comparison has teeth)', () => {
    expect(unknown(selectorsOf('rate(mcp_request_total[5m]) + sql_queue_depth'))).toEqual([
      'mcp_request_total',
      'sql_queue_depth',
    ]);
  });
});
