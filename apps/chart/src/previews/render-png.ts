import { renderAsync } from '@resvg/resvg-js';
import { importEsm } from './esm-import';
import type { VegaLiteSpec } from './vega-lite-spec';

/** The parts of vega and vega-lite used here (both ESM-only, loaded with a real import()). */
interface VegaModule {
  parse(spec: unknown): unknown;
  View: new (
    runtime: unknown,
    options: { renderer: 'none' },
  ) => { toSVG(scale?: number): Promise<string>; finalize(): void };
}
interface VegaLiteModule {
  compile(spec: unknown): { spec: unknown };
}

export interface RenderedPng {
  png: Buffer;
  width: number;
  height: number;
}

/** The font shipped with the project (DejaVu, a permissive license), so text renders in a bare container. */
export const FONT_FAMILY = 'DejaVu Sans';
const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) =>
  require.resolve(`dejavu-fonts-ttf/ttf/${f}`),
);

let modules: Promise<{ vega: VegaModule; vl: VegaLiteModule }> | undefined;

function load(): Promise<{ vega: VegaModule; vl: VegaLiteModule }> {
  modules ??= Promise.all([importEsm<VegaModule>('vega'), importEsm<VegaLiteModule>('vega-lite')]).then(
    ([vega, vl]) => ({ vega, vl }),
  );
  modules.catch(() => (modules = undefined));
  return modules;
}

/** SVG of a Vega-Lite spec: vega-lite compiles it to Vega, Vega draws it (no browser, no canvas). */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const { vega, vl } = await load();
  const config = { ...((spec.config as object | undefined) ?? {}), font: FONT_FAMILY };
  const compiled = vl.compile({ ...spec, config }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** PNG of the spec, scaled by `zoom` (below 1 to make it smaller), rasterised by resvg with the shipped font only. */
export async function renderPng(spec: VegaLiteSpec, zoom = 1): Promise<RenderedPng> {
  const svg = await renderSvg(spec);
  const image = await renderAsync(svg, {
    font: {
      loadSystemFonts: false,
      fontFiles: FONT_FILES,
      defaultFontFamily: FONT_FAMILY,
      sansSerifFamily: FONT_FAMILY,
    },
    background: 'white',
    fitTo: zoom === 1 ? { mode: 'original' } : { mode: 'zoom', value: zoom },
  });
  return { png: image.asPng(), width: image.width, height: image.height };
}
