import { Client } from 'pg';
import { register } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type MeridianConfig } from '@meridian/config';
import { startService, type RunningService } from '@meridian/messaging';
import { MIGRATIONS } from '@meridian/persistence';
import { startEdge, type RunningEdge } from '../../apps/edge/src/edge.bootstrap';
import { SERVICE_MODULES } from '../../apps/meridian/src/services';
import { createTestDatabase, TEST_SECRET_KEY, type TestDatabase } from '../support/database';
import { startOwnNatsServer, type OwnNatsServer } from '../support/nats-server';
import { until } from '../support/polling';
import { freePort } from '../support/processes';

type Ready = { status: number; checks: Record<string, string> };

/**
 * /ready follows the NATS connection (503 while it is lost, 200 once nats.js reconnects) on the
 * edge and the services, and a service that is not ready leaves its queue group until it is, so
 * calls go to a ready replica, or fail at once when there is none.
 */
describe('readiness and queue membership over a real NATS server (edge and every service)', () => {
  let nats: OwnNatsServer;
  const dbs: TestDatabase[] = [];
  const pgs: Client[] = [];
  const catalogs: RunningService[] = [];
  /** chart, sql and audit, on the edge's copy. */
  const others: RunningService[] = [];
  let edge: RunningEdge;
  const last = MIGRATIONS[MIGRATIONS.length - 1].name;

  const configFor = async (db: TestDatabase, env: Record<string, string>): Promise<MeridianConfig> =>
    loadConfig({
      NATS_URL: nats.url,
      SQLALCHEMY_DATABASE_URI: db.url,
      SECRET_KEY: TEST_SECRET_KEY,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      METRICS_PORT: String(await freePort()),
      ...env,
    });

  beforeAll(async () => {
    nats = await startOwnNatsServer();
    // Two catalog replicas, each on its own copy of the metadata (told apart by a dashboard title),
    // and the edge and the other services on a third.
    for (const name of ['a', 'b', 'edge']) {
      const db = await createTestDatabase(`nats_ready_${name}`);
      const pg = new Client({ connectionString: db.url });
      await pg.connect();
      await pg.query('UPDATE dashboards SET dashboard_title = $1', [`served by ${name}`]);
      dbs.push(db);
      pgs.push(pg);
    }
    for (const db of dbs.slice(0, 2)) {
      const config = await configFor(db, {});
      // Services in one process: each registers the default metrics again.
      register.clear();
      catalogs.push(
        await startService({ service: 'catalog', module: SERVICE_MODULES.catalog(config), config }),
      );
    }
    for (const service of ['chart', 'sql', 'audit'] as const) {
      const config = await configFor(dbs[2], {});
      register.clear();
      others.push(await startService({ service, module: SERVICE_MODULES[service](config), config }));
    }
    register.clear();
    edge = await startEdge(
      await configFor(dbs[2], { MCP_DEV_USERNAME: 'admin', MCP_SERVICE_PORT: String(await freePort()) }),
    );
  });

  afterAll(async () => {
    await edge?.close();
    await Promise.all([...catalogs, ...others].map((c) => c.close()));
    await Promise.all(pgs.map((pg) => pg.end()));
    await Promise.all(dbs.map((db) => db.drop()));
    await nats?.dispose();
  });

  const ready = async (base: string): Promise<Ready> => {
    const res = await fetch(`${base}/ready`);
    return { status: res.status, checks: ((await res.json()) as { checks: Record<string, string> }).checks };
  };
  /** The edge, the catalogs, then chart, sql and audit. */
  const everyReady = () => Promise.all([edge.url, ...[...catalogs, ...others].map((c) => c.url!)].map(ready));
  /** Which replica answered list_dashboards through the edge (or the error type). */
  const servedBy = async (): Promise<string> => {
    const res = await fetch(`${edge.url}/list_dashboards`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ request: {} }),
    });
    const body = (await res.json()) as { error_type?: string; error?: string };
    return (
      /served by (a|b)/.exec(JSON.stringify(body))?.[1] ?? `${res.status} ${body.error_type}: ${body.error}`
    );
  };
  /** Takes the newest migration out of a replica's schema: its migrations check fails. */
  const unmigrate = (i: number) => pgs[i].query('DELETE FROM meridian_migrations WHERE name = $1', [last]);
  const migrate = (i: number) =>
    pgs[i].query(
      `INSERT INTO meridian_migrations (timestamp, name) SELECT $1::bigint, $2::varchar
        WHERE NOT EXISTS (SELECT 1 FROM meridian_migrations WHERE name = $2::varchar)`,
      [Number(/\d+$/.exec(last)![0]), last],
    );

  it('is ready everywhere, with both replicas in the queue group', async () => {
    for (const r of await everyReady()) expect(r).toMatchObject({ status: 200, checks: { nats: 'ok' } });
    const seen = new Set<string>();
    await until(
      async () => seen.add(await servedBy()),
      (s) => s.has('a') && s.has('b'),
      20_000,
    );
    expect([...seen].sort()).toEqual(['a', 'b']);
  });

  it('answers 503 on every /ready while NATS is down, and 200 once it is back', async () => {
    await nats.stop();
    const down = await until(everyReady, (rs) => rs.every((r) => r.status === 503), 15_000);
    for (const r of down) expect(r.checks.nats).toMatch(/^failed: /);
    // Nothing else failed on the catalogs: they stay members and nats.js subscribes them again.
    for (const r of down.slice(1, 3)) expect(r.checks.queue_group).toBe('ok');
    await nats.start();
    const up = await until(everyReady, (rs) => rs.every((r) => r.status === 200), 20_000);
    for (const r of up) expect(r.checks.nats).toBe('ok');
    expect(['a', 'b']).toContain(await until(servedBy, (who) => who === 'a' || who === 'b', 10_000));
    // The sql worker, whose subscriptions follow its load too, answers again.
    const { rows } = await pgs[2].query<{ id: number }>(
      "SELECT id FROM databases WHERE database_name = 'examples'",
    );
    const sql = await fetch(`${edge.url}/execute_sql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ request: { database_id: rows[0].id, sql: 'SELECT 1 AS one' } }),
    });
    expect(await sql.json()).toMatchObject({ rows: [{ one: 1 }] });
  });

  it('takes a replica that is not ready out of the queue group until it is ready again', async () => {
    await unmigrate(0);
    try {
      const a = await until(
        () => ready(catalogs[0].url!),
        (r) => r.checks.queue_group !== 'ok',
        10_000,
      );
      expect(a.status).toBe(503);
      expect(a.checks.migrations).toMatch(/^failed: schema lacks/);
      expect(a.checks.queue_group).toMatch(/^failed: out of meridian-catalog until ready \(migrations\)/);
      // Every call now goes to b: a has drained its subscriptions.
      for (let i = 0; i < 10; i++) expect(await servedBy()).toBe('b');
    } finally {
      await migrate(0);
    }
    expect(
      await until(
        () => ready(catalogs[0].url!),
        (r) => r.status === 200,
        10_000,
      ),
    ).toMatchObject({
      checks: { queue_group: 'ok' },
    });
    const seen = new Set<string>();
    await until(
      async () => seen.add(await servedBy()),
      (s) => s.has('a'),
      20_000,
    );
  });

  it('answers ServiceUnavailableError at once when no replica is ready', async () => {
    await Promise.all([unmigrate(0), unmigrate(1)]);
    try {
      await until(
        () => Promise.all(catalogs.map((c) => ready(c.url!))),
        (rs) => rs.every((r) => r.checks.queue_group !== 'ok'),
        10_000,
      );
      // No responders (not a timeout): NATS knows at once that nobody serves the subject.
      expect(await servedBy()).toBe('503 ServiceUnavailableError: The catalog service is not available');
    } finally {
      await Promise.all([migrate(0), migrate(1)]);
    }
    await until(
      () => Promise.all(catalogs.map((c) => ready(c.url!))),
      (rs) => rs.every((r) => r.status === 200),
      10_000,
    );
    expect(['a', 'b']).toContain(await servedBy());
  });
});
