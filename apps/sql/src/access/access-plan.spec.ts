import { describe, expect, it } from 'vitest';
import { PermissionDeniedError } from '@meridian/errors';
import { MysqlDialect } from '../dialects/mysql/mysql.dialect';
import { PostgresDialect } from '../dialects/postgres/postgres.dialect';
import type { SqlDialect } from '../guard/statement';
import { planAccess, type AccessInput } from './access-plan';

const pg = new PostgresDialect();
const my = new MysqlDialect();
const DATASETS = [
  { id: 1, schema: 'public', tableName: 'orders' },
  { id: 2, schema: null, tableName: 'customers' },
  { id: 3, schema: 'sales', tableName: 'targets' },
];

/** Functions an Admin added to the allow-list: they still must not reach restricted callers. */
const ADMIN_ALLOWED = {
  names: new Set(['public.leak', 'information_schema._pg_expandarray', 'examples.leak']),
  invalid: [],
};

async function plan(sql: string, over: Partial<AccessInput> = {}, dialect: SqlDialect = pg) {
  return planAccess({
    dialect,
    statement: await dialect.analyse(sql, ADMIN_ALLOWED),
    isAdmin: false,
    restricted: true,
    schema: undefined,
    databaseSchema: dialect.defaultSchema('examples'),
    datasets: DATASETS,
    readable: new Set([1, 2]),
    predicates: new Map([[1, "region = 'EMEA'"]]),
    ...over,
  });
}

async function deniedRule(sql: string, over: Partial<AccessInput> = {}, dialect: SqlDialect = pg) {
  const err = await plan(sql, over, dialect).catch((e: unknown) => e);
  expect(err, sql).toBeInstanceOf(PermissionDeniedError);
  return (err as PermissionDeniedError).details?.rule;
}

describe('planAccess', () => {
  it('lets an unrestricted caller run the statement as written', async () => {
    const p = await plan('SELECT * FROM anything', { restricted: false });
    expect(p).toEqual({ qualify: new Map(), rls: new Map(), searchPath: null, restricted: false });
    expect((await plan('SELECT 1', { restricted: false, schema: 'sales' })).searchPath).toEqual(['sales']);
  });

  it('qualifies every relation on MySQL, where connections have no default database', async () => {
    const p = await plan('SELECT * FROM t, other.u', { restricted: false }, my);
    expect([...p.qualify]).toEqual([[0, 'examples']]);
  });

  it('resolves a restricted caller’s relations to datasets, filters those with RLS, pins the search path', async () => {
    const p = await plan('SELECT * FROM orders o JOIN customers c USING (customer_id)');
    expect([...p.qualify]).toEqual([
      [0, 'public'],
      [1, 'public'],
    ]);
    expect([...p.rls]).toEqual([[0, "region = 'EMEA'"]]);
    expect(p.searchPath).toEqual(['pg_catalog']);
  });

  it('ANDs the filters of a table registered twice', async () => {
    const p = await plan('SELECT * FROM orders', {
      datasets: [...DATASETS, { id: 4, schema: null, tableName: 'orders' }],
      predicates: new Map([
        [1, 'a = 1'],
        [4, 'b = 2'],
      ]),
    });
    expect(p.rls.get(0)).toBe('(a = 1) AND (b = 2)');
  });

  it.each([
    ['an unregistered table', 'SELECT * FROM secrets', 'relation_not_permitted'],
    ['a dataset the caller may not read', 'SELECT * FROM sales.targets', 'relation_not_permitted'],
    ['a table in another schema', 'SELECT * FROM other.orders', 'relation_not_permitted'],
    [
      'a dataset through another schema',
      'SELECT * FROM orders',
      'relation_not_permitted',
      { schema: 'sales' },
    ],
    ['a user-defined function', 'SELECT public.leak() FROM orders', 'function_schema'],
    ['DML', 'DELETE FROM orders', 'dml_requires_database_access'],
  ])('refuses a restricted caller %s', async (_name, sql, rule, over: Partial<AccessInput> = {}) => {
    expect(await deniedRule(sql, over)).toBe(rule);
  });

  it.each([
    ['pg_catalog', 'SELECT * FROM pg_catalog.pg_class'],
    ['information_schema', 'SELECT * FROM information_schema.tables'],
    ['an unqualified catalog name', 'SELECT * FROM pg_user'],
    ['a catalog in a subquery', 'SELECT * FROM orders WHERE EXISTS (SELECT 1 FROM pg_stat_activity)'],
    ['an information_schema function', 'SELECT information_schema._pg_expandarray(ARRAY[1])'],
  ])('refuses %s to a non-Admin, restricted or not', async (_name, sql) => {
    expect(await deniedRule(sql)).toBe('system_schema');
    expect(await deniedRule(sql, { restricted: false })).toBe('system_schema');
  });

  it('refuses a system schema named as the default schema', async () => {
    expect(
      await deniedRule('SELECT * FROM tables', { restricted: false, schema: 'information_schema' }),
    ).toBe('system_schema');
  });

  it.each([
    ['mysql', 'SELECT * FROM mysql.user'],
    ['information_schema', 'SELECT * FROM INFORMATION_SCHEMA.TABLES'],
    ['performance_schema', 'SELECT * FROM performance_schema.threads'],
    ['sys', 'SELECT * FROM sys.processlist'],
  ])('refuses the MySQL system schema %s to a non-Admin', async (_name, sql) => {
    expect(await deniedRule(sql, { restricted: false }, my)).toBe('system_schema');
  });

  it('refuses SHOW and server variables to a non-Admin, and lets Admin use them', async () => {
    expect(await deniedRule('SHOW TABLES', { restricted: false }, my)).toBe('show_statement');
    expect(await deniedRule('SELECT @@datadir', { restricted: false }, my)).toBe('system_variable');
    await expect(plan('SHOW TABLES', { restricted: false, isAdmin: true }, my)).resolves.toBeDefined();
    await expect(plan('SELECT * FROM pg_user', { restricted: false, isAdmin: true })).resolves.toBeDefined();
  });

  it('refuses a stored function to a restricted MySQL caller', async () => {
    const datasets = [{ id: 1, schema: 'examples', tableName: 'orders' }];
    expect(
      await deniedRule('SELECT examples.leak() FROM orders', { datasets, readable: new Set([1]) }, my),
    ).toBe('function_schema');
  });
});
