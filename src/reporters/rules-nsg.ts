import { portRanges } from '../model/text.js';
import type { AllowEntry, RulesPlan } from '../remedies/plan.js';
import { checkPort, checkServiceTag, partitionEntries, ruleName } from '../remedies/validate.js';
import type { Additions, RulesRenderOptions } from './rules-formats.js';
import { commentText, shellWord } from './rules-quote.js';
import { command, otherFixesAsComments, refusedAsComments, scriptHeader } from './rules-script.js';

/**
 * `rules -o nsg`: `az network nsg rule create` for every entry the catalog gives a service
 * tag, outbound and inbound (Azure Batch and Azure ML management come in from their tags).
 * An NSG cannot name a host: entries without a tag are listed for the firewall instead.
 */
export const NSG_FIRST_PRIORITY = 200;
const PRIORITY_STEP = 10;

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

function priorityNote(first: { Inbound: number; Outbound: number }): string {
  const start = first.Inbound === first.Outbound ? `${first.Inbound}` : `${first.Outbound} (outbound) and ${first.Inbound} (inbound)`;
  return `Priorities start at ${start} in steps of ${PRIORITY_STEP}; change them where they collide with rules you have.`;
}

export function renderRulesNsg(plan: RulesPlan, options: RulesRenderOptions = {}): string {
  const { safe, refused } = partitionEntries(plan.allow);
  const { rules, untagged } = nsgRules(safe);
  const next = firstPriorities(options.additions);
  const out = scriptHeader('network security group rules', plan, [
    { name: 'RG', meaning: 'the resource group of the NSG', value: options.resourceGroup, flag: '--resource-group' },
    { name: 'NSG', meaning: 'the name of the NSG on the compute subnet', value: options.nsg, flag: '--nsg' },
  ], [priorityNote(next)], options.additions);
  out.push(...otherFixesAsComments(plan, '#'), ...refusedAsComments(refused, '#'));
  // A rule created under a name the earlier list used would replace that rule, ports and all.
  const suffix = options.additions === undefined ? [] : [options.additions.revision];
  for (const rule of rules) {
    const priority = next[rule.direction];
    next[rule.direction] += PRIORITY_STEP;
    const remote = shellWord(checkServiceTag(rule.tag));
    const [source, destination] = rule.direction === 'Inbound' ? [remote, 'VirtualNetwork'] : ['VirtualNetwork', remote];
    out.push(command([
      ['az', 'network', 'nsg', 'rule', 'create'],
      ['--resource-group', '"$RG"'],
      ['--nsg-name', '"$NSG"'],
      ['--name', shellWord(ruleName('aml', rule.direction === 'Inbound' ? 'in' : 'out', rule.tag, ...(rule.protocol === 'Tcp' ? [] : [rule.protocol === 'Udp' ? 'udp' : 'any']), ...suffix))],
      ['--priority', String(priority)],
      ['--direction', rule.direction],
      ['--access', 'Allow'],
      ['--protocol', rule.protocol === '*' ? "'*'" : rule.protocol],
      ['--source-address-prefixes', source],
      ['--source-port-ranges', "'*'"],
      ['--destination-address-prefixes', destination],
      ['--destination-port-ranges', ...portRanges(rule.ports).map(shellWord)],
      ['--description', shellWord(`aml-netcheck: ${[...rule.features].join(', ')}`)],
    ]));
  }
  if (rules.length === 0) out.push('# No service tag rule is needed.');
  if (untagged.length > 0) {
    out.push('', '# An NSG cannot allow these by name; they need a firewall or proxy (see -o az, -o csv):');
    for (const entry of untagged) out.push(`#   ${commentText(`${entry.direction} ${entry.protocol} ${entry.port} to ${entry.fqdn ?? ''}`)}`);
  }
  return `${out.join('\n').trimEnd()}\n`;
}
