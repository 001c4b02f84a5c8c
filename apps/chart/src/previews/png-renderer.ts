import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { MERIDIAN_CONFIG, type MeridianConfig } from '@meridian/config';
import { Piscina } from 'piscina';
import type { RenderAnswer, RenderTask } from './png-render.worker';
import { renderPng, renderSvg, type RenderedPng } from './render-png';
import type { VegaLiteSpec } from './vega-lite-spec';

export { FONT_FAMILY, type RenderedPng } from './render-png';

/**
 * Renders Vega-Lite specs to PNG on a pool of worker threads (MERIDIAN_RENDER_THREADS), so a chart
 * being drawn never holds up the other calls the chart service is answering: compiling and laying
 * out a chart is synchronous JavaScript that takes tens of milliseconds. With 0 threads, and when
 * the code runs from its TypeScript sources (the test runner), it renders on the calling thread.
 */
@Injectable()
export class PngRenderer implements OnModuleDestroy {
  private readonly logger = new Logger(PngRenderer.name);
  private readonly pool?: Piscina<RenderTask, RenderAnswer>;

  constructor(@Inject(MERIDIAN_CONFIG) config: Pick<MeridianConfig, 'renderThreads'>) {
    const compiled = __filename.endsWith('.js');
    if (config.renderThreads > 0 && compiled) {
      this.pool = new Piscina<RenderTask, RenderAnswer>({
        filename: join(__dirname, 'png-render.worker.js'),
        minThreads: 1,
        maxThreads: config.renderThreads,
        // A burst of previews queues rather than failing; idle threads beyond the first go away.
        idleTimeout: 60_000,
      });
      this.logger.debug({ threads: config.renderThreads }, 'Rendering PNG previews on worker threads');
    }
  }

  /** The SVG a PNG is rasterised from (on the calling thread). */
  svg(spec: VegaLiteSpec): Promise<string> {
    return renderSvg(spec);
  }

  /** PNG of the spec, scaled by `zoom` (below 1 to make it smaller), and the thread that drew it (0: this one). */
  async png(spec: VegaLiteSpec, zoom = 1): Promise<RenderedPng & { thread: number }> {
    if (!this.pool) return { ...(await renderPng(spec, zoom)), thread: threadId };
    const answer = await this.pool.run({ spec, zoom });
    const png = Buffer.from(answer.png.buffer, answer.png.byteOffset, answer.png.byteLength);
    return { png, width: answer.width, height: answer.height, thread: answer.threadId };
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool?.destroy();
  }
}
