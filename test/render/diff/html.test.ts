import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { chromiumSkip, launchChromium, openPage } from '../../helpers/browser.js';
import { CHANGE_LABEL, diffReports, type ChangeKind } from '../../../src/report/diff.js';
import { cspHash } from '../../../src/render/shared/html.js';
import { renderDiffHtml } from '../../../src/render/diff/html.js';
import { recordedReport, sampleDiff } from '../../helpers/sample-diff.js';

/** `diff -o html`: the same blocks as the check report, so the same promises: escaped, standalone, sortable. */

/** The rows of a table as [change label, target id] pairs, in the page's order. */
function rowsOf(page: string, table: string): Array<[string, string]> {
  const body = page.slice(page.indexOf(`<table id="${table}"`), page.indexOf('</table>', page.indexOf(`<table id="${table}"`)));
  return [...body.matchAll(/<tr data-tags="[^"]*"[^>]*><td[^>]*><span class="badge[^"]*">([^<]*)<\/span><\/td><td[^>]*>(?:<code>)?(.*?)(?:<\/code>|<\/strong>)/g)].map((m) => [m[1] ?? '', (m[2] ?? '').replace(/<wbr>/g, '').replace(/<strong>/, '')]);
}

t.test("an admin's change, before and after: the page says what was fixed and what is still broken", async (t) => {
  const diff = diffReports(recordedReport('proxy-without-the-proxy-nothing-gets-out'), recordedReport('proxy-with-proxy'));
  const page = renderDiffHtml(diff);
  t.match(page, /^<!doctype html>\n/);
  t.match(page, /<div class="banner tone-good"><strong>nothing newly broken; targets: 4 fixed, 1 still broken\.<\/strong> <span class="exit">Exit code 0: nothing newly broke\.<\/span>/);
  const targets = rowsOf(page, 'target-changes');
  const byChange = (change: ChangeKind): string[] =>
    targets
      .filter(([label]) => label === CHANGE_LABEL[change])
      .map(([, id]) => id)
      .sort();
  t.same(
    byChange('fixed'),
    diff.targets
      .filter((x) => x.change === 'fixed')
      .map((x) => x.id)
      .sort(),
    'every fixed target, labelled fixed',
  );
  t.same(
    byChange('still-broken'),
    diff.targets
      .filter((x) => x.change === 'still-broken')
      .map((x) => x.id)
      .sort(),
  );
  t.equal(targets.length, diff.targets.length, 'one row per target of either run');
  t.same(
    targets.map(([label]) => label),
    [...targets.map(([label]) => label)].sort((a, b) => Object.values(CHANGE_LABEL).indexOf(a) - Object.values(CHANGE_LABEL).indexOf(b)),
    'what needs action first',
  );

  const reverse = renderDiffHtml(diffReports(recordedReport('proxy-with-proxy'), recordedReport('proxy-without-the-proxy-nothing-gets-out')));
  t.match(reverse, /<div class="banner tone-bad"><strong>\d+ features? newly broken/, 'the reverse change breaks features');
  t.match(reverse, /Exit code 1: something newly broke\./);
  t.match(reverse, /<div class="impact"><span>Users see:<\/span> /, 'a newly broken feature says what its users see');
});

t.test('hostile text stays text, and the page loads nothing', async (t) => {
  const page = renderDiffHtml(sampleDiff());
  t.notMatch(page, /<script>alert/, 'no markup from a report gets through');
  t.match(page, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  t.match(page, /\\x1b\[2J/, 'a control character is shown, not sent');
  t.notMatch(page, /\b(?:src|href)="(?!#)/, 'no link or source off the page');
  const style = /<style>([\s\S]*?)<\/style>/.exec(page)?.[1] ?? '';
  const script = /<script>([\s\S]*?)<\/script>/.exec(page)?.[1] ?? '';
  const attribute = (text: string): string => text.replace(/'/g, '&#39;');
  t.ok(page.includes(attribute(`style-src ${cspHash(style)}`)) && page.includes(attribute(`script-src ${cspHash(script)}`)), 'the CSP allows exactly the inline style and script');
  t.equal(renderDiffHtml(sampleDiff()), page, 'the same diff, the same page');
});

t.test('in Chromium: no request, no console message, the change filter works', { skip: chromiumSkip }, async (t) => {
  const diff = sampleDiff();
  const file = path.join(t.testdir({}), 'diff.html');
  writeFileSync(file, renderDiffHtml(diff));
  const url = pathToFileURL(file).href;
  const { page, watched } = await openPage(t, await launchChromium(t), url);
  t.same(watched.requests, [url], 'the document is the only request');
  t.same(watched.messages, [], 'no console message, no error (a CSP violation would be one)');
  const visible = async (): Promise<number> => page.locator('#target-changes tbody tr:not([hidden])').count();
  t.equal(await visible(), diff.targets.length, 'every target at first');
  await page.selectOption('[data-filter-for="target-changes"] select', 'newly-broken');
  t.equal(await visible(), diff.targets.filter((x) => x.change === 'newly-broken').length, 'only the newly broken ones when asked');
  await page.fill('[data-filter-for="target-changes"] input', 'new.example');
  t.equal(await visible(), 0, 'new.example.com was added, not newly broken: both filters apply');
  await page.selectOption('[data-filter-for="target-changes"] select', '');
  t.equal(await visible(), 1, 'the words alone find it');
  t.same(watched.messages, [], 'still no message');
});
