import t from 'tap';
import { diffReports, type ChangeKind, type ReportDiff } from '../../src/report/diff.js';
import { readReport } from '../../src/report/read.js';
import type { CheckReport } from '../../src/report/report.js';

/** The recorded reports of the simulated-VNet scenarios, by a short name. */
const RECORDED = {
  allReachable: 'dns-every-endpoint-reachable-exit-0-every-target-reachable-every-feature-ok',
  firewallDropsSmb: 'firewall-the-firewall-drops-smb-and-resets-http-tcp-timeout-and-tcp-refused-each-breaking-',
  withoutProxy: 'proxy-without-the-proxy-nothing-gets-out',
  withProxy: 'proxy-with-proxy',
  proxyNoCredentials: 'proxy-no-credentials-proxy-auth-required',
  deadline: 'interrupt-deadline-shorter-than-a-dropped-port-takes-ends-on-time-full-report-exit-3',
  sigint: 'interrupt-sigint-while-a-check-hangs-ends-at-once-full-report-exit-130',
  dnsDropped: 'dns-a-firewall-drops-dns-to-the-resolver-dns-timeout-for-every-name',
  privateEndpointOk: 'private-endpoint-a-correctly-configured-private-endpoint-vnet-no-false-alarm',
  computeInstanceAway: 'private-endpoint-a-compute-instance-name-that-points-away-from-the-workspace-private-endpo',
  storageServiceEndpoint: 'private-endpoint-storage-without-a-private-endpoint-of-its-own-a-service-endpoint-fine-unl',
} as const;

function recorded(name: keyof typeof RECORDED): CheckReport {
  return readReport(`test/fixtures/reports/${RECORDED[name]}.json`);
}

/** A report changed the way a test needs, the recorded one left as it was. */
function edited(name: keyof typeof RECORDED, edit: (report: Record<string, any>) => void): CheckReport {
  const copy = structuredClone(recorded(name)) as unknown as Record<string, any>;
  edit(copy);
  return copy as unknown as CheckReport;
}

/** Target ids of each kind that occurs, the unchanged left out unless asked for. */
function targetKinds(diff: ReportDiff, withUnchanged = false): Partial<Record<ChangeKind, string[]>> {
  const kinds: Partial<Record<ChangeKind, string[]>> = {};
  for (const target of diff.targets) if (withUnchanged || target.change !== 'unchanged') (kinds[target.change] ??= []).push(target.id);
  for (const ids of Object.values(kinds)) ids.sort();
  return kinds;
}

function featureKinds(diff: ReportDiff): Record<string, ChangeKind> {
  return Object.fromEntries(diff.features.map((f) => [f.id, f.change]));
}

t.test("an admin's change: without the proxy nothing gets out, with it all but SMB does", async (t) => {
  const diff = diffReports(recorded('withoutProxy'), recorded('withProxy'));
  t.same(targetKinds(diff), {
    fixed: ['login.microsoftonline.com:443', 'login.microsoftonline.com:80', 'st1.blob.core.windows.net:443', 'st1.file.core.windows.net:443'],
    'still-broken': ['st1.file.core.windows.net:445'],
  });
  t.same(featureKinds(diff), { 'azure-ad': 'fixed', 'workspace-storage': 'still-broken' });
  t.equal(diff.summary.exitCode, 0);
  t.same(diff.warnings, [], 'the same workspace, one version, whole runs: nothing to warn about');
  t.equal(diff.summary.targets.fixed, 4);
  const fixed = diff.targets.find((x) => x.id === 'login.microsoftonline.com:443');
  t.match(fixed, { before: { verdict: 'blocked', reason: 'tcp-refused' }, after: { verdict: 'reachable', reason: null, via: 'proxy' } });
});

t.test('the same change undone: what it fixed is newly broken, and the exit code says so', async (t) => {
  const diff = diffReports(recorded('withProxy'), recorded('withoutProxy'));
  t.same(targetKinds(diff), {
    'newly-broken': ['login.microsoftonline.com:443', 'login.microsoftonline.com:80', 'st1.blob.core.windows.net:443', 'st1.file.core.windows.net:443'],
    'still-broken': ['st1.file.core.windows.net:445'],
  });
  t.same(diff.summary.featuresNewlyBroken, ['azure-ad']);
  t.equal(diff.summary.requiredNewlyBlocked.length, 4);
  t.equal(diff.summary.exitCode, 1);
  t.equal(diff.targets[0]?.change, 'newly-broken', 'newly broken first');
});

t.test('a firewall that drops SMB and resets HTTP, after every endpoint was reachable', async (t) => {
  const diff = diffReports(recorded('allReachable'), recorded('firewallDropsSmb'));
  t.same(targetKinds(diff, true), {
    'newly-broken': ['login.microsoftonline.com:80', 'st1.file.core.windows.net:445'],
    unchanged: ['login.microsoftonline.com:443', 'st1.blob.core.windows.net:443', 'st1.file.core.windows.net:443'],
  });
  t.same(featureKinds(diff), { 'azure-ad': 'newly-broken', 'workspace-storage': 'newly-broken' });
  t.equal(diff.summary.exitCode, 1);
  const back = diffReports(recorded('firewallDropsSmb'), recorded('allReachable'));
  t.same(targetKinds(back), { fixed: ['login.microsoftonline.com:80', 'st1.file.core.windows.net:445'] });
  t.equal(back.summary.exitCode, 0);
});

t.test('blocked in both runs for another reason is a change an admin wants to see, not a fix', async (t) => {
  const diff = diffReports(recorded('withoutProxy'), recorded('proxyNoCredentials'));
  t.same(targetKinds(diff), {
    changed: ['login.microsoftonline.com:443', 'login.microsoftonline.com:80', 'st1.blob.core.windows.net:443', 'st1.file.core.windows.net:443'],
    'still-broken': ['st1.file.core.windows.net:445'],
  });
  t.match(
    diff.targets.find((x) => x.change === 'changed'),
    { before: { reason: 'tcp-refused' }, after: { reason: 'proxy-auth-required' } },
  );
  t.equal(diff.summary.exitCode, 0, 'broken before too: not a regression');

  const smb = diffReports(recorded('withProxy'), recorded('firewallDropsSmb'));
  t.match(
    smb.targets.find((x) => x.id === 'st1.file.core.windows.net:445'),
    { change: 'changed', before: { reason: 'tcp-refused' }, after: { reason: 'tcp-timeout' } },
  );
  t.same(targetKinds(smb)['newly-broken'], ['login.microsoftonline.com:80']);
});

t.test('a target without a verdict is neither fixed nor newly broken', async (t) => {
  const cut = diffReports(recorded('allReachable'), recorded('sigint'));
  t.same(targetKinds(cut), {
    'no-verdict': ['login.microsoftonline.com:443'],
    removed: ['st1.blob.core.windows.net:443', 'st1.file.core.windows.net:443', 'st1.file.core.windows.net:445'],
  });
  t.same(featureKinds(cut), { 'azure-ad': 'no-verdict', 'workspace-storage': 'removed' });
  t.equal(cut.summary.exitCode, 0);
  t.equal(cut.summary.partial, true);
  t.match(cut.warnings, [/storageAccount 'st1' → \(none\)/, /the AFTER run was cut short \(SIGINT\): 1 target\(s\) have no verdict there, so the comparison is partial/]);

  const finished = diffReports(recorded('deadline'), recorded('allReachable'));
  t.same(targetKinds(finished), {
    'no-verdict': ['login.microsoftonline.com:443'],
    added: ['st1.blob.core.windows.net:443', 'st1.file.core.windows.net:443', 'st1.file.core.windows.net:445'],
  });
  t.same(featureKinds(finished), { 'azure-ad': 'no-verdict', 'workspace-storage': 'added' });
  t.match(finished.warnings, [/different workspace facts/, /the BEFORE run was cut short \(deadline\)/]);

  const blockedThenCut = diffReports(recorded('dnsDropped'), recorded('deadline'));
  t.same(targetKinds(blockedThenCut), { fixed: ['login.microsoftonline.com:80'], 'no-verdict': ['login.microsoftonline.com:443'] });
  t.same(featureKinds(blockedThenCut), { 'azure-ad': 'no-verdict' });
});

t.test('blocked now after no verdict before counts as newly broken: a gate fails closed', async (t) => {
  const diff = diffReports(recorded('deadline'), recorded('dnsDropped'));
  t.same(targetKinds(diff), { 'newly-broken': ['login.microsoftonline.com:443', 'login.microsoftonline.com:80'] });
  t.same(featureKinds(diff), { 'azure-ad': 'newly-broken' });
  t.equal(diff.summary.exitCode, 1);
  t.match(diff.targets.find((x) => x.id === 'login.microsoftonline.com:443')?.before, { verdict: 'unknown', reason: 'aborted' });
});

t.test('a new warning on a reachable target is a change, and its feature is degraded', async (t) => {
  const diff = diffReports(recorded('privateEndpointOk'), recorded('computeInstanceAway'));
  t.same(targetKinds(diff), { changed: ['ci1.westus2.instances.azureml.ms:18881', 'ci1.westus2.instances.azureml.ms:443', 'ci1.westus2.instances.azureml.ms:8787'] });
  t.same(featureKinds(diff)['compute-instance'], 'changed');
  t.equal(diff.summary.exitCode, 0);
  t.equal(diff.summary.targets.unchanged, 16, 'skipped in both runs, inbound ones included, is unchanged');
  const back = diffReports(recorded('computeInstanceAway'), recorded('privateEndpointOk'));
  t.same(targetKinds(back).fixed?.length, 3, 'the warning gone is a fix');
});

t.test('storage behind a service endpoint, named as if it had a private endpoint: four targets newly broken', async (t) => {
  const diff = diffReports(recorded('privateEndpointOk'), recorded('storageServiceEndpoint'));
  t.same(targetKinds(diff), { 'newly-broken': ['st1.blob.core.windows.net:443', 'st1.dfs.core.windows.net:443', 'st1.file.core.windows.net:443', 'st1.file.core.windows.net:445'] });
  t.same([...diff.summary.featuresNewlyBroken].sort(), ['integrated-notebook', 'workspace-storage']);
  t.same(diff.warnings, [], 'the same facts: what changed is the VNet DNS');
});

t.test('a report compared with itself: everything unchanged, no warning, exit 0', async (t) => {
  const report = recorded('firewallDropsSmb');
  const diff = diffReports(report, report);
  t.same(targetKinds(diff), { 'still-broken': ['login.microsoftonline.com:80', 'st1.file.core.windows.net:445'] });
  t.equal(diff.summary.targets.unchanged, 3);
  t.same(diff.warnings, []);
  t.equal(diff.summary.exitCode, 0);
});

t.test('an optional target newly blocked is listed, but breaks nothing and does not fail the gate', async (t) => {
  const after = edited('firewallDropsSmb', (report) => {
    for (const target of report['targets']) target.required = false;
    for (const feature of report['features']) feature.status = 'degraded';
  });
  const diff = diffReports(recorded('allReachable'), after);
  t.same(targetKinds(diff)['newly-broken'], ['login.microsoftonline.com:80', 'st1.file.core.windows.net:445']);
  t.same(diff.summary.requiredNewlyBlocked, []);
  t.same(featureKinds(diff), { 'azure-ad': 'changed', 'workspace-storage': 'changed' });
  t.equal(diff.summary.exitCode, 0);
});

t.test('a target that became required while blocked newly breaks its feature: exit 1', async (t) => {
  const before = edited('firewallDropsSmb', (report) => {
    report['targets'][4].required = false;
    report['features'][1].status = 'degraded';
  });
  const diff = diffReports(before, recorded('firewallDropsSmb'));
  t.equal(diff.targets.find((x) => x.id === 'st1.file.core.windows.net:445')?.change, 'still-broken');
  t.same(diff.summary.featuresNewlyBroken, ['workspace-storage']);
  t.equal(diff.summary.exitCode, 1);
});

t.test('the warnings: other workspace, other version, other catalog, files swapped', async (t) => {
  const other = edited('withProxy', (report) => {
    report['facts'].workspaceId = '11111111-2222-3333-4444-555555555555';
    report['facts'].region = 'eastus';
    report['tool'].version = '0.2.0';
    report['targets'][0].sources[0].file = '/etc/corp/catalog.yaml';
    report['startedAt'] = '2020-01-01T00:00:00.000Z';
  });
  const base = edited('withoutProxy', (report) => {
    report['facts'].workspaceId = '0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11';
  });
  const diff = diffReports(base, other);
  t.same(diff.warnings, [
    "the reports are of different workspaces (region 'westus2' → 'eastus'; workspaceId '0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11' → '11111111-2222-3333-4444-555555555555'); compared anyway, target by target",
    "the reports come from different aml-netcheck versions ('0.1.0' → '0.2.0'), whose catalogs may differ",
    "the runs used different catalog files (only AFTER: '/etc/corp/catalog.yaml')",
    `AFTER (2020-01-01T00:00:00.000Z) ran before BEFORE (${base.startedAt}): are the files the wrong way round?`,
  ]);
  t.equal(diff.summary.exitCode, 0, 'warnings do not change the exit code');
});

t.test('the diff holds no function, no undefined: it is its own JSON', async (t) => {
  const diff = diffReports(recorded('withoutProxy'), recorded('withProxy'));
  t.same(JSON.parse(JSON.stringify(diff)), diff);
  t.match(diff, { kind: 'aml-netcheck-diff', schemaVersion: 1, before: { toolVersion: '0.1.0', complete: true, exitCode: 1 }, after: { exitCode: 1 } });
});
