import { describe, expect, it } from 'vitest';
import { MysqlDialect } from './mysql.dialect';

const dialect = new MysqlDialect();
const WRAPPED = /\(SELECT \* FROM `examples`\.`orders` WHERE \(`region` = 'EMEA'\) LIMIT 9007199254740991\)/g;

/** Renders as for a restricted caller: every relation qualified, `orders` filtered. */
async function restricted(sql: string, maxRows: number | null = null): Promise<string> {
  const st = await dialect.analyse(sql);
  const qualify = new Map(st.relations.map((r) => [r.index, r.schema ?? 'examples']));
  const rls = new Map(
    st.relations.filter((r) => r.name === 'orders').map((r) => [r.index, "region = 'EMEA'"]),
  );
  return dialect.render(st, { qualify, rls, maxRows });
}

const count = (sql: string, re: RegExp) => (sql.match(re) ?? []).length;
const bare = (sql: string) => count(sql, /`examples`\.`orders`/g) - count(sql, WRAPPED);

describe('MySQL rendering with row-level security', () => {
  it.each([
    ['no alias', 'SELECT * FROM orders', 'AS `orders`'],
    ['an alias', 'SELECT o.region FROM orders o', 'AS `o`'],
    ['a database-qualified name', 'SELECT * FROM examples.orders', 'AS `orders`'],
    ['backquoted names', 'SELECT * FROM `examples`.`orders` AS `O`', 'AS `O`'],
  ])('filters a reference with %s', async (_name, sql, alias) => {
    const out = await restricted(sql);
    expect(count(out, WRAPPED)).toBe(1);
    expect(bare(out)).toBe(0);
    expect(out).toContain(`9007199254740991) ${alias}`);
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
    ['a scalar subquery', 'SELECT (SELECT COUNT(*) FROM orders) AS n', 1],
    ['UNION', 'SELECT region FROM orders UNION ALL SELECT region FROM examples.orders', 2],
    ['a CTE', 'WITH r AS (SELECT * FROM orders) SELECT * FROM r', 1],
    ['a CTE named like the table', 'WITH orders AS (SELECT * FROM orders) SELECT * FROM orders', 1],
    ['EXPLAIN', 'EXPLAIN SELECT * FROM orders', 1],
  ])('filters every table reference in %s', async (_name, sql, expected) => {
    const out = await restricted(sql);
    expect(count(out, WRAPPED)).toBe(expected);
    expect(bare(out)).toBe(0);
  });

  it('qualifies every relation: connections have no default database', async () => {
    expect(await restricted('SELECT * FROM customers c')).toBe('SELECT * FROM `examples`.`customers` AS `c`');
  });

  it.each([
    ['INSERT', 'INSERT INTO t (a) VALUES (1)', 'INSERT INTO `examples`.`t` (a) VALUES (1)'],
    ['UPDATE', 'UPDATE t SET a = 1 WHERE b = 2', 'UPDATE `examples`.`t` SET `a` = 1 WHERE `b` = 2'],
    ['DELETE', 'DELETE FROM t WHERE a = 1', 'DELETE FROM `examples`.`t` WHERE `a` = 1'],
  ])('qualifies the target of %s', async (_name, sql, expected) => {
    const st = await dialect.analyse(sql);
    const qualify = new Map(st.relations.map((r) => [r.index, r.schema ?? 'examples']));
    expect(await dialect.render(st, { qualify, rls: new Map(), maxRows: null })).toBe(expected);
  });

  it('caps the row limit in place, keeping a smaller one', async () => {
    expect(await restricted('SELECT region FROM customers', 1001)).toBe(
      'SELECT `region` FROM `examples`.`customers` LIMIT 1001',
    );
    expect(await restricted('SELECT region FROM customers LIMIT 50000', 1001)).toMatch(/LIMIT 1001$/);
    expect(await restricted('SELECT region FROM customers LIMIT 10, 50000', 1001)).toMatch(/LIMIT 10, 1001$/);
    expect(await restricted('SELECT region FROM customers LIMIT 5', 1001)).toMatch(/LIMIT 5$/);
  });

  it('wraps a UNION in the row limit', async () => {
    expect(await restricted('SELECT a FROM t UNION SELECT b FROM u LIMIT 50000', 11)).toBe(
      'SELECT * FROM (SELECT `a` FROM `examples`.`t` UNION SELECT `b` FROM `examples`.`u` LIMIT 50000) ' +
        'AS `meridian_result` LIMIT 11',
    );
  });

  it('produces SQL that parses again to the same relations', async () => {
    const out = await restricted(
      'WITH orders AS (SELECT * FROM orders) SELECT * FROM orders o, examples.orders p',
      11,
    );
    const again = await dialect.analyse(out);
    expect(again.relations.filter((r) => r.name === 'orders').every((r) => r.schema === 'examples')).toBe(
      true,
    );
    expect(count(out, WRAPPED)).toBe(2);
  });

  it('refuses a join group it could not print back faithfully', async () => {
    const err = await restricted(
      'SELECT * FROM t LEFT JOIN (orders JOIN v ON orders.a = v.a) ON t.a = orders.a',
    ).catch((e: unknown) => e);
    expect((err as { details?: Record<string, unknown> }).details?.rule).toBe('regeneration_mismatch');
  });
});
