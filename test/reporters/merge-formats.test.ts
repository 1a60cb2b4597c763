import { XMLParser, XMLValidator } from 'fast-xml-parser';
import t from 'tap';
import { mergeReports, type MergedReport } from '../../src/report/merge.js';
import { renderMergeHtml } from '../../src/reporters/merge-html.js';
import { renderMergeJson } from '../../src/reporters/merge-json.js';
import { renderMergeJunit } from '../../src/reporters/merge-junit.js';
import { renderMergeMarkdown } from '../../src/reporters/merge-markdown.js';
import { renderMergeTable } from '../../src/reporters/merge-table.js';
import { HOSTILE_TEXT } from '../helpers/sample-diff.js';
import { fleetNodes } from '../helpers/sample-merge.js';
import { malformedTables, tablesOf } from '../helpers/markdown.js';
import { sampleReport } from '../helpers/sample-report.js';

/** Every format of `merge`, rendered from three recorded nodes, and from a hostile one. */

const fleet = mergeReports(fleetNodes());
const HOSTILE_NODE = `node-<b>x</b>|\u001b[31m`;

function hostile(): MergedReport {
  const report = structuredClone(sampleReport()) as unknown as Record<string, any>;
  report['features'][0].name = `Storage ${HOSTILE_TEXT}`;
  report['features'][0].impact = `Nothing works ${HOSTILE_TEXT}`;
  report['targets'][0].fix = [`allow ${HOSTILE_TEXT}`];
  const [a] = fleetNodes();
  return mergeReports([a as never, { node: HOSTILE_NODE, source: 'x.json', report: report as never }]);
}

t.test('table: per target the nodes that fail and why, per feature the nodes it breaks on, within the width', async (t) => {
  const text = renderMergeTable(fleet, { width: 80, color: false });
  t.match(text, /^aml-netcheck merge: 3 nodes: 5 required targets blocked on some nodes\.\n/);
  t.match(text, /\n {2}BROKEN ON SOME NODES {2}Azure AD sign-in \(azure-ad\)\n {6}broken on node-b\n {6}ok on node-a, node-c\n/);
  t.match(text, /\n {2}BROKEN ON SOME NODES {2}Workspace storage account \(workspace-storage\)\n {6}broken on node-a, node-b\n {6}ok on node-c\n/);
  t.match(text, /\n {2}BLOCKED ON SOME NODES {2}st1\.file\.core\.windows\.net:445\n {6}tcp-refused on node-a, node-b\n {6}reachable from node-c\n {6}fix: {2}allow outbound TCP 445 to st1\.file\.core\.windows\.net\n/);
  t.match(renderMergeTable(fleet, { width: 100, color: false }).replace(/\s+/g, " "), / Required targets blocked on some node: login\.microsoftonline\.com:80, login\.microsoftonline\.com:443, .*\(nodes with any: node-a, node-b\)\. /);
  for (const width of [40, 80, 120]) {
    const lines = renderMergeTable(fleet, { width, color: false }).split('\n');
    t.same(lines.filter((line) => line.length > width), [], `no line wider than ${width}`);
  }
  // A fleet of many nodes: the ones that are fine are counted, not named.
  const many = mergeReports(Array.from({ length: 40 }, (_, i) => ({ ...(fleetNodes()[i === 7 ? 1 : 2] as never as object), node: `aks-pool-${i}` }) as never));
  const big = renderMergeTable(many, { width: 100, color: false });
  t.match(big, /\n {6}tcp-refused on aks-pool-7\n {6}reachable from the other 39 nodes\n/);
  t.match(big, /\n {6}broken on aks-pool-7\n {6}ok on the other 39 nodes\n/);
  const coloured = renderMergeTable(fleet, { width: 100, color: true });
  t.match(coloured, /\u001b\[\d+mBLOCKED ON SOME NODES\u001b\[0?m/);
  const bad = renderMergeTable(hostile(), { width: 100, color: false });
  t.notMatch(bad, /\u001b/, 'no escape code from a report or a node name reaches the terminal');
});

t.test('json: the merged view as it is, kind and schema version first', async (t) => {
  const parsed = JSON.parse(renderMergeJson(fleet)) as Record<string, unknown>;
  t.same(Object.keys(parsed), ['kind', 'schemaVersion', 'nodes', 'warnings', 'summary', 'features', 'targets']);
  t.same(parsed, JSON.parse(JSON.stringify(fleet)));
  t.equal((parsed['summary'] as { exitCode: number }).exitCode, 1);
});

t.test('markdown: well-formed tables, the failing nodes of each target and feature', async (t) => {
  for (const merged of [fleet, hostile()]) {
    const text = renderMergeMarkdown(merged);
    t.ok(tablesOf(text).length >= 3);
    t.same(malformedTables(text), [], 'every table has its separator row, every row as wide as its header');
  }
  const text = renderMergeMarkdown(fleet);
  t.match(text, /^## aml-netcheck merge\n\n\*\*3 nodes: 5 required targets blocked on some nodes\.\*\*\n/);
  t.match(text, /\| Workspace storage account \(`workspace-storage`\) \| broken on some nodes \| node-a, node-b \| — \| /);
  t.match(text, /\| `st1\.file\.core\.windows\.net:445` \| workspace-storage \| blocked on some nodes \| `tcp-refused` on node-a, node-b \| node-c \| allow outbound TCP 445 to st1\.file\.core\.windows\.net \|/);
  const bad = renderMergeMarkdown(hostile());
  t.notMatch(bad, /<script>|<b>|\u001b/, 'outside text cannot become markup');
  t.match(bad, /node-&lt;b&gt;x&lt;\/b&gt;\\\|/);
});

interface Suite { '@_name': string; '@_tests': string; '@_failures': string; '@_errors': string; '@_skipped': string; testcase: Array<Record<string, any>> }

function suitesOf(text: string): { totals: Record<string, string>; suites: Suite[] } {
  const parsed = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testsuite' || name === 'testcase' }).parse(text) as { testsuites: Record<string, any> };
  return { totals: parsed.testsuites, suites: parsed.testsuites['testsuite'] as Suite[] };
}

t.test('junit: a suite per feature, a case per target; failures name the nodes; counts match', async (t) => {
  const text = renderMergeJunit(fleet);
  t.equal(XMLValidator.validate(text), true);
  const { totals, suites } = suitesOf(text);
  t.same(suites.map((s) => [s['@_name'], s['@_tests'], s['@_failures'], s['@_errors'], s['@_skipped']]), [
    ['Azure AD sign-in (azure-ad)', '2', '2', '0', '0'],
    ['Workspace storage account (workspace-storage)', '3', '3', '0', '0'],
  ]);
  t.same([totals['@_tests'], totals['@_failures'], totals['@_errors']], ['5', '5', '0']);
  const smb = suites[1]?.testcase.find((c) => c['@_name'] === 'st1.file.core.windows.net:445');
  t.equal(smb?.['failure']['@_message'], 'blocked on some nodes: tcp-refused on node-a, node-b');
  t.match(smb?.['failure']['#text'], /reachable from: node-c/);

  const bad = renderMergeJunit(hostile());
  t.equal(XMLValidator.validate(bad), true, 'hostile text is escaped');
  t.notMatch(bad, /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
  const parsed = suitesOf(bad);
  for (const suite of parsed.suites) {
    const cases = suite.testcase;
    t.equal(Number(suite['@_tests']), cases.length);
    t.equal(Number(suite['@_failures']), cases.filter((c) => 'failure' in c).length);
    t.equal(Number(suite['@_errors']), cases.filter((c) => 'error' in c).length);
    t.equal(Number(suite['@_skipped']), cases.filter((c) => 'skipped' in c).length);
  }
  t.ok(parsed.suites.some((s) => s.testcase.some((c) => 'error' in c)), 'a target without a verdict on a node is an error');
});

t.test('html: standalone, escaped, a node × feature matrix and a filterable target table', async (t) => {
  const page = renderMergeHtml(fleet);
  t.match(page, /^<!doctype html>\n/);
  t.match(page, /<div class="banner tone-bad"><strong>3 nodes: 5 required targets blocked on some nodes\.<\/strong> <span class="exit">Exit code 1: a required target is blocked on some node\.<\/span>/);
  const matrix = page.slice(page.indexOf('<table id="node-features"'), page.indexOf('</table>', page.indexOf('<table id="node-features"')));
  const rows = [...matrix.matchAll(/<tr data-tags="[^"]*"[^>]*><td[^>]*><code>(.*?)<\/code>.*?<\/tr>/g)].map((m) => [m[1]?.replace(/<wbr>/g, ''), [...(m[0] ?? '').matchAll(/<span class="badge tone-\w+">([\w-]+)<\/span>/g)].map((b) => b[1])]);
  t.same(rows, [['node-a', ['ok', 'broken']], ['node-b', ['broken', 'broken']], ['node-c', ['ok', 'ok']]], 'each node, each feature, coloured by status');
  t.match(page, /<div class="controls" data-filter-for="merged-targets" hidden>/);
  t.match(page, /<option value="blocked-on-some">blocked on some nodes<\/option>/);
  t.match(page, /<li><code>tcp-refused<\/code> on node-a, node-b<\/li>/);
  const bad = renderMergeHtml(hostile());
  t.notMatch(bad, /<script>alert|<b>x<\/b>|\u001b/, 'hostile text is escaped');
  t.match(bad, /node-&lt;b&gt;x&lt;\/b&gt;/);
  for (const p of [page, bad]) t.notMatch(p, /\b(?:src|href)="(?:https?:)?\/\/|@import|url\(\s*['"]?(?:https?:)?\/\//, 'no external reference');
});
