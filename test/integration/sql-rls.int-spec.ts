import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORDER_ROWS, failure, startSqlFixture, type SqlFixture } from './sql-harness';

type Row = Record<string, unknown>;
/** A query and what a caller filtered to EMEA must get: a row count, or the error type and rule. */
type Case = [name: string, sql: string, expected: number | [string, string?]];

const EMEA = ORDER_ROWS / 3;

const COMMON: Case[] = [
  ['a plain read', 'SELECT * FROM orders', EMEA],
  ['an alias', 'SELECT o.region FROM orders o', EMEA],
  ['a count', 'SELECT COUNT(*) AS n FROM orders', 1],
  ['a GROUP BY over regions', 'SELECT region, COUNT(*) AS n FROM orders GROUP BY region', 1],
  ['an OR that would widen the filter', "SELECT * FROM orders WHERE region = 'AMER' OR 1 = 1", EMEA],
  ['a subquery in FROM', 'SELECT * FROM (SELECT * FROM orders) s', EMEA],
  ['a subquery in WHERE', 'SELECT * FROM customers WHERE customer_id IN (SELECT customer_id FROM orders)', 2],
  ['a scalar subquery', 'SELECT (SELECT COUNT(*) FROM orders) AS n', 1],
  ['a CTE', 'WITH r AS (SELECT * FROM orders) SELECT * FROM r', EMEA],
  ['a CTE named like the table', 'WITH orders AS (SELECT * FROM orders) SELECT * FROM orders', EMEA],
  ['a join', 'SELECT o.region, c.name FROM orders o JOIN customers c ON c.customer_id = o.customer_id', EMEA],
  ['a self join', 'SELECT a.region FROM orders a JOIN orders b ON a.order_id = b.order_id', EMEA],
  ['UNION', 'SELECT region FROM orders UNION ALL SELECT region FROM orders', 2 * EMEA],
  ['an unregistered table', 'SELECT * FROM secrets', ['PermissionDeniedError', 'relation_not_permitted']],
  ['DML', 'DELETE FROM orders', ['ValidationError', 'dml_not_allowed']],
];

const POSTGRES: Case[] = [
  ['a schema-qualified name', 'SELECT * FROM public.orders', EMEA],
  ['quoted names', 'SELECT * FROM "public"."orders" AS "O"', EMEA],
  ['upper-case unquoted name', 'SELECT * FROM ORDERS', EMEA],
  ['TABLE', 'TABLE orders', EMEA],
  [
    'LATERAL',
    'SELECT x.region FROM customers c, LATERAL (SELECT * FROM orders o WHERE o.customer_id = c.customer_id) x',
    EMEA,
  ],
  [
    'a predicate that errors on hidden rows',
    "SELECT * FROM orders WHERE CASE WHEN region <> 'EMEA' THEN 1 / (order_id - order_id) ELSE 1 END = 1",
    EMEA,
  ],
  ['a view over the table', 'SELECT * FROM orders_view', ['PermissionDeniedError', 'relation_not_permitted']],
  ['a system catalog', 'SELECT * FROM pg_catalog.pg_class', ['PermissionDeniedError', 'system_schema']],
  [
    'pg_stats, which holds sampled values',
    'SELECT * FROM pg_stats',
    ['PermissionDeniedError', 'system_schema'],
  ],
  [
    'a function reading the table',
    'SELECT * FROM public.leak()',
    ['PermissionDeniedError', 'function_schema'],
  ],
  ['an unqualified function reading the table', 'SELECT * FROM leak()', ['DatabaseError']],
  [
    'dynamic SQL',
    "SELECT query_to_xml('SELECT * FROM orders', true, false, '')",
    ['ValidationError', 'function_not_allowed'],
  ],
  [
    'dynamic SQL through ts_stat',
    "SELECT * FROM ts_stat('SELECT to_tsvector(region) FROM orders')",
    ['ValidationError', 'function_not_allowed'],
  ],
  [
    'a table read as XML',
    "SELECT table_to_xml('orders', true, false, '')",
    ['ValidationError', 'function_not_allowed'],
  ],
  [
    'a data-changing CTE',
    'WITH d AS (DELETE FROM orders RETURNING *) SELECT * FROM d',
    ['ValidationError', 'data_changing_cte'],
  ],
  ['SET ROLE', 'SET ROLE postgres', ['ValidationError', 'session_setting']],
];

const MARIADB: Case[] = [
  ['a database-qualified name', 'SELECT * FROM {db}.orders', EMEA],
  ['backquoted names', 'SELECT * FROM `{db}`.`orders` AS `O`', EMEA],
  [
    'a stored function reading the table',
    'SELECT {db}.leak() AS s',
    ['PermissionDeniedError', 'function_schema'],
  ],
  ['an unqualified stored function', 'SELECT leak() AS s', ['DatabaseError']],
  ['a system schema', 'SELECT * FROM information_schema.tables', ['PermissionDeniedError', 'system_schema']],
  [
    'an executable comment',
    'SELECT * FROM orders /*!50000 UNION SELECT * FROM secrets */',
    ['ValidationError', 'executable_comment'],
  ],
  ['SLEEP', 'SELECT SLEEP(5) FROM orders', ['ValidationError', 'function_not_allowed']],
];

describe('row-level security on raw SQL', () => {
  let f: SqlFixture;

  beforeAll(async () => {
    f = await startSqlFixture('sql_rls');
  });
  afterAll(async () => {
    await f?.close();
  });

  async function check(databaseId: number, sql: string, expected: Case[2]): Promise<void> {
    const call = f.call(
      'execute_sql',
      { database_id: databaseId, sql: sql.replace(/\{db\}/g, f.mariaName) },
      'analyst',
    );
    if (typeof expected === 'number') {
      const r = await call;
      const rows = r.rows as Row[];
      expect(rows.length, String(r.executed_sql)).toBe(expected);
      for (const row of rows) {
        if ('region' in row) expect(row.region).toBe('EMEA');
        if ('n' in row) expect(row.n).toBe(EMEA);
      }
      return;
    }
    const [type, rule] = expected;
    const err = await failure(call);
    expect(err.error_type, JSON.stringify(err)).toBe(type);
    if (rule) expect((err.details as Row).rule).toBe(rule);
  }

  describe('PostgreSQL', () => {
    it.each([...COMMON, ...POSTGRES])('%s', async (_name, sql, expected) => {
      await check(f.db.pg, sql, expected);
    });
  });

  describe('MariaDB', () => {
    it.each([...COMMON, ...MARIADB])('%s', async (_name, sql, expected) => {
      await check(f.db.maria, sql, expected);
    });
  });

  it('shows the filter in the SQL that runs', async () => {
    const r = await f.call(
      'execute_sql',
      { database_id: f.db.pg, sql: 'SELECT * FROM orders o', dry_run: true },
      'analyst',
    );
    expect(r.executed_sql).toBe(
      "SELECT * FROM ( SELECT * FROM ( SELECT * FROM public.orders WHERE region = 'EMEA' OFFSET 0 ) AS o ) " +
        'AS meridian_result LIMIT 1001',
    );
  });

  it('lets a caller granted one dataset read all of it, and nothing else', async () => {
    const all = await f.call('execute_sql', { database_id: f.db.pg, sql: 'SELECT * FROM orders' }, 'reader');
    expect((all.rows as Row[]).length).toBe(ORDER_ROWS);
    const other = f.call('execute_sql', { database_id: f.db.pg, sql: 'SELECT * FROM customers' }, 'reader');
    expect(await failure(other)).toMatchObject({ details: { rule: 'relation_not_permitted' } });
  });

  it('changed no data through the corpus', async () => {
    expect(await f.pg('SELECT count(*)::int AS n FROM orders')).toEqual([{ n: ORDER_ROWS }]);
    expect(await f.maria('SELECT COUNT(*) AS n FROM orders')).toEqual([{ n: ORDER_ROWS }]);
  });
});
