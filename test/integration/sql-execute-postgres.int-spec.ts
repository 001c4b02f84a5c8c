import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolRegistry } from '@meridian/contracts';
import { SecretBox } from '@meridian/persistence';
import { PostgresDialect } from '../../apps/sql/src/dialects/postgres/postgres.dialect';
import { TEST_SECRET_KEY } from '../support/database';
import { until } from '../support/polling';
import { ORDER_ROWS, failure, startSqlFixture, type SqlFixture } from './sql-harness';

async function connectionStatus(meta: Client, id: number) {
  const { rows } = await meta.query<{ connection_error: string | null; connection_checked_at: Date | null }>(
    'SELECT connection_error, connection_checked_at FROM databases WHERE id = $1',
    [id],
  );
  return rows[0];
}

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(toolRegistry().get('execute_sql').outputSchema);

describe('execute_sql on PostgreSQL', () => {
  let f: SqlFixture;
  const run = (
    sql: string,
    extra: Record<string, unknown> = {},
    who: Parameters<SqlFixture['call']>[2] = 'admin',
  ) => f.call('execute_sql', { database_id: f.db.pg, sql, ...extra }, who);

  beforeAll(async () => {
    f = await startSqlFixture('sql_pg');
  });
  afterAll(async () => {
    await f?.close();
  });

  it('answers columns with types and nullability, typed rows and the SQL that ran', async () => {
    const r = await run(
      'SELECT order_id, region, revenue, note, ordered_on FROM orders ORDER BY order_id LIMIT 2',
    );
    expect(validate(r), ajv.errorsText(validate.errors)).toBe(true);
    expect(r.columns).toEqual([
      { name: 'order_id', type: 'integer', is_nullable: false },
      { name: 'region', type: 'character varying(16)', is_nullable: false },
      { name: 'revenue', type: 'numeric(12,2)', is_nullable: false },
      { name: 'note', type: 'character varying(64)', is_nullable: true },
      { name: 'ordered_on', type: 'date', is_nullable: false },
    ]);
    expect(r.rows).toEqual([
      { order_id: 1, region: 'EMEA', revenue: 10.5, note: null, ordered_on: '2024-01-01' },
      { order_id: 2, region: 'AMER', revenue: 20.5, note: null, ordered_on: '2024-01-02' },
    ]);
    expect(r).toMatchObject({ row_count: 2, truncated: false, truncation_reason: null, dry_run: false });
    expect(r.executed_sql).toBe(
      'SELECT * FROM ( SELECT order_id, region, revenue, note, ordered_on FROM orders ORDER BY order_id LIMIT 2 ) ' +
        'AS meridian_result LIMIT 1001',
    );
    expect(typeof r.execution_time_ms).toBe('number');
  });

  it('caps rows at limit whatever the SQL says, and says so', async () => {
    const r = await run('SELECT * FROM orders ORDER BY order_id LIMIT 50', { limit: 5 });
    expect((r.rows as unknown[]).length).toBe(5);
    expect(r).toMatchObject({
      row_count: 5,
      truncated: true,
      truncation_reason: 'Result limited to 5 rows (limit)',
    });
    const all = await run('SELECT * FROM orders', { limit: 10_000 });
    expect(all).toMatchObject({ row_count: ORDER_ROWS, truncated: false });
  });

  it('dry_run returns the SQL that would run, which parses again, and runs nothing', async () => {
    const r = await f.call(
      'execute_sql',
      { database_id: f.db.pgDml, sql: "UPDATE orders SET note = 'dry' WHERE order_id = 1", dry_run: true },
      'admin',
    );
    expect(r).toMatchObject({ dry_run: true, rows: [], row_count: 0 });
    expect(r.executed_sql).toBe("UPDATE orders SET note = 'dry' WHERE order_id = 1");
    expect((await new PostgresDialect().analyse(r.executed_sql as string)).kind).toBe('write');
    expect(await f.pg('SELECT note FROM orders WHERE order_id = 1')).toEqual([{ note: null }]);
  });

  it('runs DML only where the database allows it, and reports the rows it changed', async () => {
    expect(await failure(run('DELETE FROM orders'))).toMatchObject({
      error_type: 'ValidationError',
      details: { rule: 'dml_not_allowed' },
    });
    const r = await f.call('execute_sql', {
      database_id: f.db.pgDml,
      sql: "UPDATE orders SET note = 'checked' WHERE region = 'APAC'",
    });
    expect(r).toMatchObject({ affected_rows: ORDER_ROWS / 3, rows: [], columns: [] });
    expect(await f.pg("SELECT count(*)::int AS n FROM orders WHERE note = 'checked'")).toEqual([
      { n: ORDER_ROWS / 3 },
    ]);
    await f.pg('UPDATE orders SET note = NULL');
  });

  it('runs reads in a READ ONLY transaction, so even a writing function cannot write', async () => {
    const err = await failure(run('SELECT bump()'));
    expect(err).toMatchObject({ error_type: 'DatabaseError', details: { sqlstate: '25006' } });
    expect(err.error).toMatch(/read-only transaction/);
    expect(await f.pg('SELECT count(*)::int AS n FROM secrets')).toEqual([{ n: 1 }]);
  });

  it('cancels a query at its timeout: TimeoutError, and no backend left running it', async () => {
    const started = Date.now();
    const err = await failure(
      run('SELECT count(*) FROM generate_series(1, 2000000000) AS g(n)', { timeout: 1 }),
    );
    expect(err).toMatchObject({ error_type: 'TimeoutError', details: { timeout_seconds: 1 } });
    expect(err.error).toBe('Query exceeded its 1 s timeout and was cancelled');
    expect(Date.now() - started).toBeLessThan(5000);
    const active = await f.pg(
      "SELECT pid FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%generate_series(1, 2000000000)%' AND pid <> pg_backend_pid()",
    );
    expect(active).toEqual([]);
  });

  it('answers the database’s own error as DatabaseError, with its SQLSTATE', async () => {
    expect(await failure(run('SELECT nope FROM orders'))).toMatchObject({
      error_type: 'DatabaseError',
      error: 'column "nope" does not exist',
      details: { sqlstate: '42703' },
    });
  });

  it('tells an Admin where an unreachable database is and why, and records it for get_database_info', async () => {
    const meta = new Client({ connectionString: f.metadata.url });
    await meta.connect();
    try {
      const { rows } = await meta.query<{ id: number }>(
        `INSERT INTO databases (database_name, backend, host, port, db_name, username, password_encrypted)
         VALUES ('unreachable', 'postgresql', '127.0.0.1', 1, 'nowhere', 'someone', $1) RETURNING id`,
        [new SecretBox(TEST_SECRET_KEY).encrypt('hunter2')],
      );
      const err = await failure(f.call('execute_sql', { database_id: rows[0].id, sql: 'SELECT 1' }));
      expect(err).toMatchObject({
        error_type: 'DatabaseError',
        error:
          'Could not connect to database unreachable at 127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1. ' +
          'Check its registration with get_database_info',
        details: {
          database: 'unreachable',
          host: '127.0.0.1',
          port: 1,
          reason: 'connect ECONNREFUSED 127.0.0.1:1',
        },
      });
      expect(JSON.stringify(err)).not.toMatch(/hunter2|someone/);
      const status = await until(
        () => connectionStatus(meta, rows[0].id),
        (s) => s.connection_error !== null,
        10_000,
      );
      expect(status.connection_error).toBe('127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1');
      expect(status.connection_checked_at).toBeInstanceOf(Date);
    } finally {
      await meta.end();
    }
  });

  it('records a database it reached as reachable', async () => {
    await run('SELECT 1');
    const meta = new Client({ connectionString: f.metadata.url });
    await meta.connect();
    try {
      const status = await until(
        () => connectionStatus(meta, f.db.pg),
        (s) => s.connection_checked_at !== null,
        10_000,
      );
      expect(status.connection_error).toBeNull();
    } finally {
      await meta.end();
    }
  });

  describe('refusals', () => {
    it.each([
      [{ database_id: 999_999, sql: 'SELECT 1' }, 'database_id', /Database 999999 not found/],
      [{ database_id: 0, sql: 'SELECT 1' }, 'database_id', /database_id/],
      [{ database_id: undefined, sql: 'SELECT 1' }, 'database_id', /database_id/],
      [{ sql: '' }, 'sql', /sql/],
      [{ sql: '   ' }, 'sql', /blank/],
      [{ sql: 'SELECT 1', limit: 0 }, 'limit', /limit/],
      [{ sql: 'SELECT 1', limit: 10_001 }, 'limit', /limit/],
      [{ sql: 'SELECT 1', timeout: 0 }, 'timeout', /timeout/],
      [{ sql: 'SELECT 1', timeout: 31 }, 'timeout', /SQLLAB_TIMEOUT \(30 seconds\)/],
      [{ sql: 'SELECT 1', bogus: true }, 'bogus', /unknown field/],
    ])('refuses %j as ValidationError naming %s', async (args, field, message) => {
      const err = await failure(f.call('execute_sql', { database_id: f.db.pg, ...args }));
      expect(err).toMatchObject({ error_type: 'ValidationError', details: { field } });
      expect(err.error).toMatch(message);
    });

    it('refuses a caller without can_execute_sql_query on SQLLab', async () => {
      expect(await failure(run('SELECT 1', {}, 'nosql'))).toMatchObject({
        error_type: 'PermissionDeniedError',
        error: 'Missing permission can_execute_sql_query on SQLLab',
      });
    });

    it('refuses a database not exposed in SQL Lab, and hides one the caller cannot see', async () => {
      const hidden = f.call('execute_sql', { database_id: f.db.hidden, sql: 'SELECT 1' });
      expect(await failure(hidden)).toMatchObject({
        error_type: 'PermissionDeniedError',
        details: { rule: 'expose_in_sqllab' },
      });
      const unseen = f.call('execute_sql', { database_id: f.db.pgDml, sql: 'SELECT 1' }, 'reader');
      expect(await failure(unseen)).toMatchObject({
        error_type: 'ValidationError',
        details: { field: 'database_id' },
      });
    });

    it('names the guard rule that refused a statement', async () => {
      for (const [sql, rule] of [
        ['DROP TABLE orders', 'ddl'],
        ['SELECT pg_sleep(1)', 'function_not_allowed'],
        ['SELECT 1; SELECT 2', 'multiple_statements'],
        ['EXPLAIN ANALYZE SELECT 1', 'explain_analyze'],
        ['SET ROLE postgres', 'session_setting'],
      ]) {
        const err = await failure(run(sql));
        expect(err).toMatchObject({ error_type: 'ValidationError', details: { rule, field: 'sql' } });
        expect(err.error).toContain(`(${rule})`);
      }
      expect(await f.pg('SELECT count(*)::int AS n FROM orders')).toEqual([{ n: ORDER_ROWS }]);
    });

    it('opens system catalogs to Admin only', async () => {
      expect(await failure(run('SELECT usename FROM pg_catalog.pg_user', {}, 'full'))).toMatchObject({
        error_type: 'PermissionDeniedError',
        details: { rule: 'system_schema' },
      });
      const r = await run('SELECT count(*) AS n FROM pg_user');
      expect((r.rows as { n: number }[])[0].n).toBeGreaterThan(0);
    });

    it('lets a caller with full database access and no RLS read unregistered tables', async () => {
      const r = await run('SELECT secret FROM secrets', {}, 'full');
      expect(r.rows).toEqual([{ secret: 'the launch code' }]);
    });
  });
});
