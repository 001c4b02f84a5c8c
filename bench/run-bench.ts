import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { runLoad, type LoadResult } from './load';

const ROOT = resolve(__dirname, '../..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const LEVELS = (process.env.BENCH_CONCURRENCY ?? '1,10,100').split(',').map(Number);
const PG_URL = process.env.BENCH_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const NATS_URL = process.env.BENCH_NATS_URL ?? 'nats://127.0.0.1:4222';
const SECRET_KEY = 'meridian-bench-secret-key-0123456789';
const TOOL = { name: 'list_databases', arguments: {} };

const children: ChildProcess[] = [];

async function freePort(): Promise<number> {
  return new Promise((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => done(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

function run(script: string, args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [resolve(ROOT, script), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
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

async function startDistributed(): Promise<string> {
  const admin = new Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS meridian_bench WITH (FORCE)');
  await admin.query('CREATE DATABASE meridian_bench');
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = '/meridian_bench';
  const env = { SQLALCHEMY_DATABASE_URI: url.toString(), NATS_URL, SECRET_KEY };
  await runToEnd('dist/apps/meridian/src/main.js', ['db', 'upgrade'], env);
  await runToEnd('dist/apps/meridian/src/main.js', ['db', 'seed'], env);
  const metrics = await freePort();
  run('dist/apps/catalog/src/main.js', [], { ...env, METRICS_PORT: String(metrics) });
  const port = await freePort();
  run('dist/apps/edge/src/main.js', [], {
    ...env,
    MCP_DEV_USERNAME: 'admin',
    MCP_SERVICE_PORT: String(port),
  });
  await waitReady(`http://127.0.0.1:${metrics}/ready`);
  await waitReady(`http://127.0.0.1:${port}/ready`);
  return `http://127.0.0.1:${port}/mcp`;
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
    console.log(
      `Meridian bench: tools/call ${TOOL.name}, ${SECONDS}s per level, clients ${LEVELS.join('/')}`,
    );
    const targets: [string, string][] = [
      ['bare-sdk', await startBaseline()],
      ['embedded', await startEmbedded(dataDir)],
      ['distributed', await startDistributed()],
    ];
    for (const [label, url] of targets) {
      for (const c of LEVELS) {
        const r = await runLoad(label, url, TOOL, c, SECONDS);
        console.log(`  ${label} c=${c}: ${fmt(r.throughput)} calls/s, p95 ${fmt(r.p95, 2)} ms`);
        results.push(r);
      }
    }
    print(results);
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
