/**
 * `check --config`: the probes on loopback joined with the audit of an exported policy. The
 * simulated firewall drops share.sim.test:18445; web.sim.test:18443 works.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { SIMULATED_ROOT_VARIABLE } from '../../src/runner/trust.js';
import { runCli } from '../helpers/cli.js';
import { writeExport, type ExportRule } from '../helpers/firewall-export.js';
import { LOOPBACK_CATALOG as CATALOG, startLoopbackSim } from '../helpers/loopback-sim.js';
import { reportSchemaErrors } from '../helpers/schema.js';
import { unpackBundle } from '../helpers/denied-service.js';

const SHARE: ExportRule = { name: 'share-smb', host: 'share.sim.test', port: 18445, kind: 'network' };
const WEB: ExportRule = { name: 'web-https', host: 'web.sim.test', port: 18443, kind: 'Https' };
const SOURCES = ['127.0.0.0/8'];

interface Joined {
  readonly targets: ReadonlyArray<{ id: string; verdict: string; reason: string | null }>;
  readonly summary: { exitCode: number };
  readonly audit?: {
    readonly exitCode: number;
    readonly contradictions: number;
    readonly targets: ReadonlyArray<{ id: string; verdict: { verdict: string; rule?: { group: string; collection: string; rule: string } }; explanation: string; contradiction: { kind: string; cause: string; explanation: string } | null }>;
  };
}

async function simulation(t: { teardown(fn: () => unknown): void }) {
  const { dir, args } = await startLoopbackSim(t);
  t.teardown(() => {
    delete process.env[SIMULATED_ROOT_VARIABLE];
    rmSync(dir, { recursive: true, force: true });
  });
  // The healthy target must be reachable: each phase gets the 2 s a busy machine needs.
  return { dir, args: ['check', ...args, '--timeout', '2s', '--no-progress'] };
}

/** A policy of one group: a Deny collection of one rule, then an Allow collection of one. */
function writeSimExport(dir: string, policy: string, deny: { name: string; rule: ExportRule }, allow: { name: string; rule: ExportRule }): Promise<string[]> {
  const collections = [
    { name: deny.name, priority: 100, action: 'Deny', rules: [deny.rule] },
    { name: allow.name, priority: 200, action: 'Allow', rules: [allow.rule] },
  ] as const;
  return writeExport(dir, policy, [{ name: 'sim', priority: 100, collections }], SOURCES);
}

function byId(report: Joined): Record<string, string> {
  return Object.fromEntries((report.audit?.targets ?? []).map((a) => [a.id, `${a.verdict.verdict} ${a.contradiction === null ? '-' : `${a.contradiction.kind} ${a.contradiction.cause}`}`]));
}

t.test('the export agrees with the probes: the blocked target names the rule that blocks it', async (t) => {
  const { dir, args } = await simulation(t);
  const config = await writeSimExport(dir, 'fwp-agrees', { name: 'deny-smb', rule: SHARE }, { name: 'allow-web', rule: WEB });
  const run = await runCli([...args, ...config, '-o', 'json']);
  t.equal(run.code, 1, `the probe decides the exit code: ${run.stderr}`);
  const report = JSON.parse(run.stdout) as Joined;
  t.same(reportSchemaErrors(report), [], 'valid against schema/report.schema.json');
  t.same(byId(report), { 'share.sim.test:18445': 'denied -', 'web.sim.test:18443': 'allowed -' });
  const share = report.audit?.targets.find((a) => a.id === 'share.sim.test:18445');
  t.match(share?.verdict.rule, { group: 'sim', collection: 'deny-smb', rule: 'share-smb' });
  t.equal(share?.explanation, 'denied by sim/deny-smb/share-smb (100/100, network, fwp-agrees)');
  t.equal(report.audit?.contradictions, 0);
  t.equal(report.audit?.exitCode, 1, 'what audit alone would say, kept apart from the exit code');

  const table = await runCli([...args, ...config]);
  // Lines wrap at the terminal's width: compare with runs of white space made one.
  const text = table.stdout.replace(/\s+/g, ' ');
  t.match(text, /BLOCKED share\.sim\.test:18445 tcp-timeout .* rules: denied by sim\/deny-smb\/share-smb \(100\/100, network, fwp-agrees\) fix: /);
  t.match(text, /Your rules \(--config \S*fwp-agrees\.policy\.json, \S*fwp-agrees\.groups\.json; sources 127\.0\.0\.0\/8\): they agree with every probe\. The probes decide every verdict and the exit code; the rules explain them\./);
});

t.test('contradictions both ways, and neither changes a verdict or the exit code', async (t) => {
  const { dir, args } = await simulation(t);
  // Claims to allow the dropped share, and denies the web service that works.
  const config = await writeSimExport(dir, 'fwp-stale', { name: 'deny-web', rule: WEB }, { name: 'allow-smb', rule: SHARE });
  const plain = JSON.parse((await runCli([...args, '-o', 'json'])).stdout) as Joined;
  const run = await runCli([...args, ...config, '-o', 'json']);
  t.equal(run.code, 1, run.stderr);
  const report = JSON.parse(run.stdout) as Joined;
  t.same(reportSchemaErrors(report), []);
  t.same(
    report.targets.map((x) => [x.id, x.verdict, x.reason]),
    plain.targets.map((x) => [x.id, x.verdict, x.reason]),
    'every verdict is the probe’s, as without --config',
  );
  t.same(byId(report), { 'share.sim.test:18445': 'allowed allowed-but-blocked path', 'web.sim.test:18443': 'denied denied-but-reached bypass' });
  t.equal(report.audit?.contradictions, 2);
  const [share, web] = ['share.sim.test:18445', 'web.sim.test:18443'].map((id) => report.audit?.targets.find((a) => a.id === id)?.contradiction?.explanation);
  t.match(share, /^the configuration allows it \(by sim\/allow-smb\/share-smb .*\), yet the probe was blocked: packets were dropped on the way \(tcp-timeout\): an NSG not given, a route that sends the traffic past the firewall, or another appliance$/);
  t.match(web, /^the configuration denies it \(by sim\/deny-web\/web-https .*\), yet the probe got through: the traffic does not pass through that firewall/);

  for (const [format, pattern] of [
    ['table', /CONTRADICTION web\.sim\.test:18443 \(reachable\): the\s+configuration\s+denies\s+it/],
    ['markdown', /### Your rules\n\n.*2 contradiction\(s\) with the probes.*\n\n\| Target \| Probe \| Reason \| Contradiction \|\n(?:.*\n){0,3}\| `web\.sim\.test:18443` \| reachable \|/],
    ['junit', /<testcase name="web\.sim\.test:18443" [^>]*>\n\s+<system-out>reachable: [^<]*\n\s*contradiction: the configuration denies it/],
    ['html', /<section id="rules"><h2>Your rules<\/h2>[\s\S]*denied, yet got through/],
  ] as const) {
    const rendered = await runCli([...args, ...config, '-o', format]);
    t.equal(rendered.code, 1, `${format}: the exit code is the probes'`);
    t.match(rendered.stdout, pattern, `${format} calls the contradiction out`);
  }
});

t.test('audit inputs without --config, and a bad export, fail before any probe', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'amlnc-check-audit-bad-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{"ruleCollections": 7}');
  for (const [args, message] of [
    [['--source', '10.0.1.0/24'], /^aml-netcheck: --source: is matched against the rules of --config: give the exported rules with --config too\n$/],
    [['--config-kind', 'nsg=x.json'], /^aml-netcheck: --config-kind: names the kind of a --config file: give the file with --config too\n$/],
    [['--config', bad], /^aml-netcheck: .*bad\.json.*\n$/],
  ] as const) {
    const run = await runCli(['check', '--catalog', CATALOG, '--features', 'sim-test', ...args], { forbidNetwork: true });
    t.equal(run.code, 2, args.join(' '));
    t.match(run.stderr, message);
    t.equal(run.stdout, '');
  }
});

t.test('bundle --config: the exports inside, redacted, with their audit; the report carries the join', async (t) => {
  const { dir, args } = await simulation(t);
  const sig = 'AuditSigSecret42';
  const config = await writeSimExport(dir, 'fwp-bundle', { name: 'deny-smb', rule: SHARE }, { name: 'allow-web', rule: WEB });
  // A SAS someone pasted into a rule's description, as exports carry whatever the admin typed.
  const groupsFile = config[3] as string;
  writeFileSync(groupsFile, readFileSync(groupsFile, 'utf8').replace('"description": null', `"description": "log at https://st.blob.core.windows.net/c?sv=2030-01-01&sig=${sig}"`));
  const template = join(dir, 'template.json');
  const secureDefault = 'TemplateDefaultS3cret';
  writeFileSync(
    template,
    JSON.stringify({
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      parameters: { adminPassword: { type: 'SecureString', defaultValue: secureDefault }, nsgName: { type: 'String', defaultValue: 'nsg-sim' } },
      resources: [{ type: 'Microsoft.Network/networkSecurityGroups', apiVersion: '2024-05-01', name: "[parameters('nsgName')]", location: 'westus2', properties: { securityRules: [] } }],
    }),
  );
  const out = join(dir, 'ticket.tar.gz');
  const run = await runCli(['bundle', ...args.slice(1), ...config, '--config', template, '-o', 'json', '--out', out]);
  t.equal(run.code, 1, `check's exit code (${run.stderr})`);
  const printed = JSON.parse(run.stdout) as Joined;
  t.same(byId(printed), { 'share.sim.test:18445': 'denied -', 'web.sim.test:18443': 'allowed -' }, 'the NSG template allows both (its default rules); the firewall decides');
  const unpacked = join(dir, 'unpacked');
  mkdirSync(unpacked);
  const top = unpackBundle(out, unpacked);
  t.same(readdirSync(join(top, 'audit')).sort(), ['audit.json', 'config-1-firewall-policy.json', 'config-2-rule-collection-group.json', 'config-3-arm-template.json', 'index.json']);
  const audit = JSON.parse(readFileSync(join(top, 'audit/audit.json'), 'utf8')) as { kind: string; targets: Array<{ id: string; verdict: { verdict: string } }> };
  t.equal(audit.kind, 'aml-netcheck-audit');
  t.same(
    audit.targets.map((x) => [x.id, x.verdict.verdict]),
    [
      ['share.sim.test:18445', 'denied'],
      ['web.sim.test:18443', 'allowed'],
    ],
  );
  t.match(
    JSON.parse(readFileSync(join(top, 'audit/config-3-arm-template.json'), 'utf8')),
    { parameters: { adminPassword: { type: 'SecureString', defaultValue: '[redacted]' }, nsgName: { defaultValue: 'nsg-sim' } } },
    "a secure parameter's default is a secret whatever it looks like",
  );
  t.match(readFileSync(join(top, 'audit/config-2-rule-collection-group.json'), 'utf8'), /sv=\[redacted\]&sig=\[redacted\]/);
  t.match(JSON.parse(readFileSync(join(top, 'audit/index.json'), 'utf8')), [{ kind: 'firewall-policy', savedAs: 'audit/config-1-firewall-policy.json' }, {}, { file: template }]);
  t.same(JSON.parse(readFileSync(join(top, 'report.json'), 'utf8')), printed, 'report.json is the joined report');
  const everything =
    readdirSync(join(top, 'audit'))
      .map((name) => readFileSync(join(top, 'audit', name), 'utf8'))
      .join('\n') + readFileSync(join(top, 'report.json'), 'utf8');
  t.notOk(everything.includes(sig), 'the SAS signature is nowhere');
  t.notOk(everything.includes(secureDefault), 'the secure default is nowhere');
});
