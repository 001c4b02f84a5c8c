import { Client as PgClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_SECRET_KEY, type TestDatabase } from '../support/database';
import { callError, callOk, connectClient, type Structured } from '../support/mcp-client';
import { POISON_ARGUMENTS, poisonThenOrdinary, refuseInAuditTable, trailRows } from '../support/poison-calls';
import { restCall, until } from '../support/polling';
import { freePort, startProcess, waitForReady, type ManagedProcess } from '../support/processes';

const MAIN = 'dist/apps/meridian/src/main.js';

/** The all-in-one on the in-process transport: the edge hands events to the audit handler in process. */
describe('audit trail (all-in-one, in-process transport)', () => {
  let db: TestDatabase;
  let pg: PgClient;
  let proc: ManagedProcess;
  let base: string;

  beforeAll(async () => {
    db = await createTestDatabase('e2e_audit_embedded');
    const port = await freePort();
    proc = startProcess('meridian', MAIN, ['start'], {
      SQLALCHEMY_DATABASE_URI: db.url,
      SECRET_KEY: TEST_SECRET_KEY,
      MCP_SERVICE_PORT: String(port),
    });
    base = `http://127.0.0.1:${port}`;
    await waitForReady(`${base}/ready`, proc);
    pg = new PgClient({ connectionString: db.url });
    await pg.connect();
  });

  afterAll(async () => {
    await pg?.end();
    await proc?.stop();
    await db?.drop();
  });

  it('persists the events of its calls and serves them to the Admin', async () => {
    const client = await connectClient(`${base}/mcp`, 'audit-e2e-embedded');
    try {
      await callOk(client, 'health_check');
      await callError(client, 'get_chart_info', { identifier: 999_999 });
      const page = await until(
        () => callOk(client, 'list_audit_events', { order_direction: 'asc' }),
        (p) => (p.total_count as number) >= 2,
        30_000,
      );
      const events = page.events as Structured[];
      expect(events.slice(0, 2)).toMatchObject([
        { tool: 'health_check', status: 'success', username: 'admin', source: 'edge' },
        {
          tool: 'get_chart_info',
          status: 'error',
          error_type: 'NotFoundError',
          arguments: { identifier: 999_999 },
        },
      ]);
    } finally {
      await client.close();
    }
  });

  it('records calls with NUL, lone surrogates, huge and deep arguments, and every call after them, once', async () => {
    const ids = await poisonThenOrdinary(base, 'embedded');
    const found = await trailRows(pg, ids);
    expect(found.every((r) => r.n === '1')).toBe(true);
    const nul = await pg.query(
      `SELECT arguments, sanitized FROM audit_events WHERE request_id = 'embedded-nul'`,
    );
    expect(nul.rows[0]).toMatchObject({
      arguments: POISON_ARGUMENTS.nul.stored,
      sanitized: { replaced_characters: 1 },
    });
    const letters = await pg.query(`SELECT count(*) AS n FROM audit_dead_letters`);
    expect(letters.rows[0].n).toBe('0');
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/meridian_events_buffered\{source="edge"\} 0/);
  });

  it('keeps domain events out of the error log', async () => {
    const client = await connectClient(`${base}/mcp`, 'audit-e2e-domain');
    try {
      await callOk(client, 'generate_dashboard', { chart_ids: [1], dashboard_title: 'Domain event' });
    } finally {
      await client.close();
    }
    await new Promise((r) => setTimeout(r, 1_000));
    expect(proc.output()).not.toMatch(/Unreadable|audit_dead_letters/);
  });

  it('follows the audit table with `meridian audit tail --follow` when there is no event stream', async () => {
    const follow = startProcess('audit-follow', MAIN, ['audit', 'tail', '--follow', '--limit', '0'], {
      SQLALCHEMY_DATABASE_URI: db.url,
    });
    try {
      await until(
        async () => follow.output(),
        (out) => out.includes('-- following the audit table'),
        30_000,
      );
      expect(await restCall(base, 'health_check', 'embedded-followed')).toBe(200);
      await until(
        async () => follow.output(),
        (out) => out.includes('embedded-followed'),
        30_000,
      );
    } finally {
      await follow.stop('SIGINT');
    }
    expect(follow.child.exitCode).toBe(0);
  });

  it('dead-letters an event the database refuses, keeps the trail going, and replays it with the CLI', async () => {
    const accept = await refuseInAuditTable(pg, 'embedded-forced-bad');
    const ids = ['embedded-forced-before', 'embedded-forced-bad', 'embedded-forced-after'];
    for (const id of ids) expect(await restCall(base, 'health_check', id)).toBe(200);
    const letter = await until(
      () =>
        pg.query(
          `SELECT reason, error FROM audit_dead_letters WHERE convert_from(payload, 'UTF8') LIKE '%embedded-forced-bad%'`,
        ),
      (r) => r.rowCount === 1,
      15_000,
    );
    expect(letter.rows[0]).toEqual({ reason: 'store_failed', error: '22000: refused for the test' });
    await trailRows(pg, [ids[0], ids[2]]);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^meridian_audit_dead_letters_total\{reason="store_failed"\} 1$/m);
    expect(metrics).toMatch(/^meridian_events_buffered\{source="edge"\} 0$/m);

    await accept();
    const replay = startProcess('audit-replay', MAIN, ['audit', 'replay-dead'], {
      SQLALCHEMY_DATABASE_URI: db.url,
    });
    expect(await new Promise((done) => replay.child.once('exit', done))).toBe(0);
    expect(replay.output()).toContain('Replayed 1 of 1 dead letters');
    const stored = await trailRows(pg, ids);
    expect(stored.every((r) => r.n === '1')).toBe(true);
  });
});
