import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  metadataDataSourceOptions,
  MIGRATIONS,
  MigrationDowngradeError,
  revertMigrations,
  runMigrations,
} from '@meridian/persistence';
import {
  createTestDatabase,
  databaseUrl,
  quoteIdent,
  withAdmin,
  type TestDatabase,
} from '../support/database';
import { until } from '../support/polling';

type Row = Record<string, unknown>;

/** What the public schema is made of: columns, indexes and constraints, in a stable order. */
async function schemaOf(pg: Client): Promise<{ columns: Row[]; indexes: Row[]; constraints: Row[] }> {
  const columns = await pg.query(
    `SELECT table_name, column_name, ordinal_position, data_type, udt_name, is_nullable, column_default,
            character_maximum_length, numeric_precision
       FROM information_schema.columns WHERE table_schema = 'public'
      ORDER BY table_name, ordinal_position`,
  );
  const indexes = await pg.query(
    `SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'
      ORDER BY tablename, indexname`,
  );
  const constraints = await pg.query(
    `SELECT conrelid::regclass::text AS table_name, conname, contype, pg_get_constraintdef(oid) AS def
       FROM pg_constraint WHERE connamespace = 'public'::regnamespace
      ORDER BY conrelid::regclass::text, conname`,
  );
  return { columns: columns.rows, indexes: indexes.rows, constraints: constraints.rows };
}

/** Every row of every table but the migrations table, as JSON objects sorted by their text. */
async function dataOf(pg: Client): Promise<Map<string, Row[]>> {
  const { rows } = await pg.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'meridian_migrations'`,
  );
  const data = new Map<string, Row[]>();
  for (const { table_name } of rows) {
    const all = await pg.query<Row>(`SELECT * FROM ${quoteIdent(table_name)}`);
    data.set(table_name, sorted(all.rows));
  }
  return data;
}

const sorted = (rows: Row[]): Row[] =>
  rows
    .map((r) => JSON.stringify(r))
    .sort()
    .map((s) => JSON.parse(s) as Row);

const project = (rows: Row[], columns: string[]): Row[] =>
  sorted(rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c]]))));

/**
 * Every migration's `down` reverses its `up` exactly, and `db downgrade` then `db upgrade` on a
 * seeded database brings back the schema a fresh upgrade makes, keeping the data no `down` drops.
 */
describe('migration downgrades', () => {
  const fresh = `${process.env.TEST_DB_PREFIX ?? 'meridian_test'}_fresh_${process.pid}`;
  /** The schema after the first k migrations on an empty database, for k = 0 … n. */
  const steps: Awaited<ReturnType<typeof schemaOf>>[] = [];
  let seeded: TestDatabase;
  let pg: Client;

  beforeAll(async () => {
    await withAdmin(async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(fresh)}`);
      await c.query(`CREATE DATABASE ${quoteIdent(fresh)}`);
    });
    const freshPg = new Client({ connectionString: databaseUrl(fresh) });
    await freshPg.connect();
    try {
      for (let k = 0; k <= MIGRATIONS.length; k++) {
        const ds = new DataSource({
          ...metadataDataSourceOptions({ url: databaseUrl(fresh) }),
          migrations: MIGRATIONS.slice(0, k),
        });
        await ds.initialize();
        await ds.runMigrations({ transaction: 'each' });
        await ds.destroy();
        steps.push(await schemaOf(freshPg));
      }
    } finally {
      await freshPg.end();
    }
    seeded = await createTestDatabase('downgrade');
    pg = new Client({ connectionString: seeded.url });
    await pg.connect();
  });

  afterAll(async () => {
    await pg?.end();
    await seeded?.drop();
    await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(fresh)} WITH (FORCE)`));
  });

  it('refuses a name this version does not know, or one not applied, and changes nothing', async () => {
    const before = await schemaOf(pg);
    const unknown = await revertMigrations(seeded.url, { to: 'NoSuchMigration1' }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(MigrationDowngradeError);
    expect(unknown).toMatchObject({ reason: 'unknown_target' });
    expect((unknown as Error).message).toContain(MIGRATIONS[0].name);
    // A migration a newer version applied: only that version can revert it.
    await pg.query(
      "INSERT INTO meridian_migrations (timestamp, name) VALUES (9999999999999, 'FromTheFuture9999999999999')",
    );
    try {
      await expect(revertMigrations(seeded.url)).rejects.toMatchObject({
        name: 'MigrationDowngradeError',
        reason: 'unknown_applied',
      });
    } finally {
      await pg.query("DELETE FROM meridian_migrations WHERE name = 'FromTheFuture9999999999999'");
    }
    expect(await schemaOf(pg)).toEqual(before);
  });

  it('reverts one migration at a time to the schema of the one before, keeping the seeded data', async () => {
    const seededData = await dataOf(pg);
    expect(seededData.get('datasets')?.length).toBeGreaterThan(0);
    expect(await schemaOf(pg)).toEqual(steps[MIGRATIONS.length]);
    for (let k = MIGRATIONS.length - 1; k >= 0; k--) {
      const { reverted, current } = await revertMigrations(seeded.url);
      expect(reverted).toEqual([MIGRATIONS[k].name]);
      expect(current).toBe(MIGRATIONS[k - 1]?.name);
      expect(await schemaOf(pg), `after reverting ${MIGRATIONS[k].name}`).toEqual(steps[k]);
      // What survives holds what the seed put there.
      for (const [table, rows] of await dataOf(pg)) {
        const columns = (steps[k].columns as { table_name: string; column_name: string }[])
          .filter((c) => c.table_name === table)
          .map((c) => c.column_name);
        expect(rows, `${table} after reverting ${MIGRATIONS[k].name}`).toEqual(
          project(seededData.get(table) ?? [], columns),
        );
      }
    }
    expect(await revertMigrations(seeded.url)).toEqual({ reverted: [], current: undefined });
  });

  it('upgrades again to exactly the schema of a fresh upgrade', async () => {
    expect(await runMigrations(seeded.url)).toEqual(MIGRATIONS.map((m) => m.name));
    expect(await schemaOf(pg)).toEqual(steps[MIGRATIONS.length]);
  });

  it('reverts down to a named migration, or all of them, in one run', async () => {
    const to = MIGRATIONS[1].name;
    const down = await revertMigrations(seeded.url, { to });
    expect(down).toEqual({
      reverted: MIGRATIONS.slice(2)
        .map((m) => m.name)
        .reverse(),
      current: to,
    });
    expect(await schemaOf(pg)).toEqual(steps[2]);
    await expect(revertMigrations(seeded.url, { to: MIGRATIONS[3].name })).rejects.toMatchObject({
      reason: 'target_not_applied',
    });
    expect((await revertMigrations(seeded.url, { all: true })).reverted).toEqual([
      MIGRATIONS[1].name,
      MIGRATIONS[0].name,
    ]);
    expect(await schemaOf(pg)).toEqual(steps[0]);
    await runMigrations(seeded.url);
    expect(await schemaOf(pg)).toEqual(steps[MIGRATIONS.length]);
  });

  it('waits while another run holds the migration lock', async () => {
    const holder = new Client({ connectionString: seeded.url });
    await holder.connect();
    try {
      await holder.query("SELECT pg_advisory_lock(hashtext('meridian.migrations'))");
      const pending = revertMigrations(seeded.url);
      await until(
        async () =>
          (
            await pg.query(
              `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database()
                AND application_name = 'meridian-migrate-lock' AND wait_event_type = 'Lock'`,
            )
          ).rows[0].n as number,
        (n) => n === 1,
        10_000,
      );
      expect(await schemaOf(pg)).toEqual(steps[MIGRATIONS.length]);
      await holder.query("SELECT pg_advisory_unlock(hashtext('meridian.migrations'))");
      expect((await pending).reverted).toEqual([MIGRATIONS[MIGRATIONS.length - 1].name]);
    } finally {
      await holder.end();
    }
    await runMigrations(seeded.url);
  });
});
