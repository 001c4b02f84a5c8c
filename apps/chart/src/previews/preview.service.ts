import { Inject, Injectable } from '@nestjs/common';
import { MERIDIAN_CONFIG, type MeridianConfig } from '@meridian/config';
import type { PreviewFormat } from '@meridian/contracts';
import type { ChartPlan } from '../query/chart-plan';
import type { ChartData } from '../query/dataset-query.client';
import { asciiPreview, tablePreview } from './ascii-preview';
import { PngRenderer } from './png-renderer';
import { vegaLiteSpec, type VegaLiteSpec } from './vega-lite-spec';

export interface PreviewRequest {
  formats: readonly PreviewFormat[];
  width: number;
  height: number;
  asciiWidth: number;
  /** Signs a page link to the chart, for the url preview. */
  link?: () => { url: string; expiresAt: Date };
}

export interface PngPreview {
  mime_type: 'image/png';
  width: number;
  height: number;
  bytes: number;
  data: string;
}

export interface Previews {
  url?: string;
  url_expires_at?: string;
  ascii?: string;
  table?: string;
  vega_lite?: VegaLiteSpec;
  png?: PngPreview;
}

/** Room kept in a reply for what surrounds the previews (chart, query summary, envelope). */
const RESERVE_BYTES = 8 * 1024;
const MAX_PNG_ATTEMPTS = 3;

const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

/**
 * Renders the previews of a chart from its data. Everything it returns fits in
 * MCP_MAX_RESPONSE_BYTES together: the inline data of a Vega-Lite spec is cut, and a PNG rendered
 * smaller, when they would not; a warning says so.
 */
@Injectable()
export class PreviewService {
  constructor(
    private readonly renderer: PngRenderer,
    @Inject(MERIDIAN_CONFIG) private readonly config: MeridianConfig,
  ) {}

  async render(
    plan: ChartPlan,
    data: ChartData,
    title: string,
    request: PreviewRequest,
  ): Promise<{ previews: Previews; warnings: string[] }> {
    const previews: Previews = {};
    const warnings: string[] = [];
    const wants = new Set(request.formats);
    if (wants.has('url') && request.link) {
      try {
        const link = request.link();
        previews.url = link.url;
        previews.url_expires_at = link.expiresAt.toISOString();
      } catch (err) {
        // An unsaved chart too large to carry in a link still gets its other previews.
        warnings.push(`url left out: ${(err as Error).message}`);
      }
    }
    if (wants.has('ascii')) previews.ascii = asciiPreview(plan, data.rows, title, request.asciiWidth);
    if (wants.has('table')) previews.table = tablePreview(plan, data.rows, request.asciiWidth);
    const budget = () => this.config.maxResponseBytes - RESERVE_BYTES - jsonBytes(previews);
    let spec: VegaLiteSpec | undefined;
    if (wants.has('vega_lite') || wants.has('png')) {
      spec = vegaLiteSpec(plan, data.rows, title, { width: request.width, height: request.height });
    }
    if (wants.has('vega_lite') && spec) {
      const bounded = boundSpec(spec, budget() / (wants.has('png') ? 2 : 1));
      if (bounded.cut) warnings.push(bounded.cut);
      previews.vega_lite = bounded.spec;
    }
    if (wants.has('png') && spec) {
      const png = await this.png(spec, budget());
      if (png) previews.png = png;
      else warnings.push('png left out: even a reduced image would exceed MCP_MAX_RESPONSE_BYTES');
    }
    return { previews, warnings };
  }

  /** The PNG, rendered smaller until its base64 fits in `budget` bytes; undefined if it never does. */
  private async png(spec: VegaLiteSpec, budget: number): Promise<PngPreview | undefined> {
    let zoom = 1;
    for (let attempt = 0; attempt < MAX_PNG_ATTEMPTS && budget > 0; attempt++) {
      const image = await this.renderer.png(spec, zoom);
      const encoded = Math.ceil(image.png.length / 3) * 4;
      if (encoded + 200 <= budget) {
        return {
          mime_type: 'image/png',
          width: image.width,
          height: image.height,
          bytes: image.png.length,
          data: image.png.toString('base64'),
        };
      }
      zoom *= Math.max(0.2, Math.sqrt(budget / (encoded + 200)) * 0.9);
    }
    return undefined;
  }
}

/** The spec with the inline data of each of its views cut until it fits in `budget` bytes. */
export function boundSpec(spec: VegaLiteSpec, budget: number): { spec: VegaLiteSpec; cut?: string } {
  if (jsonBytes(spec) <= budget) return { spec };
  const copy = JSON.parse(JSON.stringify(spec)) as VegaLiteSpec;
  const views = [copy, ...((copy.vconcat as VegaLiteSpec[] | undefined) ?? [])];
  const lists = views
    .map((v) => (v.data as { values?: unknown[] } | undefined)?.values)
    .filter((l): l is unknown[] => Array.isArray(l) && l.length > 1);
  const total = lists.reduce((n, l) => n + l.length, 0);
  while (jsonBytes(copy) > budget && lists.some((l) => l.length > 1)) {
    for (const list of lists) list.length = Math.max(1, Math.floor(list.length / 2));
  }
  const kept = lists.reduce((n, l) => n + l.length, 0);
  return {
    spec: copy,
    cut: `vega_lite data cut from ${total} to ${kept} values to fit MCP_MAX_RESPONSE_BYTES`,
  };
}
