import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlDialect } from '../../apps/sql/src/dialects/mysql/mysql.dialect';
import { ORDER_ROWS, failure, startSqlFixture, type SqlFixture } from './sql-harness';

describe('execute_sql on MariaDB', () => {
  let f: SqlFixture;
  const run = (
    sql: string,
    extra: Record<string, unknown> = {},
    who: Parameters<SqlFixture['call']>[2] = 'admin',
  ) => f.call('execute_sql', { database_id: f.db.maria, sql, ...extra }, who);

  beforeAll(async () => {
    f = await startSqlFixture('sql_maria');
  });
  afterAll(async () => {
    await f?.close();
  });

  it('connects with the decrypted password and answers typed columns and rows', async () => {
    const r = await run(
      'SELECT order_id, region, revenue, note, ordered_on FROM orders ORDER BY order_id LIMIT 2',
    );
    expect(r.columns).toEqual([
      { name: 'order_id', type: 'int', is_nullable: false },
      { name: 'region', type: 'varchar', is_nullable: false },
      { name: 'revenue', type: 'decimal(12,2)', is_nullable: false },
      { name: 'note', type: 'varchar', is_nullable: true },
      { name: 'ordered_on', type: 'date', is_nullable: false },
    ]);
    expect(r.rows).toEqual([
      { order_id: 1, region: 'EMEA', revenue: 10.5, note: null, ordered_on: '2024-01-01' },
      { order_id: 2, region: 'AMER', revenue: 20.5, note: null, ordered_on: '2024-01-02' },
    ]);
    expect(r.executed_sql).toBe(
      `SELECT \`order_id\`, \`region\`, \`revenue\`, \`note\`, \`ordered_on\` FROM \`${f.mariaName}\`.\`orders\` ` +
        'ORDER BY `order_id` ASC LIMIT 2',
    );
  });

  it('caps rows at limit whatever the SQL says', async () => {
    const r = await run('SELECT * FROM orders LIMIT 50', { limit: 5 });
    expect(r).toMatchObject({
      row_count: 5,
      truncated: true,
      truncation_reason: 'Result limited to 5 rows (limit)',
    });
    const all = await run('SELECT a.order_id FROM orders a UNION ALL SELECT b.order_id FROM orders b', {
      limit: 100,
    });
    expect(all).toMatchObject({ row_count: 100, truncated: true });
    expect(all.executed_sql).toMatch(/AS `meridian_result` LIMIT 101$/);
  });

  it('dry_run returns SQL that parses again', async () => {
    const r = await run('SELECT region, COUNT(*) AS n FROM orders GROUP BY region', { dry_run: true });
    expect(r).toMatchObject({ dry_run: true, rows: [] });
    expect((await new MysqlDialect().analyse(r.executed_sql as string)).kind).toBe('read');
  });

  it('cancels a query at its timeout: TimeoutError, and no thread left running it', async () => {
    const slow =
      'SELECT COUNT(*) FROM orders a, orders b, orders c, orders d, orders e WHERE a.revenue + b.revenue > c.revenue';
    const started = Date.now();
    const err = await failure(run(slow, { timeout: 1 }));
    expect(err).toMatchObject({ error_type: 'TimeoutError', details: { timeout_seconds: 1 } });
    expect(Date.now() - started).toBeLessThan(5000);
    const running = await f.maria(
      "SELECT id FROM information_schema.processlist WHERE command = 'Query' AND info LIKE '%`orders` AS `e`%' " +
        'AND id <> CONNECTION_ID()',
    );
    expect(running).toEqual([]);
  });

  it('refuses DML on a database that does not allow it, and MariaDB executable comments', async () => {
    expect(await failure(run("UPDATE orders SET note = 'x'"))).toMatchObject({
      error_type: 'ValidationError',
      details: { rule: 'dml_not_allowed' },
    });
    expect(await failure(run('SELECT 1 /*M!100000 , SLEEP(5) */'))).toMatchObject({
      error_type: 'ValidationError',
      details: { rule: 'executable_comment' },
    });
    expect(await f.maria('SELECT COUNT(*) AS n FROM orders')).toEqual([{ n: ORDER_ROWS }]);
  });

  it('answers the server’s own error as DatabaseError', async () => {
    const err = await failure(run('SELECT nope FROM orders'));
    expect(err).toMatchObject({ error_type: 'DatabaseError', details: { sqlstate: '42S22', errno: 1054 } });
    expect(err.error).toMatch(/Unknown column 'nope'/);
  });

  it('opens system schemas, SHOW and server variables to Admin only', async () => {
    for (const [sql, rule] of [
      ['SELECT * FROM information_schema.tables', 'system_schema'],
      ['SELECT * FROM mysql.user', 'system_schema'],
      ['SHOW TABLES', 'show_statement'],
      ['SELECT @@datadir', 'system_variable'],
    ]) {
      expect(await failure(run(sql, {}, 'full'))).toMatchObject({
        error_type: 'PermissionDeniedError',
        details: { rule },
      });
    }
    const r = await run(
      `SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = '${f.mariaName}'`,
    );
    expect((r.rows as { n: number }[])[0].n).toBe(3);
  });

  it('lets a caller with full database access call stored functions only schema-qualified', async () => {
    const qualified = await run(`SELECT \`${f.mariaName}\`.leak() AS s`, {}, 'full');
    expect(qualified.rows).toEqual([{ s: 'the launch code' }]);
    expect(await failure(run('SELECT leak() AS s', {}, 'full'))).toMatchObject({
      error_type: 'DatabaseError',
    });
  });
});
