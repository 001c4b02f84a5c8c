import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The browser side of a page: reads the chart specs from the page's JSON block and draws them
 * with Vega-Embed. Expressions are interpreted (`ast: true`), never compiled with Function, so the
 * Content-Security-Policy needs no 'unsafe-eval'; no styles are injected (no actions menu, no
 * tooltip stylesheet).
 */
const PAGE_SCRIPT = `'use strict';
(function () {
  var block = document.getElementById('meridian-specs');
  var specs = block ? JSON.parse(block.textContent || '[]') : [];
  var options = { actions: false, ast: true, defaultStyle: false, tooltip: false, renderer: 'canvas' };
  Promise.all(specs.map(function (s) {
    return vegaEmbed('#' + s.target, s.spec, options).then(function (result) {
      document.getElementById(s.target).setAttribute('data-rendered', 'true');
      return result;
    });
  })).then(function () {
    document.body.setAttribute('data-status', 'rendered');
  }).catch(function (err) {
    document.body.setAttribute('data-status', 'error');
    var p = document.createElement('p');
    p.className = 'error';
    p.textContent = 'The chart could not be drawn: ' + (err && err.message ? err.message : String(err));
    document.body.appendChild(p);
  });
})();
`;

const GRID = Array.from({ length: 12 }, (_, i) => i + 1)
  .map((n) => `.gs-${n}{grid-column-start:${n}}.gw-${n}{grid-column-end:span ${n}}`)
  .join('\n');

const PAGE_STYLE = `*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1f2933;background:#f5f7fa}
header{padding:16px 24px;background:#fff;border-bottom:1px solid #e4e7eb}
h1{margin:0;font-size:20px}
.meta{margin:4px 0 0;color:#616e7c;font-size:13px}
main{padding:16px 24px}
.grid{display:grid;grid-template-columns:repeat(12,minmax(0,1fr));gap:16px}
.cell{background:#fff;border:1px solid #e4e7eb;border-radius:6px;padding:12px;min-height:200px;overflow:auto}
.cell h2{margin:0 0 8px;font-size:15px}
.single{background:#fff;border:1px solid #e4e7eb;border-radius:6px;padding:12px;overflow:auto}
.error{color:#ab091e}
${GRID}
`;

/** A file of an installed package, found the way Node resolves packages (their exports maps aside). */
function packageFile(pkg: string, file: string): string {
  for (const dir of require.resolve.paths(pkg) ?? []) {
    const path = join(dir, pkg, file);
    if (existsSync(path)) return path;
  }
  throw new Error(`${pkg}/${file} is not installed`);
}

export interface PageAsset {
  body: Buffer;
  type: string;
}

const JS = 'text/javascript; charset=utf-8';

/** Served from the edge itself: no third-party origin ever sees who opens a page. */
const SOURCES: Record<string, () => PageAsset> = {
  'vega.min.js': () => ({ body: readFileSync(packageFile('vega', 'build/vega.min.js')), type: JS }),
  'vega-lite.min.js': () => ({
    body: readFileSync(packageFile('vega-lite', 'build/vega-lite.min.js')),
    type: JS,
  }),
  'vega-embed.min.js': () => ({
    body: readFileSync(packageFile('vega-embed', 'build/vega-embed.min.js')),
    type: JS,
  }),
  'page.js': () => ({ body: Buffer.from(PAGE_SCRIPT), type: JS }),
  'page.css': () => ({ body: Buffer.from(PAGE_STYLE), type: 'text/css; charset=utf-8' }),
};

const loaded = new Map<string, PageAsset>();

/** An asset by file name, read once; undefined for a name that is not one. */
export function pageAsset(name: string): PageAsset | undefined {
  const source = Object.hasOwn(SOURCES, name) ? SOURCES[name] : undefined;
  if (!source) return undefined;
  let asset = loaded.get(name);
  if (!asset) {
    asset = source();
    loaded.set(name, asset);
  }
  return asset;
}

/** The scripts every page loads, in order. */
export const PAGE_SCRIPTS = ['vega.min.js', 'vega-lite.min.js', 'vega-embed.min.js', 'page.js'];
