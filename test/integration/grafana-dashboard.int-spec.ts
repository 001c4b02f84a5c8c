import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  dashboardQueries,
  GRAFANA_DIR,
  promtool,
  readYaml,
  selectorsOf,
  type Dashboard,
} from '../support/monitoring';

interface Datasources {
  apiVersion: number;
  datasources: { name: string; uid: string; type: string; url: string }[];
}
interface Providers {
  apiVersion: number;
  providers: { name: string; type: string; folder: string; options: { path: string } }[];
}

const dashboard = JSON.parse(readFileSync(join(GRAFANA_DIR, 'meridian.json'), 'utf8')) as Dashboard;
const datasources = readYaml<Datasources>(join(GRAFANA_DIR, 'datasource.yml'));
const providers = readYaml<Providers>(join(GRAFANA_DIR, 'dashboards.yml'));

const overlaps = (a: Dashboard['panels'][number], b: Dashboard['panels'][number]) =>
  a.gridPos.x < b.gridPos.x + b.gridPos.w &&
  b.gridPos.x < a.gridPos.x + a.gridPos.w &&
  a.gridPos.y < b.gridPos.y + b.gridPos.h &&
  b.gridPos.y < a.gridPos.y + a.gridPos.h;

/**
 * deploy/grafana: the dashboard's JSON model as Grafana imports it (no Grafana here), its queries
 * checked by promtool, and the provisioning files beside it. The metric names it reads are held
 * to what the running services export by test/e2e/metric-names.e2e-spec.ts.
 */
describe('Grafana dashboard (deploy/grafana)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'meridian-dashboard-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('is a dashboard model with a stable uid, a schema version and unique panel ids', () => {
    expect(dashboard.uid).toMatch(/^[A-Za-z0-9_-]{1,40}$/);
    expect(dashboard.title).toBe('Meridian');
    expect(Number.isInteger(dashboard.schemaVersion)).toBe(true);
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    // Provisioned dashboards carry no database id.
    expect(dashboard).not.toHaveProperty('id');
    const ids = dashboard.panels.map((p) => p.id);
    expect(ids.every((id) => Number.isInteger(id) && id > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('lays its panels out on the 24-column grid without overlaps', () => {
    for (const p of dashboard.panels) {
      const { x, y, w, h } = p.gridPos;
      expect([x, y, w, h].every(Number.isInteger), p.title).toBe(true);
      expect(x >= 0 && y >= 0 && w > 0 && h > 0 && x + w <= 24, p.title).toBe(true);
      if (p.type === 'row') expect([w, h, x], p.title).toEqual([24, 1, 0]);
    }
    for (const [i, a] of dashboard.panels.entries()) {
      for (const b of dashboard.panels.slice(i + 1))
        expect(overlaps(a, b), `${a.title} / ${b.title}`).toBe(false);
    }
  });

  it('queries only the provisioned Prometheus data source', () => {
    expect(datasources.apiVersion).toBe(1);
    expect(datasources.datasources).toHaveLength(1);
    const [source] = datasources.datasources;
    expect(source.type).toBe('prometheus');
    const ref = { type: 'prometheus', uid: source.uid };
    const graphs = dashboard.panels.filter((p) => p.type !== 'row');
    expect(graphs.length).toBeGreaterThanOrEqual(20);
    for (const p of graphs) {
      expect(p.type, p.title).toBe('timeseries');
      expect(p.datasource, p.title).toEqual(ref);
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      const refIds = p.targets!.map((t) => t.refId);
      expect(new Set(refIds).size, p.title).toBe(refIds.length);
      for (const t of p.targets!) expect(t.datasource, `${p.title} ${t.refId}`).toEqual(ref);
    }
    for (const v of dashboard.templating.list) expect(v.datasource, v.name).toEqual(ref);
  });

  it('is loaded by a file provider', () => {
    expect(providers.apiVersion).toBe(1);
    expect(providers.providers).toEqual([
      expect.objectContaining({ type: 'file', options: { path: expect.stringMatching(/^\//) } }),
    ]);
  });

  it('has every panel and variable query accepted by promtool', () => {
    const queries = dashboardQueries(dashboard);
    expect(queries.length).toBeGreaterThanOrEqual(30);
    const rules = {
      groups: [
        {
          name: 'dashboard',
          rules: queries.map((q) => ({ record: `dashboard:${q.name}`, expr: q.expr })),
        },
      ],
    };
    writeFileSync(join(scratch, 'dashboard.rules.yml'), stringify(rules));
    const check = promtool(['check', 'rules', 'dashboard.rules.yml'], scratch);
    expect(check.status, check.output).toBe(0);
    expect(check.output).toContain(`SUCCESS: ${queries.length} rules found`);
  });

  it('fails promtool on a broken query (the check has teeth)', () => {
    const broken = {
      groups: [{ name: 'x', rules: [{ record: 'dashboard:x', expr: 'sum by (tool (rate(x[5m]))' }] }],
    };
    writeFileSync(join(scratch, 'broken.rules.yml'), stringify(broken));
    expect(promtool(['check', 'rules', 'broken.rules.yml'], scratch).status).not.toBe(0);
  });

  it('graphs calls, errors by type, latency percentiles, NATS, sql pools and queue, cache, limits, audit lag, memory and CPU', () => {
    const queries = dashboardQueries(dashboard).map((q) => q.expr);
    const names = new Set(queries.flatMap((e) => selectorsOf(e).map((s) => s.metric)));
    for (const name of [
      'mcp_requests_total',
      'mcp_request_duration_seconds_bucket',
      'meridian_nats_request_duration_seconds_bucket',
      'sql_pool_connections',
      'sql_pool_waiters',
      'sql_queued_queries',
      'meridian_cache_hits_total',
      'meridian_cache_misses_total',
      'meridian_rate_limit_rejections_total',
      'meridian_audit_consumer_lag',
      'process_resident_memory_bytes',
      'process_cpu_seconds_total',
    ])
      expect([...names]).toContain(name);
    expect(queries.some((e) => /by \(error_type\)/.test(e))).toBe(true);
    for (const q of ['0.5', '0.95', '0.99'])
      expect(
        queries.some((e) => e.startsWith(`histogram_quantile(${q}, sum by (le) (rate(mcp_request_duration`)),
      ).toBe(true);
    expect(queries.some((e) => /sum by \(subject, le\)/.test(e))).toBe(true);
  });
});
