import { describe, expect, it } from 'vitest';
import type { ChartConfig } from '@meridian/contracts';
import { BIRTHS } from '../../../../test/support/chart-fixtures';
import { colourCount, decodePng, luminanceVariance } from '../../../../test/support/png';
import { planChart } from '../query/chart-plan';
import { PngRenderer } from './png-renderer';
import { boundSpec } from './preview.service';
import { vegaLiteSpec } from './vega-lite-spec';

const years = [2000, 2001, 2002, 2003, 2004];
const CASES: [string, object, Record<string, unknown>[]][] = [
  [
    'xy line',
    { chart_type: 'xy', y: [{ name: 'sum__num' }], group_by: [{ name: 'gender' }], time_grain: 'P1Y' },
    years.flatMap((y, i) => [
      { ds: `${y}-01-01`, gender: 'boy', sum__num: 100 + 10 * i },
      { ds: `${y}-01-01`, gender: 'girl', sum__num: 90 + 3 * i },
    ]),
  ],
  [
    'xy bar',
    { chart_type: 'xy', x: { name: 'state' }, y: [{ name: 'count' }], kind: 'bar' },
    [
      { state: 'CA', count: 30 },
      { state: 'TX', count: 20 },
    ],
  ],
  [
    'pie',
    { chart_type: 'pie', dimension: { name: 'gender' }, metric: { name: 'count' }, donut: true },
    [
      { gender: 'boy', count: 3 },
      { gender: 'girl', count: 2 },
    ],
  ],
  [
    'table',
    { chart_type: 'table', columns: [{ name: 'name' }, { name: 'state' }] },
    [{ name: 'Ada', state: 'CA' }],
  ],
  [
    'big number with trend',
    { chart_type: 'big_number', metric: { name: 'count' }, temporal_column: 'ds', time_grain: 'P1Y' },
    years.map((y, i) => ({ ds: `${y}-01-01`, count: 5 + i })),
  ],
];

describe('PngRenderer', () => {
  const renderer = new PngRenderer({ renderThreads: 0 });

  it.each(CASES)('renders a %s chart as a PNG that is not blank', async (_name, config, rows) => {
    const plan = planChart(BIRTHS, config as ChartConfig);
    const spec = vegaLiteSpec(plan, rows, 'A chart', { width: 400, height: 300 });
    const { png, width, height } = await renderer.png(spec);
    const image = decodePng(png);
    expect([image.width, image.height]).toEqual([width, height]);
    expect(width).toBeGreaterThanOrEqual(300);
    expect(luminanceVariance(image)).toBeGreaterThan(100);
    expect(colourCount(image)).toBeGreaterThan(4);
  });

  it('draws text with the shipped font', async () => {
    const plan = planChart(BIRTHS, { chart_type: 'big_number', metric: { name: 'count' } });
    const svg = await renderer.svg(vegaLiteSpec(plan, [{ count: 42 }], 'Total', { width: 300, height: 200 }));
    expect(svg).toContain('DejaVu Sans');
    expect(svg).toContain('>42<');
  });

  it('renders smaller when zoomed out', async () => {
    const plan = planChart(BIRTHS, { chart_type: 'big_number', metric: { name: 'count' } });
    const spec = vegaLiteSpec(plan, [{ count: 42 }], 'Total', { width: 400, height: 300 });
    const full = await renderer.png(spec);
    const half = await renderer.png(spec, 0.5);
    expect(half.width).toBe(Math.round(full.width / 2));
  });
});

describe('boundSpec', () => {
  it('cuts inline data until the spec fits, and says so', () => {
    const plan = planChart(BIRTHS, {
      chart_type: 'xy',
      x: { name: 'state' },
      y: [{ name: 'count' }],
    });
    const rows = Array.from({ length: 2000 }, (_, i) => ({ state: `S${i}`, count: i }));
    const spec = vegaLiteSpec(plan, rows, 'Many', { width: 400, height: 300 });
    const bounded = boundSpec(spec, 20_000);
    expect(JSON.stringify(bounded.spec).length).toBeLessThanOrEqual(20_000);
    expect(bounded.cut).toMatch(/^vega_lite data cut from 2000 to \d+ values/);
    expect(boundSpec(spec, 10_000_000)).toEqual({ spec });
  });
});
