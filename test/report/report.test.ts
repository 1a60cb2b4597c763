import t from 'tap';
import { loadCatalog } from '../../src/catalog/load.js';
import { buildReport } from '../../src/report/report.js';
import { byImpact, judgeFeatures } from '../../src/report/features.js';
import { sampleReport } from '../helpers/sample-report.js';
import { sampleChecked } from '../helpers/targets.js';
import type { CheckedTarget } from '../../src/model/result.js';
import { renderCheckTable } from '../../src/render/check/table.js';
import { defaultFacts } from '../../src/facts/facts.js';
import { REPORT_SCHEMA, reportSchemaErrors } from '../helpers/schema.js';
import { REASON_CODES } from '../../src/model/reasons.js';

const catalog = loadCatalog();

function checked(id: string, features: string[], verdict: CheckedTarget['verdict'], reason: CheckedTarget['reason'], required = true): CheckedTarget {
  const [host, port] = id.split(':') as [string, string];
  return sampleChecked(id, verdict, reason, {
    features,
    required,
    rules: [{ type: 'fqdn', destination: host, protocol: 'TCP', port: Number(port), direction: 'outbound' }],
    sources: [{ section: 's', file: 'f', keyPath: 'entries[0]', pattern: host, serviceTag: null, features, condition: null, required, representative: false, purpose: 'p', skipped: null }],
    warnings: verdict === 'warning' ? ['something odd'] : [],
    fix: verdict === 'blocked' ? [`allow outbound TCP ${port} to ${host}`] : [],
    timings: { total: 1 },
  });
}

const targets = [
  checked('st1.file.core.windows.net:445', ['workspace-storage', 'integrated-notebook'], 'blocked', 'tcp-timeout'),
  checked('st1.file.core.windows.net:443', ['workspace-storage', 'integrated-notebook'], 'reachable', null),
  checked('download.pytorch.org:443', ['python-packages'], 'blocked', 'tcp-refused', false),
  checked('pypi.org:443', ['python-packages'], 'reachable', null),
  checked('login.microsoftonline.com:443', ['azure-ad'], 'warning', null),
  checked('gcr.io:443', ['arc-extension'], 'skipped', null),
  checked('ml.azure.com:443', ['studio'], 'unknown', 'aborted'),
  checked('graph.windows.net:443', ['compute-instance'], 'unknown', 'internal-error', false),
  checked('ci1.westus2.instances.azureml.ms:443', ['compute-instance'], 'reachable', null),
];

t.test('features: a required block breaks, a target with no verdict makes it unknown, an optional block or a warning degrades, all-skipped is not checked', async (t) => {
  const status = Object.fromEntries(judgeFeatures(catalog, targets).map((f) => [f.id, [f.status, f.blockedBy]]));
  t.same(status, {
    'azure-ad': ['degraded', ['login.microsoftonline.com:443']],
    studio: ['unknown', ['ml.azure.com:443']],
    'compute-instance': ['unknown', ['graph.windows.net:443']],
    'integrated-notebook': ['broken', ['st1.file.core.windows.net:445']],
    'workspace-storage': ['broken', ['st1.file.core.windows.net:445']],
    'python-packages': ['degraded', ['download.pytorch.org:443']],
    'arc-extension': ['not-checked', []],
  });
});

const report = buildReport({
  catalog,
  version: '9.9.9',
  startedAt: new Date('2026-01-02T03:04:05Z'),
  durationMs: 1234,
  facts: { ...defaultFacts(), region: 'westus2' },
  settings: { timeoutMs: 5000, deadlineMs: 120000, concurrency: 32, retries: 1, dnsServers: [], proxy: null, proxySource: null },
  targets,
  stoppedBy: 'deadline',
});

t.test('the summary counts verdicts and decides the exit code', async (t) => {
  t.same(report.summary, {
    targets: 9,
    reachable: 3,
    blocked: 2,
    warning: 1,
    skipped: 1,
    unknown: 2,
    unfinished: 1,
    internalErrors: 1,
    requiredBlocked: 1,
    featuresBroken: ['integrated-notebook', 'workspace-storage'],
    featuresUnknown: ['studio', 'compute-instance'],
    requiredVerified: 5,
    featuresNotChecked: [],
    complete: false,
    stoppedBy: 'deadline',
    exitCode: 1,
  });
  const base = { catalog, version: '1', startedAt: new Date(), durationMs: 1, facts: defaultFacts(), settings: report.settings };
  const of = (...indexes: number[]): CheckedTarget[] => indexes.map((i) => targets[i] as CheckedTarget);
  t.equal(buildReport({ ...base, targets: of(1, 2), stoppedBy: null }).summary.exitCode, 0, 'an optional block alone does not fail the run');
  t.equal(buildReport({ ...base, targets: of(1, 6), stoppedBy: 'deadline' }).summary.exitCode, 3, 'cut short by the deadline, nothing required blocked: 3');
  t.equal(buildReport({ ...base, targets: of(0, 6), stoppedBy: 'deadline' }).summary.exitCode, 1, 'a required block outranks the deadline');
  t.equal(buildReport({ ...base, targets: of(1, 7), stoppedBy: null }).summary.exitCode, 2, 'an internal error on any target can never exit 0');
  t.equal(buildReport({ ...base, targets: of(0, 7), stoppedBy: null }).summary.exitCode, 1, 'a required block outranks our own failure');
  t.equal(buildReport({ ...base, targets: of(0, 6), stoppedBy: 'SIGINT' }).summary.exitCode, 130, 'SIGINT: 130 whatever was found');
  t.equal(buildReport({ ...base, targets: of(1, 6), stoppedBy: 'SIGTERM' }).summary.exitCode, 143, 'SIGTERM: 143');
  t.equal(buildReport({ ...base, targets: of(1, 6), stoppedBy: 'internal-error' }).summary.exitCode, 2, 'the process guard: 2');
  const internal = buildReport({ ...base, targets: of(7, 8), stoppedBy: null });
  t.same([internal.summary.complete, internal.features.find((f) => f.id === 'compute-instance')?.status], [false, 'unknown'], 'a bug never makes a feature look healthy');
});

t.test('no false green: exit 0 needs a verdict on something required, and on every feature asked for', async (t) => {
  const base = { catalog, version: '1', startedAt: new Date(), durationMs: 1, facts: defaultFacts(), stoppedBy: null };
  const skip = (target: CheckedTarget, flag: string): CheckedTarget => ({ ...target, verdict: 'skipped', reason: null, skipped: { reason: 'needs a name', flag } });
  const keyVault = skip(checked('kv.vault.azure.net:443', ['key-vault'], 'skipped', null), '--hbi --key-vault');
  const registry = skip(checked('cr.azurecr.io:443', ['container-registry'], 'skipped', null), '--container-registry');
  const requested = { ...report.settings, features: ['key-vault', 'container-registry'] };

  const nothing = buildReport({ ...base, settings: requested, targets: [keyVault, registry] });
  t.match(nothing.summary, { exitCode: 3, requiredVerified: 0, featuresNotChecked: ['key-vault', 'container-registry'], requiredBlocked: 0 }, 'every requested target skipped: 3, not 0');
  // Wrapped at the table's width: compare the words.
  const flat = (text: string): string => text.replace(/\s+/g, ' ');
  const table = flat(renderCheckTable(nothing));
  t.notMatch(table, /Every required endpoint is reachable/, 'the table never says so');
  t.match(table, /No required endpoint got a verdict, so nothing is proven reachable; to check them, give --hbi --key-vault, --container-registry\./);
  t.match(table, /Feature key-vault was asked for but not checked: it needs --hbi --key-vault\./);
  t.same(reportSchemaErrors(JSON.parse(JSON.stringify(nothing))), [], 'the new summary fields are in the schema');

  const empty = buildReport({ ...base, settings: { ...report.settings, features: ['arc-extension'] }, targets: [] });
  t.match(empty.summary, { exitCode: 3, featuresNotChecked: ['arc-extension'] }, 'a requested feature no target serves is not checked, and counts');
  t.match(empty.features, [{ id: 'arc-extension', status: 'not-checked', targets: 0 }]);
  t.match(flat(renderCheckTable(empty)), /Feature arc-extension was asked for but not checked: no endpoint of these requirements serves it with these facts\./);

  const half = buildReport({ ...base, settings: requested, targets: [checked('cr.azurecr.io:443', ['container-registry'], 'reachable', null), keyVault] });
  t.match(half.summary, { exitCode: 3, requiredVerified: 1, featuresNotChecked: ['key-vault'] }, 'one requested feature verified, the other not: still 3');

  const allFeatures = buildReport({ ...base, settings: report.settings, targets: [checked('cr.azurecr.io:443', ['container-registry'], 'reachable', null), keyVault] });
  t.match(allFeatures.summary, { exitCode: 0, featuresNotChecked: [] }, 'without --features, a feature whose facts are missing does not hold back exit 0');

  const optionalOnly = buildReport({ ...base, settings: report.settings, targets: [checked('pypi.org:443', ['python-packages'], 'reachable', null, false), keyVault] });
  t.match(optionalOnly.summary, { exitCode: 3, requiredVerified: 0 }, 'only optional targets verified: nothing required is proven');

  const blocked = buildReport({ ...base, settings: requested, targets: [checked('cr.azurecr.io:443', ['container-registry'], 'blocked', 'tcp-timeout'), keyVault] });
  t.equal(blocked.summary.exitCode, 1, 'a required block still outranks what was not checked');
  t.notMatch(flat(renderCheckTable(blocked)), /asked for but not checked/, 'and the blocked run does not muddy its message');
});

t.test('the report document matches the published schema', async (t) => {
  t.same(reportSchemaErrors(JSON.parse(JSON.stringify(report))), []);
  t.notSame(reportSchemaErrors({ ...JSON.parse(JSON.stringify(report)), extra: 1 }), [], 'unknown keys are refused');
  const target = report.targets[0] as CheckedTarget;
  t.notSame(reportSchemaErrors({ ...JSON.parse(JSON.stringify(report)), targets: [{ ...target, reason: 'tcp-future' }] }), [], 'an unknown reason code is refused');
});

interface SchemaNode {
  readonly $ref?: string;
  readonly $defs?: Record<string, SchemaNode>;
  readonly enum?: unknown[];
  readonly anyOf?: SchemaNode[];
  readonly items?: SchemaNode;
  readonly properties?: Record<string, SchemaNode>;
}

t.test('the schema lists the reason codes once, and the target and every phase name them by reference', async (t) => {
  const schema = REPORT_SCHEMA as SchemaNode;
  const defs = schema.$defs ?? {};
  /** The codes a node allows: its enum, the definition it refers to, or its alternatives'. */
  const codesOf = (node: SchemaNode | undefined): unknown[] | undefined => {
    if (node === undefined) return undefined;
    if (node.$ref !== undefined) return codesOf(defs[node.$ref.replace('#/$defs/', '')]);
    return node.enum ?? node.anyOf?.map(codesOf).find((codes) => codes !== undefined);
  };
  /** The object a phase holds: its one result, or each of its results per address. */
  const resultOf = (phase: SchemaNode): SchemaNode | undefined => phase.items ?? phase.anyOf?.find((node) => node.properties !== undefined);
  const model = [...REASON_CODES].sort();
  t.same([...(codesOf(defs['reasonCode']) ?? [])].sort(), model, "the definition lists the model's codes");
  const targetSchema = schema.properties?.['targets']?.items;
  t.same([...(codesOf(targetSchema?.properties?.['reason']) ?? [])].sort(), model, "the target's reason");
  const phases = targetSchema?.properties?.['phases']?.properties ?? {};
  t.same(Object.keys(phases).sort(), ['dns', 'http', 'tcp', 'tls', 'udp'], 'every phase of the model');
  for (const [name, phase] of Object.entries(phases)) {
    // The model lets every phase fail with any code (a proxy's answer in http, aborted anywhere): so does the schema.
    t.same([...(codesOf(resultOf(phase)?.properties?.['reason']) ?? [])].sort(), model, `the ${name} phase's reason`);
  }
  const lists: string[] = [];
  const walk = (node: unknown, at: string): void => {
    if (Array.isArray(node)) node.forEach((child, i) => walk(child, `${at}/${i}`));
    else if (typeof node === 'object' && node !== null) {
      const { enum: values } = node as SchemaNode;
      if (values?.includes('aborted')) lists.push(at);
      for (const [key, child] of Object.entries(node)) walk(child, `${at}/${key}`);
    }
  };
  walk(schema, '#');
  t.same(lists, ['#/$defs/reasonCode'], 'one list of the codes');
});

t.test('the table puts broken features first, then degraded and unknown ones, with the fix under each blocked target', async (t) => {
  const text = renderCheckTable(report);
  const lines = text.split('\n');
  // The headline wraps at the table's width, its continuation indented.
  t.equal(`${lines[0]} ${lines[1]?.trim()}`, 'aml-netcheck 9.9.9: Azure public, westus2, requirements of 2026-03; 6 target(s) checked, 2 without a verdict in 1.2s');
  const order = lines.filter((l) => /^(BROKEN|UNKNOWN|DEGRADED|ok) /.test(l)).map((l) => l.split(/\s+/)[0]);
  t.same(order, ['BROKEN', 'BROKEN', 'DEGRADED', 'DEGRADED', 'UNKNOWN', 'UNKNOWN']);
  t.match(text, /ERROR\s+graph\.windows\.net:443\s+internal-error/);
  t.match(text, /BLOCKED\s+st1\.file\.core\.windows\.net:445\s+tcp-timeout\s+st1\.file\.core\.windows\.net:445 blocked\n\s+fix:\s+allow outbound TCP 445 to st1\.file\.core\.windows\.net/);
  t.match(text, /UNFINISHED\s+ml\.azure\.com:443\s+aborted/);
  t.match(text, /note: something odd/);
  t.match(text, /Not checked: arc-extension/);
  t.match(text, /Broken: integrated-notebook, workspace-storage; 1 required endpoint\(s\) blocked\./);
  t.match(text, /Unknown: studio, compute-instance; some of their endpoints have no verdict\./);
  t.match(text, /Incomplete: the --deadline ended the run/);
});

t.test('features by impact: broken, degraded, unknown, ok, not-checked', async (t) => {
  const features = [...sampleReport().features].sort(byImpact);
  const statuses = features.map((f) => f.status);
  t.same([...new Set(statuses)], ['broken', 'degraded', 'unknown', 'ok', 'not-checked'], 'every status, in that order');
  t.same(
    features.filter((f) => f.status === 'unknown').map((f) => f.blockedBy),
    [['ml.azure.com:443']],
    'an unknown feature names the target without a verdict',
  );
});
