import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@meridian/config';
import { cacheHitsTotal, cacheMissesTotal } from '@meridian/observability';
import { ChartHarness, type Row } from './chart-harness';

const h = new ChartHarness();
const count = async (metric: typeof cacheHitsTotal, tool: string) =>
  (await metric().get()).values.find((v) => v.labels.tool === tool)?.value ?? 0;

describe('chart data and previews through the shared cache', () => {
  beforeAll(() =>
    h.start('chart_cache', {
      cache: {
        ...loadConfig({}).cache,
        enabled: true,
        keyPrefix: `chart-test-${randomBytes(4).toString('hex')}`,
        cacheTools: ['get_chart_data', 'get_chart_preview'],
      },
    }),
  );
  afterAll(() => h.close());

  it('serves a repeated preview from the cache, per user, and recomputes on force_refresh', async () => {
    const chart = await h.chartId('Births by State');
    const args = { identifier: chart, format: 'ascii' };
    const hits = await count(cacheHitsTotal, 'get_chart_preview');
    const misses = await count(cacheMissesTotal, 'get_chart_preview');
    const first = await h.call('get_chart_preview', args);
    const second = await h.call('get_chart_preview', args);
    expect(second).toEqual(first);
    expect(await count(cacheHitsTotal, 'get_chart_preview')).toBe(hits + 1);
    const gary = await h.call('get_chart_preview', args, 'gary');
    expect(gary.ascii).not.toEqual(first.ascii);
    const states = (gary.ascii as string).split('\n').flatMap((l) => /^(\w+) +\| #/.exec(l)?.[1] ?? []);
    expect(states.sort()).toEqual(['CA', 'NY', 'TX']);
    expect(await count(cacheMissesTotal, 'get_chart_preview')).toBe(misses + 2);
    await h.call('get_chart_preview', { ...args, force_refresh: true });
    expect(await count(cacheMissesTotal, 'get_chart_preview')).toBe(misses + 3);
    expect(await count(cacheHitsTotal, 'get_chart_preview')).toBe(hits + 1);
  });

  it('never serves a chart as it was before update_chart', async () => {
    const chart = await h.chartId('Total Births');
    const before = await h.call('get_chart_data', { identifier: chart });
    await h.call('get_chart_data', { identifier: chart });
    await h.call('update_chart', {
      identifier: chart,
      config: { chart_type: 'big_number', metric: { name: 'count', saved_metric: true } },
      generate_preview: false,
    });
    const after = await h.call('get_chart_data', { identifier: chart });
    expect(Object.keys((before.rows as Row[])[0])).not.toEqual(Object.keys((after.rows as Row[])[0]));
    expect((after.rows as Row[])[0]).toHaveProperty('count');
  });
});
