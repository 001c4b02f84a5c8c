import { Client } from 'pg';
import { register } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READER_ROLE, readerLogin } from '@meridian/examples';
import { TEST_SECRET_KEY, databaseUrl } from '../support/database';
import { until } from '../support/polling';
import { ORDER_ROWS, failure, startSqlFixture, type SqlFixture, type Who } from './sql-harness';

type Row = Record<string, unknown>;

describe('least privilege on the database side', () => {
  let f: SqlFixture;
  const run = (databaseId: number, sql: string, who: Who) =>
    f.call('execute_sql', { database_id: databaseId, sql }, who);
  const metadata = async <T extends Row>(sql: string, params: unknown[] = []): Promise<T[]> => {
    const c = new Client({ connectionString: f.metadata.url });
    await c.connect();
    try {
      return (await c.query<T>(sql, params)).rows;
    } finally {
      await c.end();
    }
  };
  // Recorded at start (every registered database is tried once) or at first use, whichever is first.
  const found = (id: number) =>
    until(
      () => recorded(id),
      (p) => p !== null,
      10_000,
    );
  const recorded = async (id: number) =>
    (
      await metadata<{ p: Row | null }>(
        "SELECT extra->'connection_privileges' AS p FROM databases WHERE id = $1",
        [id],
      )
    )[0].p;

  beforeAll(async () => {
    f = await startSqlFixture('sql_priv');
  });
  afterAll(async () => {
    await f?.close();
  });

  describe('a privileged connection', () => {
    it('is refused to a caller bound by grants, naming what the login may do', async () => {
      const pg = await failure(run(f.db.pgFenced, 'SELECT count(*) AS n FROM orders', 'reader'));
      expect(pg).toMatchObject({
        error_type: 'PermissionDeniedError',
        details: { rule: 'privileged_connection' },
      });
      expect((pg.details as Row).powers).toContain('superuser');
      const maria = await failure(run(f.db.mariaRoot, 'SELECT COUNT(*) AS n FROM orders', 'reader'));
      expect(maria).toMatchObject({
        error_type: 'PermissionDeniedError',
        details: { rule: 'privileged_connection' },
      });
      expect((maria.details as Row).powers).toEqual(expect.arrayContaining(['FILE', 'PROCESS', 'SUPER']));
    });

    it('still serves Admin, and restricted callers where an Admin accepted it', async () => {
      expect((await run(f.db.pgFenced, 'SELECT count(*) AS n FROM orders', 'admin')).rows).toEqual([
        { n: ORDER_ROWS },
      ]);
      const accepted = await run(f.db.pg, 'SELECT count(*) AS n FROM orders', 'reader');
      expect(accepted.rows).toEqual([{ n: ORDER_ROWS }]);
    });

    it('is recorded for get_database_info and counted in a metric', async () => {
      await run(f.db.pgFenced, 'SELECT 1 AS x', 'admin');
      expect(await found(f.db.pgFenced)).toMatchObject({
        privileged: true,
        powers: expect.arrayContaining(['superuser']),
      });
      const metric = await register.getSingleMetric('sql_privileged_connection')?.get();
      const value = (name: string) => metric?.values.find((v) => v.labels.database === name)?.value;
      expect(value(`${f.pgName}_fenced`)).toBe(1);
    });
  });

  describe('the least-privilege reader', () => {
    it('serves restricted callers and is recorded as not privileged', async () => {
      const r = await run(f.db.pgReader, 'SELECT count(*) AS n FROM orders', 'reader');
      expect(r.rows).toEqual([{ n: ORDER_ROWS }]);
      expect(await found(f.db.pgReader)).toMatchObject({ privileged: false, powers: [] });
      const metric = await register.getSingleMetric('sql_privileged_connection')?.get();
      expect(metric?.values.find((v) => v.labels.database === `${f.pgName}_reader`)?.value).toBe(0);
    });

    it('cannot reach files, settings or other sessions even past the guard', async () => {
      const login = readerLogin(TEST_SECRET_KEY);
      const url = new URL(databaseUrl(f.pgName));
      url.username = login.username;
      url.password = login.password;
      const c = new Client({ connectionString: url.toString() });
      await c.connect();
      try {
        for (const sql of [
          "SELECT pg_read_file('/etc/passwd')",
          "SELECT pg_ls_dir('.')",
          "SELECT current_setting('data_directory')",
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'postgres' LIMIT 1",
          "COPY orders TO '/tmp/meridian-reader-copy'",
          'CREATE TABLE meridian_reader_probe (a int)',
        ]) {
          await expect(c.query(sql), sql).rejects.toThrow(/permission denied|must be|not allowed/);
        }
        expect((await c.query('SELECT count(*)::int AS n FROM orders')).rows).toEqual([{ n: ORDER_ROWS }]);
      } finally {
        await c.end();
      }
    });

    it('holds the examples of the test template', async () => {
      expect(await metadata("SELECT username FROM databases WHERE database_name = 'examples'")).toEqual([
        { username: READER_ROLE },
      ]);
    });
  });

  describe('EXPLAIN', () => {
    const probe = "EXPLAIN SELECT * FROM orders WHERE region = 'AMER'";

    it.each([
      ['a caller under row-level security', 'analyst', 'pg'],
      ['a caller granted one dataset', 'reader', 'pg'],
      ['a caller under row-level security on MariaDB', 'analyst', 'maria'],
    ] as const)('is refused to %s, whatever its form', async (_name, who, engine) => {
      const id = engine === 'pg' ? f.db.pg : f.db.maria;
      const forms =
        engine === 'pg'
          ? [
              probe,
              `EXPLAIN (FORMAT JSON) ${probe.slice(8)}`,
              `EXPLAIN (COSTS true, VERBOSE) ${probe.slice(8)}`,
            ]
          : [probe];
      for (const sql of forms) {
        expect(await failure(run(id, sql, who)), sql).toMatchObject({
          error_type: 'PermissionDeniedError',
          details: { rule: 'explain_restricted' },
        });
      }
    });

    it('runs for callers with the whole database', async () => {
      for (const who of ['admin', 'full'] as const) {
        const r = await run(f.db.pg, probe, who);
        expect(JSON.stringify(r.rows)).toMatch(/Seq Scan on orders/);
      }
    });
  });
});
