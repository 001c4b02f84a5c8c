import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { freePort } from '../net';

/**
 * The distributed platform as real processes on loopback, for one chaos scenario: a private
 * nats-server and redis-server on spare ports (never the machine's shared ones), the built services
 * from dist/, and a metadata database of the scenario's own.
 */

/** The checkout: this file runs built (dist/bench/chaos) or, under vitest, from its source. */
export const ROOT = resolve(__dirname, /[\\/]dist[\\/]bench[\\/]/.test(__dirname) ? '../../..' : '../..');
/** Debian's package puts nats-server in /usr/sbin, not always on a user's PATH. */
export const NATS_SERVER_BIN =
  process.env.NATS_SERVER_BIN ??
  (existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : 'nats-server');
export const REDIS_SERVER_BIN = process.env.REDIS_SERVER_BIN ?? 'redis-server';
/** The PostgreSQL server holding scenario databases (the metadata database is never restarted there). */
export const CHAOS_PG_URL = process.env.CHAOS_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const CHAOS_SECRET_KEY = 'meridian-chaos-secret-key-0123456789';

export const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

export { freePort };

/** No rate limit gets in the way of the traffic. */
export const NO_LIMITS = JSON.stringify({
  enabled: false,
  service_limits: {
    catalog: '1000000 per minute',
    chart: '1000000 per minute',
    sql: '1000000 per minute',
    audit: '1000000 per minute',
  },
});

export interface ChaosProcess {
  name: string;
  readonly child: ChildProcess;
  output(): string;
  /** Sends `signal` and waits for the exit (SIGKILL after 20 s); answers the exit code, or the signal that ended it. */
  stop(signal?: NodeJS.Signals): Promise<number | NodeJS.Signals | null>;
  /** Starts it again with the same command and environment. */
  restart(): void;
}

function launch(name: string, command: string, args: string[], env: Record<string, string>): ChaosProcess {
  let out = '';
  let child: ChildProcess;
  const start = () => {
    out = '';
    child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      out = (out + chunk.toString()).slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  };
  start();
  return {
    name,
    get child() {
      return child;
    },
    output: () => out,
    restart: start,
    stop: (signal = 'SIGTERM') =>
      new Promise((done) => {
        const proc = child;
        if (proc.exitCode !== null || proc.signalCode !== null) return done(proc.exitCode ?? proc.signalCode);
        const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
        proc.once('exit', (code, ended) => {
          clearTimeout(timer);
          done(code ?? ended);
        });
        proc.kill(signal);
      }),
  };
}

/** Waits until `proc`'s output matches `ready`, or fails with that output. */
async function waitForOutput(proc: ChaosProcess, ready: RegExp, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready.test(proc.output())) {
    if (proc.child.exitCode !== null) throw new Error(`${proc.name} exited:\n${proc.output()}`);
    if (Date.now() > deadline) throw new Error(`${proc.name} did not start:\n${proc.output()}`);
    await sleep(50);
  }
}

/** Polls `url` until it answers 200; fails with the process output to explain why not. */
export async function waitForReady(url: string, proc: ChaosProcess, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) throw new Error(`${proc.name} exited:\n${proc.output()}`);
    try {
      const res = await fetch(url);
      if (res.status === 200) return;
      last = `${res.status} ${await res.text()}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(200);
  }
  throw new Error(`${proc.name} not ready at ${url} (${last}):\n${proc.output()}`);
}

/** Status of GET `url` (0 when nothing answers). */
export async function statusOf(url: string, timeoutMs = 2000): Promise<number> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

/** Waits until every one of `services` answers /ready with 200; answers when, or 0 after `timeoutMs`. */
export async function allReady(services: RunningService[], timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const statuses = await Promise.all(services.map((s) => statusOf(s.readyUrl, 1000)));
    if (statuses.every((s) => s === 200)) return Date.now();
    await sleep(100);
  }
  return 0;
}

export interface ServerProcess {
  url: string;
  /** Stops it (its data stays for the next start). */
  stop(): Promise<void>;
  start(): Promise<void>;
}

export type Service = 'catalog' | 'chart' | 'sql' | 'audit';

export interface RunningService {
  proc: ChaosProcess;
  /** /ready (health and metrics port for services, the HTTP port for an edge). */
  readyUrl: string;
  /** The edge's base URL (edges only). */
  url: string;
}

/** A metadata database of the scenario's own. */
export interface MetadataDatabase {
  url: string;
  drop(): Promise<void>;
  /** The SECRET_KEY its stored connection passwords were encrypted with (default the stack's own). */
  secretKey?: string;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

async function withAdmin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: CHAOS_PG_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export class ChaosStack {
  private readonly procs: ChaosProcess[] = [];
  private readonly dirs: string[] = [];
  private readonly cleanups: (() => Promise<void>)[] = [];
  /** Settings every Meridian process gets (NATS_URL once NATS runs, the metadata database, ...). */
  readonly env: Record<string, string> = { SECRET_KEY: CHAOS_SECRET_KEY };

  constructor(private readonly log: (line: string) => void) {}

  /** A private nats-server with JetStream on a spare port; NATS_URL of later processes points at it. */
  async startNats(): Promise<ServerProcess> {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'meridian-chaos-nats-'));
    this.dirs.push(dir);
    const args = ['-js', '-sd', dir, '-p', String(port), '-a', '127.0.0.1'];
    const proc = this.track(launch('nats-server', NATS_SERVER_BIN, args, { PATH: process.env.PATH ?? '' }));
    await waitForOutput(proc, /Server is ready/);
    this.env.NATS_URL = `nats://127.0.0.1:${port}`;
    return this.server(proc, this.env.NATS_URL, /Server is ready/);
  }

  /** A private redis-server (no persistence) on a spare port. */
  async startRedis(): Promise<ServerProcess> {
    const port = await freePort();
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    const proc = this.track(launch('redis-server', REDIS_SERVER_BIN, args, { PATH: process.env.PATH ?? '' }));
    await waitForOutput(proc, /Ready to accept connections/);
    return this.server(proc, `redis://127.0.0.1:${port}`, /Ready to accept connections/);
  }

  /**
   * The metadata database: `given` when the caller made one (the e2e test clones its template),
   * else `name` created afresh on CHAOS_PG_URL, migrated and seeded (`db upgrade`, `db seed`) with
   * example data in `<name>_examples`.
   */
  async useDatabase(name: string, given?: MetadataDatabase): Promise<MetadataDatabase> {
    let db = given;
    if (!db) {
      if (!/^[a-z_][a-z0-9_]{0,50}$/.test(name)) throw new Error(`bad database name ${name}`);
      const url = (database: string) => {
        const u = new URL(CHAOS_PG_URL);
        u.pathname = `/${database}`;
        return u.toString();
      };
      await withAdmin(async (c) => {
        for (const database of [name, `${name}_examples`]) {
          await c.query(`DROP DATABASE IF EXISTS ${quote(database)} WITH (FORCE)`);
        }
        await c.query(`CREATE DATABASE ${quote(name)}`);
      });
      const env = {
        ...this.env,
        SQLALCHEMY_DATABASE_URI: url(name),
        EXAMPLES_DATABASE_URI: url(`${name}_examples`),
      };
      this.log(`Metadata database ${name}: migrating and seeding ...`);
      for (const step of ['upgrade', 'seed']) {
        const proc = launch(`db ${step}`, process.execPath, ['dist/apps/meridian/src/main.js', 'db', step], {
          ...baseEnv(),
          ...env,
        });
        const code = await new Promise((done) => proc.child.once('exit', done));
        if (code !== 0) throw new Error(`db ${step} exited with ${String(code)}:\n${proc.output()}`);
      }
      db = {
        url: url(name),
        drop: () =>
          withAdmin(async (c) => {
            for (const database of [name, `${name}_examples`]) {
              await c.query(`DROP DATABASE IF EXISTS ${quote(database)} WITH (FORCE)`);
            }
          }),
      };
    }
    this.env.SQLALCHEMY_DATABASE_URI = db.url;
    if (db.secretKey) this.env.SECRET_KEY = db.secretKey;
    this.cleanups.push(db.drop);
    return db;
  }

  /** A backend service, its health and metrics on a spare port; not waited for (see `ready`). */
  async startService(
    service: Service,
    env: Record<string, string> = {},
    name: string = service,
  ): Promise<RunningService> {
    const port = await freePort();
    const proc = this.track(
      launch(name, process.execPath, [`dist/apps/${service}/src/main.js`], {
        ...baseEnv(),
        ...this.env,
        METRICS_PORT: String(port),
        ...env,
      }),
    );
    return { proc, readyUrl: `http://127.0.0.1:${port}/ready`, url: `http://127.0.0.1:${port}` };
  }

  /** An edge (dev identity admin) on a spare port; not waited for (see `ready`). */
  async startEdge(env: Record<string, string> = {}, name = 'edge'): Promise<RunningService> {
    const port = await freePort();
    const proc = this.track(
      launch(name, process.execPath, ['dist/apps/edge/src/main.js'], {
        ...baseEnv(),
        ...this.env,
        MCP_DEV_USERNAME: 'admin',
        MCP_SERVICE_PORT: String(port),
        ...env,
      }),
    );
    const url = `http://127.0.0.1:${port}`;
    return { proc, readyUrl: `${url}/ready`, url };
  }

  /**
   * catalog, chart and sql (what the load test's mix calls) and an edge, all with `env`, once
   * every one is ready; `suffix` tells the processes of one run from another's.
   */
  async startPlatform(
    env: Record<string, string>,
    suffix = '',
  ): Promise<{ services: RunningService[]; edge: RunningService }> {
    const services: RunningService[] = [];
    for (const service of ['catalog', 'chart', 'sql'] as const) {
      services.push(await this.startService(service, env, `${service}${suffix}`));
    }
    const edge = await this.startEdge(env, `edge${suffix}`);
    await this.ready(...services, edge);
    return { services, edge };
  }

  async ready(...services: RunningService[]): Promise<void> {
    await Promise.all(services.map((s) => waitForReady(s.readyUrl, s.proc)));
  }

  /** Stops every process (services first, then the servers), drops the database, deletes the data. */
  async close(): Promise<void> {
    for (const proc of [...this.procs].reverse()) await proc.stop();
    for (const cleanup of this.cleanups)
      await cleanup().catch((err: Error) => this.log(`cleanup: ${err.message}`));
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
  }

  private track(proc: ChaosProcess): ChaosProcess {
    this.procs.push(proc);
    return proc;
  }

  private server(proc: ChaosProcess, url: string, ready: RegExp): ServerProcess {
    return {
      url,
      stop: async () => {
        await proc.stop();
      },
      start: async () => {
        proc.restart();
        await waitForOutput(proc, ready);
      },
    };
  }
}

/** The little of this process's environment a child needs; everything else is stated. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = { LOG_LEVEL: 'warn' };
  for (const key of ['PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR']) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return env;
}
