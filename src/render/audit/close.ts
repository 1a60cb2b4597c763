import { SOURCE_PLACEHOLDER, type AddedFirewallRule, type ClosingChange, type FirewallAddition, type FirewallLayerChange, type NsgAddition, type NsgLayerChange } from '../../audit/types.js';
import { API_VERSION, applicationOptions, bicepApplicationRule, bicepCollection, bicepList, bicepNetworkRule, command, networkOptions, nsgRuleCreate, POLICY_GROUP_COMMAND, requiredVariable } from '../shared/azure-rules.js';
import { bicepString, commentText, shellWord } from '../shared/quote.js';

/**
 * The closing change as the admin applies it: `az` commands that only add, in the order to run
 * them, and Bicep that only adds. Rules, quoting and names are the rules renderers' (rules/): a
 * value from the export is one inert shell word or Bicep literal whatever it holds. What the
 * export does not say (the workspace subnets without --source, a resource group a template
 * leaves to an expression) is a `${NAME:?…}` word: the command does not run until it is set.
 *
 * Why these commands only add (the az CLI's azure-firewall extension; see test/helpers/az-standin.mjs
 * for the sources): `collection rule add` and `collection add-filter-collection` read the whole
 * group and write it back with one rule or collection more; `rule-collection-group create` and
 * `nsg rule create` are create-or-update writes, so they are only ever given a name the export
 * does not hold. Bicep: a ruleCollectionGroups resource is the whole group, so deploying one into
 * an existing group would drop every collection the template leaves out; the Bicep is therefore a
 * NEW group of its own at a free priority ahead of the denies (the `asNewGroups` form), and NSG
 * rules are securityRules child resources, each one rule by a new name.
 */

export interface ClosingCommands {
  /** Policy-wide settings the additions need: decided apart, never run as part of the additions. */
  readonly policyWide: readonly string[];
  readonly az: readonly string[];
  readonly bicep: ReadonlyArray<{ readonly resourceGroup: string | null; readonly what: string; readonly text: string }>;
}

const SOURCE_MEANING = 'the workspace subnet prefixes, space-separated, e.g. SOURCE=10.0.0.0/24';

/** The sources as shell words: the given prefixes, or the variable that must be set first. */
function sourceWords(sources: readonly string[]): string[] {
  return sources.includes(SOURCE_PLACEHOLDER) ? [requiredVariable('SOURCE', SOURCE_MEANING, '--source')] : sources.map(shellWord);
}

function resourceGroupWord(value: string | null, variable: string, of: string): string {
  return value === null ? requiredVariable(variable, `the resource group of ${of}`) : shellWord(value);
}

function ruleOptions(rule: AddedFirewallRule, sources: readonly string[]): string[][] {
  if (rule.ruleType === 'ApplicationRule') return applicationOptions({ protocols: rule.protocols.map((p) => ({ type: p.protocolType, port: p.port })), fqdns: rule.targetFqdns }, sources);
  return networkOptions({ protocols: rule.ipProtocols, tags: rule.destinationAddresses, fqdns: rule.destinationFqdns, ports: rule.destinationPorts.map(Number) }, sources);
}

function firewallCommands(additions: readonly FirewallAddition[], sources: readonly string[]): string[] {
  const commands: string[] = [];
  const created = new Set<string>();
  for (const { place, ruleType, rules } of additions) {
    const policy = place.policy === null ? requiredVariable('POLICY', 'the name of the firewall policy') : shellWord(place.policy);
    const target = [
      ['--resource-group', resourceGroupWord(place.resourceGroup, 'RG', 'the firewall policy')],
      ['--policy-name', policy],
    ];
    const groupKey = `${place.policy ?? ''}/${place.group}`;
    if (place.newGroup && !created.has(groupKey)) {
      created.add(groupKey);
      commands.push(command([[...POLICY_GROUP_COMMAND, 'create'], ...target, ['--name', shellWord(place.group)], ['--priority', String(place.groupPriority)]]));
    }
    const [first, ...rest] = rules;
    if (first === undefined) continue;
    if (place.newCollection) {
      commands.push(
        command([
          [...POLICY_GROUP_COMMAND, 'collection', 'add-filter-collection'],
          ...target,
          ['--rule-collection-group-name', shellWord(place.group)],
          ['--name', shellWord(place.collection)],
          ['--collection-priority', String(place.collectionPriority)],
          ['--action', 'Allow'],
          ['--rule-type', ruleType],
          ['--rule-name', shellWord(first.name)],
          ...ruleOptions(first, sources),
        ]),
      );
    }
    for (const rule of place.newCollection ? rest : rules) {
      commands.push(
        command([[...POLICY_GROUP_COMMAND, 'collection', 'rule', 'add'], ...target, ['--rcg-name', shellWord(place.group)], ['--collection-name', shellWord(place.collection)], ['--rule-type', ruleType], ['--name', shellWord(rule.name)], ...ruleOptions(rule, sources)]),
      );
    }
  }
  return commands;
}

function policyWideCommands(layer: FirewallLayerChange): string[] {
  return layer.settings.map((setting) =>
    command([
      ['az', 'network', 'firewall', 'policy', 'update'],
      ['--resource-group', resourceGroupWord(setting.resourceGroup, 'RG', 'the firewall policy')],
      ['--name', setting.policy === null ? requiredVariable('POLICY', 'the name of the firewall policy') : shellWord(setting.policy)],
      ['--enable-dns-proxy', 'true'],
    ]),
  );
}

function nsgCommands(additions: readonly NsgAddition[], sources: readonly string[]): string[] {
  // The workspace subnet is the source of an outbound rule and the destination of an inbound one.
  const words = (prefixes: readonly string[]): readonly string[] => (prefixes.includes(SOURCE_PLACEHOLDER) ? sources : prefixes.map(shellWord));
  return additions.map(({ nsg, resourceGroup, rule, fixes }) =>
    nsgRuleCreate({
      resourceGroup: resourceGroupWord(resourceGroup, 'NSG_RG', 'the NSG'),
      nsg: shellWord(nsg),
      name: rule.name,
      priority: String(rule.priority),
      direction: rule.direction,
      protocol: rule.protocol === 'Udp' ? 'Udp' : 'Tcp',
      sources: rule.direction === 'Outbound' ? sources : words(rule.sourcePrefixes),
      destinations: rule.direction === 'Inbound' ? sources : words(rule.destinationPrefixes),
      ports: rule.destinationPorts,
      description: `aml-netcheck audit: ${fixes.length} required target(s) of the workspace`,
    }),
  );
}

/** Bicep's sources: the given prefixes, or a parameter without a default, which a deployment must be given. */
function bicepSources(sources: readonly string[]): { param: string[] } {
  const given = !sources.includes(SOURCE_PLACEHOLDER);
  return {
    param: ["@description('Source addresses of the workspace subnets, e.g. [ \\'10.0.0.0/24\\' ]')", `param sourceAddresses array${given ? ` = ${bicepList(sources.map(bicepString), '')}` : ''}`],
  };
}

function firewallBicep(groups: readonly FirewallAddition[], sources: readonly string[]): string {
  const policies = [...new Set(groups.map((g) => g.place.policy))];
  const out = [
    '// aml-netcheck audit: the closing change as new rule collection groups of their own, each at a free priority ahead of the rules that deny',
    '// what it allows. A ruleCollectionGroups resource is the whole group: deploying it replaces a group of that name, which is why these',
    '// are groups the exported policy does not have, and why nothing here restates a group of yours (the az commands add to yours instead).',
    `// Preview: az deployment group what-if --resource-group ${commentText(groups[0]?.place.resourceGroup ?? '<resource group of the policy>')} --template-file <this file>`,
    '',
    ...bicepSources(sources).param,
    '',
  ];
  policies.forEach((policy, index) => {
    const symbol = `policy${index}`;
    // The groups were read without their policy: its name is a parameter the deployment must be given.
    if (policy === null) out.push("@description('Name of the existing firewall policy')", 'param firewallPolicyName string', '');
    out.push(`resource ${symbol} 'Microsoft.Network/firewallPolicies@${API_VERSION}' existing = {`, `  name: ${policy === null ? 'firewallPolicyName' : bicepString(policy)}`, '}', '');
    const mine = groups.filter((g) => g.place.policy === policy);
    const names = [...new Set(mine.map((g) => g.place.group))];
    names.forEach((name, n) => {
      const collections = mine.filter((g) => g.place.group === name);
      out.push(
        `resource ${symbol}Group${n} 'Microsoft.Network/firewallPolicies/ruleCollectionGroups@${API_VERSION}' = {`,
        `  parent: ${symbol}`,
        `  name: ${bicepString(name)}`,
        '  properties: {',
        `    priority: ${collections[0]?.place.groupPriority ?? 0}`,
        '    ruleCollections: [',
        ...collections.flatMap((c) =>
          bicepCollection(
            { name: c.place.collection, priority: c.place.collectionPriority },
            c.rules.map((rule) =>
              rule.ruleType === 'ApplicationRule'
                ? bicepApplicationRule({ name: rule.name, protocols: rule.protocols.map((p) => ({ type: p.protocolType, port: p.port })), fqdns: rule.targetFqdns }, 'sourceAddresses')
                : bicepNetworkRule({ name: rule.name, protocols: rule.ipProtocols, tags: rule.destinationAddresses, fqdns: rule.destinationFqdns, ports: rule.destinationPorts.map(Number) }, 'sourceAddresses'),
            ),
          ),
        ),
        '    ]',
        '  }',
        '}',
        '',
      );
    });
  });
  return `${out.join('\n').trimEnd()}\n`;
}

function nsgBicep(nsg: string, additions: readonly NsgAddition[], sources: readonly string[]): string {
  const out = [
    `// aml-netcheck audit: rules for NSG ${commentText(nsg)}, each a securityRules child resource by a name the NSG does not have,`,
    '// so deploying it adds them and touches no rule of yours.',
    '',
    ...bicepSources(sources).param,
    '',
    `resource nsg 'Microsoft.Network/networkSecurityGroups@${API_VERSION}' existing = {`,
    `  name: ${bicepString(nsg)}`,
    '}',
    '',
  ];
  additions.forEach(({ rule }, index) => {
    out.push(
      `resource rule${index} 'Microsoft.Network/networkSecurityGroups/securityRules@${API_VERSION}' = {`,
      '  parent: nsg',
      `  name: ${bicepString(rule.name)}`,
      '  properties: {',
      `    priority: ${rule.priority}`,
      `    direction: ${bicepString(rule.direction)}`,
      "    access: 'Allow'",
      `    protocol: ${bicepString(rule.protocol)}`,
      // The workspace subnet (the sourceAddresses parameter) is the source going out, the destination coming in.
      ...(rule.direction === 'Inbound' ? [`    sourceAddressPrefix: ${bicepString(rule.sourcePrefixes[0] ?? '')}`] : ['    sourceAddressPrefixes: sourceAddresses']),
      "    sourcePortRange: '*'",
      ...(rule.direction === 'Inbound' ? ['    destinationAddressPrefixes: sourceAddresses'] : [`    destinationAddressPrefix: ${bicepString(rule.destinationPrefixes[0] ?? '')}`]),
      `    destinationPortRanges: ${bicepList(rule.destinationPorts.map(bicepString), '    ')}`,
      '  }',
      '}',
      '',
    );
  });
  return `${out.join('\n').trimEnd()}\n`;
}

/** Every layer's additions as commands and templates. */
export function closingCommands(change: ClosingChange): ClosingCommands {
  const sources = sourceWords(change.sourceAddresses);
  const policyWide: string[] = [];
  const az: string[] = [];
  const bicep: Array<{ resourceGroup: string | null; what: string; text: string }> = [];
  for (const layer of change.layers as ReadonlyArray<FirewallLayerChange | NsgLayerChange>) {
    if (layer.layer === 'nsg') {
      az.push(...nsgCommands(layer.additions, sources));
      for (const nsg of [...new Set(layer.additions.map((a) => a.nsg))]) {
        const mine = layer.additions.filter((a) => a.nsg === nsg);
        bicep.push({ resourceGroup: mine[0]?.resourceGroup ?? null, what: `NSG ${nsg}`, text: nsgBicep(nsg, mine, change.sourceAddresses) });
      }
    } else {
      policyWide.push(...policyWideCommands(layer));
      az.push(...firewallCommands(layer.additions, sources));
      if (layer.asNewGroups !== null && layer.asNewGroups.length > 0) bicep.push({ resourceGroup: layer.asNewGroups[0]?.place.resourceGroup ?? null, what: 'firewall policy', text: firewallBicep(layer.asNewGroups, change.sourceAddresses) });
    }
  }
  return { policyWide, az, bicep };
}
