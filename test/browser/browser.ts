/**
 * Headless Chromium for the browser tests: Debian's chromium (CHROMIUM_PATH to use another),
 * driven by playwright-core. Every page is routed: a request to any host but the server's is
 * aborted and recorded, and so is every Content-Security-Policy violation and uncaught page
 * error, for the tests to assert there were none.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Screenshots for reviewers (git-ignored). */
export const ARTIFACTS_DIR = path.resolve('test-artifacts');

/**
 * How long a test waits for the page to show something: generous, because the machine running
 * the suite may be busy (Neo4j, vite and Chromium share it); a page that works shows it at once.
 */
export const PATIENCE = { timeout: 30_000, interval: 100 };

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Requests the page tried to send to another host (all aborted). */
  offHost: string[];
  /** CSP violations and uncaught errors seen on the page. */
  problems: string[];
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function openPage(browser: Browser, origin: string): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 860 } });
  const offHost: string[] = [];
  const problems: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (new URL(url).origin === origin) return route.continue();
    offHost.push(url);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (/Content[- ]Security[- ]Policy/i.test(message.text())) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return {
    page,
    context,
    offHost,
    problems,
    async screenshot(name) {
      mkdirSync(ARTIFACTS_DIR, { recursive: true });
      const file = path.join(ARTIFACTS_DIR, `${name}.png`);
      await page.screenshot({ path: file });
      return file;
    },
    close: () => context.close(),
  };
}

/**
 * Closes a test's page, then asserts that, whatever the test did, the page asked no other host
 * for anything and broke no CSP rule (nor threw). For every browser test's afterEach.
 */
export async function closeAndCheck(watched: WatchedPage | undefined): Promise<void> {
  if (!watched) return;
  const { offHost, problems } = watched;
  await watched.close();
  expect(offHost).toEqual([]);
  expect(problems).toEqual([]);
}
