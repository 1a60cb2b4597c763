import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import t from 'tap';
import type { CheckReport } from '../../../src/report/report.js';
import { renderCheckHtml } from '../../../src/render/check/html.js';
import { chromiumSkip, launchChromium, openPage, watch } from '../../helpers/browser.js';

/**
 * The HTML report in a real browser: Debian's Chromium, driven by playwright-core (never a
 * downloaded browser). It must render with no console message, fetch nothing, sort and filter.
 */

const SCREENSHOTS = fileURLToPath(new URL('../../../.tap/screenshots/', import.meta.url));
const FIXTURES = new URL('../../fixtures/reports/', import.meta.url);
const NAMES = readdirSync(FIXTURES).filter((name) => name.endsWith('.json'));
/** The largest recorded report: private endpoints, skipped targets without timings, two broken features. */
const MAIN = 'private-endpoint-storage-without-a-private-endpoint-of-its-own-a-service-endpoint-fine-unl.json';

function load(name: string): CheckReport {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as CheckReport;
}

/** Written to a file and opened from there, as a user would open the saved report: it must stand alone. */
function reportFile(dir: string, name: string): string {
  const file = path.join(dir, name.replace(/\.json$/, '.html'));
  writeFileSync(file, renderCheckHtml(load(name)));
  return pathToFileURL(file).href;
}

t.test('the HTML report in Chromium', { skip: chromiumSkip }, async (t) => {
  const started = performance.now();
  const browser = await launchChromium(t);
  t.comment(`Chromium started in ${Math.round(performance.now() - started)} ms`);
  const dir = t.testdir({});
  const report = load(MAIN);
  const url = reportFile(dir, MAIN);

  const open = (options: { colorScheme?: 'light' | 'dark'; javaScriptEnabled?: boolean } = {}): ReturnType<typeof openPage> => openPage(t, browser, url, options);
  const column = async (page: Page, label: string): Promise<number> => (await page.locator('#target-table thead th').allTextContents()).findIndex((text) => text.replace(/\W/g, '') === label);
  const cells = async (page: Page, index: number, attribute: 'data-sort' | 'text' = 'text'): Promise<string[]> =>
    page.$$eval(
      '#target-table tbody tr:not([hidden])',
      (rows, [i, what]) =>
        rows.map((row) => {
          // Runs in the page; the tests are typed without the DOM library.
          const cell = (row as unknown as { cells: ArrayLike<{ textContent: string | null; getAttribute(name: string): string | null }> }).cells[i as number];
          return (what === 'text' ? cell?.textContent : cell?.getAttribute('data-sort')) ?? '';
        }),
      [index, attribute] as const,
    );

  t.test('it renders with no console message, no page error and no request but its own file', async (t) => {
    const { page, watched, ms } = await open();
    const loadEnd = await page.evaluate<number>("performance.getEntriesByType('navigation')[0].loadEventEnd");
    t.comment(`${MAIN}: ${readFileSync(fileURLToPath(url)).length} bytes, loaded in ${Math.round(loadEnd)} ms (page's own clock), ${ms} ms for page.goto`);
    t.same(watched.requests, [url], 'the document is the one request');
    t.same(watched.messages, [], 'no console message: a CSP violation would show here');
    t.equal(await page.locator('#target-table tbody tr').count(), report.targets.length);
    // The script ran under the policy: its controls are shown and the headers became buttons.
    t.equal(await page.locator('.controls').isVisible(), true);
    t.equal(await page.locator('#target-table th button').count(), 13);
    t.equal(await page.locator('.controls output').textContent(), `${report.targets.length} of ${report.targets.length} shown`);
    t.match(await page.title(), /^aml-netcheck: 2 features broken: 4 required endpoints blocked/);
    t.same(await page.locator('#feature-matrix tbody tr td:nth-child(2)').allTextContents(), ['BROKEN', 'BROKEN', 'ok', 'ok']);
  });

  t.test('a click on a header sorts by it, again the other way; empty timings stay last; keys work too', async (t) => {
    const { page, watched } = await open();
    const total = await column(page, 'Total');
    const header = page.locator('#target-table thead th').nth(total);
    const timed = report.targets.flatMap((x) => (x.timings.total === undefined ? [] : [x.timings.total]));
    const untimed = report.targets.length - timed.length;
    t.ok(untimed > 0 && timed.length > 5, `${timed.length} timed targets and ${untimed} without a total`);

    t.equal(await header.getAttribute('aria-sort'), null);
    await header.locator('button').click();
    t.equal(await header.getAttribute('aria-sort'), 'ascending');
    t.same(await cells(page, total, 'data-sort'), [...[...timed].sort((a, b) => a - b).map(String), ...Array<string>(untimed).fill('')]);
    t.equal(await page.locator('#target-table th[aria-sort]').count(), 1, 'one column says it sorts');

    await header.locator('button').click();
    t.equal(await header.getAttribute('aria-sort'), 'descending');
    t.same(await cells(page, total, 'data-sort'), [...[...timed].sort((a, b) => b - a).map(String), ...Array<string>(untimed).fill('')]);

    // By keyboard: the header is a button, so Enter sorts the target names.
    const target = page.locator('#target-table thead th').nth(0);
    await target.locator('button').focus();
    await page.keyboard.press('Enter');
    t.equal(await target.getAttribute('aria-sort'), 'ascending');
    const names = report.targets.map((x) => x.id);
    t.same(await cells(page, 0), [...names].sort(new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' }).compare));
    t.same(watched.messages, []);
  });

  t.test('typing in the filter, or choosing a verdict, shows only the matching rows', async (t) => {
    const { page, watched } = await open();
    const search = page.locator('.controls input[type=search]');
    await search.fill('file.core');
    const files = report.targets.filter((x) => x.id.includes('file.core')).map((x) => x.id);
    t.ok(files.length >= 2);
    t.same((await cells(page, 0)).sort(), [...files].sort());
    t.equal(await page.locator('.controls output').textContent(), `${files.length} of ${report.targets.length} shown`);

    await search.fill('file.core 445');
    t.same(
      await cells(page, 0),
      files.filter((id) => id.endsWith(':445')),
      'every word must match',
    );

    await search.fill('');
    await page.locator('.controls select').selectOption('skipped');
    t.same(
      await cells(page, 0),
      report.targets.filter((x) => x.verdict === 'skipped').map((x) => x.id),
    );
    await page.locator('.controls select').selectOption('problem');
    t.same(
      await cells(page, 0),
      report.targets.filter((x) => x.verdict === 'blocked').map((x) => x.id),
      'this report’s problems are its blocked targets',
    );
    await page.locator('.controls select').selectOption('');
    t.equal(await page.locator('#target-table tbody tr:not([hidden])').count(), report.targets.length);
    t.same(watched.messages, []);
  });

  t.test('with JavaScript off the whole table is there, and no control that could not work', async (t) => {
    const { page, watched } = await open({ javaScriptEnabled: false });
    t.equal(await page.locator('#target-table tbody tr:visible').count(), report.targets.length);
    t.equal(await page.locator('.controls').isVisible(), false);
    t.equal(await page.locator('#target-table th button').count(), 0);
    t.same(watched.requests, [url]);
  });

  t.test('printed, even from a dark screen: light, no controls, every row', async (t) => {
    const { page } = await open({ colorScheme: 'dark' });
    await page.locator('.controls select').selectOption('skipped');
    const background = (): Promise<string> => page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
    t.not(await background(), 'rgb(255, 255, 255)', 'dark on screen');
    await page.emulateMedia({ media: 'print' });
    t.equal(await background(), 'rgb(255, 255, 255)');
    t.equal(await page.locator('.controls').isVisible(), false);
    t.equal(await page.locator('#target-table tbody tr:visible').count(), report.targets.length, 'a filter set on screen does not cut the printout');
  });

  t.test('a screenshot of the whole page, light and dark', async (t) => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    for (const colorScheme of ['light', 'dark'] as const) {
      const { page } = await open({ colorScheme });
      const file = path.join(SCREENSHOTS, colorScheme === 'light' ? 'check-report.png' : 'check-report-dark.png');
      await page.screenshot({ path: file, fullPage: true });
      const png = readFileSync(file);
      t.same([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${file} is a PNG`);
      const [width, height] = [png.readUInt32BE(16), png.readUInt32BE(20)];
      t.ok(width >= 1280 && height > 1500, `the whole page: ${width}×${height}`);
      t.ok(statSync(file).size > 50_000, `${statSync(file).size} bytes: more than a blank page`);
      const { scrollWidth, clientWidth } = await page.evaluate<{ scrollWidth: number; clientWidth: number }>('({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth })');
      t.ok(scrollWidth <= clientWidth, `fits 1280 pixels without scrolling sideways (${scrollWidth})`);
    }
  });

  t.test('every recorded report renders without a console message or a request', async (t) => {
    const context = await browser.newContext();
    t.teardown(() => context.close());
    const page = await context.newPage();
    const watched = watch(page);
    for (const name of NAMES) {
      const file = reportFile(dir, name);
      await page.goto(file, { waitUntil: 'load' });
      t.equal(await page.locator('#target-table tbody tr').count(), load(name).targets.length, name);
      t.equal(await page.locator('.controls').isVisible(), true, `${name}: its script ran`);
    }
    t.same(
      watched.requests.filter((u) => !u.startsWith(pathToFileURL(dir).href)),
      [],
    );
    t.equal(watched.requests.length, NAMES.length, 'one request per report');
    t.same(watched.messages, []);
  });
});
