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

/**
 * Runs `work` on a fresh metadata DataSource while holding the migration lock, so that upgrades
 * and downgrades (a Job, a starting all-in-one, an operator) never run at the same time.
 */
async function underMigrationLock<T>(url: string, work: (ds: DataSource) => Promise<T>): Promise<T> {
  const lock = new Client({ connectionString: url, application_name: 'meridian-migrate-lock' });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock(hashtext($1))', [MIGRATION_LOCK]);
    const ds = createMetadataDataSource({ url, applicationName: 'meridian-migrate' });
    await ds.initialize();
    try {
      return await work(ds);
    } finally {
      await ds.destroy();
    }
  } finally {
    // Ending the session releases the lock too; unlocking first lets the next runner go at once.
    await lock.query('SELECT pg_advisory_unlock(hashtext($1))', [MIGRATION_LOCK]).catch(() => undefined);
    await lock.end().catch(() => undefined);
  }
}

/** Applies pending migrations; returns the names of the ones that ran. */
export async function runMigrations(url: string): Promise<string[]> {
  return underMigrationLock(url, async (ds) => {
    const ran = await ds.runMigrations({ transaction: 'each' });
    return ran.map((m) => m.name);
  });
}

/** A downgrade refused before it changed anything; `reason` says which rule refused it. */
export class MigrationDowngradeError extends Error {
  constructor(
    readonly reason: 'unknown_target' | 'target_not_applied' | 'unknown_applied',
    message: string,
  ) {
    super(message);
    this.name = 'MigrationDowngradeError';
  }
}

/** Where a downgrade stops: after the newest migration (default), after `to`, or with none left. */
export interface DowngradeTarget {
  /** Revert every migration applied after this one; it stays applied. */
  to?: string;
  /** Revert every migration: no Meridian table is left (their data is lost). */
  all?: boolean;
}

/** Applied migrations, newest first (the order TypeORM reverts them in). */
async function appliedMigrations(ds: DataSource): Promise<string[]> {
  try {
    const rows = await ds.query<{ name: string }[]>('SELECT name FROM meridian_migrations ORDER BY id DESC');
    return rows.map((r) => r.name);
  } catch (err) {
    if ((err as { driverError?: { code?: string } }).driverError?.code === '42P01') return [];
    throw err;
  }
}

/** The applied migrations a downgrade to `target` reverts, newest first; refuses before any change. */
function migrationsToRevert(applied: string[], target: DowngradeTarget): string[] {
  const known = MIGRATIONS.map((m) => m.name);
  let revert: string[];
  if (target.all) revert = applied;
  else if (target.to === undefined) revert = applied.slice(0, 1);
  else {
    if (!known.includes(target.to)) {
      throw new MigrationDowngradeError(
        'unknown_target',
        `Unknown migration ${target.to}; this version knows: ${known.join(', ')}`,
      );
    }
    const at = applied.indexOf(target.to);
    if (at < 0) {
      throw new MigrationDowngradeError(
        'target_not_applied',
        `${target.to} is not applied to this database: there is nothing to revert down to it`,
      );
    }
    revert = applied.slice(0, at);
  }
  const foreign = revert.filter((name) => !known.includes(name));
  if (foreign.length > 0) {
    throw new MigrationDowngradeError(
      'unknown_applied',
      `The schema has ${foreign.join(', ')}, which this version does not know: downgrade with the ` +
        'version (image) that applied it, before rolling back to this one',
    );
  }
  return revert;
}

export interface DowngradeResult {
  /** The migrations reverted, newest first. */
  reverted: string[];
  /** The newest migration still applied, if any. */
  current?: string;
}

/**
 * Reverts migrations (each one's `down`, in its own transaction, newest first) under the same
 * lock as `db upgrade`.
 */
export async function revertMigrations(url: string, target: DowngradeTarget = {}): Promise<DowngradeResult> {
  return underMigrationLock(url, async (ds) => {
    const reverted = migrationsToRevert(await appliedMigrations(ds), target);
    for (const name of reverted) {
      const [newest] = await appliedMigrations(ds);
      if (newest !== name) throw new Error(`Expected ${name} to be the newest migration, found ${newest}`);
      await ds.undoLastMigration({ transaction: 'each' });
    }
    const [current] = await appliedMigrations(ds);
    return { reverted, current };
  });
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
  const applied = new Set(await appliedMigrations(ds));
  return MIGRATIONS.map((m) => m.name).filter((name) => !applied.has(name));
}

/** For /ready: fails, naming what is missing, until `db upgrade` has brought the schema this far. */
export function schemaReadiness(ds: DataSource): () => Promise<void> {
  return async () => {
    const missing = await missingMigrations(ds);
    if (missing.length > 0) throw new Error(`schema lacks ${missing.join(', ')}; run db upgrade`);
  };
}
