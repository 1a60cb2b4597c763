import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { auditTargets } from '../../src/audit/audit.js';
import { managedModes } from '../../src/audit/managed.js';
import { readConfigs } from '../../src/audit/read.js';
import type { AuditResult, AuditVerdict } from '../../src/audit/types.js';
import { expandCatalog } from '../../src/catalog/expand.js';
import { resolveWorkspace } from '../../src/commands/shared/workspace.js';
import type { ManagedNetworkMode, PrivateResource } from '../../src/model/facts.js';
import { managedContextOf } from '../../src/report/managed-context.js';

// `az ml workspace outbound-rule list` (Microsoft.MachineLearningServices 2024-10-01) and
// `az network firewall show` (Microsoft.Network 2024-05-01) exports: test/fixtures/audit/README.md.
const FIXTURES = fileURLToPath(new URL('../fixtures/audit/', import.meta.url));
const DIR = mkdtempSync(`${tmpdir()}/audit-managed-`);
const RG = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-aml/providers';

const workspace = resolveWorkspace({ region: 'westus2', workspaceId: '0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11', workspaceName: 'ws1', storageAccount: 'st1', keyVault: 'kv1', containerRegistry: 'acr1', computeInstance: ['ci1'] } as never);
const TARGETS = expandCatalog(workspace.catalog, workspace.facts);

function audit(rules: unknown[], mode: ManagedNetworkMode | undefined, extra: string[] = [], privateResources: PrivateResource[] = []): AuditResult {
  const file = `${DIR}/rules-${Math.random().toString(36).slice(2)}.json`;
  writeFileSync(file, JSON.stringify(rules));
  const config = readConfigs([file, ...extra.map((name) => `${FIXTURES}${name}`)]);
  const { modes } = managedModes(config, mode);
  const contexts = modes.flatMap((m) => managedContextOf({ ...workspace.facts, managedNetwork: m, privateResources }, workspace.catalog) ?? []);
  const targets = privateResources.length === 0 ? TARGETS : expandCatalog(workspace.catalog, { ...workspace.facts, privateResources });
  return auditTargets(config, targets, ['10.0.1.0/24'], contexts);
}
const verdictOf = (result: AuditResult, id: string): AuditVerdict | undefined => result.targets.find((target) => target.id === id)?.verdict;

t.test('a user-defined service tag rule matches by the tags the catalog names, by protocol and by port', async (t) => {
  const storage = { category: 'user_defined', destination: { port_ranges: '443', protocol: 'TCP', service_tag: 'Storage' }, name: 'storage-443', status: 'Active', type: 'service_tag' };
  const result = audit([storage], 'allow-only-approved-outbound');
  t.match(verdictOf(result, 'st1.queue.core.windows.net:443'), { verdict: 'allowed', rule: { layer: 'managed', rule: 'storage-443', ruleType: 'service_tag' } }, 'Storage.westus2 is part of Storage');
  t.match(verdictOf(result, 'github.com:443'), { verdict: 'depends', on: ['service tag Storage'] }, "without the service-tag file, a name the catalog gives no tag may lie in the tag's ranges");
  const udp = audit([{ ...storage, destination: { ...storage.destination, protocol: 'UDP' } }], 'allow-only-approved-outbound');
  t.match(verdictOf(udp, 'st1.queue.core.windows.net:443'), { verdict: 'no-rule' }, 'UDP carries no HTTPS');
});

t.test("a private endpoint rule the admin adds reaches the storage sub resource it names; Azure's own rules need no export", async (t) => {
  const dfs = { category: 'user_defined', destination: { service_resource_id: `${RG}/Microsoft.Storage/storageAccounts/st1`, spark_enabled: false, subresource_target: 'dfs' }, name: 'pe-st1-dfs', status: 'Active', type: 'private_endpoint' };
  const result = audit([dfs], 'allow-only-approved-outbound');
  t.match(verdictOf(result, 'st1.dfs.core.windows.net:443'), { verdict: 'allowed', rule: { rule: 'pe-st1-dfs', listed: true } });
  t.match(verdictOf(result, 'st1.blob.core.windows.net:443'), { verdict: 'allowed', rule: { ruleType: 'private_endpoint', listed: false, category: 'required' } });
  t.same(
    result.managed?.changes.map((change) => [change.rule.type, change.targets.includes('st1.dfs.core.windows.net:443')]).filter(([type]) => type === 'private_endpoint'),
    [],
    'no change for what a rule already lets out',
  );
  const inactive = audit([{ ...dfs, status: 'Inactive' }], 'allow-only-approved-outbound');
  t.match(verdictOf(inactive, 'st1.dfs.core.windows.net:443'), { verdict: 'depends', on: [/outbound rule pe-st1-dfs becoming Active/] });
});

t.test('internet outbound: a resource reached only privately still needs its private endpoint rule', async (t) => {
  const result = audit([{ category: 'user_defined', destination: 'example.org', name: 'unused', status: 'Active', type: 'fqdn' }], 'allow-internet-outbound', [], ['storage']);
  t.match(verdictOf(result, 'github.com:443'), { verdict: 'allowed', rule: { ruleType: 'isolation_mode' } });
  t.match(verdictOf(result, 'st1.blob.core.windows.net:443'), { verdict: 'allowed', rule: { ruleType: 'private_endpoint', listed: false } }, 'Azure adds the endpoint to a storage with public access off');
  t.match(verdictOf(result, 'st1.dfs.core.windows.net:443'), { verdict: 'no-rule' }, 'dfs is not one Azure adds');
  t.match(result.managed?.changes.find((change) => change.targets.includes('st1.dfs.core.windows.net:443'))?.rule, { type: 'private_endpoint', resource: 'storage', resourceName: 'st1', subresource: 'dfs' });
});

t.test('the managed layer comes first on the path; the first layer that blocks decides', async (t) => {
  const rules = [
    { category: 'user_defined', destination: 'pypi.org', name: 'allow-pypi', status: 'Active', type: 'fqdn' },
    { category: 'user_defined', destination: 'st1.dfs.core.windows.net', name: 'allow-dfs', status: 'Active', type: 'fqdn' },
  ];
  const result = audit(rules, 'allow-only-approved-outbound', ['classic-firewall.json']);
  const layers = (id: string): string[][] => result.targets.find((target) => target.id === id)?.layers.map((l) => [l.layer, l.verdict.verdict]) ?? [];
  t.same(layers('st1.dfs.core.windows.net:443'), [
    ['managed', 'inexpressible'],
    ['firewall', 'allowed'],
  ]);
  t.match(verdictOf(result, 'st1.dfs.core.windows.net:443'), { verdict: 'inexpressible', rule: { layer: 'managed', rule: 'allow-dfs' } });
  t.same(layers('pypi.org:443'), [
    ['managed', 'allowed'],
    ['firewall', 'depends'],
  ]);
  t.match(verdictOf(result, 'pypi.org:443'), { verdict: 'depends', on: ['service tag BatchNodeManagement.westus2'] }, "the firewall's Any/443 rule to a service tag may hold pypi.org");
});

t.test('managedModes: the mode the facts give, both when none, none when the workspace has no managed network', async (t) => {
  const file = `${DIR}/one.json`;
  writeFileSync(file, JSON.stringify([{ category: 'required', destination: 'pypi.org', name: 'r', status: 'Active', type: 'fqdn' }]));
  const config = readConfigs([file]);
  t.same(managedModes(config, 'allow-only-approved-outbound'), { modes: ['allow-only-approved-outbound'], warnings: [] });
  t.same(managedModes(config, undefined).modes, ['allow-internet-outbound', 'allow-only-approved-outbound']);
  t.same(managedModes(config, 'disabled').modes, []);
  t.match(managedModes(config, 'disabled').warnings, [/no managed network \(isolation_mode disabled\)/]);
  const firewall = readConfigs([`${FIXTURES}classic-firewall.json`]);
  t.same(managedModes(firewall, undefined), { modes: [], warnings: [] });
  t.match(managedModes(firewall, 'allow-internet-outbound').warnings, [/has a managed virtual network \(allow-internet-outbound\)/]);
});

t.test('the readers: az ml and az network shapes, each field modelled or named', async (t) => {
  const firewall = readConfigs([`${FIXTURES}classic-firewall.json`]);
  t.same(
    firewall.inputs.map((input) => input.kind),
    ['azure-firewall'],
  );
  t.same(firewall.warnings, []);
  t.same(
    firewall.firewalls?.map((f) => [f.name, f.policy, f.dnsProxy, f.privateIp, f.collections.map((c) => [c.name, c.priority, c.action, c.rules.map((r) => r.ruleType)])]),
    [
      [
        'fw-hub',
        null,
        true,
        '10.0.0.4',
        [
          ['azure-services', 100, 'Allow', ['NetworkRule', 'NetworkRule', 'NetworkRule', 'NetworkRule']],
          ['aml-https', 200, 'Allow', ['ApplicationRule', 'ApplicationRule']],
        ],
      ],
    ],
  );
  const template = `${DIR}/template.json`;
  writeFileSync(
    template,
    JSON.stringify({
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      resources: [
        {
          type: 'Microsoft.Network/azureFirewalls',
          apiVersion: '2024-05-01',
          name: 'fw-arm',
          properties: {
            additionalProperties: { 'Network.DNS.EnableProxy': 'Enabled', 'Network.Feature.Unknown': 'x' },
            networkRuleCollections: [{ name: 'n', properties: { priority: 150, action: { type: 'Deny' }, rules: [{ name: 'r', protocols: ['TCP'], sourceAddresses: ['*'], destinationAddresses: ['*'], destinationPorts: ['445'] }] } }],
          },
        },
      ],
    }),
  );
  const arm = readConfigs([template]);
  t.same(
    arm.firewalls?.map((f) => [f.name, f.dnsProxy, f.collections.map((c) => [c.name, c.priority, c.action])]),
    [['fw-arm', true, [['n', 150, 'Deny']]]],
  );
  t.match(arm.warnings, [/resources\[\*\]\.properties\.additionalProperties\["Network\.Feature\.Unknown"\]: an additional property audit does not model/]);
  const managed = readConfigs([`${FIXTURES}managed-approved-rules.json`]);
  t.same(
    managed.inputs.map((input) => input.kind),
    ['managed-outbound-rules'],
  );
  t.match(managed.managedRules?.[0], { name: '__SYS_ST_AzureActiveDirectory', type: 'service_tag', serviceTag: 'AzureActiveDirectory', protocol: 'TCP', portRanges: ['80', '443'], category: 'required', status: 'Active' });
});
