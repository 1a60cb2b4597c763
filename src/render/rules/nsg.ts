import { portRanges } from '../../model/text.js';
import { NSG_PRIORITY_RANGE } from '../../remedies/names.js';
import type { AllowEntry, RulesPlan } from '../../remedies/plan.js';
import { checkPort, checkServiceTag, partitionEntries, ruleName } from '../../remedies/validate.js';
import type { Additions, RulesRenderOptions } from './formats.js';
import { commentText, shellWord } from '../shared/quote.js';
import { command, nsgRuleCreate } from '../shared/azure-rules.js';
import { indented, jmesJson, jmesName, otherFixesAsComments, queryWord, refusedAsComments, say, scriptFunctions, scriptHeader } from './script.js';

/**
 * `rules -o nsg`: `az network nsg rule create` for every entry the catalog gives a service
 * tag, outbound and inbound (Azure Batch and Azure ML management come in from their tags).
 * An NSG cannot name a host: entries without a tag are listed for the firewall instead.
 */
const NSG_FIRST_PRIORITY = 200;
const PRIORITY_STEP = NSG_PRIORITY_RANGE.step;

/** The NSG's words for the allow-list's protocols: web traffic is TCP there, and Any is `*`. */
const NSG_PROTOCOL = { TCP: 'Tcp', HTTP: 'Tcp', HTTPS: 'Tcp', UDP: 'Udp', Any: '*' } as const;
type NsgProtocol = (typeof NSG_PROTOCOL)[keyof typeof NSG_PROTOCOL];

interface NsgRule {
  readonly direction: 'Inbound' | 'Outbound';
  readonly tag: string;
  readonly protocol: NsgProtocol;
  readonly ports: number[];
  readonly features: Set<string>;
}

function nsgRules(entries: readonly AllowEntry[]): { rules: NsgRule[]; untagged: AllowEntry[] } {
  const rules = new Map<string, NsgRule>();
  const untagged: AllowEntry[] = [];
  for (const entry of entries) {
    if (entry.serviceTag === null) {
      untagged.push(entry);
      continue;
    }
    const direction = entry.direction === 'inbound' ? 'Inbound' : 'Outbound';
    // One rule per protocol, so UDP 5831 does not also open TCP 5831.
    const protocol = NSG_PROTOCOL[entry.protocol];
    const key = `${direction}|${entry.serviceTag}|${protocol}`;
    const rule = rules.get(key) ?? { direction, tag: entry.serviceTag, protocol, ports: [], features: new Set<string>() };
    rule.ports.push(checkPort(entry.port));
    for (const f of entry.features) rule.features.add(f);
    rules.set(key, rule);
  }
  return { rules: [...rules.values()], untagged };
}

/** Additions go after the rules the earlier list made, which took the first priorities of each direction. */
function firstPriorities(additions: Additions | undefined): { Inbound: number; Outbound: number } {
  const next = { Inbound: NSG_FIRST_PRIORITY, Outbound: NSG_FIRST_PRIORITY };
  if (additions === undefined) return next;
  for (const rule of nsgRules(partitionEntries(additions.earlier.allow).safe).rules) next[rule.direction] += PRIORITY_STEP;
  return next;
}

/** Ours are allow rules, so they start (NSG_FIRST_PRIORITY) where the admin's usual deny rules do not. */
const NSG_LAST_PRIORITY = NSG_PRIORITY_RANGE.last;

function priorityNote(first: { Inbound: number; Outbound: number }): string {
  const start = first.Inbound === first.Outbound ? `${first.Inbound}` : `${first.Outbound} (outbound) and ${first.Inbound} (inbound)`;
  return `Takes the first free priorities of each direction from ${start}, in steps of ${PRIORITY_STEP}, up to ${NSG_LAST_PRIORITY}: it reads the NSG's rules first and never uses a priority a rule there has. An allow rule has no effect below (at a higher number than) a deny rule of yours that matches the same traffic.`;
}

/** An NSG holds one prefix or range in the singular property and several in the plural one (az sets whichever fits). */
function oneOrMany(singular: string, plural: string): string {
  return `(${singular} || join(',', ${plural} || \`[]\`))`;
}

/** What makes an existing rule of that name ours: the same direction, access, protocol, addresses and ports (JMESPath on the rule). */
function nsgMatch(rule: NsgRule, source: string, destination: string, ports: readonly string[]): string {
  return [
    `direction==${jmesName(rule.direction)}`,
    "access=='Allow'",
    `protocol==${rule.protocol === '*' ? "'*'" : jmesName(rule.protocol)}`,
    `${oneOrMany('sourceAddressPrefix', 'sourceAddressPrefixes')}==${jmesName(source)}`,
    `${oneOrMany('destinationAddressPrefix', 'destinationAddressPrefixes')}==${jmesName(destination)}`,
    `${oneOrMany('destinationPortRange', 'destinationPortRanges')}==${jmesJson(ports.join(','))}`,
  ].join(' && ');
}

export function renderRulesNsg(plan: RulesPlan, options: RulesRenderOptions = {}): string {
  const { safe, refused } = partitionEntries(plan.allow);
  const { rules, untagged } = nsgRules(safe);
  const first = firstPriorities(options.additions);
  const notes =
    rules.length === 0
      ? []
      : [
          `Creates each NSG rule below that the NSG has no rule of that name for. ${priorityNote(first)}`,
          'Never changes or removes anything: no rule of yours, and no rule of ours already there (same name, direction, access, protocol, addresses and ports: left as it is, and the script says so). A rule of that name with other content stops the script before it writes anything more.',
          'Run again, it changes nothing. DRY_RUN=1 prints the writes instead of making them; the reads still run, so what it prints is what it would do.',
        ];
  const out = scriptHeader(
    'network security group rules',
    plan,
    rules.length === 0
      ? []
      : [
          { name: 'RG', meaning: 'the resource group of the NSG', value: options.resourceGroup, flag: '--resource-group' },
          { name: 'NSG', meaning: 'the name of the NSG on the compute subnet', value: options.nsg, flag: '--nsg' },
        ],
    notes,
    options.additions,
  );
  out.push(...otherFixesAsComments(plan, '#'), ...refusedAsComments(refused, '#'));
  // Additions and the fixes of a report are named apart from the allow-list's rules: a rule of
  // that name with other ports is someone else's, and the script would stop there.
  const suffix = options.additions !== undefined ? [options.additions.revision] : plan.origin === 'report' ? ['fixes'] : [];
  const list = (query: string): string =>
    `lookup ${command([
      ['az', 'network', 'nsg', 'rule', 'list'],
      ['--resource-group', '"$RG"'],
      ['--nsg-name', '"$NSG"'],
      ['--query', queryWord(query)],
    ])}`;
  if (rules.length > 0) {
    out.push(...scriptFunctions(options.dryRun));
    for (const direction of ['Outbound', 'Inbound'] as const) {
      if (rules.some((r) => r.direction === direction)) out.push(`${direction.toLowerCase()}_priorities=$(${list(`[?direction==${jmesName(direction)}].priority`)}) || missing "$?" 'the NSG'`);
    }
    out.push('');
  }
  const checks: string[] = [];
  const writes: string[] = [];
  rules.forEach((rule, index) => {
    const tag = checkServiceTag(rule.tag);
    const [source, destination] = rule.direction === 'Inbound' ? [tag, 'VirtualNetwork'] : ['VirtualNetwork', tag];
    const ports = portRanges(rule.ports);
    const name = ruleName('aml', rule.direction === 'Inbound' ? 'in' : 'out', rule.tag, ...(rule.protocol === 'Tcp' ? [] : [rule.protocol === 'Udp' ? 'udp' : 'any']), ...suffix);
    const used = `${rule.direction.toLowerCase()}_priorities`;
    const state = `state_${index}`;
    checks.push(
      `${state}=$(${list(`[?name==${jmesName(name)}].[${nsgMatch(rule, source, destination, ports)}]`)})`,
      `case "$${state}" in`,
      "  ''|True) ;;",
      `  *) stop ${shellWord(`the NSG has a rule named ${name} with other content: it is not ours to change; rename or remove it, then run this again (nothing was changed)`)} ;;`,
      'esac',
    );
    writes.push(
      `if [[ $${state} == True ]]; then`,
      `  ${say(`NSG rule ${name}: exists with the same content; left as it is.`)}`,
      'else',
      `  priority=$(free_priority ${first[rule.direction]} ${PRIORITY_STEP} ${NSG_LAST_PRIORITY} "$${used}")`,
      `  ${used}+=$'\\n'"$priority"`,
      `  ${say(`NSG rule ${name}: creating it at priority`, 'priority')}`,
      `  change ${indented(
        nsgRuleCreate({
          resourceGroup: '"$RG"',
          nsg: '"$NSG"',
          name,
          priority: '"$priority"',
          direction: rule.direction,
          protocol: rule.protocol,
          sources: [shellWord(source)],
          destinations: [shellWord(destination)],
          ports,
          description: `aml-netcheck: ${[...rule.features].join(', ')}`,
        }),
        '  ',
      )}`,
      'fi',
    );
  });
  if (rules.length > 0) {
    out.push('# First every check: a rule of our name that is not ours stops the script before it changes anything.', ...checks, '', '# Then the writes.', ...writes);
  }
  if (rules.length === 0) out.push('# No service tag rule is needed.');
  if (untagged.length > 0) {
    out.push('', '# An NSG cannot allow these by name; they need a firewall or proxy (see -o az, -o csv):');
    for (const entry of untagged) out.push(`#   ${commentText(`${entry.direction} ${entry.protocol} ${entry.port} to ${entry.fqdn ?? ''}`)}`);
  }
  return `${out.join('\n').trimEnd()}\n`;
}
