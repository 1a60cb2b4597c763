import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { chromiumSkip, launchChromium, openPage } from '../../helpers/browser.js';
import { mergeReports } from '../../../src/report/merge.js';
import { cspHash } from '../../../src/render/shared/html.js';
import { renderMergeHtml } from '../../../src/render/merge/html.js';
import { fleetNodes } from '../../helpers/sample-merge.js';

/** `merge -o html` in a real browser: nothing loaded from elsewhere, the CSP holds, the filter works. */

t.test('the CSP allows exactly the inline style and script', async (t) => {
  const page = renderMergeHtml(mergeReports(fleetNodes()));
  const style = /<style>([\s\S]*?)<\/style>/.exec(page)?.[1] ?? '';
  const script = /<script>([\s\S]*?)<\/script>/.exec(page)?.[1] ?? '';
  const attribute = (text: string): string => text.replace(/'/g, '&#39;');
  t.ok(page.includes(attribute(`style-src ${cspHash(style)}`)) && page.includes(attribute(`script-src ${cspHash(script)}`)));
  t.notMatch(page, /\b(?:src|href)="(?!#)/, 'no link or source off the page');
});

t.test('in Chromium: no request, no console message, the status filter and sorting work', { skip: chromiumSkip }, async (t) => {
  const nodes = fleetNodes();
  const merged = mergeReports([...nodes, { ...(nodes[2] as (typeof nodes)[number]), node: 'node-d' }, { ...(nodes[2] as (typeof nodes)[number]), node: 'node-e' }].slice(1));
  const file = path.join(t.testdir({}), 'merge.html');
  writeFileSync(file, renderMergeHtml(merged));
  const url = pathToFileURL(file).href;
  const { page, watched } = await openPage(t, await launchChromium(t), url);
  t.same(watched.requests, [url], 'the document is the only request');
  t.same(watched.messages, [], 'no console message, no error (a CSP violation would be one)');
  const visible = async (): Promise<number> => page.locator('#merged-targets tbody tr:not([hidden])').count();
  t.equal(await visible(), merged.targets.length);
  await page.selectOption('[data-filter-for="merged-targets"] select', 'blocked-on-some');
  t.equal(await visible(), merged.targets.filter((x) => x.status === 'blocked-on-some').length);
  await page.fill('[data-filter-for="merged-targets"] input', '445');
  t.equal(await visible(), 1);
  // Sorting the matrix by a feature groups the nodes it breaks on first.
  await page.click('#node-features thead th:nth-child(3) button');
  const first = await page.locator('#node-features tbody tr td:first-child').allInnerTexts();
  t.equal(first[0], 'node-b', 'the node azure-ad is broken on, first');
  t.same(watched.messages, [], 'still no message');
});
