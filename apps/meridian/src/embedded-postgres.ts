import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { isProcessAlive, lockDataDir } from './data-dir-lock';
import { importEsm } from './esm-import';

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  process?: { exitCode: number | null; signalCode: string | null };
}
type EmbeddedPostgresCtor = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

export interface RunningEmbeddedPostgres {
  /** Connection URL of one database on the embedded server. */
  serverUrl(database: string): string;
  port: number;
  /** The port of the previous start when it differs from this one (it was taken), else null. */
  previousPort: number | null;
  stop(): Promise<void>;
}

export const EMBEDDED_PG_USER = 'meridian';
// Reachable only on 127.0.0.1 and only for local development; the data folder is the boundary.
const PASSWORD = 'meridian-embedded';
/** Remembers the port the embedded server had, so registered connections stay valid. */
const STATE_FILE = 'embedded-postgres.json';
const STOP_WAIT_MS = 30_000;
const LOG_LINES_KEPT = 40;

export function embeddedUrl(port: number, database: string): string {
  return `postgresql://${EMBEDDED_PG_USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}/${database}`;
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

/** Whether nothing listens on host:port (we can bind it ourselves). */
export async function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((done) => {
    const srv = createServer();
    srv.once('error', () => done(false));
    srv.listen(port, host, () => srv.close(() => done(true)));
  });
}

export interface PostmasterInfo {
  pid: number;
  dataDir: string;
  port: number;
}

/** PostgreSQL's own lock file: pid on line 1, data directory on line 2, port on line 4. */
export function readPostmasterPid(databaseDir: string): PostmasterInfo | null {
  let text: string;
  try {
    text = readFileSync(resolve(databaseDir, 'postmaster.pid'), 'utf8');
  } catch {
    return null;
  }
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  return { pid, dataDir: lines[1] ?? '', port: Number(lines[3]) || 0 };
}

/** Whether pid is a postgres server on this data directory (Linux; elsewhere: whether it runs). */
function isPostmasterOf(pid: number, databaseDir: string): boolean {
  if (!isProcessAlive(pid)) return false;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmdline.some((arg) => resolve(arg) === resolve(databaseDir));
  } catch {
    return !existsSync('/proc/self');
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isProcessAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !isProcessAlive(pid);
}

/**
 * A server left running on this data directory by an owner that is gone (a crash, kill -9 of the
 * all-in-one, a closed terminal) is shut down cleanly (SIGINT: PostgreSQL's fast shutdown, what
 * `pg_ctl stop -m fast` sends). A lock file whose pid is now some other process is removed, so
 * PostgreSQL does not refuse to start after a reboot.
 */
export async function stopOrphanedPostgres(databaseDir: string, log: (line: string) => void): Promise<void> {
  const info = readPostmasterPid(databaseDir);
  if (!info) return;
  if (!isPostmasterOf(info.pid, databaseDir)) {
    if (!isProcessAlive(info.pid)) return; // PostgreSQL clears a lock file whose process is gone.
    log(`Removing a stale postmaster.pid (pid ${info.pid} is not this data directory's server)`);
    rmSync(resolve(databaseDir, 'postmaster.pid'), { force: true });
    return;
  }
  log(
    `Stopping the embedded PostgreSQL left running by a previous start (pid ${info.pid}, port ${info.port})`,
  );
  process.kill(info.pid, 'SIGINT');
  if (await waitForExit(info.pid, STOP_WAIT_MS)) return;
  throw new Error(
    `The embedded PostgreSQL left by a previous start (pid ${info.pid}) did not stop within ` +
      `${STOP_WAIT_MS / 1000} s. Stop it (kill ${info.pid}) and start again.`,
  );
}

function readRememberedPort(dataDir: string): number | null {
  try {
    const { port } = JSON.parse(readFileSync(resolve(dataDir, STATE_FILE), 'utf8')) as { port?: unknown };
    return typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65536 ? port : null;
  } catch {
    return null;
  }
}

function rememberPort(dataDir: string, port: number): void {
  writeFileSync(resolve(dataDir, STATE_FILE), `${JSON.stringify({ port })}\n`);
}

/**
 * The configured port when one is set; otherwise the port of the previous start while it is free,
 * else a new free one (the caller re-points registered connections at it).
 */
async function choosePort(
  dataDir: string,
  configured: number | undefined,
  log: (line: string) => void,
): Promise<{ port: number; previous: number | null }> {
  const remembered = readRememberedPort(dataDir);
  if (configured) return { port: configured, previous: remembered };
  if (remembered && (await portIsFree(remembered))) return { port: remembered, previous: remembered };
  const port = await freePort();
  if (remembered)
    log(`Port ${remembered} of the previous start is taken; the embedded PostgreSQL moves to ${port}`);
  return { port, previous: remembered };
}

/**
 * Runs a real PostgreSQL from the embedded-postgres package's binaries, with its data in
 * `<dataDir>/postgres`, on 127.0.0.1 (never the system's 5432). The data directory is claimed for
 * this process first: a second all-in-one on it is refused, and a server a crashed owner left
 * behind is stopped. The port is kept across starts while it stays free.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port?: number;
  log?: (line: string) => void;
}): Promise<RunningEmbeddedPostgres> {
  const log = opts.log ?? (() => undefined);
  const databaseDir = resolve(opts.dataDir, 'postgres');
  mkdirSync(opts.dataDir, { recursive: true });
  const lock = lockDataDir(opts.dataDir);
  try {
    if (lock.tookOverFrom)
      log(`The previous owner of ${opts.dataDir} (pid ${lock.tookOverFrom.pid}) is gone`);
    await stopOrphanedPostgres(databaseDir, log);
    const { port, previous } = await choosePort(opts.dataDir, opts.port, log);
    const pg = await launch(opts.dataDir, databaseDir, port);
    rememberPort(opts.dataDir, port);
    return {
      port,
      previousPort: previous !== null && previous !== port ? previous : null,
      serverUrl: (database) => embeddedUrl(port, database),
      stop: async () => {
        try {
          await pg.stop();
        } finally {
          lock.release();
        }
      },
    };
  } catch (err) {
    lock.release();
    throw err;
  }
}

async function launch(dataDir: string, databaseDir: string, port: number): Promise<EmbeddedPostgresInstance> {
  const mod = await importEsm<{ default: EmbeddedPostgresCtor }>('embedded-postgres');
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  // As root, PostgreSQL runs as its own unprivileged user, which must be able to reach its folder.
  if (isRoot) chmodSync(dataDir, 0o711);
  // PostgreSQL explains a failed start only on its stderr: keep the last lines to show them.
  const output: string[] = [];
  const keep = (m: unknown) => {
    const text = String(m instanceof Error ? m.message : m).trim();
    if (!text) return;
    output.push(...text.split('\n'));
    output.splice(0, Math.max(0, output.length - LOG_LINES_KEPT));
  };
  const pg = new mod.default({
    databaseDir,
    port,
    user: EMBEDDED_PG_USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: keep,
    onError: keep,
  });
  try {
    if (!existsSync(resolve(databaseDir, 'PG_VERSION'))) await pg.initialise();
    await pg.start();
  } catch (err) {
    // stop() waits for an exit event, which a server that already exited never sends again.
    const child = pg.process;
    if (child && child.exitCode === null && child.signalCode === null) await pg.stop().catch(() => undefined);
    const reason = err instanceof Error && err.message ? `${err.message}\n` : '';
    const taken = output.some((l) => /could not bind|Address already in use/i.test(l));
    const hint = taken
      ? `Port ${port} is taken: free it, or set MERIDIAN_EMBEDDED_PG_PORT to another port (0 picks a free one).`
      : `Check the messages above; the data is in ${databaseDir}.`;
    throw new Error(
      `The embedded PostgreSQL did not start on 127.0.0.1:${port}.\n${reason}` +
        `PostgreSQL said:\n  ${output.join('\n  ') || '(nothing)'}\n${hint}`,
    );
  }
  return pg;
}
