import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from './sql-harness';
import { startDatasetFixture, type DatasetFixture, type Engine } from './dataset-query-harness';

type Args = Record<string, unknown>;
const DROP = '; DROP TABLE orders; --';

/** An attack in every position that names something: refused as a ValidationError naming the field. */
const IDENTIFIER_ATTACKS: [string, Args, string][] = [
  ['a column', { columns: [`region"${DROP}`] }, 'columns[0]'],
  ['a backquoted column', { columns: ['region`; DROP TABLE orders; #'] }, 'columns[0]'],
  ['a column closing a parenthesis', { columns: ['region) OR (1=1'] }, 'columns[0]'],
  ['a group_by column', { metrics: [{ name: 'count' }], group_by: [`region${DROP}`] }, 'group_by[0]'],
  ['an aggregated column', { metrics: [{ name: `revenue)${DROP}`, aggregate: 'SUM' }] }, 'metrics[0].name'],
  ['a saved metric', { metrics: [{ name: `count${DROP}`, saved_metric: true }] }, 'metrics[0].name'],
  [
    'an aggregate',
    { metrics: [{ name: 'revenue', aggregate: `SUM(revenue))${DROP}` }] },
    'metrics.0.aggregate',
  ],
  [
    'a label with a double quote',
    { metrics: [{ name: 'count', label: `x" FROM orders${DROP}` }] },
    'metrics.0.label',
  ],
  [
    'a label with a backquote',
    { metrics: [{ name: 'count', label: 'x` FROM orders; #' }] },
    'metrics.0.label',
  ],
  ['a label with a backslash', { metrics: [{ name: 'count', label: 'x\\' }] }, 'metrics.0.label'],
  [
    'a filter column',
    { columns: ['region'], filters: [{ column: 'region = region OR 1', op: '=', value: 1 }] },
    'filters[0].column',
  ],
  [
    'a filter operator',
    { columns: ['region'], filters: [{ column: 'region', op: "= 'x' OR 1=1 --", value: 1 }] },
    'filters.0.op',
  ],
  ['an order_by name', { columns: ['region'], order_by: [{ name: `1${DROP}` }] }, 'order_by[0].name'],
  [
    'an order direction',
    { columns: ['region'], order_by: [{ name: 'region', direction: `desc${DROP}` }] },
    'order_by.0.direction',
  ],
  [
    'a time column',
    { columns: ['region'], time_grain: 'P1D', time_column: `order_date)${DROP}` },
    'time_column',
  ],
  ['a time grain', { columns: ['region'], time_grain: `P1D')${DROP}` }, 'time_grain'],
  ['a row limit', { columns: ['region'], row_limit: `10${DROP}` }, 'row_limit'],
  ['an unknown field', { columns: ['region'], sql: 'SELECT 1' }, 'sql'],
];

/** Values that would change the statement if they were pasted into it: bound, they match nothing. */
const VALUE_ATTACKS: [string, Args][] = [
  ['a quote and OR', { column: 'region', op: '=', value: "EMEA' OR '1'='1" }],
  ['a quote and a comment', { column: 'region', op: '=', value: "EMEA' OR 1=1 -- " }],
  ['a backslash-escaped quote', { column: 'region', op: '=', value: "EMEA\\' OR 1=1 #" }],
  ['a stacked statement', { column: 'region', op: '!=', value: `x'${DROP}` }],
  ['a list item', { column: 'region', op: 'IN', value: ["EMEA') OR ('1'='1", 'nowhere'] }],
  ['a LIKE pattern', { column: 'region', op: 'LIKE', value: "%' OR '1'='1" }],
  ['an ILIKE pattern', { column: 'region', op: 'ILIKE', value: "%' OR 'a'='a" }],
];

describe('query_dataset refuses or binds injection attempts', () => {
  let f: DatasetFixture;
  const counts = async () => ({
    pg: Number((await f.pg<{ n: number }>('SELECT count(*)::int AS n FROM orders'))[0].n),
    maria: Number((await f.maria<{ n: number }>('SELECT COUNT(*) AS n FROM orders'))[0].n),
  });
  let before: Awaited<ReturnType<typeof counts>>;

  beforeAll(async () => {
    f = await startDatasetFixture('sql_dq_inj');
    before = await counts();
  });
  afterAll(async () => {
    await f?.close();
  });

  describe.each(['pg', 'maria'] as const)('%s', (engine: Engine) => {
    const call = (args: Args, who: 'admin' | 'sam' = 'admin') =>
      f.call('query_dataset', { dataset_id: f.ds.orders[engine], ...args }, who);

    it.each(IDENTIFIER_ATTACKS)('refuses SQL in %s', async (_name, args, field) => {
      const err = await failure(call(args));
      expect(err).toMatchObject({ error_type: 'ValidationError', details: { field } });
    });

    it.each(VALUE_ATTACKS)('binds %s as a value', async (_name, filter) => {
      const r = await call({ metrics: [{ name: 'count' }], filters: [filter] });
      expect(r.rows, JSON.stringify(filter.value)).toEqual([
        { count: filter.op === '!=' ? before[engine] : 0 },
      ]);
      expect(r.executed_sql).not.toMatch(/OR '1'='1|OR 1=1|DROP/);
      const sam = await call({ columns: ['region'], filters: [filter], row_limit: 10_000 }, 'sam');
      expect((sam.rows as { region: string }[]).every((row) => row.region === 'EMEA')).toBe(true);
    });

    it('compares a number column with text the way the engine binds it, never as SQL', async () => {
      const attempt = call({
        columns: ['quantity'],
        filters: [{ column: 'quantity', op: '=', value: '1 OR 1=1' }],
      });
      if (engine === 'pg') {
        expect(await failure(attempt)).toMatchObject({ error_type: 'DatabaseError' });
      } else {
        // MySQL converts the bound text to the number 1; the OR never becomes SQL.
        const rows = (await attempt).rows as { quantity: number }[];
        expect(rows.length).toBeGreaterThan(0);
        expect(rows.every((row) => row.quantity === 1)).toBe(true);
      }
    });

    it('quotes a label that holds a quote and a semicolon, as one result column', async () => {
      const label = "it's; DROP TABLE orders";
      const r = await call({ metrics: [{ name: 'count', label }] });
      expect(r.rows).toEqual([{ [label]: before[engine] }]);
    });

    it('suggests the names a misspelt one was meant to be', async () => {
      const err = await failure(
        call({ columns: ['Regoin'], metrics: [{ name: 'total_revenu', saved_metric: true }] }),
      );
      expect(err).toMatchObject({
        error_type: 'ValidationError',
        error: 'Unknown column "Regoin" in columns[0]; did you mean "region"?',
        details: { field: 'columns[0]', suggestions: ['region'] },
      });
    });
  });

  it.each([
    ['a dataset id with SQL', '1 OR 1=1'],
    ['a dataset id with a statement', `1${DROP}`],
  ])('refuses %s', async (_name, id) => {
    expect(await failure(f.call('query_dataset', { dataset_id: id, columns: ['region'] }))).toMatchObject({
      error_type: 'ValidationError',
      details: { field: 'dataset_id' },
    });
  });

  it('changed nothing on either engine', async () => {
    expect(await counts()).toEqual(before);
  });
});
