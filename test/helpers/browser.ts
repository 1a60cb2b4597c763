import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * The HTML reports in a real browser: Debian's Chromium, driven by playwright-core (never a
 * downloaded browser), started so that it makes no connection of its own.
 */

const CHROMIUM = '/usr/bin/chromium';

/** Without the background-networking flags Chromium calls home at every start, and this machine has no way out. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * The tests skip only where Chromium is missing and not on CI, or under `npm run test:fast` (the
 * inner loop, no browser: `npm test` runs them); on CI they must run.
 */
export const chromiumSkip: string | false =
  process.env['AML_NETCHECK_TEST_FAST'] === '1' && !process.env['CI'] ? 'npm run test:fast starts no browser (npm test does)' : !existsSync(CHROMIUM) && !process.env['CI'] ? `no Chromium at ${CHROMIUM} (apt-get install chromium); on CI this test must run` : false;

interface Teardown {
  teardown(fn: () => unknown): void;
}

export async function launchChromium(t: Teardown): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  t.teardown(() => browser.close());
  return browser;
}

export interface Watched {
  readonly requests: string[];
  readonly messages: string[];
}

/** Every request the page makes and every console message or uncaught error it raises. */
export function watch(page: Page): Watched {
  const watched: Watched = { requests: [], messages: [] };
  page.on('request', (request) => watched.requests.push(request.url()));
  page.on('console', (message) => watched.messages.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => watched.messages.push(`pageerror: ${error.message}`));
  return watched;
}

/** A page of its own in a 1280 × 900 window, opened at `url` and watched from the first request. */
export async function openPage(t: Teardown, browser: Browser, url: string, options: { colorScheme?: 'light' | 'dark'; javaScriptEnabled?: boolean } = {}): Promise<{ page: Page; watched: Watched; ms: number }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  t.teardown(() => context.close());
  // A control that never appears fails in seconds, not in Playwright's 30.
  context.setDefaultTimeout(5000);
  const page = await context.newPage();
  const watched = watch(page);
  const opened = performance.now();
  await page.goto(url, { waitUntil: 'load' });
  return { page, watched, ms: Math.round(performance.now() - opened) };
}
