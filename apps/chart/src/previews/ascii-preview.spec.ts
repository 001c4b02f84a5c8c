import { describe, expect, it } from 'vitest';
import type { ChartConfig } from '@meridian/contracts';
import { planChart } from '../query/chart-plan';
import { BIRTHS } from '../../../../test/support/chart-fixtures';
import { asciiPreview, tablePreview } from './ascii-preview';
import { barLength } from './ascii-plot';

const plan = (config: object) => planChart(BIRTHS, config as ChartConfig);
const hashes = (line: string) => (line.match(/#+/) ?? [''])[0].length;

describe('asciiPreview', () => {
  it('draws bars in proportion to their values, the longest filling the width', () => {
    const bars = plan({ chart_type: 'xy', x: { name: 'state' }, y: [{ name: 'sum__num' }], kind: 'bar' });
    const rows = [
      { state: 'CA', sum__num: 4000 },
      { state: 'NY', sum__num: 2000 },
      { state: 'TX', sum__num: 1000 },
    ];
    const text = asciiPreview(bars, rows, 'Births by state', 60);
    const lines = text.split('\n');
    expect(lines[0]).toBe('Births by state');
    const ca = lines.find((l) => l.startsWith('CA'))!;
    const ny = lines.find((l) => l.startsWith('NY'))!;
    const tx = lines.find((l) => l.startsWith('TX'))!;
    expect(ca).toMatch(/\| #+ 4,000$/);
    expect(hashes(ca) / hashes(ny)).toBeCloseTo(2, 1);
    expect(hashes(ca) / hashes(tx)).toBeCloseTo(4, 0);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(60);
    expect(Math.max(...lines.map((l) => l.length))).toBeGreaterThan(50);
  });

  it('labels a line plot with its y range and x ends, within the width', () => {
    const line = plan({
      chart_type: 'xy',
      y: [{ name: 'sum__num' }],
      group_by: [{ name: 'gender' }],
      time_grain: 'P1Y',
    });
    const rows = [2000, 2001, 2002, 2003].flatMap((y, i) => [
      { ds: `${y}-01-01T00:00:00.000Z`, gender: 'boy', sum__num: 100 + i * 10 },
      { ds: `${y}-01-01T00:00:00.000Z`, gender: 'girl', sum__num: 90 + i * 5 },
    ]);
    const text = asciiPreview(line, rows, 'Births per year', 50);
    expect(text).toContain('# boy   = girl');
    expect(text).toMatch(/^\s*130 \|/m);
    expect(text).toMatch(/^\s*90 \|/m);
    expect(text).toContain('2000-01-01');
    expect(text).toContain('2003-01-01');
    for (const l of text.split('\n')) expect(l.length).toBeLessThanOrEqual(50);
  });

  it('shows slices with their share, and a big number with its trend', () => {
    const pie = asciiPreview(
      plan({ chart_type: 'pie', dimension: { name: 'gender' }, metric: { name: 'count' } }),
      [
        { gender: 'boy', count: 75 },
        { gender: 'girl', count: 25 },
      ],
      'By gender',
      60,
    );
    expect(pie).toMatch(/boy +\| #+ 75 \(75\.0%\)/);
    expect(pie).toMatch(/girl +\| #+ 25 \(25\.0%\)/);
    const big = asciiPreview(
      plan({ chart_type: 'big_number', metric: { name: 'num', aggregate: 'SUM', label: 'Births' } }),
      [{ Births: 1234567 }],
      'Total',
      60,
    );
    expect(big).toContain('Births: 1,234,567');
  });

  it('renders a table cut to the width with a row count', () => {
    const table = plan({
      chart_type: 'table',
      columns: [{ name: 'name' }, { name: 'num', aggregate: 'SUM' }],
    });
    const rows = Array.from({ length: 25 }, (_, i) => ({
      name: `name-${i}-${'x'.repeat(40)}`,
      'SUM(num)': i * 1000,
    }));
    const text = tablePreview(table, rows, 40);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^\| name +\| SUM\(num\) \|$/);
    expect(lines[2]).toMatch(/~ \|\s+0 \|$/);
    expect(lines.at(-1)).toBe('(20 of 25 rows shown)');
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(40);
  });
});

describe('barLength', () => {
  it('scales to the longest bar and keeps a visible bar for small positive values', () => {
    expect(barLength(50, 100, 40)).toBe(20);
    expect(barLength(100, 100, 40)).toBe(40);
    expect(barLength(0.1, 100, 40)).toBe(1);
    expect(barLength(0, 100, 40)).toBe(0);
    expect(barLength(null, 100, 40)).toBe(0);
  });
});
