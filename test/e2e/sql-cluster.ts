import { Client as PgClient } from 'pg';
import { TEST_SECRET_KEY, createTestDatabase, withAdmin, type TestDatabase } from '../support/database';
import type { OwnNatsServer } from '../support/nats-server';
import { natsEnvFor, startShippedNatsServer } from '../support/shipped-nats';
import { freePort, startProcess, waitForReady, type ManagedProcess } from '../support/processes';

/** A query that runs until its timeout: it holds a worker slot for a known time. */
export const endless = (marker: number) => `SELECT count(*) AS n FROM generate_series(1, ${marker}) g`;
/** A distinct upper bound per query, so pg_stat_activity tells them apart. */
let nextMarker = 2_000_000_000 + Math.floor(Math.random() * 100_000_000);
export const marker = () => nextMarker++;

export interface SqlWorker {
  proc: ManagedProcess;
  metricsUrl: string;
  /** A gauge or counter of the worker's /metrics (summed over labels matching `labels`). */
  metric(name: string, labels?: string): Promise<number>;
}

export interface SqlCluster {
  nats: OwnNatsServer;
  db: TestDatabase;
  workers: SqlWorker[];
  edges: { proc: ManagedProcess; url: string }[];
  examplesId: number;
  /** The seeded orders dataset. */
  ordersId: number;
  /** Backends running a query with this marker right now. */
  running(marker: number): Promise<number>;
  /** A tool call over REST: status, headers and JSON body. */
  rest(edge: number, tool: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<RestAnswer>;
  close(): Promise<void>;
}

export interface RestAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

export interface ClusterOptions {
  prefix: string;
  workers: number;
  edges: number;
  /** Settings of every process (worker concurrency, queue, timeouts). */
  env?: Record<string, string>;
  /** The development identity of each edge (default admin). */
  edgeUsers?: string[];
}

/** Settings the harness states itself rather than inheriting: no rate limit interferes with load. */
const HARNESS_ENV = {
  SECRET_KEY: TEST_SECRET_KEY,
  MCP_RATE_LIMITING: JSON.stringify({ enabled: false, service_limits: { sql: '100000 per minute' } }),
};

/** Its own NATS, a fresh metadata database, sql workers and edges (dev identity admin), all on loopback. */
export async function startSqlCluster(opts: ClusterOptions): Promise<SqlCluster> {
  // The deployment's NATS configuration: each process as its service's own user.
  const nats = await startShippedNatsServer();
  const db = await createTestDatabase(opts.prefix);
  const env = {
    ...HARNESS_ENV,
    SQLALCHEMY_DATABASE_URI: db.url,
    NATS_URL: nats.url,
    ...opts.env,
  };
  const workers: SqlWorker[] = [];
  const edges: SqlCluster['edges'] = [];
  const ready: Promise<void>[] = [];
  for (let i = 0; i < opts.workers; i++) {
    const port = await freePort();
    const proc = startProcess(`sql-${i}`, 'dist/apps/sql/src/main.js', [], {
      ...env,
      ...natsEnvFor('sql'),
      METRICS_PORT: String(port),
    });
    const metricsUrl = `http://127.0.0.1:${port}/metrics`;
    workers.push({ proc, metricsUrl, metric: (name, labels) => scrape(metricsUrl, name, labels) });
    ready.push(waitForReady(`http://127.0.0.1:${port}/ready`, proc));
  }
  for (let i = 0; i < opts.edges; i++) {
    const port = await freePort();
    const proc = startProcess(`edge-${i}`, 'dist/apps/edge/src/main.js', [], {
      ...env,
      ...natsEnvFor('edge'),
      MCP_DEV_USERNAME: opts.edgeUsers?.[i] ?? 'admin',
      MCP_SERVICE_PORT: String(port),
    });
    edges.push({ proc, url: `http://127.0.0.1:${port}` });
    ready.push(waitForReady(`http://127.0.0.1:${port}/ready`, proc));
  }
  await Promise.all(ready);
  const meta = new PgClient({ connectionString: db.url });
  await meta.connect();
  const [{ id: examplesId }] = (await meta.query("SELECT id FROM databases WHERE database_name = 'examples'"))
    .rows as { id: number }[];
  const [{ id: ordersId }] = (await meta.query("SELECT id FROM datasets WHERE table_name = 'orders'"))
    .rows as { id: number }[];
  await meta.end();
  return {
    nats,
    db,
    workers,
    edges,
    examplesId,
    ordersId,
    running: (m) =>
      withAdmin(async (c) => {
        const { rows } = await c.query(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE state <> 'idle' AND query LIKE $1 AND pid <> pg_backend_pid()",
          [`%generate_series(1, ${m})%`],
        );
        return (rows[0] as { n: number }).n;
      }),
    rest: async (edge, tool, args, signal) => {
      const res = await fetch(`${edges[edge].url}/${tool}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ request: args }),
        signal,
      });
      return {
        status: res.status,
        headers: res.headers,
        body: (await res.json()) as Record<string, unknown>,
      };
    },
    close: async () => {
      await Promise.all([...workers.map((w) => w.proc.stop()), ...edges.map((e) => e.proc.stop())]);
      await db.drop();
      await nats.dispose();
    },
  };
}

async function scrape(url: string, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(url)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== ' ' && line[name.length] !== '{')) continue;
    if (labels && !line.includes(labels)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}
