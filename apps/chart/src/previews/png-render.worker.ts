import { threadId } from 'node:worker_threads';
import { renderPng } from './render-png';
import type { VegaLiteSpec } from './vega-lite-spec';

export interface RenderTask {
  spec: VegaLiteSpec;
  zoom: number;
}

export interface RenderAnswer {
  png: Uint8Array;
  width: number;
  height: number;
  /** The worker thread that drew it. */
  threadId: number;
}

/** Runs in a worker thread of the chart service's render pool: one PNG per task. */
export default async function render({ spec, zoom }: RenderTask): Promise<RenderAnswer> {
  const { png, width, height } = await renderPng(spec, zoom);
  return { png, width, height, threadId };
}
