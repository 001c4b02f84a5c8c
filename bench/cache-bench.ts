import { spawn, type ChildProcess } from 'node:child_process';
import { Client } from 'pg';
import { runLoad, type LoadResult } from './load';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const NATS_SERVER = process.env.NATS_SERVER_BIN ?? 'nats-server';

export interface BenchHooks {
  run(script: string, args: string[], env: Record<string, string>): ChildProcess;
  track(child: ChildProcess): void;
  waitReady(url: string): Promise<void>;
  freePort(): Promise<number>;
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

/** A nats-server of the pair's own, so the cached and uncached catalogs never share a queue group. */
async function ownNats(hooks: BenchHooks): Promise<string> {
  const port = await hooks.freePort();
  const child = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  hooks.track(child);
  await new Promise((r) => setTimeout(r, 500));
  return `nats://127.0.0.1:${port}`;
}

/** A catalog and an edge on their own NATS, with the given extra settings; answers the MCP URL. */
async function startPair(hooks: BenchHooks, env: Record<string, string>): Promise<string> {
  const pairEnv = { ...env, NATS_URL: await ownNats(hooks) };
  const metrics = await hooks.freePort();
  hooks.run('dist/apps/catalog/src/main.js', [], { ...pairEnv, METRICS_PORT: String(metrics) });
  const port = await hooks.freePort();
  hooks.run('dist/apps/edge/src/main.js', [], {
    ...pairEnv,
    MCP_DEV_USERNAME: 'admin',
    MCP_SERVICE_PORT: String(port),
  });
  await hooks.waitReady(`http://127.0.0.1:${metrics}/ready`);
  await hooks.waitReady(`http://127.0.0.1:${port}/ready`);
  return `http://127.0.0.1:${port}/mcp`;
}

/**
 * What MCP_CACHE_CONFIG gains: the same calls against a catalog without the cache and one with
 * the Redis cache (get_dataset_info and list_charts cached), everything else equal.
 */
export async function benchCache(
  env: Record<string, string>,
  hooks: BenchHooks,
  seconds: number,
  levels: number[],
): Promise<void> {
  const pg = new Client({ connectionString: env.SQLALCHEMY_DATABASE_URI });
  await pg.connect();
  const { rows } = await pg.query<{ id: number }>('SELECT min(id) AS id FROM datasets');
  await pg.end();
  const tools = [
    { name: 'get_dataset_info', arguments: { identifier: rows[0].id } },
    { name: 'list_charts', arguments: { page_size: 25 } },
  ];
  const cacheConfig = JSON.stringify({
    enabled: true,
    backend: 'redis',
    url: REDIS_URL,
    ttl: 300,
    cache_tools: tools.map((t) => t.name),
    key_prefix: `meridian-bench:${Date.now()}`,
  });
  const targets: [string, string][] = [
    ['uncached', await startPair(hooks, env)],
    ['cached', await startPair(hooks, { ...env, MCP_CACHE_CONFIG: cacheConfig })],
  ];
  const results: (LoadResult & { tool: string })[] = [];
  for (const tool of tools) {
    for (const [label, url] of targets) {
      for (const c of levels) {
        const r = await runLoad(label, url, tool, c, seconds);
        console.log(`  ${tool.name} ${label} c=${c}: ${fmt(r.throughput)} calls/s, p50 ${fmt(r.p50, 2)} ms`);
        results.push({ ...r, tool: tool.name });
      }
    }
  }
  console.log(
    '\ncache (MCP_CACHE_CONFIG, Redis)  clients   uncached/s   cached/s   gain   p50 uncached   p50 cached',
  );
  for (const tool of tools) {
    for (const c of levels) {
      const at = (label: string) =>
        results.find((r) => r.tool === tool.name && r.label === label && r.concurrency === c);
      const [u, k] = [at('uncached'), at('cached')];
      if (!u || !k) continue;
      console.log(
        `  ${tool.name.padEnd(31)} ${String(c).padStart(7)} ${fmt(u.throughput).padStart(12)} ${fmt(k.throughput).padStart(10)} ` +
          `${(u.throughput > 0 ? `${fmt(k.throughput / u.throughput, 2)}x` : '-').padStart(6)} ` +
          `${fmt(u.p50, 2).padStart(14)} ${fmt(k.p50, 2).padStart(12)}`,
      );
    }
  }
}
