import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePng, luminanceVariance } from '../support/png';
import { ChartHarness, type Row } from './chart-harness';

const MAX_RESPONSE_BYTES = 150_000;
const h = new ChartHarness();
const year = (v: unknown) => String(v).slice(0, 4);
const num = (v: unknown) => Number(v);

/** The chart rows as a map, for comparison with the test's own SQL whatever the row order. */
function byKey(rows: Row[], key: (r: Row) => string, value: (r: Row) => number): Map<string, number> {
  return new Map(rows.map((r) => [key(r), value(r)]));
}

describe('chart tools against the seeded datasets', () => {
  let births: number;
  let orders: number;
  let countries: number;

  beforeAll(async () => {
    await h.start('chart_tools', { maxResponseBytes: MAX_RESPONSE_BYTES });
    births = await h.datasetId('birth_names');
    orders = await h.datasetId('orders');
    countries = await h.datasetId('country_indicators');
  });
  afterAll(() => h.close());

  /** Saves a chart as admin and reads its data back through get_chart_data. */
  async function saved(datasetId: number, config: Row): Promise<{ id: number; rows: Row[] }> {
    const made = await h.call('generate_chart', {
      dataset_id: datasetId,
      config,
      save_chart: true,
      generate_preview: false,
    });
    const id = (made.chart as { id: number }).id;
    const data = await h.call('get_chart_data', { identifier: id, limit: 10_000 });
    return { id, rows: data.rows as Row[] };
  }

  it('xy: births per year and gender equal the sums of the examples database', async () => {
    const { rows } = await saved(births, {
      chart_type: 'xy',
      y: [{ name: 'num', aggregate: 'SUM', label: 'Births' }],
      group_by: [{ name: 'gender' }],
      time_grain: 'P1Y',
    });
    const expected = await h.exampleRows(
      `SELECT extract(year FROM ds)::int AS y, gender, SUM(num)::bigint AS n FROM birth_names GROUP BY 1, 2`,
    );
    expect(rows.length).toBe(expected.length);
    expect(
      byKey(
        rows,
        (r) => `${year(r.ds)}|${String(r.gender)}`,
        (r) => num(r.Births),
      ),
    ).toEqual(
      byKey(
        expected,
        (r) => `${String(r.y)}|${String(r.gender)}`,
        (r) => num(r.n),
      ),
    );
  });

  it('table: the ten most given names, largest first', async () => {
    const { rows } = await saved(births, {
      chart_type: 'table',
      columns: [{ name: 'name' }, { name: 'num', aggregate: 'SUM', label: 'total' }],
      sort_by: [{ name: 'total', direction: 'desc' }],
      row_limit: 10,
    });
    const expected = await h.exampleRows(
      'SELECT name, SUM(num)::bigint AS total FROM birth_names GROUP BY name ORDER BY total DESC, name LIMIT 10',
    );
    expect(rows.map((r) => num(r.total))).toEqual(expected.map((r) => num(r.total)));
    expect(new Set(rows.map((r) => r.name))).toEqual(new Set(expected.map((r) => r.name)));
  });

  it('pie: revenue by category with the saved metric (admin sees every order)', async () => {
    const { rows } = await saved(orders, {
      chart_type: 'pie',
      dimension: { name: 'category' },
      metric: { name: 'total_revenue', saved_metric: true },
    });
    const expected = await h.exampleRows('SELECT category, SUM(revenue) AS r FROM orders GROUP BY category');
    expect(
      byKey(
        rows,
        (r) => String(r.category),
        (r) => num(r.total_revenue),
      ),
    ).toEqual(
      byKey(
        expected,
        (r) => String(r.category),
        (r) => num(r.r),
      ),
    );
  });

  it('big_number: population of 2023, and a trend whose number is the latest year', async () => {
    const { rows } = await saved(countries, {
      chart_type: 'big_number',
      metric: { name: 'population', aggregate: 'SUM', label: 'people' },
      filters: [{ column: 'year', op: '=', value: 2023 }],
    });
    const [total] = await h.exampleRows(
      'SELECT SUM(population)::bigint AS n FROM country_indicators WHERE year = 2023',
    );
    expect(rows).toEqual([{ people: num(total.n) }]);
    const trend = await h.call('get_chart_preview', {
      dataset_id: births,
      config: {
        chart_type: 'big_number',
        metric: { name: 'num', aggregate: 'SUM' },
        temporal_column: 'ds',
        time_grain: 'P1Y',
      },
      format: 'ascii',
    });
    const [last] = await h.exampleRows(
      'SELECT SUM(num)::bigint AS n FROM birth_names WHERE ds = (SELECT max(ds) FROM birth_names)',
    );
    expect(trend.ascii).toContain(`SUM(num): ${num(last.n).toLocaleString('en-US')}`);
  });

  it('shows gary only the states of his row-level security, and admin all of them', async () => {
    const chart = await h.chartId('Births by State');
    const admin = (await h.call('get_chart_data', { identifier: chart })).rows as Row[];
    const gary = (await h.call('get_chart_data', { identifier: chart }, 'gary')).rows as Row[];
    const expected = await h.exampleRows(
      "SELECT state, SUM(num)::bigint AS n FROM birth_names WHERE state IN ('CA', 'NY', 'TX') GROUP BY state",
    );
    expect(
      byKey(
        gary,
        (r) => String(r.state),
        (r) => num(r.Births),
      ),
    ).toEqual(
      byKey(
        expected,
        (r) => String(r.state),
        (r) => num(r.n),
      ),
    );
    expect(admin.length).toBeGreaterThan(gary.length);
    const sql = await h.call('get_chart_sql', { identifier: chart }, 'gary');
    expect(sql.sql).toContain("'CA'");
    expect((await h.call('get_chart_sql', { identifier: chart })).sql).not.toContain("'CA'");
  });

  it('refuses a chart on a dataset the caller cannot access', async () => {
    const refused = await h.refusal(
      'get_chart_preview',
      { dataset_id: orders, config: { chart_type: 'big_number', metric: { name: 'count' } } },
      'gary',
    );
    expect(refused.error_type).toBe('PermissionDeniedError');
    const saved = await h.refusal(
      'get_chart_data',
      { identifier: await h.chartId('Monthly Revenue') },
      'gary',
    );
    expect(saved.error_type).toBe('PermissionDeniedError');
  });

  it('renders a PNG that decodes, is not blank and stays under MCP_MAX_RESPONSE_BYTES', async () => {
    const chart = await h.chartId('Births per Year by Gender');
    const small = await h.call('get_chart_preview', { identifier: chart, format: 'png' });
    const png = small.png as { data: string; width: number; height: number; bytes: number };
    const image = decodePng(Buffer.from(png.data, 'base64'));
    expect([image.width, image.height]).toEqual([800, 500]);
    expect(luminanceVariance(image)).toBeGreaterThan(100);
    const big = await h.call('get_chart_preview', {
      identifier: chart,
      format: 'png',
      width: 2000,
      height: 2000,
    });
    expect(Buffer.byteLength(JSON.stringify(big))).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
    const bigPng = big.png as { data: string; width: number } | undefined;
    if (bigPng) {
      expect(bigPng.width).toBeLessThan(2000);
      expect(decodePng(Buffer.from(bigPng.data, 'base64')).width).toBe(bigPng.width);
    } else {
      expect(big.warnings).toContain(
        'png left out: even a reduced image would exceed MCP_MAX_RESPONSE_BYTES',
      );
    }
  });

  it('draws ascii bars in proportion to the values', async () => {
    const preview = await h.call('get_chart_preview', {
      dataset_id: births,
      config: { chart_type: 'pie', dimension: { name: 'gender' }, metric: { name: 'num', aggregate: 'SUM' } },
      format: 'ascii',
      ascii_width: 100,
    });
    const text = preview.ascii as string;
    const expected = await h.exampleRows(
      'SELECT gender, SUM(num)::bigint AS n FROM birth_names GROUP BY gender',
    );
    const bar = (gender: string) =>
      (
        text
          .split('\n')
          .find((l) => l.startsWith(gender))
          ?.match(/#+/)?.[0] ?? ''
      ).length;
    const [a, b] = expected.map((r) => ({ gender: String(r.gender), n: num(r.n) })).sort((x, y) => y.n - x.n);
    expect(bar(a.gender) / bar(b.gender)).toBeCloseTo(a.n / b.n, 1);
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
  });

  it('answers CSV with a header, and a valid Vega-Lite spec with the data inline', async () => {
    const chart = await h.chartId('Births by Gender');
    const csv = await h.call('get_chart_data', { identifier: chart, format: 'csv' });
    const lines = (csv.csv as string).trim().split('\r\n');
    expect(lines[0]).toBe('gender,sum__num');
    expect(lines).toHaveLength(3);
    const vl = await h.call('get_chart_preview', { identifier: chart, format: 'vega_lite' });
    const spec = vl.vega_lite as { $schema: string; data: { values: Row[] }; mark: { type: string } };
    expect(spec.$schema).toMatch(/vega-lite\/v6/);
    expect(spec.mark.type).toBe('arc');
    expect(spec.data.values.map((v) => v.label).sort()).toEqual(
      lines
        .slice(1)
        .map((l) => l.split(',')[0])
        .sort(),
    );
  });

  it('refuses unknown names with suggestions and wrong value types naming the field', async () => {
    const unknown = await h.refusal('generate_chart', {
      dataset_id: births,
      config: { chart_type: 'xy', x: { name: 'stat' }, y: [{ name: 'count' }] },
    });
    expect(unknown).toMatchObject({
      error_type: 'ValidationError',
      error: 'Unknown column "stat" in config.x.name; did you mean "state"?',
      details: { field: 'config.x.name', suggestions: ['state'] },
    });
    const typed = await h.refusal('generate_chart', {
      dataset_id: births,
      config: {
        chart_type: 'pie',
        dimension: { name: 'gender' },
        metric: { name: 'count' },
        row_limit: 'many',
      },
    });
    expect(typed).toMatchObject({ error_type: 'ValidationError', details: { field: 'config.row_limit' } });
    const neither = await h.refusal('generate_chart', {
      dataset_id: births,
      config: { chart_type: 'big_number', metric: { name: 'count' } },
      save_chart: false,
      generate_preview: false,
    });
    expect(neither).toMatchObject({ error_type: 'ValidationError', details: { field: 'generate_preview' } });
  });
});
