import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import t from 'tap';
import { renderAuditHtml } from '../../../src/render/audit/html.js';
import { chromiumSkip, launchChromium, openPage } from '../../helpers/browser.js';
import { MISTAKES_BEHIND_NSG, sampleAudit } from '../../helpers/sample-audit.js';

/**
 * The audit's HTML in a real browser (Debian's Chromium, driven by playwright-core): it renders
 * with no console message and no request, and its by-rule view is there, readable and reached
 * by its links, with JavaScript on and off.
 */

const SCREENSHOTS = fileURLToPath(new URL('../../../.tap/screenshots/', import.meta.url));

t.test('the audit’s HTML in Chromium', { skip: chromiumSkip }, async (t) => {
  const browser = await launchChromium(t);
  const result = sampleAudit(MISTAKES_BEHIND_NSG);
  const file = path.join(t.testdir({}), 'audit.html');
  writeFileSync(file, renderAuditHtml(result));
  const url = pathToFileURL(file).href;

  t.test('it renders with no console message, no page error and no request but its own file; the script ran', async (t) => {
    const { page, watched } = await openPage(t, browser, url);
    t.same(watched.requests, [url]);
    t.same(watched.messages, [], 'no console message: a CSP violation would show here');
    t.equal(await page.locator('#target-table tbody tr').count(), result.targets.length);
    t.equal(await page.locator('.controls').isVisible(), true, 'the filter is shown: the script ran under the policy');
    t.equal(await page.locator('#target-table th button').count(), 6);
  });

  for (const javaScriptEnabled of [true, false]) {
    t.test(`the by-rule view is present, readable and navigable (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, async (t) => {
      const { page, watched } = await openPage(t, browser, url, { javaScriptEnabled });
      const byRule = page.locator('#by-rule');
      t.equal(await byRule.isVisible(), true);
      t.same(await byRule.locator('h3').allTextContents(), ['NSG: 3 rules, in the order they are processed', 'Azure Firewall: 5 rules, in the order they are processed']);
      t.equal(await byRule.locator('article.rule').count(), 8);
      // The navigation at the top leads to it: the heading scrolls into the window.
      await page.locator('nav[aria-label=Views] a', { hasText: 'By rule' }).click();
      t.match(page.url(), /#by-rule$/);
      t.equal(await page.locator('#by-rule h2').isVisible(), true);
      t.ok((await page.locator('#by-rule h2').boundingBox())!.y < 200, 'scrolled to the top of the window');
      // A target's rule link opens that rule's card, which names the rule, its priorities and its targets.
      await page.goto(url, { waitUntil: 'load' });
      const link = page.locator('#target-table tr', { hasText: 'st1.blob.core.windows.net:443' }).locator('td').nth(3).locator('a');
      t.equal(await link.textContent(), 'by Deny-First/block-blob/no-blob (100/100, application, fwp-mistakes)');
      await link.click();
      const card = page.locator('article.rule:target');
      t.equal(await card.count(), 1, 'the card is the :target');
      t.equal(await card.locator('h4').textContent(), 'fwp-mistakes/Deny-First/block-blob/no-blob Deny');
      t.equal(await card.locator('p').textContent(), 'group 100, collection 100 · application rule, Deny · 2 denied');
      t.equal(await card.isVisible(), true);
      const box = await card.boundingBox();
      t.ok(box !== null && box.y > -1 && box.y < 900, `the card is in the window (y ${box?.y})`);
      // Readable: the outline says where the link led, and the text is not clipped sideways.
      t.not(await page.evaluate<string>("getComputedStyle(document.querySelector('article.rule:target')).outlineStyle"), 'none');
      const { scrollWidth, clientWidth } = await page.evaluate<{ scrollWidth: number; clientWidth: number }>('({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth })');
      t.ok(scrollWidth <= clientWidth, `fits 1280 pixels without scrolling sideways (${scrollWidth})`);
      // And back: the card's target link leads to the target's row.
      await card.locator('a', { hasText: 'st1.blob.core.windows.net:443' }).click();
      t.equal(await page.locator('code:target').textContent(), 'st1.blob.core.windows.net:443');
      t.equal(await page.locator('code:target').isVisible(), true);
      t.same(watched.messages, []);
      t.same(
        watched.requests.filter((u) => !u.startsWith(url)),
        [],
      );
    });
  }

  t.test('a screenshot of the by-rule view, light and dark', async (t) => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    for (const colorScheme of ['light', 'dark'] as const) {
      const { page } = await openPage(t, browser, `${url}#by-rule`, { colorScheme });
      const shot = path.join(SCREENSHOTS, `audit-by-rule${colorScheme === 'dark' ? '-dark' : ''}.png`);
      await page.screenshot({ path: shot });
      const png = readFileSync(shot);
      t.same([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], `${shot} is a PNG`);
      t.ok(statSync(shot).size > 30_000, `${statSync(shot).size} bytes: more than a blank window`);
    }
  });
});
