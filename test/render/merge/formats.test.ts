import { XMLParser, XMLValidator } from 'fast-xml-parser';
import t from 'tap';
import { mergeReports, type MergedReport } from '../../../src/report/merge.js';
import { renderMergeHtml } from '../../../src/render/merge/html.js';
import { renderMergeJson } from '../../../src/render/merge/json.js';
import { renderMergeJunit } from '../../../src/render/merge/junit.js';
import { renderMergeMarkdown } from '../../../src/render/merge/markdown.js';
import { renderMergeTable } from '../../../src/render/merge/table.js';
import { HOSTILE_TEXT } from '../../helpers/sample-diff.js';
import { fleetNodes, UDP_REPORT, warningNodes } from '../../helpers/sample-merge.js';
import { recordedReport } from '../../helpers/sample-diff.js';
import { malformedTables, tablesOf } from '../../helpers/markdown.js';
import { sampleReport } from '../../helpers/sample-report.js';

/** Every format of `merge`, rendered from three recorded nodes, and from a hostile one. */

const fleet = mergeReports(fleetNodes());
/** node-ok reaches the compute instance, node-ci only with a warning (its name resolves away from the private endpoint), node-late has no report. */
const warned = mergeReports(warningNodes(), [{ node: 'node-late', source: 'fleet.json items[2] (cm-late)' }]);
const CI = ['ci1.westus2.instances.azureml.ms:443', 'ci1.westus2.instances.azureml.ms:8787', 'ci1.westus2.instances.azureml.ms:18881'];
const CI_WARNING =
  /ci1\.westus2\.instances\.azureml\.ms resolves to 10\.99\.5\.9, but the workspace private endpoint \(0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11\.workspace\.westus2\.api\.azureml\.ms\) is 10\.99\.5\.5: a compute instance name must point at the workspace private endpoint's address/;
const relays = mergeReports(['relay-a', 'relay-b'].map((node) => ({ node, source: `${node}.json`, report: recordedReport(UDP_REPORT) })));
const cutShort = mergeReports([fleetNodes()[2] as never, { node: 'node-slow', source: 'slow.json', report: recordedReport('interrupt-deadline-shorter-than-a-dropped-port-takes-ends-on-time-full-report-exit-3') }]);
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
  t.match(text, /\n {2}BROKEN ON SOME NODES {2}Azure AD sign-in \(azure-ad\)\n {6}broken on node-b by login\.microsoftonline\.com:80,\n {8}login\.microsoftonline\.com:443\n {6}ok on node-a, node-c\n/);
  t.match(
    text,
    /\n {2}BROKEN ON SOME NODES {2}Workspace storage account \(workspace-storage\)\n {6}broken on node-a by st1\.file\.core\.windows\.net:445\n {6}broken on node-b by st1\.blob\.core\.windows\.net:443,\n {8}st1\.file\.core\.windows\.net:443, st1\.file\.core\.windows\.net:445\n {6}ok on node-c\n/,
  );
  t.match(text, /\n {2}BLOCKED ON SOME NODES {2}st1\.file\.core\.windows\.net:445\n {6}tcp-refused on node-a, node-b\n {6}reachable from node-c\n {6}fix: {2}allow direct outbound TCP 445 to st1\.file\.core\.windows\.net from this\n {8}subnet — it cannot go through the proxy\n/);
  t.match(renderMergeTable(fleet, { width: 100, color: false }).replace(/\s+/g, ' '), / Required targets blocked on some node: login\.microsoftonline\.com:80, login\.microsoftonline\.com:443, .*\(nodes with any: node-a, node-b\)\. /);
  for (const width of [40, 80, 120]) {
    const lines = renderMergeTable(fleet, { width, color: false }).split('\n');
    t.same(
      lines.filter((line) => line.length > width),
      [],
      `no line wider than ${width}`,
    );
  }
  // A fleet of many nodes: the ones that are fine are counted, not named.
  const many = mergeReports(Array.from({ length: 40 }, (_, i) => ({ ...(fleetNodes()[i === 7 ? 1 : 2] as never as object), node: `aks-pool-${i}` }) as never));
  const big = renderMergeTable(many, { width: 100, color: false });
  t.match(big, /\n {6}tcp-refused on aks-pool-7\n {6}reachable from the other 39 nodes\n/);
  t.match(big, /\n {6}broken on aks-pool-7 by login\.microsoftonline\.com:80, login\.microsoftonline\.com:443\n {6}ok on the other 39 nodes\n/);
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
  t.match(
    text,
    /\| Workspace storage account \(`workspace-storage`\) \| broken on some nodes \| broken on node-a by `st1\.file\.core\.windows\.net:445`<br>broken on node-b by `st1\.blob\.core\.windows\.net:443`, `st1\.file\.core\.windows\.net:443`, `st1\.file\.core\.windows\.net:445` \| /,
  );
  t.match(text, /\| `st1\.file\.core\.windows\.net:445` \| workspace-storage \| blocked on some nodes \| `tcp-refused` on node-a, node-b \| — \| node-c \| allow direct outbound TCP 445 to st1\.file\.core\.windows\.net from this subnet — it cannot go through the proxy \|/);
  const bad = renderMergeMarkdown(hostile());
  t.notMatch(bad, /<script>|<b>|\u001b/, 'outside text cannot become markup');
  t.match(bad, /node-&lt;b&gt;x&lt;\/b&gt;\\\|/);
});

interface Suite {
  '@_name': string;
  '@_tests': string;
  '@_failures': string;
  '@_errors': string;
  '@_skipped': string;
  'system-out'?: string;
  testcase: Array<Record<string, any>>;
}

function suitesOf(text: string): { totals: Record<string, string>; suites: Suite[] } {
  const parsed = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testsuite' || name === 'testcase' }).parse(text) as { testsuites: Record<string, any> };
  return { totals: parsed.testsuites, suites: parsed.testsuites['testsuite'] as Suite[] };
}

t.test('junit: a suite per feature, a case per target; failures name the nodes; counts match', async (t) => {
  const text = renderMergeJunit(fleet);
  t.equal(XMLValidator.validate(text), true);
  const { totals, suites } = suitesOf(text);
  t.same(
    suites.map((s) => [s['@_name'], s['@_tests'], s['@_failures'], s['@_errors'], s['@_skipped']]),
    [
      ['Azure AD sign-in (azure-ad)', '2', '2', '0', '0'],
      ['Workspace storage account (workspace-storage)', '3', '3', '0', '0'],
      ['Nodes', '3', '2', '0', '0'],
    ],
  );
  t.same([totals['@_tests'], totals['@_failures'], totals['@_errors']], ['8', '7', '0']);
  t.same(
    suites[2]?.testcase.map((c) => [c['@_name'], c['failure']?.['@_message'] ?? 'passed']),
    [
      ['node-a', '1 required target blocked on node-a: st1.file.core.windows.net:445'],
      ['node-b', '5 required targets blocked on node-b: login.microsoftonline.com:80, login.microsoftonline.com:443, st1.blob.core.windows.net:443, st1.file.core.windows.net:443, st1.file.core.windows.net:445'],
      ['node-c', 'passed'],
    ],
  );
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
  t.ok(
    parsed.suites.some((s) => s.testcase.some((c) => 'error' in c)),
    'a target without a verdict on a node is an error',
  );
});

t.test('html: standalone, escaped, a node × feature matrix and a filterable target table', async (t) => {
  const page = renderMergeHtml(fleet);
  t.match(page, /^<!doctype html>\n/);
  t.match(page, /<div class="banner tone-bad"><strong>3 nodes: 5 required targets blocked on some nodes\.<\/strong> <span class="exit">Exit code 1: a required target is blocked on some node\.<\/span>/);
  const matrix = page.slice(page.indexOf('<table id="node-features"'), page.indexOf('</table>', page.indexOf('<table id="node-features"')));
  const rows = [...matrix.matchAll(/<tr data-tags="[^"]*"[^>]*><td[^>]*><code>(.*?)<\/code>.*?<\/tr>/g)].map((m) => [m[1]?.replace(/<wbr>/g, ''), [...(m[0] ?? '').matchAll(/<span class="badge tone-\w+">([\w-]+)<\/span>/g)].map((b) => b[1])]);
  t.same(
    rows,
    [
      ['node-a', ['ok', 'broken']],
      ['node-b', ['broken', 'broken']],
      ['node-c', ['ok', 'ok']],
    ],
    'each node, each feature, coloured by status',
  );
  t.match(page, /<div class="controls" data-filter-for="merged-targets" hidden>/);
  t.match(page, /<option value="blocked-on-some">blocked on some nodes<\/option>/);
  t.match(page, /<li><code>tcp-refused<\/code> on node-a, node-b<\/li>/);
  const bad = renderMergeHtml(hostile());
  t.notMatch(bad, /<script>alert|<b>x<\/b>|\u001b/, 'hostile text is escaped');
  t.match(bad, /node-&lt;b&gt;x&lt;\/b&gt;/);
  for (const p of [page, bad]) t.notMatch(p, /\b(?:src|href)="(?:https?:)?\/\/|@import|url\(\s*['"]?(?:https?:)?\/\//, 'no external reference');
});

t.test('a warning is never reaching: every format shows the warning nodes and what they said', async (t) => {
  const table = renderMergeTable(warned, { width: 400, color: false });
  for (const id of CI) {
    t.match(table, new RegExp(`\\n {2}WARNING ON SOME NODES {2}${id.replace(/\./g, '\\.')}\\n {6}warning on node-ci: ${CI_WARNING.source}\\n {6}reachable from node-ok\\n`), `${id}: warning on node-ci, reachable only from node-ok`);
  }
  t.notMatch(table, /reachable from node-ok, node-ci/);
  t.match(
    renderMergeTable(relays, { width: 400, color: false }),
    /\n {2}WARNING EVERYWHERE {2}dropped\.relay\.test:3478\/udp\n {6}warning \(udp-unverified\) on relay-a, relay-b: no answer from UDP 10\.99\.0\.83:3478 to 3 datagram\(s\) within 2000 ms: silence proves neither an open port nor a firewall that drops it\n {6}fix: {2}no UDP answer proves it either way/,
  );
  const reported = mergeReports(warningNodes());
  t.equal(reported.summary.exitCode, 0);
  t.match(
    renderMergeTable(reported, { width: 400, color: false }),
    /^aml-netcheck merge: 2 nodes: nothing required blocked, but 3 required targets with a warning \(not proven reachable\)\.\n[\s\S]*\nNothing required blocked; a warning, not proven reachable, on some nodes for: ci1\.westus2\.instances\.azureml\.ms:443, /,
  );
  t.notMatch(renderMergeTable(reported, { width: 400, color: false }), /every required target reachable from every node/i);

  const json = JSON.parse(renderMergeJson(warned)) as { schemaVersion: number; summary: { requiredWarning: string[] }; targets: Array<{ id: string; status: string; reaching: string[]; warning: string[]; nodes: Array<{ node: string; warnings: string[] }> }> };
  t.equal(json.schemaVersion, 2);
  const ci = json.targets.find((x) => x.id === CI[0]);
  t.match(ci, { status: 'warning-on-some', reaching: ['node-ok'], warning: ['node-ci'] });
  t.match(ci?.nodes.find((v) => v.node === 'node-ci')?.warnings, [CI_WARNING]);
  t.same(json.summary.requiredWarning, CI);

  const md = renderMergeMarkdown(warned);
  t.same(malformedTables(md), []);
  t.match(md, /### Targets not reachable from every node\n/);
  t.match(md, new RegExp(`\\| \`ci1\\.westus2\\.instances\\.azureml\\.ms:443\` \\| compute-instance \\| warning on some nodes \\| — \\| on node-ci: ${CI_WARNING.source} \\| node-ok \\| — \\|`));
  t.match(renderMergeMarkdown(relays), /\| `dropped\.relay\.test:3478\/udp` \| relay-dropped \| warning everywhere \| — \| `udp-unverified` on relay-a, relay-b: no answer from UDP 10\.99\.0\.83:3478 .* \| — \| no UDP answer proves it either way/);

  const page = renderMergeHtml(warned).replace(/<wbr>/g, '');
  t.match(page, /<span class="badge tone-warn">warning on some nodes<\/span>/);
  t.match(page, new RegExp(`<li>on node-ci: ${CI_WARNING.source.replace(/'/g, '&#39;')}</li>`));
  t.match(page, /<th scope="col" data-type="number">Warns on<\/th>/);

  const { suites } = suitesOf(renderMergeJunit(warned));
  const cases = suites.find((s) => s['@_name'] === 'Compute instance (compute-instance)')?.testcase ?? [];
  const warnedCase = cases.find((c) => c['@_name'] === CI[0]);
  t.notOk('failure' in (warnedCase ?? {}) || 'error' in (warnedCase ?? {}), 'a warning passes, as in check');
  t.match(warnedCase?.['system-out'], new RegExp(`^warning on node-ci: ${CI_WARNING.source}\\nreachable from: node-ok$`));
});

t.test('a degraded or broken feature names its targets per node in every format', async (t) => {
  const causes = /degraded on node-ci by ci1\.westus2\.instances\.azureml\.ms:443, ci1\.westus2\.instances\.azureml\.ms:8787, ci1\.westus2\.instances\.azureml\.ms:18881/;
  t.match(renderMergeTable(warned, { width: 400, color: false }), new RegExp(`\\n {2}DEGRADED ON SOME {2}Compute instance \\(compute-instance\\)\\n {6}${causes.source}\\n {6}ok on node-ok\\n`));
  t.match(renderMergeMarkdown(warned), /\| Compute instance \(`compute-instance`\) \| degraded on some \| degraded on node-ci by `ci1\.westus2\.instances\.azureml\.ms:443`, `ci1\.westus2\.instances\.azureml\.ms:8787`, `ci1\.westus2\.instances\.azureml\.ms:18881` \| {2}\|/);
  const page = renderMergeHtml(warned).replace(/<wbr>/g, '');
  t.match(
    page,
    /<strong>Compute instance<\/strong> <code class="muted">compute-instance<\/code><ul class="plain causes"><li>degraded on node-ci by <code>ci1\.westus2\.instances\.azureml\.ms:443<\/code>, <code>ci1\.westus2\.instances\.azureml\.ms:8787<\/code>, <code>ci1\.westus2\.instances\.azureml\.ms:18881<\/code><\/li><\/ul><\/li>/,
  );
  const json = JSON.parse(renderMergeJson(warned)) as { features: Array<{ id: string; nodes: Array<{ node: string; status: string; blockedBy: string[] }> }> };
  t.same(json.features.find((f) => f.id === 'compute-instance')?.nodes, [
    { node: 'node-ok', status: 'ok', blockedBy: [] },
    { node: 'node-ci', status: 'degraded', blockedBy: CI },
  ]);
  const { suites } = suitesOf(renderMergeJunit(warned));
  t.match(suites.find((s) => s['@_name'] === 'Compute instance (compute-instance)')?.['system-out'], new RegExp(`^${causes.source}$`));
  t.match(suitesOf(renderMergeJunit(fleet)).suites.find((s) => s['@_name'] === 'Azure AD sign-in (azure-ad)')?.['system-out'], /^broken on node-b by login\.microsoftonline\.com:80, login\.microsoftonline\.com:443$/);
});

t.test('a node without a report: a row in every format, an error testcase in JUnit; a run cut short too', async (t) => {
  const table = renderMergeTable(warned, { width: 400, color: false });
  t.match(table, /^aml-netcheck merge: 2 nodes: nothing required blocked, but 1 node without a report yet\.\n {2}node-ok: .*\n {2}node-ci: .*\n {2}node-late: no report yet, nothing known from it \(fleet\.json items\[2\] \(cm-late\)\)\n/);
  const json = JSON.parse(renderMergeJson(warned)) as { nodes: Array<Record<string, unknown>>; summary: { exitCode: number } };
  t.same(
    json.nodes.map((n) => [n['node'], n['status']]),
    [
      ['node-ok', 'complete'],
      ['node-ci', 'complete'],
      ['node-late', 'no-report'],
    ],
  );
  t.match(json.nodes[2], { source: 'fleet.json items[2] (cm-late)', startedAt: null, exitCode: null, targets: null });
  t.equal(json.summary.exitCode, 3);
  const md = renderMergeMarkdown(warned);
  t.match(md, /<details open>\n<summary>Nodes \(3\)<\/summary>\n\n\| Node \| Report \| Started \| Targets \| Required blocked \| Exit \| Source \|\n/, 'not folded away while a node has no report');
  t.match(md, /\n\| `node-late` \| no report yet \| — \| — \| — \| — \| fleet\.json items\[2\] \(cm-late\) \|\n/);
  t.match(renderMergeMarkdown(fleet), /<details>\n<summary>Nodes \(3\)<\/summary>/, 'folded while every node has a complete report');
  const page = renderMergeHtml(warned).replace(/<wbr>/g, '');
  t.match(
    page,
    /<tr data-tags="no-report" class="tone-unknown"><td data-sort="node-late"><code>node-late<\/code> <span class="muted">\(no report yet: fleet\.json items\[2\] \(cm-late\)\)<\/span><\/td>(<td data-sort=""><span class="muted">no report<\/span><\/td>){5}<\/tr>/,
    'a matrix row, one cell per feature',
  );
  t.match(page, /Exit code 3: some nodes have no verdict for a required target, or no report\./);

  const junit = renderMergeJunit(warned);
  t.equal(XMLValidator.validate(junit), true);
  const { totals, suites } = suitesOf(junit);
  const nodes = suites.find((s) => s['@_name'] === 'Nodes');
  t.same(
    nodes?.testcase.map((c) => c['@_name']),
    ['node-ok', 'node-ci', 'node-late'],
  );
  const late = nodes?.testcase.find((c) => c['@_name'] === 'node-late');
  t.match(late?.['error'], { '@_type': 'no-report', '@_message': 'no report from node-late yet (fleet.json items[2] (cm-late)): nothing is known from it' });
  t.equal(nodes?.['@_errors'], '1');
  t.equal(totals['@_errors'], '1', 'the test view is not green while a node is silent');
  t.notOk('error' in (nodes?.testcase[1] ?? {}) || 'failure' in (nodes?.testcase[1] ?? {}), 'a node that only warned passes');
  t.match(nodes?.testcase[1]?.['system-out'], /^warning \(not proven reachable\) on node-ci: ci1\.westus2\.instances\.azureml\.ms:443, /);

  const slow = suitesOf(renderMergeJunit(cutShort)).suites.find((s) => s['@_name'] === 'Nodes');
  t.match(slow?.testcase.find((c) => c['@_name'] === 'node-slow')?.['error'], { '@_type': 'cut-short', '@_message': 'the run on node-slow was cut short (deadline): 1 target without a verdict there' });
  t.match(renderMergeMarkdown(cutShort), /\n\| `node-slow` \| cut short \(deadline\) \| /);
  const storage = suitesOf(renderMergeJunit(cutShort)).suites.find((s) => s['@_name'].endsWith('(workspace-storage)'));
  t.ok(
    storage?.testcase.every((c) => 'error' in c),
    "a required target missing from a node's report is an error, as the exit code 3 says",
  );
  t.equal(storage?.['system-out'], 'not in the reports of node-slow', 'a feature unknown for want of a report says where');
  t.match(renderMergeMarkdown(cutShort), /\| Workspace storage account \(`workspace-storage`\) \| unknown on some \| not in the reports of node-slow \| /);
  t.match(renderMergeHtml(cutShort), /<li>not in the reports of node-slow<\/li>/);
});
