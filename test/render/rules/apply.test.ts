import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { expandCatalog } from '../../../src/catalog/expand.js';
import { loadCatalog } from '../../../src/catalog/load.js';
import { defaultFacts } from '../../../src/facts/facts.js';
import { planFromReport, planFromTargets, type RulesPlan } from '../../../src/remedies/plan.js';
import { readReport } from '../../../src/report/read.js';
import { renderRulesAzClassic } from '../../../src/render/rules/az-classic.js';
import { renderRulesAzPolicy } from '../../../src/render/rules/az-policy.js';
import { renderRulesBicep } from '../../../src/render/rules/bicep.js';
import { renderRulesNsg } from '../../../src/render/rules/nsg.js';
import { AzStandin, type Applied, type AzState } from '../../helpers/az-standin.js';
import { runCli } from '../../helpers/cli.js';

/**
 * The command formats applied one after the other to a policy, a firewall and an NSG that
 * already hold an admin's own rules, through the stand-in `az` of test/helpers/az-standin.mjs:
 * a stand-in built to the az CLI's published contract (a rule collection group `create` is a
 * PUT that empties the group; collection and rule adds are a GET and a PUT of the whole group
 * or firewall; an NSG rule create replaces the rule of that name; a show of a missing resource
 * exits 3; sources cited there), not a recording of calls.
 */

const FIREWALL_REPORT = fileURLToPath(new URL('../../fixtures/reports/firewall-the-firewall-drops-smb-and-resets-http-tcp-timeout-and-tcp-refused-each-breaking-.json', import.meta.url));
const FACTS = { ...defaultFacts(), region: 'westus2', storageAccount: 'st1', workspaceId: '0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11' };
// Features enough for network, application and NSG rules in and out, and few enough to run quickly on a busy machine.
const ALLOW: RulesPlan = planFromTargets(expandCatalog(loadCatalog(), FACTS, { features: ['azure-ad', 'workspace-storage', 'compute-instance', 'python-packages'] }), FACTS);
const report = readReport(FIREWALL_REPORT);
const FIXES: RulesPlan = planFromReport(report.targets, report.facts);
const SETTINGS = { resourceGroup: 'rg1', firewallPolicy: 'fwp1', firewall: 'fw1', nsg: 'nsg1', source: ['10.0.0.0/24'] };

const rule = (name: string): { name: string } => ({ name });

/** Resources that already hold the admin's own rules, at the priorities ours prefer, and in a group named like ours. */
function populated(): AzState {
  return {
    policies: {
      'rg1/fwp1': {
        groups: [
          { name: 'net-admin', priority: 500, ruleCollections: [{ name: 'corp', priority: 100, rules: [rule('corp-dns'), rule('corp-ntp')] }] },
          { name: 'aml-netcheck', priority: 300, ruleCollections: [{ name: 'admin-extra', priority: 100, rules: [rule('corp-proxy')] }] },
        ],
      },
    },
    firewalls: {
      'rg1/fw1': {
        networkRuleCollections: [{ name: 'admin-net', priority: 100, action: { type: 'Allow' }, rules: [rule('corp-dns')] }],
        applicationRuleCollections: [{ name: 'admin-web', priority: 200, action: { type: 'Allow' }, rules: [rule('corp-web'), rule('corp-wiki')] }],
      },
    },
    nsgs: {
      'rg1/nsg1': {
        securityRules: [
          { name: 'admin-out', priority: 200, direction: 'Outbound', access: 'Allow', protocol: '*' },
          { name: 'admin-in', priority: 200, direction: 'Inbound', access: 'Allow', protocol: '*' },
        ],
      },
    },
  };
}

/** Every rule by where it is, so a test can see that none went away. */
function inventory(state: AzState): string[] {
  const names: string[] = [];
  for (const [id, p] of Object.entries(state.policies ?? {})) for (const g of p.groups) for (const c of g.ruleCollections) for (const r of c.rules) names.push(`${id}/${g.name}/${c.name}/${r.name}`);
  for (const [id, f] of Object.entries(state.firewalls ?? {})) for (const c of [...f.networkRuleCollections, ...f.applicationRuleCollections]) for (const r of c.rules) names.push(`${id}/${c.name}/${r.name}`);
  for (const [id, n] of Object.entries(state.nsgs ?? {})) for (const r of n.securityRules) names.push(`${id}/${r.name}`);
  return names.sort();
}

/** Applies a script and checks that the number of rules never dropped, at any write. */
async function applyKeeping(t: Test, az: AzStandin, script: string, label: string, env: Record<string, string> = {}): Promise<Applied> {
  const before = inventory(az.state);
  const run = await az.apply(script, env);
  t.equal(run.code, 0, `${label}: ${run.stderr}`);
  t.same(run.files, [], `${label}: no file left behind`);
  let count = before.length;
  for (const write of run.writes) {
    t.ok(write.total >= count, `${label}: ${write.command} leaves ${write.total} rules, not fewer than ${count}`);
    count = write.total;
  }
  const after = inventory(az.state);
  t.same(
    before.filter((name) => !after.includes(name)),
    [],
    `${label}: every rule that was there still is`,
  );
  return run;
}

const FORMATS = {
  az: renderRulesAzPolicy,
  'az-classic': renderRulesAzClassic,
  nsg: renderRulesNsg,
} as const;

for (const [format, render] of Object.entries(FORMATS)) {
  t.test(`-o ${format}: the allow-list, then the fixes, then the allow-list again never lose a rule, and each run twice changes nothing`, async (t) => {
    const az = new AzStandin(populated());
    t.teardown(() => az.close());
    const allow = render(ALLOW, SETTINGS);
    const fixes = render(FIXES, SETTINGS);
    const admin = inventory(az.state);

    const first = await applyKeeping(t, az, allow, 'allow-list');
    t.ok(first.writes.length > 0, 'the allow-list adds rules');
    const withAllow = inventory(az.state);
    t.same(
      admin.filter((name) => !withAllow.includes(name)),
      [],
      "the admin's rules are all there",
    );

    const fixed = await applyKeeping(t, az, fixes, 'fixes');
    t.ok(fixed.writes.length > 0, 'the fixes add rules of their own');
    const withFixes = inventory(az.state);
    t.same(
      withAllow.filter((name) => !withFixes.includes(name)),
      [],
      "the fixes keep the allow-list's rules",
    );

    for (const [script, label] of [
      [allow, 'allow-list again'],
      [fixes, 'fixes again'],
    ] as const) {
      const again = await applyKeeping(t, az, script, label);
      t.same(again.writes, [], `${label}: no write`);
      t.same(inventory(az.state), withFixes, `${label}: nothing changed`);
      t.match(again.stdout, /exists/, `${label}: says what it left as it is`);
    }
  });
}

t.test('-o az: the fixes get a group of their own; the group named like ours keeps its priority and the admin collection in it', async (t) => {
  const az = new AzStandin(populated());
  t.teardown(() => az.close());
  await applyKeeping(t, az, renderRulesAzPolicy(ALLOW, SETTINGS), 'allow-list');
  await applyKeeping(t, az, renderRulesAzPolicy(FIXES, SETTINGS), 'fixes');
  const groups = az.state.policies?.['rg1/fwp1']?.groups ?? [];
  t.same(
    groups.map((g) => [g.name, g.priority, g.ruleCollections.map((c) => `${c.name}@${c.priority}`)]),
    [
      ['net-admin', 500, ['corp@100']],
      ['aml-netcheck', 300, ['admin-extra@100', 'aml-network-rules@110', 'aml-application-rules@200']],
      ['aml-netcheck-fixes', 600, ['aml-network-rules-fixes@110']],
    ],
    'collection priorities skip the ones in use; the fixes group is apart from the allow-list',
  );
  const fresh = new AzStandin({ policies: { 'rg1/fwp1': { groups: [{ name: 'net-admin', priority: 600, ruleCollections: [] }] } } });
  t.teardown(() => fresh.close());
  const run = await fresh.apply(renderRulesAzPolicy(FIXES, SETTINGS));
  t.equal(run.code, 0, run.stderr);
  t.same(
    fresh.state.policies?.['rg1/fwp1']?.groups.map((g) => [g.name, g.priority]),
    [
      ['net-admin', 600],
      ['aml-netcheck-fixes', 610],
    ],
    'a group priority in use is not taken',
  );
});

t.test('a rule of our name with other content stops the script before it writes', async (t) => {
  const cases: Array<[string, AzState, string, RegExp]> = [];
  const classic = populated();
  classic.firewalls!['rg1/fw1']!.networkRuleCollections.push({ name: 'aml-network-rules', priority: 300, action: { type: 'Allow' }, rules: [{ name: 'AzureActiveDirectory', protocols: ['TCP'], destinationAddresses: ['10.9.9.9'], destinationPorts: ['443'] }] });
  cases.push(['az-classic', classic, renderRulesAzClassic(ALLOW, SETTINGS), /a rule named AzureActiveDirectory is in the collection aml-network-rules with another destination, protocol or ports: it is not ours to change/]);
  const nsg = populated();
  nsg.nsgs!['rg1/nsg1']!.securityRules.push({ name: 'aml-out-AzureActiveDirectory', priority: 900, direction: 'Outbound', access: 'Deny', protocol: 'Tcp', destinationAddressPrefix: 'AzureActiveDirectory', destinationPortRange: '443', sourceAddressPrefix: 'VirtualNetwork' });
  cases.push(['nsg', nsg, renderRulesNsg(ALLOW, SETTINGS), /the NSG has a rule named aml-out-AzureActiveDirectory with other content: it is not ours to change/]);
  for (const [format, state, script, message] of cases) {
    const az = new AzStandin(state);
    t.teardown(() => az.close());
    const run = await az.apply(script);
    t.not(run.code, 0, format);
    t.match(run.stderr, message, format);
    t.same(run.writes, [], `${format}: no write`);
  }
});

t.test('a look-up that fails other than "not found" stops every script before any write', async (t) => {
  for (const [format, render] of Object.entries(FORMATS)) {
    for (const plan of [ALLOW, FIXES]) {
      const az = new AzStandin(populated());
      t.teardown(() => az.close());
      const run = await az.apply(render(plan, SETTINGS), {}, / show | list /);
      t.equal(run.code, 1, `${format}: exit 1`);
      t.match(run.stderr, /AuthorizationFailed[\s\S]*aml-netcheck: stopped: a look-up failed \(az exit 1\); nothing after it was changed/, format);
      t.same(run.writes, [], `${format}: no write`);
      t.same(inventory(az.state), inventory(populated()), `${format}: nothing changed`);
    }
  }
});

t.test('DRY_RUN=1 reads, prints every write it would make, and makes none', async (t) => {
  for (const [format, render] of Object.entries(FORMATS)) {
    const az = new AzStandin(populated());
    t.teardown(() => az.close());
    const script = render(FIXES, SETTINGS);
    const dry = await az.apply(script, { DRY_RUN: '1' });
    t.equal(dry.code, 0, `${format}: ${dry.stderr}`);
    t.same(dry.writes, [], `${format}: no write`);
    t.ok(dry.calls.length > 0, `${format}: the reads ran`);
    const planned = dry.stdout.split('\n').filter((line) => line.startsWith('would run: az '));
    const real = await az.apply(script);
    t.equal(planned.length, real.writes.length, `${format}: one line for each write the real run made`);
  }
});

t.test('rules --dry-run: the script it prints is a dry run unless DRY_RUN=0', async (t) => {
  const cli = await runCli(['rules', '--from-report', FIREWALL_REPORT, '-o', 'az', '--dry-run', '--resource-group', 'rg1', '--firewall-policy', 'fwp1', '--source', '10.0.0.0/24']);
  t.equal(cli.code, 0, cli.stderr);
  t.match(cli.stdout, /^DRY_RUN="\$\{DRY_RUN:-1\}"$/m);
  const az = new AzStandin(populated());
  t.teardown(() => az.close());
  const dry = await az.apply(cli.stdout);
  t.equal(dry.code, 0, dry.stderr);
  t.same(dry.writes, []);
  t.match(dry.stdout, /^would run: az network firewall policy rule-collection-group create --resource-group rg1 --policy-name fwp1 --name aml-netcheck-fixes --priority 600$/m);
  const real = await az.apply(cli.stdout, { DRY_RUN: '0' });
  t.equal(real.code, 0, real.stderr);
  t.ok(real.writes.length > 0);
});

t.test('-o bicep: the fixes own a group of their own, and the header says what a deployment replaces and how to preview it', async (t) => {
  const fixes = renderRulesBicep(FIXES, SETTINGS);
  t.match(fixes, /^ {2}name: 'aml-netcheck-fixes'\n {2}properties: \{\n {4}priority: 600$/m);
  t.match(fixes, /^\/\/ Deploying it creates the rule collection group aml-netcheck-fixes \(priority 600\) of the firewall policy, or, if the policy has it,\n\/\/ replaces that one group's content with what is below/m);
  t.match(fixes, /Nothing else in the policy is touched/);
  t.match(fixes, /It is not the allow-list's group \(aml-netcheck\), so deploying it leaves that one as it is\./);
  t.match(fixes, /^\/\/ Preview what it would change \(nothing is written\): az deployment group what-if --resource-group rg1 --template-file <this file>$/m);
  const allow = renderRulesBicep(ALLOW, {});
  t.match(allow, /^ {2}name: 'aml-netcheck'$/m);
  t.match(allow, /what-if --resource-group <resource group of the policy> --template-file <this file> --parameters firewallPolicyName=<policy> --parameters sourceAddresses='\["10\.0\.0\.0\/24"\]'/);
});
