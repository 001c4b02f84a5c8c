import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { benchCache } from './cache-bench';
import { benchCharts } from './chart-bench';
import { runLoad, type LoadResult } from './load';
import { runSqlBench } from './sql-bench';
import { freePort } from './net';

const ROOT = resolve(__dirname, '../..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const LEVELS = (process.env.BENCH_CONCURRENCY ?? '1,10,100').split(',').map(Number);
const PG_URL = process.env.BENCH_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const NATS_URL = process.env.BENCH_NATS_URL ?? 'nats://127.0.0.1:4222';
const SECRET_KEY = 'meridian-bench-secret-key-0123456789';
/** The metadata database the run recreates: give concurrent runs different ones. */
const BENCH_DB = /^[a-z_][a-z0-9_]{0,62}$/.exec(process.env.BENCH_DB ?? '')?.[0] ?? 'meridian_bench';
const TOOL = { name: 'list_databases', arguments: {} };
/** One part only: `mcp` (the tools/call modes), `sql` (execute_sql against pg), `cache`, `chart`. */
const ONLY = process.env.BENCH_ONLY;
const SQL_SECONDS = Number(process.env.BENCH_SQL_SECONDS ?? 3);
const SQL_LEVELS = (process.env.BENCH_SQL_CONCURRENCY ?? '1,10,50').split(',').map(Number);
/** The harness's own limits: no rate limit, and worker room for the highest concurrency. */
const LIMITS = {
  MCP_RATE_LIMITING: JSON.stringify({
    enabled: false,
    service_limits: { sql: '1000000 per minute', chart: '1000000 per minute' },
  }),
  SQL_WORKER_CONCURRENCY: '16',
  SQL_WORKER_QUEUE_SIZE: '64',
  SQLALCHEMY_POOL_SIZE: '16',
};

const children: ChildProcess[] = [];

function run(script: string, args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [resolve(ROOT, script), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  // Nobody reads the logs: drain them, so a full pipe never stalls or breaks a child.
  child.stdout?.resume();
  return child;
}

async function runToEnd(script: string, args: string[], env: Record<string, string>): Promise<void> {
  const child = run(script, args, env);
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  if (code !== 0) throw new Error(`${script} ${args.join(' ')} exited with ${code}`);
}

async function waitReady(url: string, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} not ready`);
}

async function startBaseline(): Promise<string> {
  const port = await freePort();
  const child = run('dist/bench/baseline-server.js', [String(port)], {});
  await new Promise<void>((done) => child.stdout?.once('data', () => done()));
  return `http://127.0.0.1:${port}/mcp`;
}

async function startEmbedded(dataDir: string): Promise<string> {
  const port = await freePort();
  run('dist/apps/meridian/src/main.js', ['start'], {
    MERIDIAN_DATA_DIR: dataDir,
    MCP_SERVICE_PORT: String(port),
  });
  await waitReady(`http://127.0.0.1:${port}/ready`);
  return `http://127.0.0.1:${port}/mcp`;
}

interface Distributed {
  mcpUrl: string;
  metadataUrl: string;
}

async function startDistributed(): Promise<Distributed> {
  const admin = new Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${BENCH_DB} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${BENCH_DB}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = `/${BENCH_DB}`;
  const env = { SQLALCHEMY_DATABASE_URI: url.toString(), NATS_URL, SECRET_KEY, ...LIMITS };
  await runToEnd('dist/apps/meridian/src/main.js', ['db', 'upgrade'], env);
  await runToEnd('dist/apps/meridian/src/main.js', ['db', 'seed'], env);
  // Every port is taken before any process starts, so two never get the same one.
  const [metrics, sqlMetrics, port] = [await freePort(), await freePort(), await freePort()];
  run('dist/apps/catalog/src/main.js', [], { ...env, METRICS_PORT: String(metrics) });
  run('dist/apps/sql/src/main.js', [], { ...env, METRICS_PORT: String(sqlMetrics) });
  run('dist/apps/edge/src/main.js', [], {
    ...env,
    MCP_DEV_USERNAME: 'admin',
    MCP_SERVICE_PORT: String(port),
  });
  await waitReady(`http://127.0.0.1:${metrics}/ready`);
  await waitReady(`http://127.0.0.1:${sqlMetrics}/ready`);
  await waitReady(`http://127.0.0.1:${port}/ready`);
  return { mcpUrl: `http://127.0.0.1:${port}/mcp`, metadataUrl: url.toString() };
}

/** execute_sql through the distributed edge against pg straight to the examples database. */
async function sqlComparison(stack: Distributed): Promise<void> {
  const meta = new Client({ connectionString: stack.metadataUrl });
  await meta.connect();
  const { rows } = await meta.query<{ id: number }>(
    "SELECT id FROM databases WHERE database_name = 'examples'",
  );
  await meta.end();
  const examples = new URL(PG_URL);
  examples.pathname = '/examples';
  await runSqlBench({
    mcpUrl: stack.mcpUrl,
    pgUrl: examples.toString(),
    databaseId: rows[0].id,
    levels: SQL_LEVELS,
    seconds: SQL_SECONDS,
  });
}

/** get_dataset_info and list_charts on a catalog without and with MCP_CACHE_CONFIG. */
async function cacheComparison(stack: Distributed): Promise<void> {
  console.log('\nCache: the same calls without and with MCP_CACHE_CONFIG (Redis)');
  const env = { SQLALCHEMY_DATABASE_URI: stack.metadataUrl, SECRET_KEY, ...LIMITS };
  const track = (child: ChildProcess) => void children.push(child);
  await benchCache(
    env,
    { run, track, waitReady, freePort },
    SECONDS,
    LEVELS.filter((c) => c <= 10),
  );
}

/** generate_chart and get_chart_preview with a PNG, against a chart process joining the stack. */
async function chartComparison(stack: Distributed): Promise<void> {
  const env = { SQLALCHEMY_DATABASE_URI: stack.metadataUrl, NATS_URL, SECRET_KEY, ...LIMITS };
  const track = (child: ChildProcess) => void children.push(child);
  await benchCharts(env, stack.mcpUrl, { run, track, waitReady, freePort }, SECONDS, [1, 10]);
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

function print(results: LoadResult[]): void {
  console.log('\nmode          clients   calls/s    p50 ms    p95 ms    p99 ms   errors');
  for (const r of results) {
    console.log(
      `${r.label.padEnd(13)} ${String(r.concurrency).padStart(7)} ${fmt(r.throughput).padStart(9)} ` +
        `${fmt(r.p50, 2).padStart(9)} ${fmt(r.p95, 2).padStart(9)} ${fmt(r.p99, 2).padStart(9)} ${String(r.errors).padStart(8)}`,
    );
  }
  const at = (label: string, c: number) => results.find((r) => r.label === label && r.concurrency === c);
  console.log('\nthroughput ratios');
  for (const c of LEVELS) {
    const base = at('bare-sdk', c);
    const emb = at('embedded', c);
    const dist = at('distributed', c);
    const ratio = (a?: LoadResult, b?: LoadResult) =>
      a && b && b.throughput > 0 ? `${fmt(a.throughput / b.throughput, 2)}x` : '-';
    console.log(
      `  c=${String(c).padEnd(4)} embedded/bare-sdk ${ratio(emb, base).padStart(7)}   ` +
        `distributed/bare-sdk ${ratio(dist, base).padStart(7)}   distributed/embedded ${ratio(dist, emb).padStart(7)}`,
    );
  }
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'meridian-bench-'));
  const results: LoadResult[] = [];
  try {
    const distributed = await startDistributed();
    if (!ONLY || ONLY === 'mcp') {
      console.log(
        `Meridian bench: tools/call ${TOOL.name}, ${SECONDS}s per level, clients ${LEVELS.join('/')}`,
      );
      const targets: [string, string][] = [
        ['bare-sdk', await startBaseline()],
        ['embedded', await startEmbedded(dataDir)],
        ['distributed', distributed.mcpUrl],
      ];
      for (const [label, url] of targets) {
        for (const c of LEVELS) {
          const r = await runLoad(label, url, TOOL, c, SECONDS);
          console.log(`  ${label} c=${c}: ${fmt(r.throughput)} calls/s, p95 ${fmt(r.p95, 2)} ms`);
          results.push(r);
        }
      }
      print(results);
    }
    if (!ONLY || ONLY === 'sql') await sqlComparison(distributed);
    if (!ONLY || ONLY === 'cache') await cacheComparison(distributed);
    if (!ONLY || ONLY === 'chart') await chartComparison(distributed);
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1500));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  for (const child of children) child.kill('SIGKILL');
  process.exit(1);
});
