import type { RulesPlan } from '../../remedies/plan.js';
import { FIREWALL_PRIORITY_RANGE } from '../../remedies/names.js';
import { azureFirewallRules, firewallNames, type ApplicationRule, type NetworkRule } from './firewall.js';
import type { RulesRenderOptions } from './formats.js';
import { shellWord } from '../shared/quote.js';
import { applicationOptions, command, networkOptions, POLICY_GROUP_COMMAND } from '../shared/azure-rules.js';
import { indented, jmesName, otherFixesAsComments, queryWord, refusedAsComments, say, scriptFunctions, scriptHeader, SOURCE_VARIABLE } from './script.js';

/**
 * `rules -o az`: a bash script of `az network firewall policy` commands that adds our rules to
 * an Azure Firewall Policy and never takes any away. `rule-collection-group create` is a PUT of
 * an empty group, so the script runs it only for a group the policy does not have; every other
 * write (`collection add-filter-collection`, `collection rule add`) reads the whole group and
 * writes it back with one thing more. It adds only the collections and rules that are absent,
 * so running it again, or after another of our scripts, changes nothing that is there.
 */
const TARGET = [
  ['--resource-group', '"$RG"'],
  ['--policy-name', '"$POLICY"'],
];

/** The source addresses of a script's rules: the SOURCE array its header sets or asks for. */
const SOURCE_WORDS = ['"${SOURCE[@]}"'];

export function applicationRuleOptions(rule: ApplicationRule): string[][] {
  return applicationOptions({ protocols: rule.protocols, fqdns: [rule.fqdn] }, SOURCE_WORDS);
}

/** The options of a network rule; classic rules name the protocol option `--protocols`. */
export function networkRuleOptions(rule: NetworkRule, protocolOption: '--ip-protocols' | '--protocols' = '--ip-protocols'): string[][] {
  const { kind, value } = rule.destination;
  return networkOptions({ protocols: [rule.protocol], tags: kind === 'service-tag' ? [value] : [], fqdns: kind === 'fqdn' ? [value] : [], ports: rule.ports }, SOURCE_WORDS, protocolOption);
}

/** A read of our group: exit 3 when the policy has no group of that name. */
function readGroup(group: string, query: string): string {
  return `lookup ${command([[...POLICY_GROUP_COMMAND, 'show'], ...TARGET, ['--name', shellWord(group)], ['--query', queryWord(query)]])}`;
}

/**
 * One collection: when the group has it, each rule it lacks; when not, the collection with its
 * first rule at a free priority, then the rest. The bash variables `collections` and
 * `collection_priorities` hold what the group has (nothing for a group just created).
 */
function collection<T extends { name: string }>(rules: readonly T[], group: string, meta: { name: string; priority: number }, ruleType: string, options: (rule: T) => string[][]): string[] {
  const add = (rule: T): string => command([[...POLICY_GROUP_COMMAND, 'collection', 'rule', 'add'], ...TARGET, ['--rcg-name', shellWord(group)], ['--collection-name', shellWord(meta.name)], ['--rule-type', ruleType], ['--name', shellWord(rule.name)], ...options(rule)]);
  const [first, ...rest] = rules;
  if (first === undefined) return [];
  const { step, last } = FIREWALL_PRIORITY_RANGE;
  return [
    `if has "$collections" ${shellWord(meta.name)}; then`,
    `  rules=$(${readGroup(group, `ruleCollections[?name==${jmesName(meta.name)}].rules[].name`)})`,
    `  ${say(`Rule collection ${meta.name}: exists; adding only the rules it lacks.`)}`,
    ...rules.flatMap((rule) => [`  if has "$rules" ${shellWord(rule.name)}; then`, `    ${say(`  rule ${rule.name}: exists, left as it is.`)}`, '  else', `    ${say(`  rule ${rule.name}: adding.`)}`, `    change ${indented(add(rule), '    ')}`, '  fi']),
    'else',
    `  priority=$(free_priority ${meta.priority} ${step} ${last} "$collection_priorities")`,
    `  collection_priorities+=$'\\n'"$priority"`,
    `  ${say(`Rule collection ${meta.name}: not in the group; adding it, with ${rules.length} rule(s), at collection priority`, 'priority')}`,
    `  change ${indented(
      command([
        [...POLICY_GROUP_COMMAND, 'collection', 'add-filter-collection'],
        ...TARGET,
        ['--rule-collection-group-name', shellWord(group)],
        ['--name', shellWord(meta.name)],
        ['--collection-priority', '"$priority"'],
        ['--action', 'Allow'],
        ['--rule-type', ruleType],
        ['--rule-name', shellWord(first.name)],
        ...options(first),
      ]),
      '  ',
    )}`,
    ...rest.map((rule) => `  change ${indented(add(rule), '  ')}`),
    'fi',
  ];
}

export function renderRulesAzPolicy(plan: RulesPlan, options: RulesRenderOptions = {}): string {
  const rules = azureFirewallRules(plan.allow);
  const names = firewallNames(options.additions, plan.origin);
  const group = names.group.name;
  const { step, last } = FIREWALL_PRIORITY_RANGE;
  const collections = [...(rules.network.length > 0 ? [names.network] : []), ...(rules.application.length > 0 ? [names.application] : [])];
  const elsewhere = [
    ...(rules.needsDnsProxy ? ['Network rules on host names need the DNS proxy of the firewall policy turned on (az network firewall policy update --enable-dns-proxy true).'] : []),
    ...(rules.inbound.length > 0 ? [`${rules.inbound.length} inbound rule(s) belong on the compute subnet's NSG: see -o nsg.`] : []),
  ];
  const notes = [
    'Needs the azure-firewall extension of the az CLI.',
    `Creates the rule collection group ${group} only if the policy has none of that name, at priority ${names.group.priority} or the next free one (steps of ${step}, at most ${last}); an existing one keeps its priority.`,
    `Adds to it the rule collection(s) ${collections.map((c) => `${c.name} (collection priority ${c.priority} or the next free one in the group)`).join(' and ')} if absent, and each rule below that its collection lacks.`,
    'Never changes or removes anything: no other group, collection or rule, and no rule of ours already there (it is left as it is, and the script says so).',
    'Each write reads the whole group and writes it back with one collection or rule more, so the policy never has fewer rules than before, at any step; run again, it changes nothing. Do not edit the group while it runs.',
    'DRY_RUN=1 prints the writes instead of making them; the reads still run, so what it prints is what it would do.',
    ...elsewhere,
  ];
  // With nothing to add, the script asks for nothing: it runs, and says so.
  const none = rules.application.length === 0 && rules.network.length === 0;
  const out = scriptHeader(
    'Azure Firewall Policy',
    plan,
    none
      ? []
      : [
          { name: 'RG', meaning: 'the resource group of the firewall policy', value: options.resourceGroup, flag: '--resource-group' },
          { name: 'POLICY', meaning: 'the name of the firewall policy', value: options.firewallPolicy, flag: '--firewall-policy' },
          SOURCE_VARIABLE(options.source),
        ],
    none ? elsewhere : notes,
    options.additions,
  );
  out.push(...otherFixesAsComments(plan, '#'), ...refusedAsComments(rules.refused, '#'));
  if (none) {
    out.push('# No firewall rule is needed.');
    return `${out.join('\n')}\n`;
  }
  out.push(
    ...scriptFunctions(options.dryRun),
    'found=0',
    `collections=$(${readGroup(group, 'ruleCollections[].name')}) || found=$?`,
    '[[ $found -eq 0 || $found -eq 3 ]] || exit 1',
    'if [[ $found -eq 3 ]]; then',
    `  used=$(lookup ${indented(command([[...POLICY_GROUP_COMMAND, 'list'], ...TARGET, ['--query', queryWord('[].priority')]]), '  ')}) || missing "$?" 'the firewall policy'`,
    `  priority=$(free_priority ${names.group.priority} ${step} ${last} "$used")`,
    `  ${say(`Rule collection group ${group}: not in the policy (so the ResourceNotFound above); creating it at priority`, 'priority')}`,
    `  change ${indented(command([[...POLICY_GROUP_COMMAND, 'create'], ...TARGET, ['--name', shellWord(group)], ['--priority', '"$priority"']]), '  ')}`,
    "  collection_priorities=''",
    'else',
    `  ${say(`Rule collection group ${group}: exists; adding to it, its priority and everything in it left as they are.`)}`,
    `  collection_priorities=$(${readGroup(group, 'ruleCollections[].priority')})`,
    'fi',
    '',
  );
  if (rules.network.length > 0) out.push('# Network rules: service tags, and names on ports that carry no web traffic.', ...collection(rules.network, group, names.network, 'NetworkRule', networkRuleOptions), '');
  if (rules.application.length > 0) out.push('# Application rules: web traffic (HTTP, HTTPS) to names.', ...collection(rules.application, group, names.application, 'ApplicationRule', applicationRuleOptions), '');
  return `${out.join('\n').trimEnd()}\n`;
}
