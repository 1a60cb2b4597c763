/**
 * Azure Firewall Policy exports as `az` prints them, built from the rules a test applies, so
 * that the export and the simulated firewall cannot drift apart. Shapes as in
 * test/fixtures/audit (Microsoft.Network 2024-05-01, firewallPolicy.json; `az` flattens
 * `properties`): `az network firewall policy show` and
 * `az network firewall policy rule-collection-group list`.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

const SUBSCRIPTION = '00000000-0000-0000-0000-000000000000';
const RESOURCE_GROUP = 'rg-sim';

/** One rule: a name (and port) the traffic goes to; TCP network rule, or an application rule for HTTP(S). */
export interface ExportRule {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** `network`: TCP to the FQDN (the policy's DNS proxy resolves it); `Http`/`Https`: an application rule. */
  readonly kind: 'network' | 'Http' | 'Https';
}

export interface ExportCollection {
  readonly name: string;
  readonly priority: number;
  readonly action: 'Allow' | 'Deny';
  readonly rules: readonly ExportRule[];
  /** An allow for every TCP port and address after the named rules: the firewall lets the rest out. */
  readonly anyTcp?: boolean;
}

export interface ExportGroup {
  readonly name: string;
  readonly priority: number;
  readonly collections: readonly ExportCollection[];
}

function policyId(policy: string): string {
  return `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.Network/firewallPolicies/${policy}`;
}

/** `az network firewall policy show`, DNS proxy on: network rules may then name FQDNs. */
function policyShow(policy: string): Record<string, unknown> {
  return {
    basePolicy: null,
    childPolicies: [],
    dnsSettings: { enableProxy: true, requireProxyForNetworkRules: null, servers: [] },
    etag: '00000000-0000-0000-0000-000000000001',
    explicitProxy: null,
    firewalls: [],
    id: policyId(policy),
    insights: null,
    intrusionDetection: null,
    location: 'westus2',
    name: policy,
    provisioningState: 'Succeeded',
    resourceGroup: RESOURCE_GROUP,
    ruleCollectionGroups: [],
    sku: { tier: 'Standard' },
    snat: null,
    sql: null,
    threatIntelMode: 'Alert',
    threatIntelWhitelist: null,
    transportSecurity: null,
    type: 'Microsoft.Network/FirewallPolicies',
  };
}

function rule(rule: ExportRule, sources: readonly string[]): Record<string, unknown> {
  if (rule.kind === 'network') {
    return { description: null, destinationAddresses: [], destinationFqdns: [rule.host], destinationIpGroups: [], destinationPorts: [String(rule.port)], ipProtocols: ['TCP'], name: rule.name, ruleType: 'NetworkRule', sourceAddresses: [...sources], sourceIpGroups: [] };
  }
  return {
    description: null,
    destinationAddresses: [],
    fqdnTags: [],
    httpHeadersToInsert: [],
    name: rule.name,
    protocols: [{ port: rule.port, protocolType: rule.kind }],
    ruleType: 'ApplicationRule',
    sourceAddresses: [...sources],
    sourceIpGroups: [],
    targetFqdns: [rule.host],
    targetUrls: [],
    terminateTLS: false,
    webCategories: [],
  };
}

const ANY_TCP = (sources: readonly string[]): Record<string, unknown> => ({
  description: null,
  destinationAddresses: ['*'],
  destinationFqdns: [],
  destinationIpGroups: [],
  destinationPorts: ['*'],
  ipProtocols: ['TCP'],
  name: 'any-tcp',
  ruleType: 'NetworkRule',
  sourceAddresses: [...sources],
  sourceIpGroups: [],
});

/** `az network firewall policy rule-collection-group list`: the groups of `policy`, rules from `sources`. */
function ruleCollectionGroupList(policy: string, groups: readonly ExportGroup[], sources: readonly string[]): Array<Record<string, unknown>> {
  return groups.map((group, i) => ({
    etag: `00000000-0000-0000-0000-00000000010${i}`,
    id: `${policyId(policy)}/ruleCollectionGroups/${group.name}`,
    name: group.name,
    priority: group.priority,
    provisioningState: 'Succeeded',
    resourceGroup: RESOURCE_GROUP,
    ruleCollections: group.collections.map((collection) => ({
      action: { type: collection.action },
      name: collection.name,
      priority: collection.priority,
      ruleCollectionType: 'FirewallPolicyFilterRuleCollection',
      rules: [...collection.rules.map((r) => rule(r, sources)), ...(collection.anyTcp === true ? [ANY_TCP(sources)] : [])],
    })),
    type: 'Microsoft.Network/FirewallPolicies/RuleCollectionGroups',
  }));
}

/** Writes the policy and its groups as two files in `dir`; resolves to the `--config` flags naming them, and a `--source` for each source. */
export async function writeExport(dir: string, policy: string, groups: readonly ExportGroup[], sources: readonly string[]): Promise<string[]> {
  const policyFile = path.join(dir, `${policy}.policy.json`);
  const groupsFile = path.join(dir, `${policy}.groups.json`);
  await writeFile(policyFile, `${JSON.stringify(policyShow(policy), null, 2)}\n`);
  await writeFile(groupsFile, `${JSON.stringify(ruleCollectionGroupList(policy, groups, sources), null, 2)}\n`);
  return ['--config', policyFile, '--config', groupsFile, ...sources.flatMap((source) => ['--source', source])];
}
