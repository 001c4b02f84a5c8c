import type { MeridianConfig } from '@meridian/config';
import type { BackendService } from '@meridian/contracts';
import {
  examplesUrlFor,
  READER_ROLE,
  registerExamplesOnReader,
  repointEmbeddedDatabases,
  seed,
} from '@meridian/examples';
import { InProcessBus, startService, type RunningService } from '@meridian/messaging';
import { runMigrations } from '@meridian/persistence';
import { startTelemetry } from '@meridian/observability';
import { Client } from 'pg';
import { startEdge, type RunningEdge } from '../../edge/src/edge.bootstrap';
import { startEmbeddedPostgres, type RunningEmbeddedPostgres } from './embedded-postgres';
import { embeddedSecretKey } from './secret-key';
import { SERVICE_MODULES } from './services';

export interface RunningPlatform {
  config: MeridianConfig;
  edge: RunningEdge;
  services: RunningService[];
  embeddedPostgres?: RunningEmbeddedPostgres;
  close(): Promise<void>;
}

export interface PlatformOptions {
  log?: (line: string) => void;
}

const BACKENDS: BackendService[] = ['catalog', 'chart', 'sql', 'audit'];
const EMBEDDED_DATABASES = ['meridian', 'examples'];

/** Makes sure the metadata database is ready to serve: migrated, and seeded when it is empty. */
export async function prepareMetadata(config: MeridianConfig, log: (line: string) => void): Promise<void> {
  const url = config.databaseUrl;
  if (!url) throw new Error('No metadata database configured');
  const ran = await runMigrations(url);
  if (ran.length > 0) log(`Applied migrations: ${ran.join(', ')}`);
  const client = new Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM users');
  await client.end();
  if (Number(rows[0]?.n ?? 0) === 0) {
    if (!config.secretKey) throw new Error('SECRET_KEY is required to seed the example content');
    log('Seeding example data and content (first start)...');
    const report = await seed({
      metadataUrl: url,
      examplesUrl: config.examplesDatabaseUrl ?? examplesUrlFor(url),
      secretKey: config.secretKey,
      mariadbUrl: config.mariadbExamplesUrl,
    });
    const t = report.metadata.totals;
    log(
      `Seeded ${t.users} users, ${t.databases} database(s), ${t.datasets} datasets, ${t.charts} charts and ${t.dashboards} dashboards`,
    );
  }
  if (config.secretKey) await useReaderForExamples(config, url, config.secretKey, log);
}

/** Examples registered by older versions as the superuser move onto the least-privilege reader. */
async function useReaderForExamples(
  config: MeridianConfig,
  metadataUrl: string,
  secretKey: string,
  log: (line: string) => void,
): Promise<void> {
  try {
    const moved = await registerExamplesOnReader({
      metadataUrl,
      examplesUrl: config.examplesDatabaseUrl ?? examplesUrlFor(metadataUrl),
      secretKey,
      mariadbUrl: config.mariadbExamplesUrl,
    });
    for (const name of moved) log(`Database ${name} now connects as ${READER_ROLE}`);
  } catch (err) {
    log(`Could not set up ${READER_ROLE} for the examples: ${(err as Error).message}`);
  }
}

/**
 * The all-in-one: every service and the edge in one process. Without SQLALCHEMY_DATABASE_URI it
 * runs an embedded PostgreSQL; without NATS_URL the services are reached in process.
 */
export async function startPlatform(
  input: MeridianConfig,
  opts: PlatformOptions = {},
): Promise<RunningPlatform> {
  const log = opts.log ?? (() => undefined);
  // One process, one service name for its spans and error reports.
  await startTelemetry(input, 'meridian');
  // Without token authentication the all-in-one acts as the seeded admin, on loopback only.
  let config: MeridianConfig = {
    ...input,
    devUsername: input.devUsername ?? (input.auth.enabled ? undefined : 'admin'),
  };
  let embeddedPostgres: RunningEmbeddedPostgres | undefined;
  const services: RunningService[] = [];
  let edge: RunningEdge | undefined;
  try {
    if (!config.databaseUrl) {
      log(`Starting embedded PostgreSQL in ${config.dataDir}/postgres ...`);
      embeddedPostgres = await startEmbeddedPostgres({
        dataDir: config.dataDir,
        port: config.embeddedPgPort || undefined,
        log,
      });
      config = {
        ...config,
        databaseUrl: embeddedPostgres.serverUrl('meridian'),
        examplesDatabaseUrl: config.examplesDatabaseUrl ?? embeddedPostgres.serverUrl('examples'),
        secretKey: config.secretKey ?? embeddedSecretKey(config.dataDir),
      };
      await ensureDatabases(embeddedPostgres, EMBEDDED_DATABASES);
    }
    await prepareMetadata(config, log);
    // Examples the operator placed elsewhere (EXAMPLES_DATABASE_URI) are not the embedded server's.
    if (embeddedPostgres) await repointEmbedded(config, embeddedPostgres, !input.examplesDatabaseUrl, log);

    const bus = config.natsServers.length > 0 ? undefined : new InProcessBus();
    for (const service of BACKENDS) {
      services.push(
        await startService({
          service,
          module: SERVICE_MODULES[service](config, bus),
          config,
          bus,
          http: false,
        }),
      );
    }
    edge = await startEdge(config, bus);
  } catch (err) {
    await Promise.allSettled(services.map((s) => s.close()));
    await embeddedPostgres?.stop().catch(() => undefined);
    throw err;
  }
  const runningEdge = edge;
  return {
    config,
    edge: runningEdge,
    services,
    embeddedPostgres,
    close: async () => {
      await runningEdge.close();
      await Promise.allSettled(services.map((s) => s.close()));
      await embeddedPostgres?.stop();
    },
  };
}

/** Registered databases on the embedded server follow it to whatever port it has this time. */
async function repointEmbedded(
  config: MeridianConfig,
  pg: RunningEmbeddedPostgres,
  adoptLegacy: boolean,
  log: (line: string) => void,
): Promise<void> {
  if (!config.databaseUrl) return;
  const changed = await repointEmbeddedDatabases(config.databaseUrl, {
    host: '127.0.0.1',
    port: pg.port,
    databases: adoptLegacy ? EMBEDDED_DATABASES : [],
  });
  for (const c of changed)
    log(`Database ${c.name} now points at the embedded PostgreSQL on ${c.to} (was ${c.from})`);
}

async function ensureDatabases(pg: RunningEmbeddedPostgres, names: readonly string[]): Promise<void> {
  const client = new Client({ connectionString: pg.serverUrl('postgres') });
  await client.connect();
  try {
    for (const name of names) {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (!rowCount) await client.query(`CREATE DATABASE "${name}"`);
    }
  } finally {
    await client.end();
  }
}
