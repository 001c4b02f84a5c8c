import { createRequire } from 'node:module';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { decodePng, luminanceVariance } from '../support/png';

/** The compiled renderer, as the chart service runs it (the worker file exists only in the build). */
const load = createRequire(__filename);
const DIST = join(__dirname, '../../dist/apps/chart/src/previews');
const { PngRenderer } = load(
  join(DIST, 'png-renderer.js'),
) as typeof import('../../apps/chart/src/previews/png-renderer');
const { renderPng } = load(
  join(DIST, 'render-png.js'),
) as typeof import('../../apps/chart/src/previews/render-png');

const spec = (n: number) => ({
  $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
  title: `Births ${n}`,
  width: 320,
  height: 200,
  data: { values: ['CA', 'TX', 'NY', 'FL'].map((state, i) => ({ state, count: (i + 1) * 10 + n })) },
  mark: 'bar',
  encoding: {
    x: { field: 'state', type: 'nominal' },
    y: { field: 'count', type: 'quantitative' },
  },
});

describe('PNG rendering on worker threads (compiled chart service)', () => {
  const pooled = new PngRenderer({ renderThreads: 2 });
  afterAll(() => pooled.onModuleDestroy());

  it('draws on a worker thread the same image the main thread would', async () => {
    const [onPool, onMain] = await Promise.all([pooled.png(spec(1)), renderPng(spec(1))]);
    expect(onPool.thread).not.toBe(threadId);
    expect(onPool.thread).toBeGreaterThan(0);
    expect([onPool.width, onPool.height]).toEqual([onMain.width, onMain.height]);
    expect(Buffer.compare(onPool.png, onMain.png)).toBe(0);
    expect(luminanceVariance(decodePng(onPool.png))).toBeGreaterThan(100);
  });

  it('spreads concurrent previews over the threads, each answer its own chart', async () => {
    const images = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => pooled.png(spec(n), n % 2 ? 1 : 0.5)));
    expect(new Set(images.map((i) => i.thread)).size).toBe(2);
    for (const [i, image] of images.entries()) {
      const n = i + 1;
      const alone = await renderPng(spec(n), n % 2 ? 1 : 0.5);
      expect(Buffer.compare(image.png, alone.png), `chart ${n}`).toBe(0);
    }
  });

  it('renders on the calling thread when told to use none', async () => {
    const inline = new PngRenderer({ renderThreads: 0 });
    const image = await inline.png(spec(7));
    expect(image.thread).toBe(threadId);
    await inline.onModuleDestroy();
  });
});
