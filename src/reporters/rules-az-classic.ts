import type { RulesPlan } from '../remedies/plan.js';
import { checkFqdnPattern, checkPort, checkServiceTag } from '../remedies/validate.js';
import { azureFirewallRules, firewallNames } from './rules-firewall.js';
import type { RulesRenderOptions } from './rules-formats.js';
import { shellWord } from './rules-quote.js';
import { command, otherFixesAsComments, refusedAsComments, scriptHeader, SOURCE_VARIABLE } from './rules-script.js';

/**
 * `rules -o az-classic`: the same rules for a firewall managed with classic rules
 * (`az network firewall application-rule|network-rule create`). The first rule of a
 * collection creates it, with its priority and action.
 */
const FIREWALL = [['--resource-group', '"$RG"'], ['--firewall-name', '"$FIREWALL"']];

function creates(index: number, meta: { name: string; priority: number }): string[][] {
  return [['--collection-name', shellWord(meta.name)], ...(index === 0 ? [['--priority', String(meta.priority)], ['--action', 'Allow']] : [])];
}

export function renderRulesAzClassic(plan: RulesPlan, options: RulesRenderOptions = {}): string {
  const rules = azureFirewallRules(plan.allow);
  const names = firewallNames(options.additions);
  const notes = [
    ...(rules.needsDnsProxy ? ['Network rules on host names need the DNS proxy of the firewall turned on.'] : []),
    ...(rules.inbound.length > 0 ? [`${rules.inbound.length} inbound rule(s) belong on the compute subnet's NSG: see -o nsg.`] : []),
  ];
  const none = rules.application.length === 0 && rules.network.length === 0;
  const out = scriptHeader('Azure Firewall classic rules', plan, none ? [] : [
    { name: 'RG', meaning: 'the resource group of the firewall', value: options.resourceGroup, flag: '--resource-group' },
    { name: 'FIREWALL', meaning: 'the name of the firewall', value: options.firewall, flag: '--firewall' },
    SOURCE_VARIABLE(options.source),
  ], notes, options.additions);
  out.push(...otherFixesAsComments(plan, '#'), ...refusedAsComments(rules.refused, '#'));
  if (none) out.push('# No firewall rule is needed.');
  rules.network.forEach((rule, index) => {
    const destination = rule.destination.kind === 'service-tag'
      ? ['--destination-addresses', shellWord(checkServiceTag(rule.destination.value))]
      : ['--destination-fqdns', shellWord(checkFqdnPattern(rule.destination.value))];
    out.push(command([
      ['az', 'network', 'firewall', 'network-rule', 'create'],
      ...FIREWALL,
      ...creates(index, names.network),
      ['--name', shellWord(rule.name)],
      ['--protocols', rule.protocol],
      ['--source-addresses', '"${SOURCE[@]}"'],
      destination,
      ['--destination-ports', ...rule.ports.map((p) => shellWord(String(checkPort(p))))],
    ]));
  });
  rules.application.forEach((rule, index) => {
    out.push(command([
      ['az', 'network', 'firewall', 'application-rule', 'create'],
      ...FIREWALL,
      ...creates(index, names.application),
      ['--name', shellWord(rule.name)],
      ['--source-addresses', '"${SOURCE[@]}"'],
      ['--protocols', ...rule.protocols.map((p) => shellWord(`${p.type}=${checkPort(p.port)}`))],
      ['--target-fqdns', shellWord(checkFqdnPattern(rule.fqdn))],
    ]));
  });
  return `${out.join('\n').trimEnd()}\n`;
}
