import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Browser } from 'playwright-core';
import { Client as PgClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LinkSigner, pageLinkPath, type PageTarget } from '@meridian/security';
import { launchChromium, openPage, screenshot } from '../support/browser';
import { createTestDatabase, TEST_SECRET_KEY, type TestDatabase } from '../support/database';
import { callOk, connectClient, type Structured } from '../support/mcp-client';
import { decodePng, luminanceVariance } from '../support/png';
import { freePort, startProcess, waitForReady, type ManagedProcess } from '../support/processes';

/**
 * The all-in-one as a user starts it, driven over MCP, with its chart and dashboard pages opened
 * in headless Chromium through signed links.
 */
describe('chart and dashboard pages (all-in-one, headless Chromium)', () => {
  let db: TestDatabase;
  let proc: ManagedProcess;
  let client: Client;
  let browser: Browser;
  let base = '';
  const pg = () => new PgClient({ connectionString: db.url });
  const signer = new LinkSigner(TEST_SECRET_KEY);
  const one = async (sql: string, params: unknown[] = []) => {
    const c = pg();
    await c.connect();
    try {
      return (await c.query(sql, params)).rows[0] as Structured;
    } finally {
      await c.end();
    }
  };
  /** A link the way the chart service signs one, for users the development identity is not. */
  const linkFor = async (username: string, target: PageTarget, ttlSeconds = 900) => {
    const user = await one('SELECT id FROM users WHERE username = $1', [username]);
    return `${base}${signer.sign(pageLinkPath({ target, userId: user.id as number, username }), ttlSeconds)}`;
  };
  const chartId = async (name: string) =>
    (await one('SELECT id FROM charts WHERE slice_name = $1', [name])).id as number;

  beforeAll(async () => {
    db = await createTestDatabase('e2e_chart_pages');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    proc = startProcess('meridian', 'dist/apps/meridian/src/main.js', ['start'], {
      SQLALCHEMY_DATABASE_URI: db.url,
      SECRET_KEY: TEST_SECRET_KEY,
      MCP_SERVICE_PORT: String(port),
      LOG_LEVEL: 'info',
    });
    await waitForReady(`${base}/ready`, proc, 120_000);
    client = await connectClient(`${base}/mcp`);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await client?.close();
    await proc?.stop();
    await db?.drop();
  });

  it('answers generate_chart with the PNG as MCP image content', async () => {
    const dataset = (await one("SELECT id FROM datasets WHERE table_name = 'birth_names'")).id as number;
    const result = (await client.callTool({
      name: 'generate_chart',
      arguments: {
        dataset_id: dataset,
        config: {
          chart_type: 'xy',
          x: { name: 'state' },
          y: [{ name: 'sum__num', saved_metric: true }],
          kind: 'bar',
        },
        preview_formats: ['png', 'ascii'],
      },
    })) as CallToolResult;
    expect(result.isError ?? false).toBe(false);
    const image = result.content.find((c) => c.type === 'image');
    expect(image).toMatchObject({ type: 'image', mimeType: 'image/png' });
    const decoded = decodePng(Buffer.from((image as { data: string }).data, 'base64'));
    expect(luminanceVariance(decoded)).toBeGreaterThan(100);
    const png = (result.structuredContent as { previews: { png: Structured } }).previews.png;
    expect(png).toMatchObject({ mime_type: 'image/png', width: decoded.width, height: decoded.height });
    expect(png.data).toBeUndefined();
  });

  it('opens a chart page through its link and draws the chart, with strict headers', async () => {
    const link = await callOk(client, 'generate_explore_link', {
      chart_id: await chartId('Births per Year by Gender'),
    });
    const opened = await openPage(browser, link.url as string);
    expect(opened.status).toBe(200);
    expect(opened.headers['content-security-policy']).toContain("script-src 'self'");
    expect(opened.headers['content-security-policy']).not.toMatch(/unsafe-(eval|inline)/);
    expect(opened.headers['referrer-policy']).toBe('no-referrer');
    expect(opened.headers['x-frame-options']).toBe('DENY');
    expect(await opened.page.getAttribute('body', 'data-status')).toBe('rendered');
    expect(opened.problems).toEqual([]);
    const shot = await screenshot(opened.page, 'chart-page.png', '.single');
    expect(luminanceVariance(decodePng(shot.png))).toBeGreaterThan(100);
    await opened.page.context().close();
  });

  it('opens a dashboard page with every chart drawn on its grid', async () => {
    const ids = [];
    for (const name of ['Total Births', 'Births by Gender', 'Births per Year by Gender', 'Births by State']) {
      ids.push(await chartId(name));
    }
    const made = await callOk(client, 'generate_dashboard', {
      chart_ids: ids,
      dashboard_title: 'Births, four ways',
    });
    const opened = await openPage(browser, made.url as string);
    expect(opened.status).toBe(200);
    expect(await opened.page.getAttribute('body', 'data-status')).toBe('rendered');
    expect(await opened.page.locator('.chart[data-rendered="true"]').count()).toBe(4);
    expect(await opened.page.locator('h1').textContent()).toBe('Births, four ways');
    expect(opened.problems).toEqual([]);
    const shot = await screenshot(opened.page, 'dashboard-page.png');
    expect(luminanceVariance(decodePng(shot.png))).toBeGreaterThan(50);
    await opened.page.context().close();
  });

  it('opens an unsaved chart through an explore link', async () => {
    const dataset = (await one("SELECT id FROM datasets WHERE table_name = 'country_indicators'"))
      .id as number;
    const link = await callOk(client, 'generate_explore_link', {
      dataset_id: dataset,
      config: {
        chart_type: 'pie',
        dimension: { name: 'region' },
        metric: { name: 'population', aggregate: 'SUM' },
        donut: true,
      },
    });
    const opened = await openPage(browser, link.url as string);
    expect(await opened.page.getAttribute('body', 'data-status')).toBe('rendered');
    await screenshot(opened.page, 'explore-page.png', '.single');
    await opened.page.context().close();
  });

  it("sends gary's page only the rows his row-level security lets him see", async () => {
    const res = await fetch(await linkFor('gary', { kind: 'chart', id: await chartId('Births by State') }));
    expect(res.status).toBe(200);
    const html = await res.text();
    const json = /<script type="application\/json" id="meridian-specs">(.*?)<\/script>/s.exec(html)![1];
    const [{ spec }] = JSON.parse(json) as { spec: { data: { values: { x: string }[] } } }[];
    expect([...new Set(spec.data.values.map((v) => v.x))].sort()).toEqual(['CA', 'NY', 'TX']);
    const denied = await fetch(
      await linkFor('gary', { kind: 'chart', id: await chartId('Monthly Revenue') }),
    );
    expect(denied.status).toBe(403);
  });

  it('refuses tampered, expired and outlived links', async () => {
    const link = (await callOk(client, 'generate_explore_link', { chart_id: await chartId('Total Births') }))
      .url as string;
    const signature = /signature=([\w-]+)/.exec(link)![1];
    // Not the last character: its low bits are padding, so A and B there can decode alike.
    const flipped = (signature.startsWith('A') ? 'B' : 'A') + signature.slice(1);
    const cases = [
      link.replace(signature, flipped),
      link.replace(/\/charts\/\d+/, `/charts/${await chartId('Monthly Revenue')}`),
      link.replace('user=admin', 'user=alice'),
      await linkFor('admin', { kind: 'chart', id: await chartId('Total Births') }, -60),
    ];
    for (const url of cases) {
      const res = await fetch(url);
      expect(res.status, url).toBe(403);
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(await res.text()).toContain('This link is invalid or has expired.');
    }
    const c = pg();
    await c.connect();
    await c.query("UPDATE users SET active = false WHERE username = 'sam'");
    await c.end();
    const inactive = await fetch(await linkFor('sam', { kind: 'chart', id: await chartId('Total Births') }));
    expect(inactive.status).toBe(403);
    expect(await (await fetch(link)).text()).toContain('data-status="loading"');
    // The request log keeps the path, never the signature.
    expect(proc.output()).not.toContain(signature);
    expect(proc.output()).toContain('signature=[redacted]');
  });
});
