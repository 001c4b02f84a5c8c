import { describe, expect, it } from 'vitest';
import { shapeResult } from './sql-result';

const result = (n: number, width = 10) => ({
  columns: [
    { name: 'id', type: 'integer', is_nullable: false },
    { name: 'id', type: 'text', is_nullable: true },
  ],
  rows: Array.from({ length: n }, (_, i) => [i, 'x'.repeat(width)]),
  affectedRows: null,
  executionMs: 1.23456,
});

describe('shapeResult', () => {
  it('keys rows by unique column names', () => {
    const r = shapeResult(result(2), 'SELECT 1', 10, 1_000_000);
    expect(r.columns.map((c) => c.name)).toEqual(['id', 'id__1']);
    expect(r.rows).toEqual([
      { id: 0, id__1: 'xxxxxxxxxx' },
      { id: 1, id__1: 'xxxxxxxxxx' },
    ]);
    expect(r).toMatchObject({
      row_count: 2,
      truncated: false,
      truncation_reason: null,
      execution_time_ms: 1.235,
    });
  });

  it('cuts rows beyond the limit and says so', () => {
    const r = shapeResult(result(11), 'SELECT 1', 10, 1_000_000);
    expect(r.rows).toHaveLength(10);
    expect(r).toMatchObject({
      row_count: 10,
      truncated: true,
      truncation_reason: 'Result limited to 10 rows (limit)',
    });
  });

  it('cuts rows to fit the response size and says so', () => {
    const r = shapeResult(result(100, 1000), 'SELECT 1', 1000, 20_000);
    expect(r.truncated).toBe(true);
    expect(r.row_count).toBe(r.rows.length);
    expect(r.rows.length).toBeGreaterThan(0);
    expect(r.rows.length).toBeLessThan(100);
    expect(r.truncation_reason).toMatch(/MCP_MAX_RESPONSE_BYTES/);
    expect(Buffer.byteLength(JSON.stringify(r))).toBeLessThanOrEqual(20_000);
  });
});
