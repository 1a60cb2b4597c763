import { checkFqdnPattern, checkPort, checkServiceTag } from '../../remedies/validate.js';
import { bicepString, shellWord } from './quote.js';

/**
 * The pieces of Azure rules that every renderer printing them shares (`rules -o az|bicep|nsg`
 * and audit's closing change): one command's layout, the options and Bicep objects of a rule,
 * each value checked (remedies/validate.ts) and quoted (quote.ts) here.
 */

export const POLICY_GROUP_COMMAND = ['az', 'network', 'firewall', 'policy', 'rule-collection-group'];

/** The API version of the resources the Bicep files declare. */
export const API_VERSION = '2023-09-01';

/**
 * The word of `${VAR:?word}` is parsed by the shell (quotes and `$` are special there even
 * inside double quotes): it may hold only plain words.
 */
function plainWords(text: string): string {
  if (!/^[A-Za-z0-9 ,._=/-]*$/.test(text)) throw new Error(`not plain words: ${text}`);
  return text;
}

/**
 * `${NAME:?set NAME to …}`: the variable's value, or, while it is unset, a message and no command
 * run (a script stops there; an interactive shell runs nothing of that line).
 */
export function requiredVariable(name: string, meaning: string, flag?: string): string {
  return `\${${name}:?${plainWords(`set ${name} to ${meaning}${flag === undefined ? '' : `, or pass ${flag}`}`)}}`;
}

/** One command, each option and its values on a line of their own, so a long rule stays readable and diffs well. */
export function command(groups: ReadonlyArray<readonly string[]>): string {
  return groups.map((words) => words.join(' ')).join(' \\\n    ');
}

/** An application rule's options: its sources (shell words already), protocols and names, each value checked and quoted. */
export function applicationOptions(rule: { readonly protocols: ReadonlyArray<{ readonly type: string; readonly port: number }>; readonly fqdns: readonly string[] }, sources: readonly string[]): string[][] {
  return [
    ['--source-addresses', ...sources],
    ['--protocols', ...rule.protocols.map((p) => shellWord(`${p.type}=${checkPort(p.port)}`))],
    ['--target-fqdns', ...rule.fqdns.map((fqdn) => shellWord(checkFqdnPattern(fqdn)))],
  ];
}

function protocolWord(protocol: string): string {
  if (!['TCP', 'UDP', 'Any', 'ICMP'].includes(protocol)) throw new Error(`${JSON.stringify(protocol)} is not a network rule protocol`);
  return protocol;
}

/** A network rule's options: protocols, sources (shell words already), service tags or names, ports. */
export function networkOptions(
  rule: { readonly protocols: readonly string[]; readonly tags: readonly string[]; readonly fqdns: readonly string[]; readonly ports: readonly number[] },
  sources: readonly string[],
  protocolOption: '--ip-protocols' | '--protocols' = '--ip-protocols',
): string[][] {
  return [
    // A protocol is a fixed word of the API (TCP, UDP, Any, ICMP): printed as it is, anything else refused.
    [protocolOption, ...rule.protocols.map(protocolWord)],
    ['--source-addresses', ...sources],
    ...(rule.tags.length > 0 ? [['--destination-addresses', ...rule.tags.map((tag) => shellWord(checkServiceTag(tag)))]] : []),
    ...(rule.fqdns.length > 0 ? [['--destination-fqdns', ...rule.fqdns.map((fqdn) => shellWord(checkFqdnPattern(fqdn)))]] : []),
    ['--destination-ports', ...rule.ports.map((p) => shellWord(String(checkPort(p))))],
  ];
}

export function bicepList(values: readonly string[], indent: string): string {
  return `[\n${values.map((v) => `${indent}  ${v}`).join('\n')}\n${indent}]`;
}

/** An application rule as a Bicep object; `sources` is a Bicep expression (a parameter, or a list literal). */
export function bicepApplicationRule(rule: { readonly name: string; readonly protocols: ReadonlyArray<{ readonly type: string; readonly port: number }>; readonly fqdns: readonly string[] }, sources: string): string[] {
  return [
    '          {',
    "            ruleType: 'ApplicationRule'",
    `            name: ${bicepString(rule.name)}`,
    `            sourceAddresses: ${sources}`,
    `            protocols: ${bicepList(
      rule.protocols.map((p) => `{ protocolType: ${bicepString(p.type)}, port: ${checkPort(p.port)} }`),
      '            ',
    )}`,
    `            targetFqdns: ${bicepList(
      rule.fqdns.map((fqdn) => bicepString(checkFqdnPattern(fqdn))),
      '            ',
    )}`,
    '          }',
  ];
}

/** A list field of a rule in Bicep, left out when empty. */
function ruleField(key: string, values: readonly string[]): string[] {
  return values.length === 0 ? [] : [`            ${key}: ${bicepList(values, '            ')}`];
}

/** A network rule as a Bicep object: its service tags (destinationAddresses) or names (destinationFqdns). */
export function bicepNetworkRule(rule: { readonly name: string; readonly protocols: readonly string[]; readonly tags: readonly string[]; readonly fqdns: readonly string[]; readonly ports: readonly number[] }, sources: string): string[] {
  return [
    '          {',
    "            ruleType: 'NetworkRule'",
    `            name: ${bicepString(rule.name)}`,
    `            ipProtocols: [ ${rule.protocols.map(bicepString).join(', ')} ]`,
    `            sourceAddresses: ${sources}`,
    ...ruleField(
      'destinationAddresses',
      rule.tags.map((tag) => bicepString(checkServiceTag(tag))),
    ),
    ...ruleField(
      'destinationFqdns',
      rule.fqdns.map((fqdn) => bicepString(checkFqdnPattern(fqdn))),
    ),
    `            destinationPorts: ${bicepList(
      rule.ports.map((p) => bicepString(String(checkPort(p)))),
      '            ',
    )}`,
    '          }',
  ];
}

export function bicepCollection(meta: { name: string; priority: number }, rules: string[][]): string[] {
  return ['      {', "        ruleCollectionType: 'FirewallPolicyFilterRuleCollection'", `        name: ${bicepString(meta.name)}`, `        priority: ${meta.priority}`, "        action: { type: 'Allow' }", '        rules: [', ...rules.flat(), '        ]', '      }'];
}

/**
 * `az network nsg rule create`: a create-or-update of the rule of that name, so only ever for a
 * name the NSG does not have. The resource group, NSG, priority, sources and destinations are
 * shell words already (a variable, or a quoted value); the rest is quoted here.
 */
export function nsgRuleCreate(rule: {
  readonly resourceGroup: string;
  readonly nsg: string;
  readonly name: string;
  readonly priority: string;
  readonly direction: 'Inbound' | 'Outbound';
  readonly protocol: '*' | 'Tcp' | 'Udp';
  readonly sources: readonly string[];
  readonly destinations: readonly string[];
  readonly ports: readonly string[];
  readonly description: string;
}): string {
  return command([
    ['az', 'network', 'nsg', 'rule', 'create'],
    ['--resource-group', rule.resourceGroup],
    ['--nsg-name', rule.nsg],
    ['--name', shellWord(rule.name)],
    ['--priority', rule.priority],
    ['--direction', rule.direction],
    ['--access', 'Allow'],
    ['--protocol', rule.protocol === '*' ? "'*'" : rule.protocol],
    ['--source-address-prefixes', ...rule.sources],
    ['--source-port-ranges', "'*'"],
    ['--destination-address-prefixes', ...rule.destinations],
    ['--destination-port-ranges', ...rule.ports.map(shellWord)],
    ['--description', shellWord(rule.description)],
  ]);
}
