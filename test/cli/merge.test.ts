import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import t from 'tap';
import { runCli, spawnCli } from '../helpers/cli.js';
import { recordedReport } from '../helpers/sample-diff.js';
import { configMapList, FLEET, WARNING_FLEET } from '../helpers/sample-merge.js';

const REPORTS = 'test/fixtures/reports';
const dir = mkdtempSync(path.join(tmpdir(), 'amlnc-merge-'));

/** Each simulated node's report saved as check --out would, under the node's name. */
const files = Object.fromEntries(
  Object.entries(FLEET).map(([node, name]) => {
    const file = path.join(dir, `${node}.json`);
    writeFileSync(file, readFileSync(`${REPORTS}/${name}.json`));
    return [node, file];
  }),
) as Record<keyof typeof FLEET, string>;

/** What `kubectl get configmap -l aml-netcheck/run=run1 -o json` prints for the fleet run. */
const kubectlOutput = configMapList([
  { name: 'aml-netcheck-run1-aks-pool1-0', node: 'aks-pool1-0', report: recordedReport(FLEET['node-a']) },
  { name: 'aml-netcheck-run1-aks-pool2-0', node: 'aks-pool2-0', report: recordedReport(FLEET['node-b']) },
  { name: 'aml-netcheck-run1-aks-pool3-0', node: 'aks-pool3-0', report: recordedReport(FLEET['node-c']) },
]);

t.test('three nodes with different verdicts: exit 1, and the nodes each target fails on', async (t) => {
  const run = await runCli(['merge', files['node-a'], files['node-b'], files['node-c']]);
  t.equal(run.code, 1, run.stderr);
  t.equal(run.stderr, '');
  t.match(run.stdout, /^aml-netcheck merge: 3 nodes: 5 required targets blocked on some nodes\.\n/);
  t.match(run.stdout, /BLOCKED ON SOME NODES {2}st1\.file\.core\.windows\.net:445\n {6}tcp-refused on node-a, node-b\n {6}reachable from node-c\n/);
  t.match(run.stdout, /BROKEN ON SOME NODES {2}Azure AD sign-in \(azure-ad\)\n {6}broken on node-b by login\.microsoftonline\.com:80, login\.microsoftonline\.com:443\n {6}ok on node-a, node-c\n/);
});

t.test('kubectl get configmap -o json on stdin: nodes named by their label', async (t) => {
  const run = await spawnCli(['merge', '-', '-o', 'json'], { input: kubectlOutput });
  t.equal(run.code, 1, run.stderr);
  const merged = JSON.parse(run.stdout) as { kind: string; nodes: Array<{ node: string }>; targets: Array<{ id: string; blocked: string[]; reaching: string[] }> };
  t.equal(merged.kind, 'aml-netcheck-merge');
  t.same(
    merged.nodes.map((n) => n.node),
    ['aks-pool1-0', 'aks-pool2-0', 'aks-pool3-0'],
  );
  const smb = merged.targets.find((x) => x.id === 'st1.file.core.windows.net:445');
  t.same([smb?.blocked, smb?.reaching], [['aks-pool1-0', 'aks-pool2-0'], ['aks-pool3-0']]);
});

t.test('every node reaches everything: exit 0; a node cut short and none blocked: exit 3', async (t) => {
  const other = path.join(dir, 'node-d.json');
  writeFileSync(other, readFileSync(files['node-c']));
  const healthy = await runCli(['merge', files['node-c'], other]);
  t.equal(healthy.code, 0, healthy.stderr);
  t.match(healthy.stdout, /every required target reachable from every node/);
  const slow = path.join(dir, 'node-slow.json');
  writeFileSync(slow, readFileSync(`${REPORTS}/interrupt-deadline-shorter-than-a-dropped-port-takes-ends-on-time-full-report-exit-3.json`));
  const cut = await runCli(['merge', files['node-c'], slow]);
  t.equal(cut.code, 3, cut.stderr);
  t.match(cut.stderr, /^aml-netcheck: warning: the run on node-slow was cut short \(deadline\)/m);
  t.match(cut.stdout, /NO VERDICT ON SOME {2}login\.microsoftonline\.com:443\n {6}no verdict on node-slow\n {6}reachable from node-c\n/);
  t.match(cut.stdout, /NO VERDICT ON SOME {2}st1\.blob\.core\.windows\.net:443\n {6}reachable from node-c\n {6}not in the reports of node-slow\n/);
});

t.test('every format, and each --out in the format its name ends in', async (t) => {
  const outs = ['merge.json', 'merge.md', 'merge.xml', 'merge.html', 'merge.txt'].map((name) => path.join(dir, name));
  const run = await runCli(['merge', files['node-a'], files['node-b'], files['node-c'], '-o', 'markdown', ...outs.flatMap((out) => ['--out', out])]);
  t.equal(run.code, 1, run.stderr);
  t.match(run.stdout, /^## aml-netcheck merge\n/);
  const [json, md, xml, html, txt] = outs.map((out) => readFileSync(out, 'utf8')) as [string, string, string, string, string];
  t.equal((JSON.parse(json) as { kind: string }).kind, 'aml-netcheck-merge');
  t.equal(md, run.stdout);
  t.equal(XMLValidator.validate(xml), true);
  // Five target testcases, and one per node (node-a and node-b block required targets).
  t.match(xml, /<testsuites name="aml-netcheck merge" tests="8" failures="7" errors="0" skipped="0"/);
  t.match(html, /^<!doctype html>\n/);
  t.match(txt, /^aml-netcheck merge: 3 nodes/);
});

t.test('a ConfigMap not written yet, the same node twice: warnings on stderr, the merge goes on', async (t) => {
  const list = path.join(dir, 'partial.json');
  writeFileSync(
    list,
    configMapList([
      { name: 'cm-a', node: 'node-a', report: recordedReport(FLEET['node-a']) },
      { name: 'cm-pending', node: 'node-p' },
    ]),
  );
  const run = await runCli(['merge', list, files['node-a'], files['node-c']]);
  t.equal(run.code, 1, run.stderr);
  t.match(run.stderr, /^aml-netcheck: warning: .*partial\.json: items\[1\] \(cm-pending\) has no report\.json \(its check has not written a report yet\): no verdict from it\n/);
  t.match(run.stderr, /\naml-netcheck: warning: two reports of node 'node-a' /);
  t.match(run.stdout, /^aml-netcheck merge: 2 nodes: /);
});

t.test('a fleet with a node that has not reported yet does not pass: exit 3, and -o junit has an error testcase for it, not a green test view', async (t) => {
  const list = path.join(dir, 'waiting.json');
  writeFileSync(
    list,
    configMapList([
      { name: 'cm-c', node: 'node-c', report: recordedReport(FLEET['node-c']) },
      { name: 'cm-late', node: 'node-late' },
    ]),
  );
  const junit = path.join(dir, 'waiting.xml');
  const run = await runCli(['merge', list, '--out', junit]);
  t.equal(run.code, 3, 'node-c reaches everything, but node-late has said nothing');
  t.match(run.stdout, /^aml-netcheck merge: 1 node: nothing required blocked, but 1 node without a report yet/);
  t.match(run.stdout, /\n {2}node-late: no report yet, nothing known from it \(/);
  t.match(run.stdout, /No report yet from: node-late\./);
  const xml = readFileSync(junit, 'utf8');
  t.equal(XMLValidator.validate(xml), true);
  const parsed = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testsuite' || name === 'testcase' }).parse(xml) as { testsuites: { '@_errors': string; testsuite: Array<{ '@_name': string; testcase: Array<Record<string, any>> }> } };
  t.equal(parsed.testsuites['@_errors'], '1');
  const late = parsed.testsuites.testsuite.find((s) => s['@_name'] === 'Nodes')?.testcase.find((c) => c['@_name'] === 'node-late');
  t.match(late?.['error'], { '@_type': 'no-report', '@_message': /^no report from node-late yet \(.*waiting\.json items\[1\] \(cm-late\)\): nothing is known from it$/ });
  const alone = await runCli(['merge', files['node-c']]);
  t.equal(alone.code, 0, 'the same node alone passes');
});

t.test('a node that reaches a target only with a warning does not reach it; exit 0, as check exits 0 on a warning', async (t) => {
  const saved = Object.entries(WARNING_FLEET).map(([node, name]) => {
    const file = path.join(dir, `${node}.json`);
    writeFileSync(file, readFileSync(`${REPORTS}/${name}.json`));
    return file;
  });
  const run = await runCli(['merge', ...saved]);
  t.equal(run.code, 0, run.stderr);
  const text = run.stdout.replace(/\s+/g, ' ');
  t.match(text, /^aml-netcheck merge: 2 nodes: nothing required blocked, but 3 required targets with a warning \(not proven reachable\)\. /);
  t.match(text, / WARNING ON SOME NODES ci1\.westus2\.instances\.azureml\.ms:443 warning on node-ci: ci1\.westus2\.instances\.azureml\.ms resolves to 10\.99\.5\.9, .* reachable from node-ok WARNING /);
  t.notMatch(text, /every required target reachable from every node/i);
});

t.test('bad input: one line naming what is wrong and where, exit 2', async (t) => {
  const badList = path.join(dir, 'bad-list.json');
  const broken = structuredClone(recordedReport(FLEET['node-b'])) as unknown as Record<string, any>;
  delete broken['summary'].exitCode;
  writeFileSync(
    badList,
    configMapList([
      { name: 'cm-a', node: 'a', report: recordedReport(FLEET['node-a']) },
      { name: 'aml-netcheck-run1-node-b', node: 'b', report: broken as never },
    ]),
  );
  const cases: Array<[string[], RegExp]> = [
    [['merge'], /^aml-netcheck: missing required argument 'report'\n$/],
    [['merge', '-', '-'], /^aml-netcheck: merge: standard input \(-\) can be given only once\n$/],
    [['merge', path.join(dir, 'nope.json')], /^aml-netcheck: .*nope\.json: cannot read the report: no such file \(ENOENT\)\n$/],
    [['merge', files['node-a'], badList], /^aml-netcheck: .*bad-list\.json: items\[1\] \(aml-netcheck-run1-node-b\): is not a valid aml-netcheck report: summary\.exitCode is missing\n$/],
    [['merge', files['node-a'], `${REPORTS}/README.md`], /^aml-netcheck: test\/fixtures\/reports\/README\.md: is not an aml-netcheck report: not valid JSON/],
    [['merge', files['node-a'], '--out', path.join(dir, 'x.csv')], /^aml-netcheck: --out: .*x\.csv' names csv by its ending \.csv, which this command does not write/],
  ];
  for (const [args, expected] of cases) {
    const run = await runCli(args);
    t.equal(run.code, 2, args.join(' '));
    t.match(run.stderr, expected);
    t.equal(run.stderr.split('\n').length, 2, 'one line');
    t.equal(run.stdout, '');
  }
});
