import { describe, expect, it } from 'vitest';
import { chartPage, dashboardPage, escapeHtml, PAGE_HEADERS, refusalPage, scriptJson } from './page-html';

describe('page HTML', () => {
  it('escapes text and keeps embedded JSON from closing its script element', () => {
    expect(escapeHtml('<b>"Tom" & \'Jerry\'</b>')).toBe(
      '&#60;b&#62;&#34;Tom&#34; &#38; &#39;Jerry&#39;&#60;/b&#62;',
    );
    const json = scriptJson({ text: '</script><script>alert(1)</script>' });
    expect(json).not.toContain('</script');
    expect(JSON.parse(json)).toEqual({ text: '</script><script>alert(1)</script>' });
  });

  it('puts the specs in a JSON block and loads only scripts of its own origin', () => {
    const html = chartPage('Births <2000>', 'Shown to gary', {
      target: 'chart-0',
      title: 'x',
      spec: { mark: 'bar' },
    });
    expect(html).toContain('<h1>Births &#60;2000&#62;</h1>');
    expect(html).toContain(
      '<script type="application/json" id="meridian-specs">[{"target":"chart-0","spec":{"mark":"bar"}}]</script>',
    );
    const sources = [...html.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]);
    expect(sources).toEqual([
      '/pages/assets/vega.min.js',
      '/pages/assets/vega-lite.min.js',
      '/pages/assets/vega-embed.min.js',
      '/pages/assets/page.js',
    ]);
    expect(html).not.toMatch(/<script>|style="/);
  });

  it('places dashboard cells on the 12-column grid and shows what could not load', () => {
    const html = dashboardPage('Board', '', [
      { target: 'chart-0', title: 'A', spec: {}, x: 0, w: 6 },
      { target: 'chart-1', title: 'B', problem: 'No access', x: 6, w: 6 },
    ]);
    expect(html).toContain('class="cell gs-1 gw-6"');
    expect(html).toContain('class="cell gs-7 gw-6"');
    expect(html).toContain('<p class="error">No access</p>');
    expect(html).not.toContain('id="chart-1"');
  });

  it('is served with a strict policy and nothing that leaks the link', () => {
    expect(PAGE_HEADERS['Content-Security-Policy']).toMatch(/default-src 'none'/);
    expect(PAGE_HEADERS['Content-Security-Policy']).toMatch(/frame-ancestors 'none'/);
    expect(PAGE_HEADERS['Content-Security-Policy']).not.toMatch(/unsafe/);
    expect(PAGE_HEADERS).toMatchObject({
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
      'Cache-Control': 'no-store',
    });
    expect(refusalPage(403, 'Expired')).toContain('<p class="error">Expired</p>');
  });
});
