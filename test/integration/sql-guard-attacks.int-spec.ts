import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MARIADB_ATTACKS, PG_ATTACKS, type Attack } from '../support/sql-attacks';
import { ORDER_ROWS, failure, startSqlFixture, type SqlFixture, type Who } from './sql-harness';

type Row = Record<string, unknown>;

/**
 * Each attack is refused by the allow-list, with its rule and the function, operator or type it
 * names, both for a caller bound by grants and row-level security and for Admin on a superuser
 * connection, where nothing but the guard stands between the statement and the server.
 */
describe('the SQL guard against attacks', () => {
  let f: SqlFixture;

  beforeAll(async () => {
    f = await startSqlFixture('sql_attacks');
  });
  afterAll(async () => {
    await f?.close();
  });

  const sqlFor = (sql: string) => sql.replace(/\{db\}/g, f.mariaName);

  async function refused(databaseId: number, who: Who, [, sql, rule, names]: Attack): Promise<void> {
    const err = await failure(f.call('execute_sql', { database_id: databaseId, sql: sqlFor(sql) }, who));
    expect(err.error_type, `${who}: ${JSON.stringify(err)}`).toBe('ValidationError');
    const details = err.details as Row;
    expect(details.rule, `${who}: ${String(err.error)}`).toBe(rule);
    expect(err.error).toContain(`(${rule})`);
    if (names) {
      const named = details.function ?? details.operator ?? details.type;
      expect(named, String(err.error)).toBe(sqlFor(names));
      expect(err.error).toContain(sqlFor(names));
    }
  }

  describe('PostgreSQL', () => {
    it.each(PG_ATTACKS)('%s', async (...attack) => {
      // A caller under grants and RLS, then Admin, both on superuser connections.
      await refused(f.db.pg, 'analyst', attack);
      await refused(f.db.pgFenced, 'admin', attack);
    });
  });

  describe('MariaDB', () => {
    it.each(MARIADB_ATTACKS)('%s', async (...attack) => {
      // A caller under grants and RLS, then Admin on a root connection.
      await refused(f.db.maria, 'analyst', attack);
      await refused(f.db.mariaRoot, 'admin', attack);
    });

    it('escapes a backtick in a caller’s schema, which then names a database that does not exist', async () => {
      const schema = 'x` UNION SELECT secret, 1 FROM secrets -- ';
      const call = (dry_run: boolean) =>
        f.call(
          'execute_sql',
          { database_id: f.db.mariaRoot, sql: 'SELECT region, 1 AS n FROM orders', schema, dry_run },
          'admin',
        );
      const dry = await call(true);
      expect(dry.executed_sql).toContain('`x`` UNION SELECT secret, 1 FROM secrets -- `.`orders`');
      expect(await failure(call(false))).toMatchObject({ error_type: 'DatabaseError' });
    });
  });

  it('lets an Admin add a database’s own functions, still out of reach of restricted callers', async () => {
    // db.pg and db.maria list public.leak and <db>.leak in extra.allowed_functions; pgFenced and mariaRoot do not.
    for (const [allowed, other, sql, name] of [
      [f.db.pg, f.db.pgFenced, 'SELECT * FROM public.leak()', 'public.leak'],
      [f.db.maria, f.db.mariaRoot, `SELECT \`${f.mariaName}\`.leak() AS s`, `${f.mariaName}.leak`],
    ] as const) {
      expect(await failure(f.call('execute_sql', { database_id: other, sql }, 'admin'))).toMatchObject({
        error_type: 'ValidationError',
        details: { rule: 'function_not_allowed', function: name },
      });
      const r = await f.call('execute_sql', { database_id: allowed, sql }, 'admin');
      expect((r.rows as Row[]).length).toBeGreaterThan(0);
      expect(await failure(f.call('execute_sql', { database_id: allowed, sql }, 'analyst'))).toMatchObject({
        error_type: 'PermissionDeniedError',
        details: { rule: 'function_schema' },
      });
    }
  });

  it('left no lock, no write and no other trace behind', async () => {
    expect(
      await f.pg("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = 42"),
    ).toEqual([{ n: 0 }]);
    expect(await f.pg('SELECT count(*)::int AS n FROM orders')).toEqual([{ n: ORDER_ROWS }]);
    expect(await f.pg('SELECT count(*)::int AS n FROM secrets')).toEqual([{ n: 1 }]);
    expect(await f.maria("SELECT IS_USED_LOCK('meridian') AS l")).toEqual([{ l: null }]);
  });
});
