import { describe, expect, it } from 'vitest';
import type { QueryDatasetRequest } from '@meridian/contracts';
import { ValidationError } from '@meridian/errors';
import { MysqlDialect } from '../dialects/mysql/mysql.dialect';
import { PostgresDialect } from '../dialects/postgres/postgres.dialect';
import { compileDatasetQuery } from './query-compiler';
import type { QueryableDataset } from './queryable-dataset';
import { MYSQL_QUERY, POSTGRES_QUERY } from './query-dialect';

const ORDERS: QueryableDataset = {
  tableName: 'orders',
  schema: 'public',
  sql: null,
  mainDttmCol: 'order_date',
  columns: [
    { name: 'order_date', type: 'DATE', isDttm: true, expression: null },
    { name: 'region', type: 'TEXT', isDttm: false, expression: null },
    { name: 'status', type: 'TEXT', isDttm: false, expression: null },
    { name: 'revenue', type: 'NUMERIC(12,2)', isDttm: false, expression: null },
    { name: 'quantity', type: 'INTEGER', isDttm: false, expression: null },
    { name: 'big_order', type: 'BOOLEAN', isDttm: false, expression: 'revenue > 1000' },
  ],
  metrics: [
    { name: 'count', expression: 'COUNT(*)' },
    { name: 'total_revenue', expression: 'SUM(revenue)' },
  ],
};

const q = (over: Partial<QueryDatasetRequest>) => ({ dataset_id: 1, ...over });

function failure(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return err as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('compileDatasetQuery', () => {
  const request = q({
    columns: ['region'],
    metrics: [
      { name: 'revenue', aggregate: 'SUM' },
      { name: 'count', saved_metric: true, label: 'Orders' },
      { name: 'region', aggregate: 'COUNT_DISTINCT' },
    ],
    filters: [
      { column: 'status', op: 'IN', value: ['shipped', 'delivered'] },
      { column: 'region', op: 'ILIKE', value: "e%' OR 1=1 --" },
      { column: 'quantity', op: '!=', value: 3 },
      { column: 'status', op: 'IS NOT NULL' },
    ],
    time_grain: 'P1M',
    order_by: [{ name: 'SUM(revenue)', direction: 'desc' }, { name: 'order_date' }],
    row_limit: 10,
  });

  it('writes PostgreSQL with quoted names, placeholders, a time grain and ordinals', () => {
    const c = compileDatasetQuery(ORDERS, request, POSTGRES_QUERY, null, 10);
    expect(c.sql).toBe(
      `SELECT CAST(date_trunc('month', "order_date") AS date) AS "order_date", "region" AS "region", ` +
        'SUM("revenue") AS "SUM(revenue)", COUNT(*)\n AS "Orders", ' +
        'COUNT(DISTINCT "region") AS "COUNT_DISTINCT(region)" FROM "public"."orders" ' +
        'WHERE "status" IN ($1, $2) AND "region" ILIKE $3 AND "quantity" <> $4 AND "status" IS NOT NULL ' +
        'GROUP BY 1, 2 ORDER BY 3 DESC, 1 ASC LIMIT 11',
    );
    expect(c.params).toEqual(['shipped', 'delivered', "e%' OR 1=1 --", 3]);
    expect(c.labels).toEqual(['order_date', 'region', 'SUM(revenue)', 'Orders', 'COUNT_DISTINCT(region)']);
  });

  it('writes MySQL with backquotes, ? placeholders and its own grain and ILIKE', () => {
    const c = compileDatasetQuery({ ...ORDERS, schema: 'shop' }, request, MYSQL_QUERY, null, 10);
    expect(c.sql).toContain(
      'SELECT DATE(DATE_SUB(`order_date`, INTERVAL (DAYOFMONTH(`order_date`) - 1) DAY)) AS `order_date`',
    );
    expect(c.sql).toContain(
      'FROM `shop`.`orders` WHERE `status` IN (?, ?) AND LOWER(`region`) LIKE LOWER(?) AND `quantity` <> ?',
    );
    expect(c.params).toEqual(['shipped', 'delivered', "e%' OR 1=1 --", 3]);
  });

  it.each([
    ['PostgreSQL', POSTGRES_QUERY, new PostgresDialect()],
    ['MySQL', MYSQL_QUERY, new MysqlDialect()],
  ] as const)('compiles %s the guard accepts as one read, every grain included', async (_n, qd, dialect) => {
    for (const grain of ['PT1M', 'PT1H', 'P1D', 'P1W', 'P1M', 'P3M', 'P1Y'] as const) {
      const c = compileDatasetQuery(ORDERS, { ...request, time_grain: grain }, qd, "region = 'EMEA'", 5);
      const statement = await dialect.analyse(c.sql);
      expect(statement.kind).toBe('read');
      const rendered = await dialect.render(statement, { qualify: new Map(), rls: new Map(), maxRows: null });
      expect(rendered).not.toContain('OR 1=1');
    }
  });

  it('fences the source with the row-level security predicate', () => {
    const pg = compileDatasetQuery(ORDERS, q({ columns: ['region'] }), POSTGRES_QUERY, "region = 'EMEA'", 5);
    expect(pg.sql).toBe(
      'SELECT "region" AS "region" FROM (SELECT * FROM "public"."orders" WHERE (region = \'EMEA\'\n) OFFSET 0) ' +
        'AS "orders" LIMIT 6',
    );
    const my = compileDatasetQuery(ORDERS, q({ columns: ['region'] }), MYSQL_QUERY, "region = 'EMEA'", 5);
    expect(my.sql).toContain("WHERE (region = 'EMEA'\n) LIMIT 9007199254740991) AS `orders`");
  });

  it('reads a virtual dataset through its SQL, and calculated columns through their expression', () => {
    const virtual = { ...ORDERS, sql: 'SELECT * FROM orders -- all of them\n; ' };
    const c = compileDatasetQuery(virtual, q({ columns: ['big_order'] }), POSTGRES_QUERY, null, 5);
    expect(c.sql).toBe(
      'SELECT (revenue > 1000\n) AS "big_order" FROM (SELECT * FROM orders -- all of them\n) AS "orders" LIMIT 6',
    );
  });

  it('returns plain rows without metrics, ordered by any column', () => {
    const c = compileDatasetQuery(
      ORDERS,
      q({ columns: ['region', 'revenue'], order_by: [{ name: 'quantity', direction: 'desc' }] }),
      POSTGRES_QUERY,
      null,
      100,
    );
    expect(c.sql).toBe(
      'SELECT "region" AS "region", "revenue" AS "revenue" FROM "public"."orders" ORDER BY "quantity" DESC LIMIT 101',
    );
  });

  it('quotes names and labels however they are spelt', () => {
    const odd = { ...ORDERS, columns: [{ name: 'we"ird`', type: 'TEXT', isDttm: false, expression: null }] };
    const c = compileDatasetQuery(
      odd,
      q({ metrics: [{ name: 'we"ird`', aggregate: 'MAX', label: "it's; DROP TABLE x" }] }),
      POSTGRES_QUERY,
      null,
      1,
    );
    expect(c.sql).toBe('SELECT MAX("we""ird`") AS "it\'s; DROP TABLE x" FROM "public"."orders" LIMIT 2');
    const m = compileDatasetQuery(odd, q({ columns: ['we"ird`'] }), MYSQL_QUERY, null, 1);
    expect(m.sql).toBe('SELECT `we"ird``` AS `we"ird``` FROM `public`.`orders` LIMIT 2');
  });

  it.each([
    ['an unknown column', q({ columns: ['revenu'] }), 'columns[0]', ['revenue']],
    ['a column with SQL in it', q({ columns: ['region; DROP TABLE orders'] }), 'columns[0]', ['region']],
    [
      'an unknown group_by',
      q({ metrics: [{ name: 'count' }], group_by: ['Region'] }),
      'group_by[0]',
      ['region'],
    ],
    [
      'an unknown filter column',
      q({ columns: ['region'], filters: [{ column: 'stat', op: '=', value: 1 }] }),
      'filters[0].column',
      ['status'],
    ],
    [
      'an unknown metric column',
      q({ metrics: [{ name: 'revenue)', aggregate: 'SUM' }] }),
      'metrics[0].name',
      ['revenue'],
    ],
    [
      'an unknown saved metric',
      q({ metrics: [{ name: 'total_revenu', saved_metric: true }] }),
      'metrics[0].name',
      ['total_revenue'],
    ],
    [
      'an unknown order',
      q({ columns: ['region'], metrics: [{ name: 'count' }], order_by: [{ name: 'cnt' }] }),
      'order_by[0].name',
      ['count'],
    ],
    [
      'an unknown time column',
      q({ columns: ['region'], time_grain: 'P1D', time_column: 'order_dat' }),
      'time_column',
      ['order_date'],
    ],
  ])('refuses %s, naming the field and suggesting names', (_name, request, field, suggestions) => {
    const err = failure(() => compileDatasetQuery(ORDERS, request, POSTGRES_QUERY, null, 10));
    expect(err.details).toMatchObject({ field, suggestions });
    expect(err.message).toMatch(/did you mean/);
  });

  it.each([
    ['nothing to return', q({}), 'columns'],
    [
      'an aggregate on a saved metric',
      q({ metrics: [{ name: 'count', saved_metric: true, aggregate: 'SUM' }] }),
      'metrics[0].aggregate',
    ],
    ['a column metric without aggregate', q({ metrics: [{ name: 'revenue' }] }), 'metrics[0].aggregate'],
    ['* with SUM', q({ metrics: [{ name: '*', aggregate: 'SUM' }] }), 'metrics[0].aggregate'],
    [
      'a grain on a text column',
      q({ columns: ['region'], time_grain: 'P1D', time_column: 'region' }),
      'time_column',
    ],
    ['a time column without grain', q({ columns: ['region'], time_column: 'order_date' }), 'time_grain'],
    [
      'two outputs with one name',
      q({ columns: ['region'], metrics: [{ name: 'count', label: 'region' }] }),
      'metrics[0].label',
    ],
    [
      'IN without a list',
      q({ columns: ['region'], filters: [{ column: 'region', op: 'IN', value: 'EMEA' }] }),
      'filters[0].value',
    ],
    [
      '= with null',
      q({ columns: ['region'], filters: [{ column: 'region', op: '=', value: null }] }),
      'filters[0].value',
    ],
    [
      'a column not grouped by in order_by',
      q({ metrics: [{ name: 'count' }], order_by: [{ name: 'region' }] }),
      'order_by[0].name',
    ],
  ])('refuses %s', (_name, request, field) => {
    const err = failure(() => compileDatasetQuery(ORDERS, request, POSTGRES_QUERY, null, 10));
    expect(err.details?.field).toBe(field);
  });
});
