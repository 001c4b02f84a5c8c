import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { toolRegistry } from '@meridian/contracts';
import { fitToBudget, type BudgetedAnswer } from './response-budget';

const BUDGET = 8_000;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);

/** Fits `result` as the MCP path does for `tool`, and checks what every cut answer must be. */
function fit(tool: string, result: Record<string, unknown>, budget = BUDGET): BudgetedAnswer {
  const def = toolRegistry().get(tool);
  const validate = ajv.compile(def.outputSchema);
  expect(validate(result), `the crafted ${tool} answer is itself valid`).toBe(true);
  const answer = fitToBudget(result, {
    budget,
    outputSchema: def.outputSchema,
    inputSchema: def.inputSchema,
    validate: (v) => validate(v),
  });
  expect(validate(answer.result), JSON.stringify(validate.errors)).toBe(true);
  const size =
    Buffer.byteLength(JSON.stringify(answer.result)) + (answer.note ? Buffer.byteLength(answer.note) : 0);
  expect(size).toBeLessThanOrEqual(budget);
  return answer;
}

const now = '2026-12-01T10:00:00.000Z';
const wide = (i: number) =>
  Object.fromEntries(Array.from({ length: 12 }, (_, c) => [`col_${c}`, `row ${i} value ${c} `.repeat(3)]));

describe('fitToBudget', () => {
  it('leaves an answer within the budget as it is', () => {
    const result = { status: 'healthy', timestamp: now, version: '1.0.0' };
    expect(fit('health_check', result)).toEqual({ result, cut: false });
  });

  it('cuts execute_sql rows from the end, keeps row_count true and says how to ask for less', () => {
    const rows = Array.from({ length: 500 }, (_, i) => wide(i));
    const { result, cut, note } = fit('execute_sql', {
      columns: Object.keys(rows[0]).map((name) => ({ name, type: 'text', is_nullable: true })),
      rows,
      row_count: 500,
      affected_rows: null,
      truncated: false,
      truncation_reason: null,
      execution_time_ms: 3.2,
      executed_sql: 'SELECT * FROM wide',
      dry_run: false,
    });
    const kept = result.rows as Record<string, unknown>[];
    expect(cut).toBe(true);
    expect(note).toBeUndefined();
    expect(kept.length).toBeGreaterThan(5);
    expect(kept.length).toBeLessThan(500);
    expect(kept).toEqual(rows.slice(0, kept.length));
    // No more is cut than the budget needs: one more row would not leave room for the reason.
    const oneMore = { ...result, rows: rows.slice(0, kept.length + 1) };
    expect(Buffer.byteLength(JSON.stringify(oneMore))).toBeGreaterThan(BUDGET - 1000);
    expect(result.row_count).toBe(kept.length);
    expect(result.truncated).toBe(true);
    expect(result.truncation_reason).toBe(
      `Answer cut to fit MCP_RESPONSE_BUDGET_BYTES (8000 bytes): rows cut from 500 to ${kept.length}. ` +
        'Ask for less with a lower limit, a statement selecting fewer or narrower columns.',
    );
  });

  it('keeps the reason the service gave and adds its own', () => {
    const rows = Array.from({ length: 300 }, (_, i) => wide(i));
    const { result } = fit('query_dataset', {
      columns: [{ name: 'col_0', type: 'text', is_nullable: true }],
      rows,
      row_count: 300,
      truncated: true,
      truncation_reason: 'Result limited to 300 rows (row_limit)',
      execution_time_ms: 1,
      executed_sql: 'SELECT 1',
    });
    expect(result.truncation_reason).toMatch(
      /^Result limited to 300 rows \(row_limit\); Answer cut to fit MCP_RESPONSE_BUDGET_BYTES \(8000 bytes\): rows cut from 300 to \d+\. Ask for less with a lower row_limit, fewer columns, filters\.$/,
    );
  });

  it('cuts list items, updates count and points at page_size, select_columns and filters', () => {
    const datasets = Array.from({ length: 100 }, (_, i) => ({
      id: i + 1,
      table_name: `table_${i}`,
      description: 'A long description of what this table holds. '.repeat(4),
      changed_on: now,
    }));
    const { result } = fit('list_datasets', {
      datasets,
      count: 100,
      total_count: 250,
      page: 1,
      page_size: 100,
      total_pages: 3,
      has_next: true,
      has_previous: false,
    });
    const kept = (result.datasets as unknown[]).length;
    expect(kept).toBeLessThan(100);
    expect(result.count).toBe(kept);
    expect(result.total_count).toBe(250);
    expect(result.truncation_reason).toContain(`datasets cut from 100 to ${kept}`);
    expect(result.truncation_reason).toContain('a smaller page_size');
    expect(result.truncation_reason).toContain('select_columns with only the fields needed');
    expect(result.truncation_reason).toContain('filters');
  });

  it('shortens long strings with a marker when one row alone is over the budget', () => {
    const { result } = fit('execute_sql', {
      columns: [
        { name: 'id', type: 'int4', is_nullable: false },
        { name: 'body', type: 'text', is_nullable: true },
      ],
      rows: [
        { id: 1, body: 'x'.repeat(30_000) },
        { id: 2, body: 'y'.repeat(30_000) },
      ],
      row_count: 2,
      affected_rows: null,
      truncated: false,
      truncation_reason: null,
      execution_time_ms: 1,
      executed_sql: 'SELECT id, body FROM docs',
      dry_run: false,
    });
    const [row] = result.rows as { id: number; body: string }[];
    expect((result.rows as unknown[]).length).toBe(1);
    expect(row.id).toBe(1);
    expect(row.body).toMatch(/^x+… \[\d+ more characters\]$/);
    expect(result.truncation_reason).toMatch(
      /rows cut from 2 to 1; strings over \d+ characters shortened \(marked "… \[N more characters\]"\)/,
    );
  });

  it('cuts a wide dataset’s columns and keeps the required fields', () => {
    const columns = Array.from({ length: 400 }, (_, i) => ({
      column_name: `measurement_${i}`,
      type: 'DOUBLE PRECISION',
      is_dttm: false,
      groupby: true,
      filterable: true,
      description: `Reading ${i} of the sensor`,
    }));
    const { result } = fit('get_dataset_info', {
      id: 1,
      uuid: '6f1c2a8e-7d1e-4c55-9d3e-1f2a3b4c5d6e',
      table_name: 'sensor_readings',
      schema: 'public',
      database_id: 1,
      columns,
      metrics: [{ metric_name: 'count', expression: 'COUNT(*)' }],
      owners: [],
      created_on: now,
    });
    const kept = (result.columns as unknown[]).length;
    expect(kept).toBeGreaterThan(10);
    expect(kept).toBeLessThan(400);
    expect(result.metrics).toEqual([{ metric_name: 'count', expression: 'COUNT(*)' }]);
    expect(result.truncation_reason).toContain(`columns cut from 400 to ${kept}`);
    expect(result.truncation_reason).toContain('This tool has no argument that narrows its answer.');
  });

  it('summarises a large free-form object, and says so beside the JSON when the schema has no field for it', () => {
    const params = Object.fromEntries(
      Array.from({ length: 300 }, (_, i) => [`option_${i}`, `value ${i} `.repeat(5)]),
    );
    const { result, note } = fit('get_chart_info', {
      id: 7,
      uuid: '6f1c2a8e-7d1e-4c55-9d3e-1f2a3b4c5d6e',
      slice_name: 'Revenue by region',
      viz_type: 'bar',
      params,
      dataset_id: 3,
      owners: [{ id: 1, username: 'admin' }],
    });
    expect(result.params).toEqual({
      _summary: expect.stringMatching(
        /^\[an object with 300 fields \(option_0, option_1, .*\), \d+ bytes, left out to fit the response budget\]$/,
      ),
    });
    expect(result.slice_name).toBe('Revenue by region');
    expect(result).not.toHaveProperty('truncated');
    expect(note).toMatch(
      /^Answer cut to fit MCP_RESPONSE_BUDGET_BYTES \(8000 bytes\): params summarised or left out\./,
    );
  });

  it('summarises the inline Vega-Lite data of a preview and warns in warnings', () => {
    const values = Array.from({ length: 2000 }, (_, i) => ({ region: `region ${i}`, revenue: i * 10 }));
    const { result, note } = fit('get_chart_preview', {
      chart_id: 7,
      format: 'vega_lite',
      vega_lite: {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        data: { values },
        mark: 'bar',
      },
      warnings: [],
    });
    expect(note).toBeUndefined();
    const spec = result.vega_lite as { mark: string; data: { values: unknown } };
    expect(spec.mark).toBe('bar');
    expect(spec.data.values).toMatch(
      /^\[a list of 2000 items, \d+ bytes, left out to fit the response budget\]$/,
    );
    expect(result.warnings).toEqual([
      expect.stringMatching(
        /vega_lite\.data\.values summarised or left out\. Ask for less with a lower row_limit in config\./,
      ),
    ]);
  });

  it('shortens a CSV body of get_chart_data', () => {
    const csv = Array.from({ length: 2000 }, (_, i) => `region ${i},${i * 10}`).join('\r\n');
    const { result } = fit('get_chart_data', {
      chart_id: 7,
      format: 'csv',
      columns: [{ name: 'region' }, { name: 'revenue' }],
      csv,
      row_count: 2000,
      truncated: false,
      sql: 'SELECT region, revenue FROM sales',
    });
    expect(result.csv).toMatch(/^region 0,0\r\n[\s\S]*… \[\d+ more characters\]$/);
    expect(result.truncated).toBe(true);
    expect(result.truncation_reason).toContain('Ask for less with a lower limit');
  });

  it('leaves out optional nested fields when nothing else may change', () => {
    const breakdown = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`type_${i}`, i]));
    const { result, note } = fit('get_instance_info', {
      version: '1.0.0',
      instance_summary: { total_dashboards: 1, total_charts: 2 },
      chart_type_breakdown: breakdown,
      current_user: { id: 1, username: 'admin', roles: ['Admin'] },
      timestamp: now,
    });
    expect(result).not.toHaveProperty('chart_type_breakdown');
    expect(result.current_user).toEqual({ id: 1, username: 'admin', roles: ['Admin'] });
    expect(note).toContain('chart_type_breakdown summarised or left out');
  });

  it('sends the answer uncut rather than one its schema would refuse', () => {
    const rows = Array.from({ length: 200 }, (_, i) => wide(i));
    const result = {
      columns: [],
      rows,
      row_count: 200,
      truncated: false,
      execution_time_ms: 1,
      executed_sql: 'SELECT 1',
    };
    const def = toolRegistry().get('query_dataset');
    const answer = fitToBudget(result, {
      budget: BUDGET,
      outputSchema: def.outputSchema,
      inputSchema: def.inputSchema,
      validate: () => false,
    });
    expect(answer).toEqual({ result, cut: false });
  });
});
