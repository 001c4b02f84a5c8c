import { PAGE_SCRIPTS } from './page-assets';

export const ASSETS_PATH = '/pages/assets';

/** Headers of every page and refusal: no referrer leaks the signed link, no framing, no caching. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
    "connect-src 'none'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON safe inside a <script> element: nothing in it can close the element or open a comment. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export interface PageCell {
  target: string;
  title: string;
  spec?: Record<string, unknown>;
  /** Why the chart is not shown (it failed to load for this user). */
  problem?: string;
  /** Grid placement (12 columns) on a dashboard. */
  x?: number;
  w?: number;
}

function shell(
  title: string,
  meta: string,
  main: string,
  specs: { target: string; spec: unknown }[],
): string {
  const scripts = specs.length
    ? `<script type="application/json" id="meridian-specs">${scriptJson(specs)}</script>\n` +
      PAGE_SCRIPTS.map((s) => `<script src="${ASSETS_PATH}/${s}"></script>`).join('\n')
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)} - Meridian</title>
<link rel="stylesheet" href="${ASSETS_PATH}/page.css">
</head>
<body data-status="${specs.length ? 'loading' : 'rendered'}">
<header><h1>${escapeHtml(title)}</h1><p class="meta">${escapeHtml(meta)}</p></header>
<main>${main}</main>
${scripts}
</body>
</html>
`;
}

function cellBody(cell: PageCell): string {
  if (cell.problem) return `<p class="error">${escapeHtml(cell.problem)}</p>`;
  return `<div class="chart" id="${cell.target}"></div>`;
}

/** One chart on its own. */
export function chartPage(title: string, meta: string, cell: PageCell): string {
  const specs = cell.spec ? [{ target: cell.target, spec: cell.spec }] : [];
  return shell(title, meta, `<section class="single">${cellBody(cell)}</section>`, specs);
}

/** A dashboard: its charts on the 12-column grid of its layout. */
export function dashboardPage(title: string, meta: string, cells: PageCell[]): string {
  const main = cells
    .map((c) => {
      const place = `gs-${Math.min(12, (c.x ?? 0) + 1)} gw-${Math.min(12, Math.max(1, c.w ?? 6))}`;
      return `<section class="cell ${place}"><h2>${escapeHtml(c.title)}</h2>${cellBody(c)}</section>`;
    })
    .join('\n');
  const specs = cells.filter((c) => c.spec).map((c) => ({ target: c.target, spec: c.spec }));
  return shell(
    title,
    meta,
    `<div class="grid">${main || '<p>This dashboard has no charts you can see.</p>'}</div>`,
    specs,
  );
}

/** What an invalid, expired or refused link shows. */
export function refusalPage(status: number, message: string): string {
  return shell(
    status === 403 ? 'Link refused' : 'Page unavailable',
    '',
    `<p class="error">${escapeHtml(message)}</p>`,
    [],
  );
}
