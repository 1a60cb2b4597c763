import t from 'tap';
import { featureCauses, mergeReports, MERGE_SCHEMA_VERSION, type MergedReport, type NodeReport } from '../../src/report/merge.js';
import type { CheckReport } from '../../src/report/report.js';
import { recordedReport } from '../helpers/sample-diff.js';
import { fleetNodes, UDP_REPORT, warningNodes } from '../helpers/sample-merge.js';

const LOGIN_80 = 'login.microsoftonline.com:80';
const LOGIN_443 = 'login.microsoftonline.com:443';
const BLOB = 'st1.blob.core.windows.net:443';
const FILE_443 = 'st1.file.core.windows.net:443';
const SMB = 'st1.file.core.windows.net:445';
const CI = ['ci1.westus2.instances.azureml.ms:443', 'ci1.westus2.instances.azureml.ms:8787', 'ci1.westus2.instances.azureml.ms:18881'];
const DROPPED = 'dropped.relay.test:3478/udp';

function target(merged: MergedReport, id: string) {
  const found = merged.targets.find((x) => x.id === id);
  if (found === undefined) throw new Error(`no target ${id}`);
  return found;
}

function feature(merged: MergedReport, id: string) {
  const found = merged.features.find((x) => x.id === id);
  if (found === undefined) throw new Error(`no feature ${id}`);
  return found;
}

const WARN_OK = 'private-endpoint-a-correctly-configured-private-endpoint-vnet-no-false-alarm';

function edited(name: string, edit: (report: Record<string, any>) => void): CheckReport {
  const report = structuredClone(recordedReport(name)) as unknown as Record<string, any>;
  edit(report);
  return report as unknown as CheckReport;
}

t.test('three nodes, one target set, three verdicts: per target who reaches it and who does not', async (t) => {
  const merged = mergeReports(fleetNodes());
  t.equal(merged.kind, 'aml-netcheck-merge');
  t.equal(merged.schemaVersion, 2);
  t.equal(MERGE_SCHEMA_VERSION, 2, 'the JSON changed shape: warning, requiredWarning, a node without a report among the nodes');
  t.same(
    merged.nodes.map((n) => [n.node, n.requiredBlocked, n.exitCode]),
    [
      ['node-a', 1, 1],
      ['node-b', 5, 1],
      ['node-c', 0, 0],
    ],
  );
  t.same(
    merged.targets.map((x) => ({ id: x.id, status: x.status, reaching: x.reaching, blocked: x.blocked, noVerdict: x.noVerdict, absent: x.absent })),
    [
      // One status for all five: the reports' own order stands.
      { id: LOGIN_80, status: 'blocked-on-some', reaching: ['node-a', 'node-c'], blocked: ['node-b'], noVerdict: [], absent: [] },
      { id: LOGIN_443, status: 'blocked-on-some', reaching: ['node-a', 'node-c'], blocked: ['node-b'], noVerdict: [], absent: [] },
      { id: BLOB, status: 'blocked-on-some', reaching: ['node-a', 'node-c'], blocked: ['node-b'], noVerdict: [], absent: [] },
      { id: FILE_443, status: 'blocked-on-some', reaching: ['node-a', 'node-c'], blocked: ['node-b'], noVerdict: [], absent: [] },
      { id: SMB, status: 'blocked-on-some', reaching: ['node-c'], blocked: ['node-a', 'node-b'], noVerdict: [], absent: [] },
    ],
  );
  t.same(
    target(merged, SMB).nodes.map((v) => [v.node, v.verdict, v.reason]),
    [
      ['node-a', 'blocked', 'tcp-refused'],
      ['node-b', 'blocked', 'tcp-refused'],
      ['node-c', 'reachable', null],
    ],
  );
  t.same(
    merged.features.map((f) => ({ id: f.id, status: f.status, broken: f.broken, ok: f.ok })),
    [
      { id: 'azure-ad', status: 'broken-on-some', broken: ['node-b'], ok: ['node-a', 'node-c'] },
      { id: 'workspace-storage', status: 'broken-on-some', broken: ['node-a', 'node-b'], ok: ['node-c'] },
    ],
  );
  t.same(merged.summary.requiredBlocked, [LOGIN_80, LOGIN_443, BLOB, FILE_443, SMB]);
  t.same(merged.summary.nodesWithBlocked, ['node-a', 'node-b']);
  t.equal(merged.summary.exitCode, 1);
  t.same(merged.summary.targets, { 'blocked-everywhere': 0, 'blocked-on-some': 5, 'no-verdict-on-some': 0, 'warning-everywhere': 0, 'warning-on-some': 0, 'reachable-everywhere': 0, 'not-checked': 0 });
  t.same(merged.warnings, [], 'one workspace, one version, every run complete');
});

t.test('blocked on every node is "everywhere", and what is fine everywhere sorts last', async (t) => {
  const [a, b] = fleetNodes() as [NodeReport, NodeReport];
  const merged = mergeReports([a, { ...b, node: 'node-b' }]);
  t.equal(target(merged, SMB).status, 'blocked-everywhere');
  t.equal(merged.targets[0]?.id, SMB, 'blocked everywhere first');
  t.equal(feature(merged, 'workspace-storage').status, 'broken-everywhere');
  const fine = mergeReports([fleetNodes()[2] as NodeReport, { ...(fleetNodes()[2] as NodeReport), node: 'node-d' }]);
  t.ok(fine.targets.every((x) => x.status === 'reachable-everywhere'));
  t.ok(fine.features.every((f) => f.status === 'ok-everywhere'));
  t.equal(fine.summary.exitCode, 0);
});

t.test('a node cut short: no verdict there, exit 3 when nothing is blocked anywhere', async (t) => {
  const healthy = fleetNodes()[2] as NodeReport;
  const cut: NodeReport = { node: 'node-slow', source: 'slow.json', report: recordedReport('interrupt-deadline-shorter-than-a-dropped-port-takes-ends-on-time-full-report-exit-3') };
  const merged = mergeReports([healthy, cut]);
  const login = target(merged, LOGIN_443);
  t.equal(login.status, 'no-verdict-on-some');
  t.same([login.reaching, login.noVerdict], [['node-c'], ['node-slow']]);
  t.same(target(merged, BLOB).absent, ['node-slow'], 'the cut run was given no storage account');
  t.equal(feature(merged, 'azure-ad').status, 'unknown-on-some');
  t.same(feature(merged, 'azure-ad').unknown, ['node-slow']);
  t.equal(target(merged, BLOB).status, 'no-verdict-on-some', 'reachable where checked is not "everywhere"');
  t.equal(feature(merged, 'workspace-storage').status, 'unknown-on-some');
  t.same(feature(merged, 'workspace-storage').absent, ['node-slow']);
  t.same(merged.summary.requiredNoVerdict, [LOGIN_443, BLOB, FILE_443, SMB]);
  t.equal(merged.summary.exitCode, 3);
  t.match(merged.warnings.join('\n'), /the run on node-slow was cut short \(deadline\): 1 target\(s\) have no verdict there/);
  t.match(merged.warnings.join('\n'), /3 target\(s\) are missing from some nodes' reports/);

  const withBlocked = mergeReports([cut, fleetNodes()[1] as NodeReport]);
  t.equal(withBlocked.summary.exitCode, 1, 'a blocked target outranks a missing verdict');
  t.equal(target(withBlocked, LOGIN_443).status, 'blocked-on-some', 'blocked where it has a verdict, none elsewhere: not "everywhere"');
});

t.test('reports of other workspaces, clouds or versions are merged, with a warning', async (t) => {
  const [a, b] = fleetNodes() as [NodeReport, NodeReport];
  const other = edited('proxy-without-the-proxy-nothing-gets-out', (r) => {
    r['tool'].version = '0.2.0';
    r['facts'].cloud = 'usgov';
    r['facts'].region = 'usgovvirginia';
  });
  const merged = mergeReports([a, { ...b, report: other }]);
  t.match(merged.warnings, [/^the reports are of different clouds \('public' on node-a; 'usgov' on node-b\)/, /^the reports are of different workspaces \(region 'westus2' on node-a; 'usgovvirginia' on node-b\)/, /^the reports come from different aml-netcheck versions/]);
});

t.test('an optional target blocked somewhere is shown, but does not fail the merge', async (t) => {
  const optional = (name: string) =>
    edited(name, (r) => {
      for (const x of r['targets']) x.required = false;
      for (const f of r['features']) if (f.status === 'broken') f.status = 'degraded';
    });
  const merged = mergeReports([
    { node: 'node-a', source: 'a', report: optional('proxy-with-proxy') },
    { node: 'node-c', source: 'c', report: optional('dns-every-endpoint-reachable-exit-0-every-target-reachable-every-feature-ok') },
  ]);
  t.equal(target(merged, SMB).status, 'blocked-on-some');
  t.equal(feature(merged, 'workspace-storage').status, 'degraded-on-some');
  t.same(feature(merged, 'workspace-storage').degraded, ['node-a']);
  t.equal(merged.summary.exitCode, 0);
});

t.test('a warning is not reaching: its own status and node list, and it does not fail the merge', async (t) => {
  const merged = mergeReports(warningNodes());
  for (const id of CI) {
    const ci = target(merged, id);
    t.equal(ci.status, 'warning-on-some', id);
    t.same([ci.reaching, ci.warning, ci.blocked, ci.noVerdict], [['node-ok'], ['node-ci'], [], []], `${id}: node-ci warned, it does not reach it`);
  }
  t.match(target(merged, CI[0] as string).nodes[1], { node: 'node-ci', verdict: 'warning', reason: null, warnings: [/resolves to 10\.99\.5\.9, but the workspace private endpoint .* is 10\.99\.5\.5/] });
  t.equal(target(merged, 'westus2.api.azureml.ms:443').status, 'reachable-everywhere');
  t.same(
    merged.targets.slice(0, 3).map((x) => x.id),
    CI,
    'a warning sorts before what is reachable everywhere',
  );
  t.same(merged.summary.requiredWarning, CI);
  t.equal(merged.summary.targets['warning-on-some'], 3);
  t.equal(merged.summary.exitCode, 0, 'a warning never fails the run, as in check');

  const ci = warningNodes()[1] as NodeReport;
  const both = mergeReports([ci, { ...ci, node: 'node-ci-2' }]);
  t.equal(target(both, CI[0] as string).status, 'warning-everywhere', 'not "reachable everywhere"');
  t.same(target(both, CI[0] as string).reaching, []);

  const relay = (node: string): NodeReport => ({ node, source: `${node}.json`, report: recordedReport(UDP_REPORT) });
  const udp = mergeReports([relay('relay-a'), relay('relay-b')]);
  const dropped = target(udp, DROPPED);
  t.equal(dropped.status, 'warning-everywhere', 'UDP silence is no proof of reach on any node');
  t.same([dropped.reaching, dropped.warning], [[], ['relay-a', 'relay-b']]);
  t.same(
    dropped.nodes.map((v) => v.reason),
    ['udp-unverified', 'udp-unverified'],
  );
  t.equal(target(udp, 'open.relay.test:3478/udp').status, 'reachable-everywhere');
});

t.test('blocked outranks no verdict outranks a warning', async (t) => {
  const [ok, ci] = warningNodes() as [NodeReport, NodeReport];
  const with443 = (verdict: string, reason: string) =>
    edited(WARN_OK, (r) => {
      const x = r['targets'].find((y: { id: string }) => y.id === CI[0]);
      Object.assign(x, { verdict, reason });
    });
  const blocked = mergeReports([ci, { ...ok, report: with443('blocked', 'tcp-refused') }]);
  t.match(target(blocked, CI[0] as string), { status: 'blocked-on-some', blocked: ['node-ok'], warning: ['node-ci'], reaching: [] });
  const open = mergeReports([ci, { ...ok, report: with443('unknown', 'aborted') }]);
  t.match(target(open, CI[0] as string), { status: 'no-verdict-on-some', noVerdict: ['node-ok'], warning: ['node-ci'], reaching: [] });
  t.equal(open.summary.exitCode, 3);
  t.same(open.summary.requiredWarning, CI.slice(1), 'a target without a verdict somewhere is not counted as a warning');
});

t.test('a degraded or broken feature names, per node, the targets behind it', async (t) => {
  const merged = mergeReports(warningNodes());
  const ci = feature(merged, 'compute-instance');
  t.equal(ci.status, 'degraded-on-some');
  t.same(featureCauses(ci), [{ status: 'degraded', targets: CI, nodes: ['node-ci'] }]);
  const fleet = mergeReports(fleetNodes());
  t.same(featureCauses(feature(fleet, 'workspace-storage')), [
    { status: 'broken', targets: [SMB], nodes: ['node-a'] },
    { status: 'broken', targets: [BLOB, FILE_443, SMB], nodes: ['node-b'] },
  ]);
  const same = mergeReports([fleetNodes()[1] as NodeReport, { ...(fleetNodes()[1] as NodeReport), node: 'node-b2' }]);
  t.same(featureCauses(feature(same, 'azure-ad')), [{ status: 'broken', targets: [LOGIN_80, LOGIN_443], nodes: ['node-b', 'node-b2'] }], 'nodes that say the same are one cause');
});

t.test('a node without a report is one of the nodes, and the merge cannot pass', async (t) => {
  const merged = mergeReports([fleetNodes()[2] as NodeReport], [{ node: 'node-late', source: 'fleet.json items[1] (cm-late)' }]);
  t.same(
    merged.nodes.map((n) => [n.node, n.status]),
    [
      ['node-c', 'complete'],
      ['node-late', 'no-report'],
    ],
  );
  t.match(merged.nodes[1], { source: 'fleet.json items[1] (cm-late)', startedAt: null, exitCode: null, targets: null, requiredBlocked: null, complete: false });
  t.same(merged.summary.nodesWithoutReport, ['node-late']);
  t.equal(merged.summary.nodes, 1, 'nodes that reported');
  t.equal(merged.summary.exitCode, 3);
});
