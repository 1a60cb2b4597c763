import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { auditTargets } from '../../src/audit/audit.js';
import { withClosingChange } from '../../src/audit/close.js';
import { readConfigs } from '../../src/audit/read.js';
import type { AuditConfig, AuditedTarget, AuditResult, FirewallLayerChange } from '../../src/audit/types.js';
import { expandCatalog } from '../../src/catalog/expand.js';
import { resolveWorkspace } from '../../src/commands/shared/workspace.js';
import { closingCommands } from '../../src/render/audit/close.js';
import { AzStandin, type AzState, type SecurityRule } from '../helpers/az-standin.js';

/**
 * The closing change of `audit`, applied. Its az commands run through the stand-in `az` of
 * test/helpers/az-standin.mjs, built to the az CLI's documented write semantics (a rule
 * collection group `create` and an NSG `rule create` are create-or-update writes; `collection
 * add-filter-collection` and `collection rule add` read the whole group and write it back with
 * one thing more; sources cited there), not a recording of calls. What the stand-in then holds
 * is printed as `az` prints it, read back with the audit's own readers and audited again: every
 * target the change says it fixes is allowed, no rule of the admin's is gone, and no other
 * target's verdict changes. That is the property that makes the change safe to apply.
 */

const FIXTURES = fileURLToPath(new URL('../fixtures/audit/', import.meta.url));
const fixture = (name: string): string => `${FIXTURES}${name}`;
const workspace = resolveWorkspace({ region: 'westus2', workspaceId: '0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11', workspaceName: 'ws1', storageAccount: 'st1', keyVault: 'kv1', containerRegistry: 'acr1', computeInstance: ['ci1'] } as never);
// Enough features for application, network and UDP rules; no tag-only target, whose network rule on a service tag makes every tagless target on its port undecided.
const TARGETS = expandCatalog(workspace.catalog, workspace.facts, { features: ['workspace-api', 'workspace-storage', 'azure-ad', 'python-packages'] });
const ALL_TARGETS = expandCatalog(workspace.catalog, workspace.facts);
const PUBLIC_IP = resolveWorkspace({ region: 'westus2', workspaceId: '0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11', storageAccount: 'st1', computeInstance: ['ci1'], publicIpCompute: true } as never);
const SOURCE = ['10.0.1.0/24'];

const BLOCKS = ['denied', 'no-rule', 'inexpressible'];
const layerVerdict = (target: AuditedTarget | undefined, layer: string): string | undefined => target?.layers.find((l) => l.layer === layer)?.verdict.verdict;

/** A temporary file holding `value` as JSON, as `az … list` or `show` would print it. */
function exported(name: string, value: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'aml-close-')), name);
  writeFileSync(file, JSON.stringify(value, null, 2));
  return file;
}

/** Runs the az commands as one bash script (`set -e`: the first failure stops it). */
async function applyCommands(t: Test, az: AzStandin, commands: readonly string[], env: Record<string, string> = {}): Promise<void> {
  const before = az.total();
  const run = await az.apply(['#!/usr/bin/env bash', 'set -euo pipefail', ...commands].join('\n'), env);
  t.equal(run.code, 0, run.stderr);
  t.equal(run.writes.length, commands.length, 'one write per command');
  let count = before;
  for (const write of run.writes) {
    t.ok(write.total > count, `${write.command}: ${write.total} rules after it, one more than before`);
    count = write.total;
  }
}

/** Every layer's verdict of every target before and after: what the change fixes is allowed, nothing else moves. */
function checkProperty(t: Test, before: AuditResult, after: AuditResult): void {
  const layersChanged = new Set<string>(before.change.layers.map((l) => l.layer));
  const fixedBy = new Set(before.change.layers.flatMap((l) => (l.layer === 'firewall' ? l.additions.flatMap((a) => a.rules.flatMap((r) => r.fixes)) : l.additions.flatMap((a) => a.fixes))));
  const unfixable = new Set(before.change.layers.flatMap((l) => l.unfixable.map((u) => u.target)));
  let fixed = 0;
  before.targets.forEach((target, index) => {
    const later = after.targets[index];
    t.equal(later?.id, target.id);
    for (const { layer, verdict } of target.layers) {
      const now = layerVerdict(later, layer);
      if (target.required && BLOCKS.includes(verdict.verdict) && layersChanged.has(layer)) {
        if (unfixable.has(target.id)) {
          t.equal(now, verdict.verdict, `${target.id}: named as not fixable by an addition, and left as it was`);
        } else {
          t.equal(now, 'allowed', `${target.id} (${layer}): ${verdict.verdict} before, allowed after the change`);
          t.ok(fixedBy.has(target.id), `${target.id}: an added rule names it`);
          fixed++;
        }
      } else {
        t.equal(now, verdict.verdict, `${target.id} (${layer}): ${verdict.verdict}, unchanged`);
      }
    }
  });
  t.ok(fixed > 0, `${fixed} target-layers fixed`);
  t.same(before.change.verified.otherVerdictsChanged, [], 'the audit saw no other verdict change either');
}

/** The stand-in's policy: the exported groups (az flattens properties, as the fixtures do). */
function policyState(groupsFile: string, key: string): AzState {
  return { policies: { [key]: { groups: JSON.parse(readFileSync(groupsFile, 'utf8')) as NonNullable<AzState['policies']>[string]['groups'] } } };
}

t.test('firewall: each addition goes into an existing Allow collection of its kind ahead of the deny; applied with az, it allows what it fixes and nothing else', async (t) => {
  const config = readConfigs([fixture('close-policy.json'), fixture('close-groups.json'), fixture('service-tags.json')]);
  const before = auditTargets(config, TARGETS, SOURCE);
  const layer = before.change.layers.find((l): l is FirewallLayerChange => l.layer === 'firewall');
  if (layer === undefined) throw new Error('no firewall change');
  t.same(
    layer.additions.map((a) => [a.place.group, a.place.collection, a.place.newGroup, a.place.newCollection, a.ruleType]),
    [
      ['Net-Base', 'allow-dns', false, false, 'NetworkRule'],
      ['App', 'allow-pypi', false, false, 'ApplicationRule'],
    ],
    'SMB 445 is denied by a network rule, so its rule is a network rule ahead of it; HTTPS goes to the application collection ahead of the web deny (the DNS proxy is on: a name in a network rule works)',
  );
  t.same(layer.settings, [], 'no policy-wide change');
  const app = layer.additions[1]?.rules[0];
  t.ok(app !== undefined && app.ruleType === 'ApplicationRule' && app.targetFqdns.length > 3, 'one application rule carries every name on Https:443');
  t.same(
    layer.asNewGroups?.map((a) => [a.place.group, a.place.groupPriority, a.place.collection]),
    [
      ['aml-netcheck-audit', 190, 'aml-network-rules-audit'],
      ['aml-netcheck-audit', 190, 'aml-application-rules-audit'],
    ],
    'the Bicep form: a new group at the highest free priority ahead of the first group that denies (Net-Base, 200)',
  );
  t.same(
    before.advisories.map((a) => [a.rule.rule, a.why]),
    [
      ['lab-any-any', 'any-any: every destination (*) on every port, every protocol'],
      ['lab-every-name', 'every name (*) on Https:443'],
    ],
  );

  const az = new AzStandin(policyState(fixture('close-groups.json'), 'rg-close/fwp-close'));
  t.teardown(() => az.close());
  const commands = closingCommands(before.change);
  t.same(commands.policyWide, []);
  const admin = JSON.stringify(JSON.parse(readFileSync(fixture('close-groups.json'), 'utf8')));
  await applyCommands(t, az, commands.az);
  const groups = az.state.policies?.['rg-close/fwp-close']?.groups ?? [];
  for (const group of JSON.parse(admin) as Array<{ name: string; ruleCollections: Array<{ name: string; rules: Array<{ name: string }> }> }>) {
    const now = groups.find((g) => g.name === group.name);
    for (const collection of group.ruleCollections) {
      const held = now?.ruleCollections.find((c) => c.name === collection.name)?.rules.map((r) => r.name) ?? [];
      t.same(
        held.slice(0, collection.rules.length),
        collection.rules.map((r) => r.name),
        `${group.name}/${collection.name}: the admin's rules, first and in order`,
      );
    }
  }
  const after = auditTargets(readConfigs([fixture('close-policy.json'), exported('groups.json', groups), fixture('service-tags.json')]), TARGETS, SOURCE);
  checkProperty(t, before, after);
  t.equal(after.exitCode, 0, 'every required target is allowed after the change');
});

t.test('the common mistakes: a deny with no free priority ahead of it is named, not worked around; the DNS proxy is a policy-wide change of its own', async (t) => {
  const config = readConfigs([fixture('mistakes-policy.json'), fixture('mistakes-groups.json')]);
  const before = auditTargets(config, TARGETS, SOURCE);
  const layer = before.change.layers.find((l): l is FirewallLayerChange => l.layer === 'firewall');
  if (layer === undefined) throw new Error('no firewall change');
  t.match(layer.unfixable, [{ target: 'st1.blob.core.windows.net:443', reason: /no free priority ahead of Deny-First\/block-blob\/no-blob \(group 100, collection 100\).*narrow or move that rule/ }]);
  t.match(layer.settings, [{ setting: 'dns-proxy', policy: 'fwp-mistakes', fixes: ['st1.file.core.windows.net:445'] }], 'SMB has no service tag in the catalog: a network rule on its name needs the DNS proxy');
  t.same(
    layer.asNewGroups?.map((a) => [a.place.group, a.place.groupPriority]),
    [
      ['aml-netcheck-audit', 210],
      ['aml-netcheck-audit', 210],
    ],
    'what can be fixed meets no deny: the Bicep group goes after every group of the policy',
  );
  const login = layer.additions.flatMap((a) => a.rules).find((r) => r.fixes.includes('login.microsoftonline.com:443'));
  t.match(login, { ruleType: 'ApplicationRule', targetFqdns: ['login.microsoftonline.com'] }, 'an FQDN network rule without DNS proxy: an application rule instead');

  const commands = closingCommands(before.change);
  t.match(commands.policyWide, [/^az network firewall policy update \\\n {4}--resource-group 'rg-hub' \\\n {4}--name 'fwp-mistakes' \\\n {4}--enable-dns-proxy true$/]);
  t.notOk(
    commands.az.some((c) => c.includes('enable-dns-proxy')),
    'never among the additions',
  );

  const az = new AzStandin(policyState(fixture('mistakes-groups.json'), 'rg-hub/fwp-mistakes'));
  t.teardown(() => az.close());
  await applyCommands(t, az, commands.az);
  // The stand-in holds rule collection groups only: the policy-wide setting is applied to the exported policy by hand, as the admin would decide to.
  const policy = { ...(JSON.parse(readFileSync(fixture('mistakes-policy.json'), 'utf8')) as Record<string, unknown>), dnsSettings: { enableProxy: true, servers: [] } };
  const after = auditTargets(readConfigs([exported('policy.json', policy), exported('groups.json', az.state.policies?.['rg-hub/fwp-mistakes']?.groups)]), TARGETS, SOURCE);
  checkProperty(t, before, after);
  t.equal(after.exitCode, 1, 'the blob deny still blocks: only the admin can narrow it');
});

t.test('NSG: outbound Allow rules at free priorities ahead of the deny; applied with az, they allow what they fix and nothing else', async (t) => {
  for (const [file, key, features] of [
    ['nsg-show.json', 'rg-aml/nsg-aml-subnet', TARGETS],
    ['nsg-template.json', 'rg/nsg-open', expandCatalog(workspace.catalog, workspace.facts, { features: ['workspace-storage'] })],
    // Compute with a public IP: Azure ML's management comes in on 44224, so the NSG needs an inbound rule too.
    ['nsg-template.json', 'rg/nsg-open', expandCatalog(PUBLIC_IP.catalog, PUBLIC_IP.facts, { features: ['workspace-storage', 'compute-instance'] })],
  ] as const) {
    const config = readConfigs([fixture(file), fixture('service-tags.json')]);
    const before = auditTargets(config, features, SOURCE);
    const layer = before.change.layers.find((l) => l.layer === 'nsg');
    if (layer === undefined || layer.layer !== 'nsg') throw new Error(`${file}: no NSG change`);
    const nsg = config.nsgs?.[0];
    const used = new Set(nsg?.rules.map((r) => r.priority));
    for (const { rule } of layer.additions) {
      t.ok(rule.priority >= 100 && rule.priority <= 4096 && !used.has(rule.priority), `${file}: ${rule.name} at ${rule.priority}, a priority the NSG does not use`);
      t.notOk(
        nsg?.rules.some((r) => r.name.toLowerCase() === rule.name.toLowerCase()),
        `${file}: ${rule.name} is a name the NSG does not have, so create-or-update only creates`,
      );
    }
    const shown = JSON.parse(readFileSync(fixture(file), 'utf8')) as Record<string, unknown>;
    // An ARM template (nsg-template.json) is read from its resource; az shows the same NSG flattened.
    const resource = (Array.isArray(shown['resources']) ? shown['resources'][0] : shown) as Record<string, unknown>;
    const props = (resource['properties'] ?? resource) as { securityRules: Array<Record<string, unknown>> };
    if (features.some((target) => target.direction === 'inbound')) {
      t.match(layer.additions.find((a) => a.rule.direction === 'Inbound')?.rule, { sourcePrefixes: ['AzureMachineLearning'], destinationPrefixes: SOURCE, destinationPorts: ['44224'] }, `${file}: inbound, from the service tag to the workspace subnet`);
    }
    const flatRules = props.securityRules.map((r) => ({ name: r['name'], ...((r['properties'] as object | undefined) ?? r) }) as unknown as SecurityRule);
    const az = new AzStandin({ nsgs: { [key]: { securityRules: flatRules } } });
    t.teardown(() => az.close());
    const commands = closingCommands(before.change);
    // The template names no resource group: the commands ask for it.
    const env: Record<string, string> = file === 'nsg-template.json' ? { NSG_RG: 'rg' } : {};
    if (file === 'nsg-template.json') t.ok(commands.az.every((c) => c.includes('--resource-group ${NSG_RG:?set NSG_RG to the resource group of the NSG}')));
    await applyCommands(t, az, commands.az, env);
    const nsgShow = { name: nsg?.name, securityRules: az.state.nsgs?.[key]?.securityRules };
    const after = auditTargets(readConfigs([exported('nsg.json', nsgShow), fixture('service-tags.json')]), features, SOURCE);
    checkProperty(t, before, after);
  }
});

t.test('without --source the rules carry a placeholder: no command runs until SOURCE is set, and Bicep asks for the parameter', async (t) => {
  const config = readConfigs([fixture('close-policy.json'), fixture('close-groups.json')]);
  const result = auditTargets(config, TARGETS, []);
  t.same(result.change.sourceAddresses, ['<workspace-subnet>']);
  const commands = closingCommands(result.change);
  t.ok(commands.az.length > 0);
  const az = new AzStandin(policyState(fixture('close-groups.json'), 'rg-close/fwp-close'));
  t.teardown(() => az.close());
  const first = commands.az[0] as string;
  const refused = await az.apply(first);
  t.not(refused.code, 0);
  t.match(refused.stderr, /SOURCE: set SOURCE to the workspace subnet prefixes, space-separated, e\.g\. SOURCE=10\.0\.0\.0\/24, or pass --source/);
  t.same(refused.calls, [], 'az is never called');
  const run = await az.apply(first, { SOURCE: '10.0.1.0/24 10.0.2.0/24' });
  t.equal(run.code, 0, run.stderr);
  t.match(run.calls[0], ['network', 'firewall', 'policy', 'rule-collection-group', 'collection', 'rule', 'add'], 'the add');
  t.ok(run.calls[0]?.join(' ').includes('--source-addresses 10.0.1.0/24 10.0.2.0/24 '), 'each prefix one argument');
  const bicep = commands.bicep.map((b) => b.text).join('\n');
  t.match(bicep, /\nparam sourceAddresses array\n/, 'a parameter without a default: a deployment must be given it');
  t.notOk(bicep.includes("'*'"), 'never * silently');
});

t.test('the verification is the same as applying the change by hand: every target the audit says is allowed after is', async (t) => {
  // Every feature, the mistakes and the NSG together, without a service-tag file: here rules on service tags make tagless targets undecided, and the audit says which.
  const config = readConfigs([fixture('mistakes-policy.json'), fixture('mistakes-groups.json'), fixture('nsg-show.json')]);
  const result = auditTargets(config, ALL_TARGETS, SOURCE);
  const after = auditTargets(withClosingChange(config, result.change.layers) as AuditConfig, ALL_TARGETS, SOURCE);
  for (const id of result.change.verified.allowed) {
    const target = after.targets.find((x) => x.id === id);
    const before = result.targets.find((x) => x.id === id);
    for (const layer of before?.layers ?? []) if (BLOCKS.includes(layer.verdict.verdict)) t.equal(layerVerdict(target, layer.layer), 'allowed', `${id} (${layer.layer})`);
  }
  for (const [index, target] of after.targets.entries()) {
    const before = result.targets[index];
    if (JSON.stringify(target.layers.map((l) => l.verdict.verdict)) === JSON.stringify(before?.layers.map((l) => l.verdict.verdict))) continue;
    const listed = result.change.verified.allowed.includes(target.id) || result.change.verified.otherVerdictsChanged.includes(target.id);
    t.ok(listed, `${target.id}: its change is reported`);
  }
  for (const id of result.change.verified.otherVerdictsChanged) {
    const target = after.targets.find((x) => x.id === id);
    const before = result.targets.find((x) => x.id === id);
    for (const layer of target?.layers ?? []) {
      const was = layerVerdict(before, layer.layer);
      if (was === layer.verdict.verdict) continue;
      // Never worse: an allow stays an allow; a block may only become undecided on a service tag an added rule names.
      t.not(was, 'allowed', `${id}: was not allowed`);
      t.match(layer.verdict, { verdict: 'depends', on: [/^service tag /] }, `${id} (${layer.layer}): only undecided on a tag`);
    }
  }
});

t.test('a hostile name in the export stays one inert word in the commands and one literal in Bicep', async (t) => {
  const groups = JSON.parse(readFileSync(fixture('close-groups.json'), 'utf8')) as Array<{ name: string; id: string; ruleCollections: Array<{ name: string }> }>;
  const hostile = "App'$(touch pwned)`x`";
  const app = groups[1];
  if (app === undefined) throw new Error('fixture');
  app.ruleCollections[0] = { ...app.ruleCollections[0], name: hostile } as (typeof app.ruleCollections)[number];
  const result = auditTargets(readConfigs([fixture('close-policy.json'), exported('groups.json', groups)]), TARGETS, SOURCE);
  const commands = closingCommands(result.change);
  const add = commands.az.find((c) => c.includes('touch'));
  if (add === undefined) throw new Error('no command adds to the hostile collection');
  const dir = mkdtempSync(join(tmpdir(), 'aml-close-hostile-'));
  // bash parses the command as az would get it: print its arguments instead of running az.
  const run = spawnSync('bash', ['--norc', '--noprofile', '-c', `az() { printf '%s\\n' "$@"; }\n${add}`], { cwd: dir, encoding: 'utf8' });
  t.equal(run.status, 0, run.stderr);
  t.ok(run.stdout.split('\n').includes(hostile), 'the name arrives as one argument, unchanged');
  t.same(spawnSync('ls', [dir], { encoding: 'utf8' }).stdout, '', 'nothing ran');
});
