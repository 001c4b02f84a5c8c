import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../support/polling';
import { endless, marker, startSqlCluster, type SqlCluster, type SqlWorker } from './sql-cluster';

/**
 * Two sql worker processes on their own NATS, each running one query at a time with no wait
 * queue, so a request that reached a saturated worker would be answered ServiceBusyError at once.
 */
describe('sql workers share load over NATS', () => {
  let c: SqlCluster;
  const quick = { sql: 'SELECT count(*) AS n FROM orders' };
  const hold = (m: number, timeout: number) =>
    c.rest(0, 'execute_sql', { database_id: c.examplesId, sql: endless(m), timeout });
  const busyWorker = async (): Promise<SqlWorker> => {
    const active = await until(
      () => Promise.all(c.workers.map((w) => w.metric('sql_active_queries'))),
      (a) => a.some((n) => n > 0),
      10_000,
    );
    return c.workers[active.findIndex((n) => n > 0)];
  };
  const successes = () =>
    Promise.all(c.workers.map((w) => w.metric('sql_queries_total', 'status="success"')));

  beforeAll(async () => {
    c = await startSqlCluster({
      prefix: 'e2e_sql_scale',
      workers: 2,
      edges: 1,
      env: { SQL_WORKER_CONCURRENCY: '1', SQL_WORKER_QUEUE_SIZE: '0', SQLLAB_TIMEOUT: '10' },
    });
  });
  afterAll(async () => {
    await c?.close();
  });

  it('runs two queries at once on two workers', async () => {
    const before = await successes();
    const m = 20_000_000;
    const answers = await Promise.all([
      c.rest(0, 'execute_sql', {
        database_id: c.examplesId,
        sql: `SELECT count(*) AS n FROM generate_series(1, ${m}) g`,
      }),
      c.rest(0, 'execute_sql', {
        database_id: c.examplesId,
        sql: `SELECT count(*) AS n FROM generate_series(1, ${m + 1}) g`,
      }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    const after = await successes();
    expect(after.map((n, i) => n - before[i])).toEqual([1, 1]);
    for (const w of c.workers) {
      expect(await w.metric('sql_pool_connections', 'state="open"')).toBeGreaterThan(0);
      expect(await w.metric('sql_query_duration_seconds_count', 'database="examples"')).toBeGreaterThan(0);
      expect(await w.metric('sql_pool_waiters', 'database="examples"')).toBe(0);
    }
  });

  it('answers query_dataset through the edge, by POST and by GET', async () => {
    const args = {
      dataset_id: c.ordersId,
      columns: ['region'],
      metrics: [{ name: 'count' }],
      order_by: [{ name: 'region' }],
    };
    const post = await c.rest(0, 'query_dataset', args);
    expect(post.status, JSON.stringify(post.body)).toBe(200);
    const query = new URLSearchParams({
      dataset_id: String(c.ordersId),
      columns: 'region',
      metrics: JSON.stringify(args.metrics),
      order_by: JSON.stringify(args.order_by),
    });
    const get = await fetch(`${c.edges[0].url}/query_dataset?${query.toString()}`);
    expect(get.status).toBe(200);
    expect(((await get.json()) as { rows: unknown }).rows).toEqual(post.body.rows);
    expect((post.body.rows as { region: string }[]).map((r) => r.region)).toEqual([
      'APAC',
      'EMEA',
      'Latin America',
      'North America',
    ]);
  });

  it('sends no work to a saturated worker while the other is idle: no ServiceBusyError', async () => {
    const m = marker();
    const slow = hold(m, 5);
    const saturated = await busyWorker();
    const other = c.workers.find((w) => w !== saturated)!;
    expect(await saturated.metric('sql_worker_paused')).toBe(1);
    const before = await other.metric('sql_queries_total', 'status="success"');
    for (let i = 0; i < 15; i++) {
      const r = await c.rest(0, 'execute_sql', { database_id: c.examplesId, ...quick });
      expect(r.body.error_type, JSON.stringify(r.body)).toBeUndefined();
    }
    expect((await other.metric('sql_queries_total', 'status="success"')) - before).toBe(15);
    expect(await c.running(m)).toBe(1);
    expect((await slow).body).toMatchObject({ error_type: 'TimeoutError' });
    expect(
      await until(
        () => saturated.metric('sql_worker_paused'),
        (p) => p === 0,
        5000,
      ),
    ).toBe(0);
  });

  it('answers ServiceBusyError with Retry-After at once when every worker is full', async () => {
    const first = marker();
    const second = marker();
    const slow = [hold(first, 6), hold(second, 6)];
    await until(
      () => Promise.all(c.workers.map((w) => w.metric('sql_active_queries'))),
      (a) => a.every((n) => n === 1),
      10_000,
    );
    const started = performance.now();
    const busy = await c.rest(0, 'execute_sql', { database_id: c.examplesId, ...quick });
    const ms = performance.now() - started;
    expect(busy.status).toBe(503);
    expect(busy.body).toMatchObject({ error_type: 'ServiceBusyError' });
    expect(busy.headers.get('retry-after')).toBe('1');
    // Fast means no waiting for a slot: far below the 6 s the running queries hold them.
    expect(ms).toBeLessThan(2000);
    await Promise.all(slow);
  });

  it('tells the client clearly, within the timeout, when its worker dies mid-query', async () => {
    const m = marker();
    const started = performance.now();
    const call = hold(m, 4);
    const worker = await busyWorker();
    worker.proc.child.kill('SIGKILL');
    const answer = await call;
    const seconds = (performance.now() - started) / 1000;
    expect(answer.status).toBe(504);
    expect(answer.body).toMatchObject({
      error_type: 'TimeoutError',
      error: 'The sql service did not answer execute_sql within 9000 ms',
    });
    expect(seconds).toBeLessThan(4 + 5 + 2);
    // The surviving worker serves the next call.
    const next = await c.rest(0, 'execute_sql', { database_id: c.examplesId, ...quick });
    expect(next.status).toBe(200);
  });
});
