import type { RulesPlan } from '../../remedies/plan.js';
import { checkFqdnPattern, checkPort, checkServiceTag } from '../../remedies/validate.js';
import { FIREWALL_PRIORITY_RANGE } from '../../remedies/names.js';
import { azureFirewallRules, firewallNames, type ApplicationRule, type NetworkRule } from './firewall.js';
import type { RulesRenderOptions } from './formats.js';
import { applicationRuleOptions, networkRuleOptions } from './az-policy.js';
import { shellWord } from '../shared/quote.js';
import { command } from '../shared/azure-rules.js';
import { indented, jmesJson, jmesName, otherFixesAsComments, queryWord, refusedAsComments, say, scriptFunctions, scriptHeader, SOURCE_VARIABLE } from './script.js';

/**
 * `rules -o az-classic`: the same rules for a firewall managed with classic rules
 * (`az network firewall application-rule|network-rule create`). Each of those reads the whole
 * firewall, adds one rule (and its collection, when `--priority` and `--action` are given and
 * the collection is absent) and writes the firewall back, so nothing else changes. The script
 * reads the firewall first: it creates a collection only where there is none of that name, at a
 * free priority, and a rule only where its collection has none of that name; a rule of ours
 * that is there with other content stops it, since that name is someone else's now.
 */
const FIREWALL = [
  ['--resource-group', '"$RG"'],
  ['--firewall-name', '"$FIREWALL"'],
];
const SHOW = ['az', 'network', 'firewall', 'show'];

interface Kind {
  readonly property: 'networkRuleCollections' | 'applicationRuleCollections';
  /** The bash variable prefix for what the firewall has of this kind. */
  readonly variable: 'network' | 'application';
  readonly create: readonly string[];
}
const NETWORK: Kind = { property: 'networkRuleCollections', variable: 'network', create: ['az', 'network', 'firewall', 'network-rule', 'create'] };
const APPLICATION: Kind = { property: 'applicationRuleCollections', variable: 'application', create: ['az', 'network', 'firewall', 'application-rule', 'create'] };

function read(query: string): string {
  return `lookup ${command([SHOW, ['--resource-group', '"$RG"'], ['--name', '"$FIREWALL"'], ['--query', queryWord(query)]])}`;
}

/** What makes an existing rule of that name ours: the same destination, protocols and ports (JMESPath on the rule). */
function networkMatch(rule: NetworkRule): string {
  const [addresses, fqdns] = rule.destination.kind === 'service-tag' ? [[checkServiceTag(rule.destination.value)], []] : [[], [checkFqdnPattern(rule.destination.value)]];
  return [`protocols==${jmesJson([rule.protocol])}`, `(destinationAddresses || \`[]\`)==${jmesJson(addresses)}`, `(destinationFqdns || \`[]\`)==${jmesJson(fqdns)}`, `destinationPorts==${jmesJson(rule.ports.map((p) => String(checkPort(p))))}`].join(' && ');
}

function applicationMatch(rule: ApplicationRule): string {
  return [`protocols[].join('=', [protocolType, to_string(port)])==${jmesJson(rule.protocols.map((p) => `${p.type}=${checkPort(p.port)}`))}`, `targetFqdns==${jmesJson([checkFqdnPattern(rule.fqdn)])}`].join(' && ');
}

/**
 * One rule, in two parts. The check reads whether its collection holds a rule of that name, and
 * whether it is ours, into `state_N`; a rule of that name that is not ours stops the script, and
 * every check runs before the first write, so that stop comes before any change. The write adds
 * the rule, creating the collection with the first rule added when the firewall has none.
 */
function ruleBlock<T extends { name: string }>(kind: Kind, meta: { name: string; priority: number }, rule: T, index: number, match: (rule: T) => string, options: (rule: T) => string[][]): { check: string[]; write: string[] } {
  const v = kind.variable;
  const state = `${v}_state_${index}`;
  const { step, last } = FIREWALL_PRIORITY_RANGE;
  const base = (extra: string[][]): string => command([kind.create, ...FIREWALL, ['--collection-name', shellWord(meta.name)], ...extra, ['--name', shellWord(rule.name)], ...options(rule)]);
  const check = [
    `${state}=''`,
    `if has "$${v}_collections" ${shellWord(meta.name)}; then`,
    `  ${state}=$(${indented(read(`${kind.property}[?name==${jmesName(meta.name)}].rules[] | [?name==${jmesName(rule.name)}].[${match(rule)}]`), '  ')})`,
    'fi',
    `case "$${state}" in`,
    "  ''|True) ;;",
    `  *) stop ${shellWord(`a rule named ${rule.name} is in the collection ${meta.name} with another destination, protocol or ports: it is not ours to change; rename or remove it, then run this again (nothing was changed)`)} ;;`,
    'esac',
  ];
  const write = [
    `if [[ $${state} == True ]]; then`,
    `  ${say(`rule ${rule.name} in ${meta.name}: exists with the same destination, protocol and ports; left as it is.`)}`,
    `elif has "$${v}_collections" ${shellWord(meta.name)}; then`,
    `  ${say(`rule ${rule.name}: adding to ${meta.name}.`)}`,
    `  change ${indented(base([]), '  ')}`,
    'else',
    `  priority=$(free_priority ${meta.priority} ${step} ${last} "$${v}_priorities")`,
    `  ${v}_priorities+=$'\\n'"$priority"`,
    `  ${v}_collections+=$'\\n'${shellWord(meta.name)}`,
    `  ${say(`rule ${rule.name}: adding, with its collection ${meta.name} (not on the firewall) at priority`, 'priority')}`,
    `  change ${indented(
      base([
        ['--priority', '"$priority"'],
        ['--action', 'Allow'],
      ]),
      '  ',
    )}`,
    'fi',
  ];
  return { check, write };
}

export function renderRulesAzClassic(plan: RulesPlan, options: RulesRenderOptions = {}): string {
  const rules = azureFirewallRules(plan.allow);
  const names = firewallNames(options.additions, plan.origin);
  const { step, last } = FIREWALL_PRIORITY_RANGE;
  const collections = [
    ...(rules.network.length > 0 ? [`the network rule collection ${names.network.name} (priority ${names.network.priority} or the next free one among network rule collections)`] : []),
    ...(rules.application.length > 0 ? [`the application rule collection ${names.application.name} (priority ${names.application.priority} or the next free one among application rule collections)`] : []),
  ];
  const none = rules.application.length === 0 && rules.network.length === 0;
  const notes = none
    ? []
    : [
        `Creates ${collections.join(' and ')} only if the firewall has none of that name (priorities in steps of ${step}, at most ${last}), and adds each rule below that its collection lacks.`,
        'Never changes or removes anything: no other collection or rule, and no rule of ours already there (it is left as it is, and the script says so). A rule of that name with another destination, protocol or ports stops the script before it writes anything more.',
        'Each write reads the whole firewall and writes it back with one rule more, so the firewall never has fewer rules than before, at any step; run again, it changes nothing.',
        'DRY_RUN=1 prints the writes instead of making them; the reads still run, so what it prints is what it would do.',
      ];
  notes.push(...(rules.needsDnsProxy ? ['Network rules on host names need the DNS proxy of the firewall turned on.'] : []), ...(rules.inbound.length > 0 ? [`${rules.inbound.length} inbound rule(s) belong on the compute subnet's NSG: see -o nsg.`] : []));
  const out = scriptHeader(
    'Azure Firewall classic rules',
    plan,
    none ? [] : [{ name: 'RG', meaning: 'the resource group of the firewall', value: options.resourceGroup, flag: '--resource-group' }, { name: 'FIREWALL', meaning: 'the name of the firewall', value: options.firewall, flag: '--firewall' }, SOURCE_VARIABLE(options.source)],
    notes,
    options.additions,
  );
  out.push(...otherFixesAsComments(plan, '#'), ...refusedAsComments(rules.refused, '#'));
  if (none) {
    out.push('# No firewall rule is needed.');
    return `${out.join('\n')}\n`;
  }
  out.push(...scriptFunctions(options.dryRun));
  for (const kind of [NETWORK, APPLICATION]) {
    if ((kind === NETWORK ? rules.network : rules.application).length === 0) continue;
    out.push(`${kind.variable}_collections=$(${read(`${kind.property}[].name`)}) || missing "$?" 'the firewall'`, `${kind.variable}_priorities=$(${read(`${kind.property}[].priority`)})`);
  }
  const blocks = [
    ...rules.network.map((rule, index) => ruleBlock(NETWORK, names.network, rule, index, networkMatch, (r) => networkRuleOptions(r, '--protocols'))),
    ...rules.application.map((rule, index) => ruleBlock(APPLICATION, names.application, rule, index, applicationMatch, applicationRuleOptions)),
  ];
  out.push('', '# First every check: a rule of our name that is not ours stops the script before it changes anything.', ...blocks.flatMap((b) => b.check));
  out.push('', '# Then the writes: network rules (service tags, and names on ports without web traffic), then application rules (web traffic to names).', ...blocks.flatMap((b) => b.write));
  return `${out.join('\n').trimEnd()}\n`;
}
