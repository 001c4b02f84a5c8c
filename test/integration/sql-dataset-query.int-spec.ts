import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolRegistry } from '@meridian/contracts';
import { failure } from './sql-harness';
import { startDatasetFixture, type DatasetFixture, type Engine } from './dataset-query-harness';

type Row = Record<string, unknown>;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(toolRegistry().get('query_dataset').outputSchema);

/** The same grain written differently from the compiler, in each engine's own words. */
const OWN_GRAIN: Record<Engine, Record<string, string>> = {
  pg: {
    PT1M: "to_char(ordered_at, 'YYYY-MM-DD HH24:MI:00')",
    PT1H: "to_char(ordered_at, 'YYYY-MM-DD HH24:00:00')",
    P1D: "to_char(ordered_at, 'YYYY-MM-DD 00:00:00')",
    P1W: "to_char(ordered_at - ((extract(isodow FROM ordered_at)::int - 1) * interval '1 day'), 'YYYY-MM-DD 00:00:00')",
    P1M: "to_char(ordered_at, 'YYYY-MM-01 00:00:00')",
    P3M: "to_char(make_date(extract(year FROM ordered_at)::int, (extract(quarter FROM ordered_at)::int - 1) * 3 + 1, 1), 'YYYY-MM-DD 00:00:00')",
    P1Y: "to_char(ordered_at, 'YYYY-01-01 00:00:00')",
  },
  maria: {
    PT1M: "DATE_FORMAT(ordered_at, '%Y-%m-%d %H:%i:00')",
    PT1H: "DATE_FORMAT(ordered_at, '%Y-%m-%d %H:00:00')",
    P1D: "DATE_FORMAT(ordered_at, '%Y-%m-%d')",
    P1W: "DATE_FORMAT(ordered_at - INTERVAL WEEKDAY(ordered_at) DAY, '%Y-%m-%d')",
    P1M: "DATE_FORMAT(ordered_at, '%Y-%m-01')",
    P3M: "CONCAT(YEAR(ordered_at), '-', LPAD((QUARTER(ordered_at) - 1) * 3 + 1, 2, '0'), '-01')",
    P1Y: "CONCAT(YEAR(ordered_at), '-01-01')",
  },
};
const num = (v: unknown) => Number(Number(v).toPrecision(12));
const TIMED: Record<Engine, string> = {
  pg: "(SELECT *, order_date + (order_id % 1440) * interval '1 minute' AS ordered_at FROM orders) t",
  maria: '(SELECT *, DATE_ADD(order_date, INTERVAL (order_id % 1440) MINUTE) AS ordered_at FROM orders) t',
};

describe('query_dataset on PostgreSQL and MariaDB', () => {
  let f: DatasetFixture;
  /** The test's own SQL on an engine, numbers as numbers. */
  const own = async (engine: Engine, sql: string): Promise<Row[]> => {
    const rows = engine === 'pg' ? await f.pg(sql) : await f.maria(sql);
    return rows.map((r) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, k.startsWith('n_') ? num(v) : v])),
    );
  };
  /** The service's rows with the test's names; numbers (exact decimals may come as text) to 12 digits. */
  const renamed = (rows: Row[], names: Record<string, string>) =>
    rows.map((r) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => (names[k] ? [names[k], num(v)] : [k, v]))),
    );

  beforeAll(async () => {
    f = await startDatasetFixture('sql_dq');
  });
  afterAll(async () => {
    await f?.close();
  });

  describe.each(['pg', 'maria'] as const)('%s', (engine) => {
    const cast = engine === 'pg' ? (x: string) => `${x}::text` : (x: string) => `CAST(${x} AS CHAR)`;

    it('groups and aggregates exactly as the test’s own SQL does', async () => {
      const r = await f.call('query_dataset', {
        dataset_id: f.ds.orders[engine],
        columns: ['region'],
        group_by: ['category'],
        metrics: [
          { name: 'revenue', aggregate: 'SUM' },
          { name: 'count', saved_metric: true, label: 'orders' },
          { name: 'customer_id', aggregate: 'COUNT_DISTINCT', label: 'customers' },
          { name: 'quantity', aggregate: 'MAX' },
        ],
        order_by: [{ name: 'region' }, { name: 'category' }],
      });
      expect(validate(r), ajv.errorsText(validate.errors)).toBe(true);
      expect((r.columns as Row[]).map((c) => c.name)).toEqual([
        'region',
        'category',
        'SUM(revenue)',
        'orders',
        'customers',
        'MAX(quantity)',
      ]);
      const expected = await own(
        engine,
        `SELECT region, category, ${cast('SUM(revenue)')} AS n_sum, COUNT(*) AS n_orders,
                COUNT(DISTINCT customer_id) AS n_customers, MAX(quantity) AS n_max
           FROM orders GROUP BY region, category ORDER BY region, category`,
      );
      expect(
        renamed(r.rows as Row[], {
          'SUM(revenue)': 'n_sum',
          orders: 'n_orders',
          customers: 'n_customers',
          'MAX(quantity)': 'n_max',
        }),
      ).toEqual(expected);
      expect(r).toMatchObject({ truncated: false, row_count: expected.length });
    });

    it('filters with bound values and truncates months like the engine does', async () => {
      const r = await f.call('query_dataset', {
        dataset_id: f.ds.orders[engine],
        metrics: [{ name: 'total_revenue' }, { name: 'quantity', aggregate: 'AVG', label: 'avg_qty' }],
        time_grain: 'P1M',
        filters: [
          { column: 'status', op: 'IN', value: ['delivered', 'shipped'] },
          { column: 'order_date', op: '>=', value: '2024-01-01' },
          { column: 'region', op: 'NOT IN', value: ['APAC'] },
          { column: 'category', op: 'LIKE', value: '%e%' },
        ],
        order_by: [{ name: 'order_date', direction: 'desc' }],
        row_limit: 5,
      });
      const month =
        engine === 'pg' ? "to_char(order_date, 'YYYY-MM-01')" : "DATE_FORMAT(order_date, '%Y-%m-01')";
      const expected = await own(
        engine,
        `SELECT ${month} AS order_date, ${cast('SUM(revenue)')} AS n_rev, ${cast('AVG(quantity)')} AS n_avg FROM orders
          WHERE status IN ('delivered', 'shipped') AND order_date >= '2024-01-01' AND region NOT IN ('APAC')
            AND category LIKE '%e%' GROUP BY 1 ORDER BY 1 DESC LIMIT 5`,
      );
      expect(renamed(r.rows as Row[], { total_revenue: 'n_rev', avg_qty: 'n_avg' })).toEqual(expected);
      expect(r).toMatchObject({
        row_count: 5,
        truncated: true,
        truncation_reason: 'Result limited to 5 rows (row_limit)',
      });
      expect(r.executed_sql).not.toContain('delivered');
    });

    it.each(['PT1M', 'PT1H', 'P1D', 'P1W', 'P1M', 'P3M', 'P1Y'])(
      'counts per %s bucket of a virtual dataset’s timestamp like the test’s own formula',
      async (grain) => {
        const r = await f.call('query_dataset', {
          dataset_id: f.ds.timed[engine],
          metrics: [{ name: '*', aggregate: 'COUNT', label: 'n' }],
          time_grain: grain,
          filters: [{ column: 'region', op: '=', value: 'EMEA' }],
          order_by: [{ name: 'ordered_at' }],
          row_limit: 10_000,
        });
        const expected = await own(
          engine,
          `SELECT ${OWN_GRAIN[engine][grain]} AS bucket, COUNT(*) AS n_count FROM ${TIMED[engine]}
            WHERE region = 'EMEA' GROUP BY 1 ORDER BY 1`,
        );
        const rows = r.rows as { ordered_at: string; n: number }[];
        expect(rows.length).toBe(expected.length);
        expect(rows.map((row) => [String(row.ordered_at).slice(0, 19), row.n])).toEqual(
          expected.map((e) => [String(e.bucket).slice(0, 19), e.n_count]),
        );
        if (engine === 'maria') expect(r.executed_sql).toContain(`\`${f.mariaName}\`.\`orders\``);
      },
    );

    it('returns plain rows without metrics, and ILIKE ignores case', async () => {
      const r = await f.call('query_dataset', {
        dataset_id: f.ds.orders[engine],
        columns: ['order_id', 'region', 'revenue'],
        filters: [
          { column: 'region', op: 'ILIKE', value: 'latin%' },
          { column: 'status', op: 'IS NOT NULL' },
        ],
        order_by: [{ name: 'revenue', direction: 'desc' }, { name: 'order_id' }],
        row_limit: 3,
      });
      const expected = await own(
        engine,
        `SELECT order_id, region, ${cast('revenue')} AS n_revenue FROM orders WHERE region LIKE 'Latin%'
          ORDER BY revenue DESC, order_id LIMIT 3`,
      );
      expect(renamed(r.rows as Row[], { revenue: 'n_revenue' })).toEqual(expected);
    });
  });

  describe('row-level security', () => {
    it.each(['pg', 'maria'] as const)(
      'shows sam on %s only EMEA orders that are not cancelled',
      async (engine) => {
        const r = await f.call(
          'query_dataset',
          { dataset_id: f.ds.orders[engine], columns: ['region', 'status'], metrics: [{ name: 'count' }] },
          'sam',
        );
        const rows = r.rows as { region: string; status: string; count: number }[];
        const [expected] = await (engine === 'pg' ? f.pg : f.maria)<{ n: number | string }>(
          "SELECT COUNT(*) AS n FROM orders WHERE region = 'EMEA' AND status <> 'cancelled'",
        );
        expect(rows.length).toBeGreaterThan(0);
        expect(rows.every((row) => row.region === 'EMEA' && row.status !== 'cancelled')).toBe(true);
        expect(rows.reduce((sum, row) => sum + row.count, 0)).toBe(Number(expected.n));
        const outside = await f.call(
          'query_dataset',
          {
            dataset_id: f.ds.orders[engine],
            columns: ['order_id'],
            filters: [{ column: 'region', op: '=', value: 'APAC' }],
          },
          'sam',
        );
        expect(outside.row_count).toBe(0);
        const timed = await f.call(
          'query_dataset',
          {
            dataset_id: f.ds.timed[engine],
            columns: ['region'],
            metrics: [{ name: '*', aggregate: 'COUNT' }],
          },
          'sam',
        );
        expect((timed.rows as Row[]).map((row) => row.region)).toEqual(['EMEA']);
      },
    );

    it('shows gary births in his three states only, and no orders at all', async () => {
      const r = await f.call(
        'query_dataset',
        {
          dataset_id: f.ds.births,
          columns: ['state'],
          metrics: [{ name: 'sum__num' }],
          order_by: [{ name: 'state' }],
        },
        'gary',
      );
      const expected = await f.pg<{ state: string; n: number }>(
        "SELECT state, SUM(num)::int AS n FROM birth_names WHERE state IN ('CA', 'NY', 'TX') GROUP BY state ORDER BY state",
      );
      expect(r.rows).toEqual(expected.map((e) => ({ state: e.state, sum__num: e.n })));
      expect(
        await failure(f.call('query_dataset', { dataset_id: f.ds.orders.pg, columns: ['region'] }, 'gary')),
      ).toMatchObject({
        error_type: 'NotFoundError',
      });
    });

    it('finds a dataset by UUID, and answers NotFoundError for one that does not exist', async () => {
      const r = await f.call('query_dataset', { dataset_id: f.ds.ordersUuid, metrics: [{ name: 'count' }] });
      const [all] = await f.pg<{ n: number }>('SELECT count(*)::int AS n FROM orders');
      expect(r.rows).toEqual([{ count: all.n }]);
      expect(
        await failure(f.call('query_dataset', { dataset_id: 999_999, columns: ['region'] })),
      ).toMatchObject({
        error_type: 'NotFoundError',
      });
    });
  });
});
