import { Pool } from 'pg';
import { runLoad, type LoadResult } from './load';

/** A small indexed lookup: one row by primary key. */
export const SQL_BENCH_QUERY =
  'SELECT order_id, order_date, region, revenue FROM orders WHERE order_id = 4242';

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Closed-loop load straight to PostgreSQL with pg: `concurrency` clients, one pooled connection each. */
export async function runDirectPg(
  url: string,
  sql: string,
  concurrency: number,
  seconds: number,
): Promise<LoadResult> {
  const host = new URL(url).hostname;
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(host)) throw new Error('loopback targets only');
  const pool = new Pool({ connectionString: url, max: concurrency, application_name: 'meridian-bench' });
  await Promise.all(Array.from({ length: concurrency }, () => pool.query('SELECT 1')));
  const latencies: number[] = [];
  let errors = 0;
  const warmupEnd = Date.now() + 1000;
  let end = 0;
  const worker = async () => {
    for (;;) {
      const now = Date.now();
      if (end === 0 && now >= warmupEnd) end = now + seconds * 1000;
      if (end !== 0 && now >= end) return;
      const t0 = process.hrtime.bigint();
      const ok = await pool.query(sql).then(
        (r) => r.rowCount === 1,
        () => false,
      );
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (end !== 0) {
        if (ok) latencies.push(ms);
        else errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await pool.end();
  latencies.sort((a, b) => a - b);
  return {
    label: 'direct-pg',
    concurrency,
    requests: latencies.length,
    errors,
    seconds,
    throughput: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
  };
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

/**
 * execute_sql of one indexed lookup through the edge (MCP tools/call, NATS, a sql worker) against
 * the same query sent straight to PostgreSQL, at each concurrency: p50, p95, throughput, ratios.
 */
export async function runSqlBench(opts: {
  mcpUrl: string;
  pgUrl: string;
  databaseId: number;
  levels: number[];
  seconds: number;
}): Promise<LoadResult[]> {
  const tool = { name: 'execute_sql', arguments: { database_id: opts.databaseId, sql: SQL_BENCH_QUERY } };
  console.log(
    `\nSQL bench: ${SQL_BENCH_QUERY}\n  ${opts.seconds}s per level, clients ${opts.levels.join('/')}`,
  );
  const results: LoadResult[] = [];
  for (const c of opts.levels) {
    const edge = await runLoad('execute_sql', opts.mcpUrl, tool, c, opts.seconds);
    const direct = await runDirectPg(opts.pgUrl, SQL_BENCH_QUERY, c, opts.seconds);
    console.log(
      `  c=${c}: execute_sql ${fmt(edge.throughput)}/s p95 ${fmt(edge.p95, 2)} ms; pg ${fmt(direct.throughput)}/s p95 ${fmt(direct.p95, 2)} ms`,
    );
    results.push(edge, direct);
  }
  console.log('\npath          clients   calls/s    p50 ms    p95 ms   errors');
  for (const r of results) {
    console.log(
      `${r.label.padEnd(13)} ${String(r.concurrency).padStart(7)} ${fmt(r.throughput).padStart(9)} ` +
        `${fmt(r.p50, 2).padStart(9)} ${fmt(r.p95, 2).padStart(9)} ${String(r.errors).padStart(8)}`,
    );
  }
  console.log('\nexecute_sql through the edge vs direct pg');
  for (const c of opts.levels) {
    const edge = results.find((r) => r.label === 'execute_sql' && r.concurrency === c);
    const direct = results.find((r) => r.label === 'direct-pg' && r.concurrency === c);
    if (!edge || !direct) continue;
    console.log(
      `  c=${String(c).padEnd(4)} throughput ${fmt(edge.throughput / direct.throughput, 3)}x   ` +
        `p50 ${fmt(edge.p50 / direct.p50, 1)}x (+${fmt(edge.p50 - direct.p50, 2)} ms)   ` +
        `p95 ${fmt(edge.p95 / direct.p95, 1)}x (+${fmt(edge.p95 - direct.p95, 2)} ms)`,
    );
  }
  return results;
}
