import { Client as PgClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_SECRET_KEY, type TestDatabase } from '../support/database';
import { callError, callOk, connectClient, type Structured } from '../support/mcp-client';
import type { OwnNatsServer } from '../support/nats-server';
import { POISON_ARGUMENTS, poisonThenOrdinary, trailRows } from '../support/poison-calls';
import { inPool, restCall, until } from '../support/polling';
import { freePort, startProcess, waitForReady, type ManagedProcess } from '../support/processes';
import { NATS_USERS, natsEnvFor, startShippedNatsServer } from '../support/shipped-nats';
const MAIN = 'dist/apps/meridian/src/main.js';

interface Edge {
  proc: ManagedProcess;
  base: string;
  mcpUrl: string;
}

/**
 * The audit trail on the distributed deployment: an edge per user, catalog and audit processes on
 * this file's own NATS server (run with deploy/nats/nats-server.conf, so every process works under
 * the deployment's permissions) and its own database.
 */
describe('audit trail (distributed, own NATS with the deployment permissions)', () => {
  let nats: OwnNatsServer;
  let db: TestDatabase;
  let pg: PgClient;
  let env: Record<string, string>;
  let catalog: ManagedProcess;
  let audit: ManagedProcess | undefined;
  let auditUrl: string;
  let admin: Edge;
  let gamma: Edge;
  const started: ManagedProcess[] = [];

  const rows = async (where: string, params: unknown[] = []) =>
    Number((await pg.query(`SELECT count(*) AS n FROM audit_events WHERE ${where}`, params)).rows[0].n);

  const startEdge = async (user: string): Promise<Edge> => {
    const port = await freePort();
    const proc = startProcess(`edge-${user}`, 'dist/apps/edge/src/main.js', [], {
      ...env,
      MCP_DEV_USERNAME: user,
      MCP_SERVICE_PORT: String(port),
      ...natsEnvFor('edge'),
    });
    started.push(proc);
    const base = `http://127.0.0.1:${port}`;
    return { proc, base, mcpUrl: `${base}/mcp` };
  };

  const startAudit = async () => {
    const port = await freePort();
    audit = startProcess('audit', 'dist/apps/audit/src/main.js', [], {
      ...env,
      METRICS_PORT: String(port),
      ...natsEnvFor('audit'),
    });
    started.push(audit);
    await waitForReady(`http://127.0.0.1:${port}/ready`, audit);
    return `http://127.0.0.1:${port}`;
  };

  beforeAll(async () => {
    [nats, db] = await Promise.all([startShippedNatsServer(), createTestDatabase('e2e_audit')]);
    pg = new PgClient({ connectionString: db.url });
    await pg.connect();
    env = {
      SQLALCHEMY_DATABASE_URI: db.url,
      NATS_URL: nats.url,
      SECRET_KEY: TEST_SECRET_KEY,
      NATS_REQUEST_TIMEOUT_MS: '10000',
    };
    const catalogPort = await freePort();
    catalog = startProcess('catalog', 'dist/apps/catalog/src/main.js', [], {
      ...env,
      METRICS_PORT: String(catalogPort),
      ...natsEnvFor('catalog'),
    });
    started.push(catalog);
    [admin, gamma] = await Promise.all([startEdge('admin'), startEdge('gary')]);
    await Promise.all([
      waitForReady(`http://127.0.0.1:${catalogPort}/ready`, catalog),
      waitForReady(`${admin.base}/ready`, admin.proc),
      waitForReady(`${gamma.base}/ready`, gamma.proc),
    ]);
  });

  afterAll(async () => {
    await Promise.all(started.map((p) => p.stop()));
    await pg?.end();
    await nats?.dispose();
    await db?.drop();
  });

  it('records 1,000 calls made while the audit service is down exactly once each after it starts', async () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `bulk-${i}`);
    const statuses: number[] = [];
    await inPool(ids, 25, async (id) => {
      statuses.push(await restCall(admin.base, 'health_check', id));
    });
    expect(statuses.filter((s) => s === 200)).toHaveLength(1000);

    const metricsUrl = await startAudit();
    auditUrl = metricsUrl;
    await until(
      () => rows(`request_id LIKE 'bulk-%'`),
      (n) => n >= 1000,
    );
    await new Promise((r) => setTimeout(r, 1_500));
    const { rows: counts } = await pg.query<{ n: string; ids: string; events: string }>(
      `SELECT count(*) AS n, count(DISTINCT request_id) AS ids, count(DISTINCT event_id) AS events
         FROM audit_events WHERE request_id LIKE 'bulk-%'`,
    );
    expect(counts[0]).toEqual({ n: '1000', ids: '1000', events: '1000' });
    const metrics = await (await fetch(`${metricsUrl}/metrics`)).text();
    const inserted = /meridian_audit_events_persisted_total\{result="inserted"\} (\d+)/.exec(metrics);
    expect(Number(inserted?.[1])).toBeGreaterThanOrEqual(1000);
  });

  it('records calls with NUL, lone surrogates, huge and deep arguments, and every call after them, once', async () => {
    const ids = await poisonThenOrdinary(admin.base, 'dist');
    const found = await trailRows(pg, ids);
    expect(found.every((r) => r.n === '1')).toBe(true);
    const nul = await pg.query(`SELECT arguments, sanitized FROM audit_events WHERE request_id = 'dist-nul'`);
    expect(nul.rows[0]).toMatchObject({
      arguments: POISON_ARGUMENTS.nul.stored,
      sanitized: { replaced_characters: 1 },
    });
    expect((await pg.query(`SELECT count(*) AS n FROM audit_dead_letters`)).rows[0].n).toBe('0');

    const ready = await fetch(`${auditUrl}/ready`);
    expect(ready.status).toBe(200);
    const metrics = await until(
      async () => (await fetch(`${auditUrl}/metrics`)).text(),
      (m) => /^meridian_audit_consumer_lag 0$/m.test(m),
      15_000,
    );
    expect(metrics).toMatch(/^meridian_audit_consumer_stalled 0$/m);
    const edgeMetrics = await (await fetch(`${admin.base}/metrics`)).text();
    expect(edgeMetrics).toMatch(/^meridian_events_buffered\{source="edge"\} 0$/m);

    const replay = startProcess('audit-replay', MAIN, ['audit', 'replay-dead', '--dry-run'], env);
    expect(await new Promise((done) => replay.child.once('exit', done))).toBe(0);
    expect(replay.output()).toContain('0 dead letters waiting');
  });

  it('records refused calls too, with nested secrets redacted', async () => {
    const status = await restCall(admin.base, 'list_charts', 'refused-validation', {
      page: 1,
      password: 'hunter2',
      nested: { deeper: { API_KEY: 'sk-123', list: [{ access_token: 't0k', keep: 'visible' }] } },
    });
    expect(status).toBe(400);
    const row = await until(
      () => pg.query(`SELECT * FROM audit_events WHERE request_id = 'refused-validation'`),
      (r) => r.rowCount === 1,
    );
    const event = row.rows[0] as Record<string, unknown>;
    expect(event).toMatchObject({ tool: 'list_charts', status: 'error', error_type: 'ValidationError' });
    expect(event.arguments).toEqual({
      page: 1,
      password: '[redacted]',
      nested: { deeper: { API_KEY: '[redacted]', list: [{ access_token: '[redacted]', keep: 'visible' }] } },
    });
    expect(JSON.stringify(event)).not.toMatch(/hunter2|sk-123|t0k/);
  });

  it('refuses list_audit_events to a Gamma user and records that refusal, which an Admin can read', async () => {
    const garyClient = await connectClient(gamma.mcpUrl, 'audit-e2e-gary');
    const refused = await callError(garyClient, 'list_audit_events', { page_size: 5 });
    await garyClient.close();
    expect(refused).toMatchObject({
      error_type: 'PermissionDeniedError',
      error: 'Missing permission can_read on AuditLog',
    });

    const adminClient = await connectClient(admin.mcpUrl, 'audit-e2e-admin');
    try {
      const page = await until(
        () => callOk(adminClient, 'list_audit_events', { user: 'gary', tool: 'list_audit_events' }),
        (p) => p.total_count === 1,
      );
      const [event] = page.events as Structured[];
      expect(event.roles).toContain('Gamma');
      expect(event).toMatchObject({
        username: 'gary',
        tool: 'list_audit_events',
        status: 'error',
        error_type: 'PermissionDeniedError',
        arguments: { page_size: 5 },
      });
      expect((event.client as Structured).user_agent).toEqual(expect.any(String));

      const bulk = await callOk(adminClient, 'list_audit_events', {
        tool: 'health_check',
        status: 'success',
        since: '2000-01-01T00:00:00Z',
        page: 3,
        page_size: 100,
      });
      expect(bulk).toMatchObject({ count: 100, page: 3, page_size: 100, has_next: true, has_previous: true });
      expect(bulk.total_count).toBeGreaterThanOrEqual(1000);
    } finally {
      await adminClient.close();
    }
  });

  it('keeps the events of every answered call across a NATS restart', async () => {
    const answered: string[] = [];
    const callBoth = async (phase: string, i: number) => {
      for (const tool of ['health_check', 'list_databases']) {
        const id = `${phase}-${tool}-${i}`;
        const status = await restCall(admin.base, tool, id);
        expect([200, 503]).toContain(status);
        answered.push(id);
      }
    };
    for (let i = 0; i < 5; i++) await callBoth('before', i);
    await nats.stop();
    for (let i = 0; i < 5; i++) await callBoth('during', i);
    await nats.start();
    for (let i = 0; i < 5; i++) await callBoth('after', i);

    await until(
      () => rows('request_id = ANY($1)', [answered]),
      (n) => n >= answered.length,
      90_000,
    );
    const { rows: found } = await pg.query<{ request_id: string; n: string; error_type: string | null }>(
      `SELECT request_id, count(*) AS n, max(error_type) AS error_type FROM audit_events
        WHERE request_id = ANY($1) GROUP BY request_id`,
      [answered],
    );
    expect(found).toHaveLength(answered.length);
    expect(found.every((r) => r.n === '1')).toBe(true);
    expect(found.find((r) => r.request_id === 'during-list_databases-0')?.error_type).toBe(
      'ServiceUnavailableError',
    );
    expect(found.find((r) => r.request_id === 'during-health_check-0')?.error_type).toBeNull();
  });

  it('prints the trail with `meridian audit tail` and follows new events from the stream', async () => {
    const tail = startProcess('audit-tail', MAIN, ['audit', 'tail', '--user', 'gary', '--limit', '5'], env);
    expect(await new Promise((done) => tail.child.once('exit', done))).toBe(0);
    expect(tail.output()).toMatch(/gary\s+list_audit_events\s+error PermissionDeniedError/);

    const follow = startProcess(
      'audit-follow',
      MAIN,
      ['audit', 'tail', '--follow', '--tool', 'health_check'],
      {
        ...env,
        MERIDIAN_EVENTS_NATS_USER: 'events-reader',
        MERIDIAN_EVENTS_NATS_PASSWORD: NATS_USERS['events-reader'],
      },
    );
    started.push(follow);
    await until(
      async () => follow.output(),
      (out) => out.includes('-- following meridian.events.tool.health_check'),
      30_000,
    );
    expect(await restCall(admin.base, 'health_check', 'followed-1')).toBe(200);
    await until(
      async () => follow.output(),
      (out) => /admin\s+health_check\s+success.*followed-1/.test(out),
      30_000,
    );
    await follow.stop('SIGINT');
    expect(follow.child.exitCode).toBe(0);
  });
});
