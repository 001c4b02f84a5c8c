import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoggingMessageNotificationSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { connectClient } from '../support/mcp-client';
import { until } from '../support/polling';
import { endless, marker, startSqlCluster, type SqlCluster } from './sql-cluster';

type Message = { id?: unknown; result?: CallToolResult };

/** The JSON-RPC messages of an MCP answer, SSE or plain JSON. */
function messages(body: string): Message[] {
  if (body.trimStart().startsWith('{')) return [JSON.parse(body) as Message];
  return body
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => JSON.parse(line.slice(6)) as Message);
}

/** Calls that stop early leave nothing running in PostgreSQL; long ones report progress; a stopping worker finishes its queries. */
describe('sql timeouts, cancellation, progress and draining (edge + worker over NATS)', () => {
  let c: SqlCluster;
  const post = (edge: number, message: object, signal?: AbortSignal) =>
    fetch(`${c.edges[edge].url}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2025-11-25',
      },
      body: JSON.stringify({ jsonrpc: '2.0', ...message }),
      signal,
    });
  const callMessage = (id: string, m: number, timeout = 20) => ({
    id,
    method: 'tools/call',
    params: { name: 'execute_sql', arguments: { database_id: c.examplesId, sql: endless(m), timeout } },
  });
  // Well inside the 20 s timeout of the endless queries, so a query that stops was cancelled, not
  // timed out; roomy enough for a machine busy with other suites.
  const stopped = (m: number) =>
    until(
      () => c.running(m),
      (n) => n === 0,
      12_000,
    );
  const started = (m: number) =>
    until(
      () => c.running(m),
      (n) => n === 1,
      10_000,
    );

  beforeAll(async () => {
    c = await startSqlCluster({
      prefix: 'e2e_sql_cancel',
      workers: 1,
      edges: 3,
      edgeUsers: ['admin', 'admin', 'sam'],
      env: { SQL_WORKER_CONCURRENCY: '4', SQLLAB_TIMEOUT: '30' },
    });
  });
  afterAll(async () => {
    await c?.close();
  });

  it('cancels the query when the MCP client’s HTTP request closes early', async () => {
    const m = marker();
    const abort = new AbortController();
    const call = post(0, callMessage('http-abort', m), abort.signal).then((r) => r.text());
    await started(m);
    const cancelledBefore = await c.workers[0].metric('sql_queries_total', 'status="cancelled"');
    abort.abort();
    await expect(call).rejects.toThrow();
    expect(await stopped(m)).toBe(0);
    expect(
      await until(
        () => c.workers[0].metric('sql_queries_total', 'status="cancelled"'),
        (n) => n > cancelledBefore,
        5000,
      ),
    ).toBe(cancelledBefore + 1);
  });

  it('cancels the query when a REST client goes away', async () => {
    const m = marker();
    const abort = new AbortController();
    const call = c.rest(
      0,
      'execute_sql',
      { database_id: c.examplesId, sql: endless(m), timeout: 20 },
      abort.signal,
    );
    await started(m);
    abort.abort();
    await expect(call).rejects.toThrow();
    expect(await stopped(m)).toBe(0);
  });

  it('cancels on notifications/cancelled sent through another edge, and only for the same user', async () => {
    const m = marker();
    const id = `cancel-${m}`;
    const answer = post(0, callMessage(id, m)).then((r) => r.text());
    await started(m);
    const cancel = (edge: number) =>
      post(edge, {
        method: 'notifications/cancelled',
        params: { requestId: id, reason: 'no longer needed' },
      });
    // sam names the same request id: not his call, nothing stops.
    expect((await cancel(2)).status).toBe(202);
    await new Promise((r) => setTimeout(r, 500));
    expect(await c.running(m)).toBe(1);
    expect((await cancel(1)).status).toBe(202);
    expect(await stopped(m)).toBe(0);
    const result = messages(await answer).find((msg) => msg.id === id)?.result;
    expect(result?.isError).toBe(true);
    expect(result?.structuredContent).toMatchObject({
      error_type: 'TimeoutError',
      details: { reason: 'cancelled' },
    });
  });

  it('cancels when the MCP SDK client aborts its call', async () => {
    const client = await connectClient(`${c.edges[0].url}/mcp`, 'sql-cancel-e2e');
    try {
      const m = marker();
      const abort = new AbortController();
      const call = client.callTool(
        { name: 'execute_sql', arguments: { database_id: c.examplesId, sql: endless(m), timeout: 20 } },
        undefined,
        { signal: abort.signal },
      );
      await started(m);
      abort.abort('changed my mind');
      await expect(call).rejects.toThrow();
      expect(await stopped(m)).toBe(0);
    } finally {
      await client.close();
    }
  });

  it('sends progress notifications while a slow query runs', async () => {
    const client = await connectClient(`${c.edges[0].url}/mcp`, 'sql-progress-e2e');
    try {
      const progress: number[] = [];
      const logged: unknown[] = [];
      client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logged.push(n.params));
      const result = (await client.callTool(
        { name: 'execute_sql', arguments: { database_id: c.examplesId, sql: endless(marker()), timeout: 5 } },
        undefined,
        { onprogress: (p) => progress.push(p.progress), timeout: 30_000 },
      )) as CallToolResult;
      expect(progress.length).toBeGreaterThanOrEqual(2);
      expect(progress).toEqual([...progress].sort((a, b) => a - b));
      expect(new Set(progress).size).toBe(progress.length);
      expect(result.structuredContent).toMatchObject({ error_type: 'TimeoutError' });
      // The same stream carries log messages saying the query still runs.
      expect(logged.length).toBeGreaterThanOrEqual(2);
      expect(logged[0]).toMatchObject({
        level: 'info',
        logger: 'meridian',
        data: { tool: 'execute_sql', status: 'running' },
      });
    } finally {
      await client.close();
    }
  });

  it('drains a stopping worker: running queries answer, new work is refused, it exits 0 in time', async () => {
    const worker = c.workers[0];
    const rows = 15_000_000;
    const finishing = c.rest(0, 'execute_sql', {
      database_id: c.examplesId,
      sql: `SELECT count(*) AS n FROM generate_series(1, ${rows}) g`,
      timeout: 20,
    });
    // Runs into its own timeout while the worker drains: cancelled in PostgreSQL, a typed answer.
    const m = marker();
    const timingOut = c.rest(1, 'execute_sql', { database_id: c.examplesId, sql: endless(m), timeout: 4 });
    await until(
      () => worker.metric('sql_active_queries'),
      (n) => n === 2,
      10_000,
    );
    const exited = new Promise<number | null>((resolve) =>
      worker.proc.child.once('exit', (code) => resolve(code)),
    );
    const readyUrl = worker.metricsUrl.replace(/\/metrics$/, '/ready');
    // Its drain budget: the longest query timeout (SQLLAB_TIMEOUT) plus the cancel grace.
    const deadline = Date.now() + 30_000 + 2_000;
    worker.proc.child.kill('SIGTERM');

    // Draining: out of the queue group (not ready), so a new call finds no worker at once.
    const draining = await until(
      async () => {
        const res = await fetch(readyUrl);
        return { status: res.status, body: (await res.json()) as { checks: Record<string, string> } };
      },
      (r) => r.status === 503,
      5_000,
    );
    expect(draining.body.checks.queue_group).toMatch(/\(stopping\)$/);
    const refused = await c.rest(1, 'execute_sql', { database_id: c.examplesId, sql: 'SELECT 1 AS one' });
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ error_type: 'ServiceUnavailableError' });

    const answer = await finishing;
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.rows).toEqual([{ n: rows }]);
    const timedOut = await timingOut;
    expect(timedOut.body).toMatchObject({ error_type: 'TimeoutError' });
    expect(await stopped(m)).toBe(0);
    const code = await Promise.race([
      exited,
      new Promise<string>((resolve) =>
        setTimeout(() => resolve('still running'), deadline - Date.now()).unref(),
      ),
    ]);
    expect(code).toBe(0);
    expect(worker.proc.output()).not.toMatch(/Cancelled queries still running/);
  });
});
