import { CLOUD_NAMES } from '../../model/clouds.js';
import type { RulesPlan } from '../../remedies/plan.js';
import { isAzureResourceName, isSourceAddress } from '../../remedies/validate.js';
import { API_VERSION, bicepApplicationRule, bicepCollection, bicepList, bicepNetworkRule } from '../shared/azure-rules.js';
import { RULE_COLLECTION_GROUP } from '../../remedies/names.js';
import { azureFirewallRules, firewallNames, type ApplicationRule, type NetworkRule } from './firewall.js';
import type { RulesRenderOptions } from './formats.js';
import { bicepString, commentText } from '../shared/quote.js';
import { otherFixesAsComments, refusedAsComments, scopeOf } from './script.js';

/**
 * `rules -o bicep`: one `Microsoft.Network/firewallPolicies/ruleCollectionGroups` resource
 * on an existing firewall policy. Every value is a Bicep string literal made by bicepString,
 * so nothing in it can end the literal or open an interpolation.
 */

function applicationRule(rule: ApplicationRule): string[] {
  return bicepApplicationRule({ name: rule.name, protocols: rule.protocols, fqdns: [rule.fqdn] }, 'sourceAddresses');
}

function networkRule(rule: NetworkRule): string[] {
  const { kind, value } = rule.destination;
  return bicepNetworkRule({ name: rule.name, protocols: [rule.protocol], tags: kind === 'service-tag' ? [value] : [], fqdns: kind === 'fqdn' ? [value] : [], ports: rule.ports }, 'sourceAddresses');
}

export function renderRulesBicep(plan: RulesPlan, options: RulesRenderOptions = {}): string {
  const rules = azureFirewallRules(plan.allow);
  const names = firewallNames(options.additions, plan.origin);
  const where = [CLOUD_NAMES[plan.cloud], plan.region].filter((x) => x !== null).join(', ');
  const policy = options.firewallPolicy !== undefined && isAzureResourceName(options.firewallPolicy) ? ` = ${bicepString(options.firewallPolicy)}` : '';
  const sources = (options.source ?? []).filter(isSourceAddress);
  const group = names.group.name;
  const deploy = (verb: 'what-if' | 'create'): string =>
    commentText(
      [
        `az deployment group ${verb}`,
        `--resource-group ${options.resourceGroup !== undefined && isAzureResourceName(options.resourceGroup) ? options.resourceGroup : '<resource group of the policy>'}`,
        '--template-file <this file>',
        ...(policy === '' ? ['--parameters firewallPolicyName=<policy>'] : []),
        ...(sources.length === 0 ? ['--parameters sourceAddresses=\'["10.0.0.0/24"]\''] : []),
      ].join(' '),
    );
  const out = [
    `// aml-netcheck rules: Azure Firewall Policy rule collection group, ${commentText(scopeOf(plan, options.additions))} (${commentText(where)}).`,
    `// Deploying it creates the rule collection group ${group} (priority ${names.group.priority}) of the firewall policy, or, if the policy has it,`,
    "// replaces that one group's content with what is below: a deployment writes the whole group, so a collection or rule",
    '// added to it by other means is removed. Nothing else in the policy is touched: no other group, its collections or rules.',
    `// The group belongs to this template: keep your own rules in other groups.${plan.origin === 'report' || options.additions !== undefined ? ` It is not the allow-list's group (${RULE_COLLECTION_GROUP.name}), so deploying it leaves that one as it is.` : ''}`,
    `// Preview what it would change (nothing is written): ${deploy('what-if')}`,
    `// Then deploy: ${deploy('create')}`,
    ...(rules.needsDnsProxy ? ['// Network rules on host names need the DNS proxy of the firewall policy turned on.'] : []),
    ...(rules.inbound.length > 0 ? [`// ${rules.inbound.length} inbound rule(s) belong on the compute subnet's NSG: see -o nsg.`] : []),
    ...otherFixesAsComments(plan, '//'),
    ...refusedAsComments(rules.refused, '//'),
    '',
    "@description('Name of the existing firewall policy')",
    `param firewallPolicyName string${policy}`,
    '',
    "@description('Source addresses of the workspace subnets, e.g. [ \\'10.0.0.0/24\\' ]')",
    `param sourceAddresses array${sources.length > 0 ? ` = ${bicepList(sources.map(bicepString), '')}` : ''}`,
    '',
    `resource firewallPolicy 'Microsoft.Network/firewallPolicies@${API_VERSION}' existing = {`,
    '  name: firewallPolicyName',
    '}',
    '',
    `resource amlNetcheckRules 'Microsoft.Network/firewallPolicies/ruleCollectionGroups@${API_VERSION}' = {`,
    '  parent: firewallPolicy',
    `  name: ${bicepString(names.group.name)}`,
    '  properties: {',
    `    priority: ${names.group.priority}`,
    '    ruleCollections: [',
    ...(rules.network.length > 0 ? bicepCollection(names.network, rules.network.map(networkRule)) : []),
    ...(rules.application.length > 0 ? bicepCollection(names.application, rules.application.map(applicationRule)) : []),
    '    ]',
    '  }',
    '}',
  ];
  return `${out.join('\n')}\n`;
}
