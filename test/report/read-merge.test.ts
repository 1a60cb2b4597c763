import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { InputError } from '../../src/model/errors.js';
import { readMergeInputs } from '../../src/report/read-merge.js';
import { recordedReport } from '../helpers/sample-diff.js';
import { configMapList, FLEET } from '../helpers/sample-merge.js';

const dir = mkdtempSync(path.join(tmpdir(), 'amlnc-read-merge-'));
const REPORTS = 'test/fixtures/reports';

function file(name: string, text: string): string {
  const at = path.join(dir, name);
  writeFileSync(at, text);
  return at;
}

function lineOf(files: string[]): string {
  try {
    readMergeInputs(files);
  } catch (error) {
    if (error instanceof InputError) return error.toLine();
    throw error;
  }
  return 'no error';
}

t.test('kubectl get configmap -o json: every item a node, named by its node label', async (t) => {
  const list = file(
    'fleet.json',
    configMapList([
      { name: 'aml-netcheck-run1-aks-pool1-0', node: 'aks-pool1-0', report: recordedReport(FLEET['node-a']) },
      { name: 'aml-netcheck-run1-aks-pool2-0', node: 'aks-pool2-0', report: recordedReport(FLEET['node-b']) },
      { name: 'aml-netcheck-run1-unlabelled', report: recordedReport(FLEET['node-c']) },
    ]),
  );
  const { nodes, warnings } = readMergeInputs([list]);
  t.same(
    nodes.map((n) => n.node),
    ['aks-pool1-0', 'aks-pool2-0', 'aml-netcheck-run1-unlabelled'],
    'the label, else the ConfigMap name',
  );
  t.same(
    nodes.map((n) => n.report.summary.requiredBlocked),
    [1, 5, 0],
  );
  t.match(nodes[0]?.source, /fleet\.json items\[0\] \(aml-netcheck-run1-aks-pool1-0\)$/);
  t.same(warnings, []);
});

t.test('a ConfigMapList from the API, a single ConfigMap, and plain report files, together', async (t) => {
  const apiList = file('api.json', configMapList([{ name: 'cm-a', node: 'node-a', report: recordedReport(FLEET['node-a']) }], 'run1', 'ConfigMapList'));
  const single = JSON.parse(configMapList([{ name: 'cm-b', node: 'node-b', report: recordedReport(FLEET['node-b']) }]))['items'][0];
  const singleFile = file('single.json', JSON.stringify(single));
  const { nodes } = readMergeInputs([apiList, singleFile, `${REPORTS}/${FLEET['node-c']}.json`]);
  t.same(
    nodes.map((n) => n.node),
    ['node-a', 'node-b', FLEET['node-c']],
    'a plain report is named by its file',
  );
});

t.test('a ConfigMap not written yet is a warning; nothing at all to merge is an error', async (t) => {
  const list = file('partial.json', configMapList([{ name: 'cm-a', node: 'node-a', report: recordedReport(FLEET['node-a']) }, { name: 'aml-netcheck-report' }]));
  const { nodes, warnings, pending } = readMergeInputs([list]);
  t.same(
    nodes.map((n) => n.node),
    ['node-a'],
  );
  t.match(warnings, [/partial\.json: items\[1\] \(aml-netcheck-report\) has no report\.json \(its check has not written a report yet\): no verdict from it$/]);
  t.same(
    pending.map((p) => p.node),
    ['aml-netcheck-report'],
    'the silent node is named, by its label or else its ConfigMap',
  );
  t.match(pending[0]?.source, /partial\.json items\[1\] \(aml-netcheck-report\)$/, 'and where it was listed');
  const empty = file('empty-list.json', configMapList([{ name: 'aml-netcheck-report' }]));
  t.match(lineOf([empty]), /^merge: no report to merge: the input holds no report\.json yet$/);
  t.match(lineOf([file('no-items.json', configMapList([]))]), /^merge: no report to merge/);
});

t.test('the same node twice: the newer report is used, with a warning', async (t) => {
  const older = recordedReport(FLEET['node-b']);
  const newer = { ...recordedReport(FLEET['node-a']), startedAt: '2027-01-01T00:00:00.000Z' };
  const list = file(
    'twice.json',
    configMapList([
      { name: 'cm-1', node: 'node-x', report: newer },
      { name: 'cm-2', node: 'node-x', report: older },
    ]),
  );
  const { nodes, warnings } = readMergeInputs([list]);
  t.equal(nodes.length, 1);
  t.equal(nodes[0]?.report.startedAt, '2027-01-01T00:00:00.000Z');
  t.match(warnings, [/^two reports of node 'node-x' \(.*items\[1\] \(cm-2\), .*items\[0\] \(cm-1\)\): the newer one \(2027-01-01T00:00:00\.000Z, /]);
  // Two files of one base name in different folders are two nodes, named by their paths.
  const sub = mkdtempSync(path.join(dir, 'other-'));
  const here = file('node.json', JSON.stringify(recordedReport(FLEET['node-a'])));
  const there = path.join(sub, 'node.json');
  writeFileSync(there, JSON.stringify(recordedReport(FLEET['node-b'])));
  t.same(
    readMergeInputs([here, there]).nodes.map((n) => n.node),
    [here, there],
  );
});

t.test('a bad item: one line naming the file, the item and the problem', async (t) => {
  const bad = structuredClone(recordedReport(FLEET['node-a'])) as unknown as Record<string, any>;
  bad['targets'][1].verdict = 'maybe';
  const cases: Array<[string, RegExp]> = [
    [
      configMapList([
        { name: 'cm-a', node: 'a', report: recordedReport(FLEET['node-a']) },
        { name: 'cm-b', node: 'b', report: bad as never },
      ]),
      /bad\.json: items\[1\] \(cm-b\): is not a valid aml-netcheck report: targets\[1\]\.verdict is "maybe", not one of /,
    ],
    [configMapList([{ name: 'cm-a', report: '{"truncated": ' }]), /bad\.json: items\[0\] \(cm-a\): is not an aml-netcheck report: not valid JSON \(/],
    [configMapList([{ name: 'cm-a', report: 'aml-netcheck check: 5 targets' }]), /items\[0\] \(cm-a\): is not an aml-netcheck report: not valid JSON .*it looks like the table output/],
    [JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } }] }), /bad\.json: items\[0\] \(p\): is a Pod, not a ConfigMap$/],
    [JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ kind: 'ConfigMap', metadata: { name: 'cm' }, data: { 'report.json': 42 } }] }), /items\[0\] \(cm\): data\['report\.json'\] is not a string$/],
    [JSON.stringify({ apiVersion: 'v1', kind: 'List', items: 'none' }), /bad\.json: is a Kubernetes List without an items list$/],
    [JSON.stringify({ apiVersion: 'v1', kind: 'Secret' }), /bad\.json: is not an aml-netcheck report \(it has no tool\.name\)$/],
  ];
  for (const [text, expected] of cases) {
    const line = lineOf([file('bad.json', text)]);
    t.match(line, expected);
    t.notMatch(line, /\n/, 'one line');
  }
  t.match(lineOf([file('merged.json', JSON.stringify({ kind: 'aml-netcheck-merge' }))]), /is the output of aml-netcheck merge, not a check report/);
});
