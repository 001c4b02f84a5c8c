import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_SECRET_KEY, type TestDatabase } from '../support/database';
import { callError, callOk, connectClient, type Structured } from '../support/mcp-client';
import { restCall, until } from '../support/polling';
import { freePort, startProcess, waitForReady, type ManagedProcess } from '../support/processes';

const MAIN = 'dist/apps/meridian/src/main.js';

/** The all-in-one on the in-process transport: the edge hands events to the audit handler in process. */
describe('audit trail (all-in-one, in-process transport)', () => {
  let db: TestDatabase;
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
  });

  afterAll(async () => {
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
});
