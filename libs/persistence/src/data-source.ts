import { Client } from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { PoolConfig } from '@meridian/config';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

export interface MetadataDbOptions {
  url: string;
  pool?: PoolConfig;
  /** Name shown in pg_stat_activity. */
  applicationName?: string;
}

export function metadataDataSourceOptions(opts: MetadataDbOptions): DataSourceOptions {
  const pool = opts.pool;
  return {
    type: 'postgres',
    url: opts.url,
    entities: [...ENTITIES],
    migrations: [...MIGRATIONS],
    migrationsTableName: 'meridian_migrations',
    uuidExtension: 'pgcrypto',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    applicationName: opts.applicationName ?? 'meridian',
    extra: pool
      ? {
          max: pool.size + pool.maxOverflow,
          connectionTimeoutMillis: pool.timeoutSeconds * 1000,
          maxLifetimeSeconds: pool.recycleSeconds,
          idleTimeoutMillis: 30_000,
        }
      : undefined,
  };
}

export function createMetadataDataSource(opts: MetadataDbOptions): DataSource {
  return new DataSource(metadataDataSourceOptions(opts));
}

/** Held while migrations run, so concurrent `db upgrade`s (a Job and a start) apply each one once. */
const MIGRATION_LOCK = 'meridian.migrations';

/** Applies pending migrations; returns the names of the ones that ran. */
export async function runMigrations(url: string): Promise<string[]> {
  const lock = new Client({ connectionString: url, application_name: 'meridian-migrate-lock' });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock(hashtext($1))', [MIGRATION_LOCK]);
    const ds = createMetadataDataSource({ url, applicationName: 'meridian-migrate' });
    await ds.initialize();
    try {
      const ran = await ds.runMigrations({ transaction: 'each' });
      return ran.map((m) => m.name);
    } finally {
      await ds.destroy();
    }
  } finally {
    // Ending the session releases the lock too; unlocking first lets the next runner go at once.
    await lock.query('SELECT pg_advisory_unlock(hashtext($1))', [MIGRATION_LOCK]).catch(() => undefined);
    await lock.end().catch(() => undefined);
  }
}

/**
 * Names of the registered databases whose last connection attempt failed, for /ready (names only:
 * readiness probes are not authenticated; Admins see the reason in get_database_info).
 */
export async function unreachableDatabases(ds: DataSource): Promise<string[] | undefined> {
  const rows = await ds.query<{ database_name: string }[]>(
    'SELECT database_name FROM databases WHERE connection_error IS NOT NULL ORDER BY database_name',
  );
  return rows.length > 0 ? rows.map((r) => r.database_name) : undefined;
}

/**
 * Migrations this code knows that the metadata schema does not have yet. A schema with more
 * (a newer version migrated it) is fine: old processes stay ready during a rollout.
 */
export async function missingMigrations(ds: DataSource): Promise<string[]> {
  let applied: Set<string>;
  try {
    const rows = await ds.query<{ name: string }[]>('SELECT name FROM meridian_migrations');
    applied = new Set(rows.map((r) => r.name));
  } catch (err) {
    if ((err as { driverError?: { code?: string } }).driverError?.code !== '42P01') throw err;
    applied = new Set();
  }
  return MIGRATIONS.map((m) => m.name).filter((name) => !applied.has(name));
}

/** For /ready: fails, naming what is missing, until `db upgrade` has brought the schema this far. */
export function schemaReadiness(ds: DataSource): () => Promise<void> {
  return async () => {
    const missing = await missingMigrations(ds);
    if (missing.length > 0) throw new Error(`schema lacks ${missing.join(', ')}; run db upgrade`);
  };
}
