import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, runMigrations } from '@meridian/persistence';
import { databaseUrl, quoteIdent, withAdmin } from '../support/database';

/** `db upgrade` run by several processes at once (a Job and a starting all-in-one, two Jobs). */
describe('migrations', () => {
  const name = `meridian_migrate_${process.pid}_${Date.now()}`;
  const url = databaseUrl(name);

  beforeAll(async () => {
    await withAdmin((c) => c.query(`CREATE DATABASE ${quoteIdent(name)}`));
  });

  afterAll(async () => {
    await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
  });

  it('applies each migration exactly once when three runs race on an empty database', async () => {
    const runs = await Promise.all([runMigrations(url), runMigrations(url), runMigrations(url)]);
    const applied = runs.flat();
    expect(applied.sort()).toEqual(MIGRATIONS.map((m) => m.name).sort());
    expect(runs.filter((r) => r.length > 0)).toHaveLength(1);
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string }>(
        'SELECT name FROM meridian_migrations ORDER BY id',
      );
      expect(rows.map((r) => r.name)).toEqual(MIGRATIONS.map((m) => m.name));
    } finally {
      await client.end();
    }
  });

  it('has nothing left to apply afterwards', async () => {
    expect(await runMigrations(url)).toEqual([]);
  });
});
