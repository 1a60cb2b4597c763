import type { RulesPlan } from '../remedies/plan.js';
import { checkFqdnPattern, checkPort, checkServiceTag } from '../remedies/validate.js';
import { azureFirewallRules, firewallNames, type ApplicationRule, type FirewallNames, type NetworkRule } from './rules-firewall.js';
import type { RulesRenderOptions } from './rules-formats.js';
import { shellWord } from './rules-quote.js';
import { command, otherFixesAsComments, refusedAsComments, scriptHeader, SOURCE_VARIABLE } from './rules-script.js';

/**
 * `rules -o az`: a bash script of `az network firewall policy` commands that add one rule
 * collection group to an Azure Firewall Policy: a network rule collection and an
 * application rule collection, each made by its first rule and filled by the rest.
 */
const GROUP = ['az', 'network', 'firewall', 'policy', 'rule-collection-group'];
const TARGET = [['--resource-group', '"$RG"'], ['--policy-name', '"$POLICY"']];

export function applicationRuleOptions(rule: ApplicationRule): string[][] {
  return [
    ['--source-addresses', '"${SOURCE[@]}"'],
    ['--protocols', ...rule.protocols.map((p) => shellWord(`${p.type}=${checkPort(p.port)}`))],
    ['--target-fqdns', shellWord(checkFqdnPattern(rule.fqdn))],
  ];
}

export function networkRuleOptions(rule: NetworkRule): string[][] {
  const destination = rule.destination.kind === 'service-tag'
    ? ['--destination-addresses', shellWord(checkServiceTag(rule.destination.value))]
    : ['--destination-fqdns', shellWord(checkFqdnPattern(rule.destination.value))];
  return [['--ip-protocols', rule.protocol], ['--source-addresses', '"${SOURCE[@]}"'], destination, ['--destination-ports', ...rule.ports.map((p) => shellWord(String(checkPort(p))))]];
}

function collection<T extends { name: string }>(rules: readonly T[], group: FirewallNames['group'], meta: { name: string; priority: number }, ruleType: string, options: (rule: T) => string[][]): string[] {
  return rules.map((rule, index) =>
    index === 0
      ? command([
          [...GROUP, 'collection', 'add-filter-collection'],
          ...TARGET,
          ['--rule-collection-group-name', shellWord(group.name)],
          ['--name', shellWord(meta.name)],
          ['--collection-priority', String(meta.priority)],
          ['--action', 'Allow'],
          ['--rule-type', ruleType],
          ['--rule-name', shellWord(rule.name)],
          ...options(rule),
        ])
      : command([[...GROUP, 'collection', 'rule', 'add'], ...TARGET, ['--rcg-name', shellWord(group.name)], ['--collection-name', shellWord(meta.name)], ['--rule-type', ruleType], ['--name', shellWord(rule.name)], ...options(rule)]),
  );
}

export function renderRulesAzPolicy(plan: RulesPlan, options: RulesRenderOptions = {}): string {
  const rules = azureFirewallRules(plan.allow);
  const names = firewallNames(options.additions);
  const notes = [
    `Adds the rule collection group ${names.group.name} to an Azure Firewall Policy (needs the azure-firewall extension of the az CLI).`,
    ...(rules.needsDnsProxy ? ['Network rules on host names need the DNS proxy of the firewall policy turned on (az network firewall policy update --enable-dns-proxy true).'] : []),
    ...(rules.inbound.length > 0 ? [`${rules.inbound.length} inbound rule(s) belong on the compute subnet's NSG: see -o nsg.`] : []),
  ];
  // With nothing to add, the script asks for nothing: it runs, and says so.
  const none = rules.application.length === 0 && rules.network.length === 0;
  const out = scriptHeader('Azure Firewall Policy', plan, none ? [] : [
    { name: 'RG', meaning: 'the resource group of the firewall policy', value: options.resourceGroup, flag: '--resource-group' },
    { name: 'POLICY', meaning: 'the name of the firewall policy', value: options.firewallPolicy, flag: '--firewall-policy' },
    SOURCE_VARIABLE(options.source),
  ], notes, options.additions);
  out.push(...otherFixesAsComments(plan, '#'), ...refusedAsComments(rules.refused, '#'));
  if (none) {
    out.push('# No firewall rule is needed.');
    return `${out.join('\n')}\n`;
  }
  out.push(command([[...GROUP, 'create'], ...TARGET, ['--name', shellWord(names.group.name)], ['--priority', String(names.group.priority)]]), '');
  if (rules.network.length > 0) out.push('# Network rules: service tags, and names on ports that carry no web traffic.', ...collection(rules.network, names.group, names.network, 'NetworkRule', networkRuleOptions), '');
  if (rules.application.length > 0) out.push('# Application rules: web traffic (HTTP, HTTPS) to names.', ...collection(rules.application, names.group, names.application, 'ApplicationRule', applicationRuleOptions), '');
  return `${out.join('\n').trimEnd()}\n`;
}
