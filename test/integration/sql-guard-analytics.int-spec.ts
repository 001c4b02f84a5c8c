import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSqlFixture, type SqlFixture, type Who } from './sql-harness';

/**
 * Ordinary analytical SQL that the allow-list must let through: each statement runs for Admin and
 * for a caller under grants and row-level security (who sees the EMEA orders only), and returns rows.
 */
/** `adminOnly`: row-level security cannot be applied inside it, so restricted callers are refused. */
type Query = [name: string, sql: string, adminOnly?: boolean];

const PG_QUERIES: Query[] = [
  [
    'join with aggregates',
    'SELECT c.name, count(*) AS orders, sum(o.revenue) AS revenue FROM orders o JOIN customers c ON c.customer_id = o.customer_id GROUP BY c.name ORDER BY revenue DESC',
  ],
  [
    'left join and USING',
    'SELECT o.order_id, c.region FROM orders o LEFT JOIN customers c USING (customer_id) ORDER BY 1',
  ],
  [
    'window functions',
    'SELECT order_id, revenue, row_number() OVER w, rank() OVER w, sum(revenue) OVER (PARTITION BY region ORDER BY ordered_on ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS moving, lag(revenue) OVER w, first_value(order_id) OVER w, ntile(4) OVER w, percent_rank() OVER w FROM orders WINDOW w AS (ORDER BY revenue DESC)',
  ],
  [
    'CTEs',
    'WITH daily AS (SELECT ordered_on, sum(revenue) AS total FROM orders GROUP BY ordered_on), ranked AS (SELECT *, dense_rank() OVER (ORDER BY total DESC) AS r FROM daily) SELECT * FROM ranked WHERE r <= 5',
  ],
  [
    'recursive CTE',
    'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5) SELECT i, i * i AS sq FROM n',
  ],
  [
    'JSON building and access',
    "SELECT json_build_object('id', order_id, 'region', region) AS j, to_jsonb(o) ->> 'status' AS status, jsonb_build_array(1, 'a') -> 1 AS second, (jsonb_build_object('a', jsonb_build_object('b', 2)) #>> '{a,b}')::int AS b FROM orders o",
  ],
  [
    'JSON aggregation and expansion',
    'SELECT jsonb_agg(order_id ORDER BY order_id) AS ids, json_object_agg(order_id, revenue) AS m, (SELECT count(*) FROM jsonb_each(\'{"a": 1, "b": 2}\'::jsonb)) AS keys FROM orders',
  ],
  [
    'JSON record sets and attribute access on an allowed function',
    'SELECT (jsonb_each(to_jsonb(o))).key, t.* FROM orders o, jsonb_to_record(to_jsonb(o)) AS t(order_id int, region text) WHERE o.order_id < 5',
  ],
  ['a whole row as JSON', 'SELECT row_to_json(o) AS r, o.row_to_json AS same FROM orders o'],
  [
    'date math',
    "SELECT date_trunc('month', ordered_on) AS month, ordered_on + interval '7 days' AS week_later, ordered_on - date '2023-12-25' AS days, extract(dow FROM ordered_on) AS dow, date_part('doy', ordered_on) AS doy, age(timestamp '2025-01-01', ordered_on::timestamp) AS age, to_char(ordered_on, 'YYYY-MM') AS ym, make_date(2024, 1, 1) AS d, now() - ordered_on::timestamptz AS since, ordered_on::timestamp AT TIME ZONE 'UTC' AS utc, current_date - ordered_on AS ago FROM orders",
  ],
  [
    'generate_series of dates',
    "SELECT d::date AS day FROM generate_series(date '2024-01-01', date '2024-01-07', interval '1 day') AS g(d)",
  ],
  [
    'CASE, COALESCE, NULLIF, GREATEST and LEAST',
    "SELECT CASE WHEN revenue > 300 THEN 'big' WHEN revenue > 100 THEN 'mid' ELSE 'small' END AS size, COALESCE(note, 'none') AS note, NULLIF(status, 'shipped') AS odd, GREATEST(revenue, 100), LEAST(revenue, 100) FROM orders",
  ],
  [
    'string functions',
    "SELECT upper(region) || '-' || lower(status) AS tag, concat_ws('/', region, status), substring(status FROM 1 FOR 3), trim('  x  '), split_part('a.b.c', '.', 2), regexp_replace(status, '[aeiou]', '', 'g'), lpad(order_id::text, 5, '0'), format('%s:%s', region, order_id), length(status), position('p' IN status), initcap(status), md5(region), left(region, 2), replace(status, 's', 'S'), reverse(region) FROM orders",
  ],
  [
    'pattern matching',
    "SELECT * FROM orders WHERE status LIKE 'ship%' AND region ILIKE 'e%' AND status ~ '^s' AND status SIMILAR TO 's(hipped|ent)' AND region NOT IN ('X', 'Y') AND revenue BETWEEN 0 AND 1000 AND note IS NULL AND region IS DISTINCT FROM 'AMER'",
  ],
  [
    'DISTINCT ON',
    'SELECT DISTINCT ON (region) region, order_id, revenue FROM orders ORDER BY region, revenue DESC',
  ],
  [
    'LATERAL',
    'SELECT c.name, top.order_id FROM customers c CROSS JOIN LATERAL (SELECT order_id FROM orders o WHERE o.customer_id = c.customer_id ORDER BY revenue DESC LIMIT 2) AS top',
  ],
  [
    'GROUPING SETS, ROLLUP and CUBE',
    'SELECT region, status, count(*), grouping(region, status) FROM orders GROUP BY GROUPING SETS ((region, status), (region), ())',
  ],
  ['ROLLUP', 'SELECT region, status, sum(revenue) FROM orders GROUP BY ROLLUP (region, status)'],
  ['CUBE', 'SELECT region, status, avg(revenue)::numeric(10, 2) FROM orders GROUP BY CUBE (region, status)'],
  [
    'ordered-set and filtered aggregates',
    "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY revenue) AS median, mode() WITHIN GROUP (ORDER BY status) AS common, count(*) FILTER (WHERE status = 'cancelled') AS cancelled, stddev(revenue), bool_and(revenue > 0), string_agg(DISTINCT status, ',' ORDER BY status), array_agg(order_id ORDER BY order_id) AS ids FROM orders",
  ],
  [
    'arrays',
    "SELECT unnest(ARRAY[1, 2, 3]) AS n, array_length(ARRAY['a', 'b'], 1), cardinality(ARRAY[1]), array_to_string(ARRAY['a', 'b'], ',') , 2 = ANY (ARRAY[1, 2]) AS has",
  ],
  [
    'subqueries and set operations',
    'SELECT region FROM orders WHERE customer_id IN (SELECT customer_id FROM customers) AND EXISTS (SELECT 1 FROM customers c WHERE c.customer_id = orders.customer_id) UNION SELECT region FROM customers INTERSECT SELECT region FROM orders',
  ],
  [
    'EXCEPT, VALUES and casts',
    "SELECT * FROM (VALUES (1, 'a'::text), (2, 'b')) AS v(n, s) EXCEPT SELECT 3, 'c'",
  ],
  [
    'numeric math and casts',
    'SELECT round(avg(revenue), 2) AS avg, ceil(max(revenue)), floor(min(revenue)), abs(-1), power(2, 10), sqrt(16.0), mod(7, 3), log(100), revenue::int % 7 AS m, revenue::float8 / 3 AS third, width_bucket(revenue, 0, 1000, 10) FROM orders GROUP BY revenue',
  ],
  [
    'paging and ordering',
    'SELECT order_id FROM orders ORDER BY revenue DESC NULLS LAST, order_id OFFSET 1 FETCH FIRST 5 ROWS ONLY',
  ],
  ['TABLESAMPLE', 'SELECT count(*) FROM orders TABLESAMPLE BERNOULLI (100) REPEATABLE (1)', true],
  [
    'a schema-qualified built-in',
    'SELECT pg_catalog.upper(region), pg_catalog.count(*) FROM orders GROUP BY 1',
  ],
  [
    'qualified columns named like allowed functions',
    'SELECT c.name, o.region, o.status FROM orders o JOIN customers c ON c.customer_id = o.customer_id',
  ],
  [
    'current date and time',
    'SELECT current_date, current_timestamp, localtimestamp, now() FROM orders LIMIT 1',
  ],
];

const MARIADB_QUERIES: Query[] = [
  [
    'join with aggregates',
    'SELECT c.name, COUNT(*) AS orders, SUM(o.revenue) AS revenue FROM orders o JOIN customers c ON c.customer_id = o.customer_id GROUP BY c.name ORDER BY revenue DESC',
  ],
  [
    'window functions',
    'SELECT order_id, ROW_NUMBER() OVER (ORDER BY revenue DESC) AS rn, SUM(revenue) OVER (PARTITION BY region ORDER BY ordered_on) AS running, LAG(revenue) OVER (ORDER BY order_id) AS prev FROM orders',
  ],
  [
    'CTEs',
    'WITH daily AS (SELECT ordered_on, SUM(revenue) AS total FROM orders GROUP BY ordered_on) SELECT * FROM daily ORDER BY total DESC',
  ],
  [
    'recursive CTE',
    'WITH RECURSIVE n AS (SELECT 1 AS i UNION ALL SELECT i + 1 FROM n WHERE i < 5) SELECT * FROM n',
  ],
  [
    'JSON',
    "SELECT JSON_OBJECT('id', order_id, 'region', region) AS j, JSON_EXTRACT(JSON_OBJECT('a', revenue), '$.a') AS a, JSON_ARRAYAGG(order_id) AS ids FROM orders GROUP BY order_id, region, revenue",
  ],
  [
    'date math',
    "SELECT DATE_FORMAT(ordered_on, '%Y-%m') AS ym, DATE_ADD(ordered_on, INTERVAL 7 DAY) AS later, DATEDIFF(ordered_on, '2023-12-25') AS days, EXTRACT(YEAR FROM ordered_on) AS y, DAYOFWEEK(ordered_on) AS dow, LAST_DAY(ordered_on) AS eom, TIMESTAMPDIFF(DAY, ordered_on, '2025-01-01') AS d FROM orders",
  ],
  [
    'CASE and conditionals',
    "SELECT CASE WHEN revenue > 300 THEN 'big' ELSE 'small' END AS size, IF(`status` = 'shipped', 1, 0) AS shipped, IFNULL(note, 'none') AS note, COALESCE(note, region) AS c, NULLIF(`status`, 'shipped') AS odd, GREATEST(revenue, 100) AS g FROM orders",
  ],
  [
    'string functions',
    "SELECT CONCAT(UPPER(region), '-', LOWER(`status`)) AS tag, SUBSTRING(`status`, 1, 3) AS s, REPLACE(`status`, 's', 'S') AS r, LPAD(order_id, 5, '0') AS p, TRIM('  x ') AS t, LENGTH(`status`) AS l, LOCATE('p', `status`) AS pos, CONCAT_WS('/', region, `status`) AS w FROM orders",
  ],
  [
    'pattern matching and ranges',
    "SELECT * FROM orders WHERE `status` LIKE 'ship%' AND `status` REGEXP '^s' AND revenue BETWEEN 0 AND 1000 AND region NOT IN ('X') AND note IS NULL",
  ],
  [
    'GROUP_CONCAT and DISTINCT',
    "SELECT region, GROUP_CONCAT(DISTINCT `status` ORDER BY `status` SEPARATOR ',') AS s, COUNT(DISTINCT customer_id) AS c FROM orders GROUP BY region",
  ],
  [
    'subqueries and UNION',
    'SELECT region FROM orders WHERE customer_id IN (SELECT customer_id FROM customers) UNION ALL SELECT region FROM customers',
  ],
  [
    'numeric math',
    'SELECT ROUND(AVG(revenue), 2) AS a, CEIL(MAX(revenue)) AS c, FLOOR(MIN(revenue)) AS f, MOD(7, 3) AS m, POW(2, 10) AS p FROM orders',
  ],
  ['paging', 'SELECT order_id FROM orders ORDER BY revenue DESC LIMIT 5 OFFSET 1'],
];

describe('ordinary analytical SQL under the allow-list', () => {
  let f: SqlFixture;

  beforeAll(async () => {
    f = await startSqlFixture('sql_analytics');
  });
  afterAll(async () => {
    await f?.close();
  });

  async function runs(databaseId: number, who: Who, sql: string): Promise<void> {
    const r = await f.call('execute_sql', { database_id: databaseId, sql }, who).catch((err: unknown) => {
      throw new Error(`${who}: ${JSON.stringify(err)}`);
    });
    expect((r.rows as unknown[]).length, `${who}: ${String(r.executed_sql)}`).toBeGreaterThan(0);
  }

  describe('PostgreSQL', () => {
    it.each(PG_QUERIES)('%s', async (_name, sql, adminOnly) => {
      await runs(f.db.pg, 'admin', sql);
      if (!adminOnly) await runs(f.db.pg, 'analyst', sql);
    });
  });

  describe('MariaDB', () => {
    it.each(MARIADB_QUERIES)('%s', async (_name, sql) => {
      await runs(f.db.maria, 'admin', sql);
      await runs(f.db.maria, 'analyst', sql);
    });
  });
});
