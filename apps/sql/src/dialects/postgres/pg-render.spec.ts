import { describe, expect, it } from 'vitest';
import { PostgresDialect } from './postgres.dialect';

const dialect = new PostgresDialect();
const PREDICATE = "region = 'EMEA'";
const WRAPPED = /\( SELECT \* FROM public\.orders WHERE region = 'EMEA' OFFSET 0 \)/g;

/** Renders as for a restricted caller: every relation qualified, `orders` filtered. */
async function restricted(sql: string, maxRows: number | null = null): Promise<string> {
  const st = await dialect.analyse(sql);
  const qualify = new Map(st.relations.map((r) => [r.index, r.schema ?? 'public']));
  const rls = new Map(st.relations.filter((r) => r.name === 'orders').map((r) => [r.index, PREDICATE]));
  return dialect.render(st, { qualify, rls, maxRows });
}

const count = (sql: string, re: RegExp) => (sql.match(re) ?? []).length;
/** References to the orders table that are not the filtered subquery's own. */
const bare = (sql: string) => count(sql, /public\.orders/g) - count(sql, WRAPPED);

describe('PostgreSQL rendering with row-level security', () => {
  it.each([
    ['no alias', 'SELECT * FROM orders', 'AS orders'],
    ['an alias', 'SELECT o.region FROM orders o', 'AS o'],
    ['a column alias list', 'SELECT a FROM orders AS o(a, b)', 'AS o(a, b)'],
    ['a schema-qualified name', 'SELECT * FROM public.orders', 'AS orders'],
    ['quoted names', 'SELECT * FROM "public"."orders" "O"', 'AS "O"'],
  ])('filters a reference with %s', async (_name, sql, alias) => {
    const out = await restricted(sql);
    expect(count(out, WRAPPED)).toBe(1);
    expect(bare(out)).toBe(0);
    expect(out).toContain(`OFFSET 0 ) ${alias}`);
  });

  it.each([
    ['a join', 'SELECT * FROM orders o JOIN customers c ON c.customer_id = o.customer_id', 1],
    ['a self join', 'SELECT * FROM orders a, orders b', 2],
    ['a subquery in FROM', 'SELECT * FROM (SELECT * FROM orders) s', 1],
    [
      'a subquery in WHERE',
      'SELECT * FROM customers WHERE customer_id IN (SELECT customer_id FROM orders)',
      1,
    ],
    ['a scalar subquery', 'SELECT (SELECT count(*) FROM orders) AS n', 1],
    ['EXISTS', 'SELECT 1 WHERE EXISTS (SELECT 1 FROM orders)', 1],
    ['UNION', 'SELECT region FROM orders UNION ALL SELECT region FROM public.orders', 2],
    [
      'LATERAL',
      'SELECT * FROM customers c, LATERAL (SELECT * FROM orders o WHERE o.customer_id = c.customer_id) x',
      1,
    ],
    ['a CTE', 'WITH r AS (SELECT * FROM orders) SELECT * FROM r', 1],
    ['a CTE named like the table', 'WITH orders AS (SELECT * FROM orders) SELECT * FROM orders', 1],
    [
      'a CTE named like the table, used twice',
      'WITH orders AS (SELECT * FROM orders) SELECT * FROM orders a, orders b',
      1,
    ],
    [
      'a later CTE reading an earlier one',
      'WITH a AS (SELECT * FROM orders), b AS (SELECT * FROM a) SELECT * FROM b',
      1,
    ],
    ['a CTE inside a subquery', 'SELECT * FROM (WITH x AS (SELECT * FROM orders) SELECT * FROM x) y', 1],
    ['EXPLAIN', 'EXPLAIN SELECT * FROM orders', 1],
  ])('filters every table reference in %s', async (_name, sql, expected) => {
    const out = await restricted(sql);
    expect(count(out, WRAPPED)).toBe(expected);
    expect(bare(out)).toBe(0);
  });

  it('leaves the reference to a CTE named like the table unqualified and unfiltered', async () => {
    const out = await restricted(
      'WITH orders AS (SELECT * FROM orders WHERE quantity > 1) SELECT * FROM orders',
    );
    expect(out).toBe(
      "WITH orders AS (SELECT * FROM ( SELECT * FROM public.orders WHERE region = 'EMEA' OFFSET 0 ) AS orders " +
        'WHERE quantity > 1) SELECT * FROM orders',
    );
  });

  it('qualifies relations without a filter', async () => {
    expect(await restricted('SELECT * FROM customers c')).toBe('SELECT * FROM public.customers AS c');
  });

  it('wraps a read in the row limit, whatever its own LIMIT', async () => {
    expect(await restricted('SELECT region FROM customers LIMIT 50000', 1001)).toBe(
      'SELECT * FROM ( SELECT region FROM public.customers LIMIT 50000 ) AS meridian_result LIMIT 1001',
    );
  });

  it('produces SQL that parses again to the same relations, all filtered', async () => {
    // The WITH covers the whole UNION: only the CTE's body and the qualified name are the table.
    const sql =
      'WITH orders AS (SELECT * FROM orders) SELECT * FROM orders o JOIN public.orders p USING (order_id) ' +
      'WHERE EXISTS (SELECT 1 FROM "orders" q) UNION SELECT * FROM orders, orders';
    const out = await restricted(sql, 11);
    const again = await dialect.analyse(out);
    expect(again.kind).toBe('read');
    const tables = again.relations.filter((r) => r.name === 'orders');
    expect(tables.length).toBe(2);
    expect(tables.every((r) => r.schema === 'public')).toBe(true);
    expect(count(out, WRAPPED)).toBe(2);
  });

  it('refuses what its deparser cannot print faithfully (a CTE name that needs quotes)', async () => {
    const err = await restricted('WITH "Orders" AS (SELECT 1) SELECT * FROM orders, "Orders"').catch(
      (e: unknown) => e,
    );
    expect((err as { details?: Record<string, unknown> }).details?.rule).toBe('regeneration_mismatch');
  });

  it('refuses a predicate that is not one condition', async () => {
    const st = await dialect.analyse('SELECT * FROM orders');
    const plan = {
      qualify: new Map(),
      rls: new Map([[0, '1 = 1); DROP TABLE orders; SELECT (1']]),
      maxRows: null,
    };
    await expect(dialect.render(st, plan)).rejects.toThrow(/row-level security predicate/);
  });
});
