import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT } from './processes';

/** Debian's chromium (`.ci/run` installs it), driven headless by playwright-core. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Screenshots kept after a run (git-ignored). */
export const ARTIFACTS_DIR = join(ROOT, 'test-artifacts', 'charts');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: FLAGS });
}

export interface OpenedPage {
  page: Page;
  status: number;
  headers: Record<string, string>;
  /** Console errors and uncaught exceptions (a CSP violation shows up here). */
  problems: string[];
}

/** Opens `url` in a fresh context and waits until the page says it drew its charts (or failed). */
export async function openPage(browser: Browser, url: string): Promise<OpenedPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  const response = await page.goto(url, { waitUntil: 'load' });
  if (!response) throw new Error(`No response for ${url}`);
  if (response.status() === 200) {
    await page.waitForSelector('body[data-status="rendered"], body[data-status="error"]', {
      timeout: 30_000,
    });
  }
  return { page, status: response.status(), headers: response.headers(), problems };
}

export async function screenshot(
  page: Page,
  name: string,
  selector?: string,
): Promise<{ path: string; png: Buffer }> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, name);
  const png = selector
    ? await page.locator(selector).screenshot({ path })
    : await page.screenshot({ path, fullPage: true });
  return { path, png };
}
