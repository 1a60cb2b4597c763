import type { AddedFirewallRule, AuditResult, FirewallAddition, NsgAddition } from '../../audit/types.js';
import { escapeControl, plural } from '../../model/text.js';
import { wrap, type TextOptions } from '../shared/terminal.js';
import { closingCommands } from './close.js';

/** The closing change and the advisory list in words, for the table (and any text format after it). */

/** "add to rule collection X (priority) of group Y (priority)", or what is made for the rules. */
function describePlace({ place }: FirewallAddition): string {
  const group = `group ${place.group} (${place.groupPriority})`;
  const policy = place.policy === null ? '' : ` of policy ${place.policy}`;
  if (place.newGroup) return `new ${group}${policy}, collection ${place.collection} (${place.collectionPriority})`;
  if (place.newCollection) return `new rule collection ${place.collection} (${place.collectionPriority}) in ${group}${policy}`;
  return `add to rule collection ${place.collection} (${place.collectionPriority}) of ${group}${policy}`;
}

function describeAddedRule(rule: AddedFirewallRule): string {
  const what =
    rule.ruleType === 'ApplicationRule'
      ? `application rule ${rule.name}: ${rule.protocols.map((p) => `${p.protocolType}:${p.port}`).join(', ')} to ${rule.targetFqdns.join(', ')}`
      : `network rule ${rule.name}: ${rule.ipProtocols.join(', ')} ${rule.destinationPorts.join(', ')} to ${[...rule.destinationAddresses.map((tag) => `service tag ${tag}`), ...rule.destinationFqdns].join(', ')}`;
  return `${what} (${plural(rule.fixes.length, 'target')})`;
}

function describeNsgAddition({ nsg, rule, fixes }: NsgAddition): string {
  const internet = rule.destinationPrefixes.some((p) => p.toLowerCase() === 'internet') ? '; an NSG cannot name a host, and the catalog gives no service tag for these' : '';
  const way =
    rule.direction === 'Inbound'
      ? `inbound Allow ${rule.name} at priority ${rule.priority}: ${rule.protocol} ${rule.destinationPorts.join(', ')} from ${rule.sourcePrefixes.join(', ')} to the workspace subnet`
      : `outbound Allow ${rule.name} at priority ${rule.priority}: ${rule.protocol} ${rule.destinationPorts.join(', ')} to ${rule.destinationPrefixes.join(', ')}`;
  return `NSG ${nsg}: ${way} (${plural(fixes.length, 'target')}${internet})`;
}

/** Lines of words, each wrapped to the width with its continuation indented under it; escaped, since names come from the export. */
export function block(lines: readonly string[], options: TextOptions, indent: string): string[] {
  return lines.flatMap((line) => wrap(escapeControl(`${indent}${line}`), options.width, `${indent}  `));
}

/** Commands and templates are printed whole, each line escaped: they are copied, not read in a column. */
function verbatim(text: string, indent: string): string[] {
  return text.split('\n').map((line) => `${indent}${escapeControl(line)}`);
}

export function closingChangeLines(result: AuditResult, options: TextOptions): string[] {
  const { change } = result;
  const additions = change.layers.reduce((n, l) => n + (l.layer === 'firewall' ? l.additions.reduce((m, a) => m + a.rules.length, 0) : l.additions.length), 0);
  const unfixable = change.layers.flatMap((l) => l.unfixable);
  if (additions === 0 && unfixable.length === 0) return [];
  const out: string[] = [
    ...block(
      [
        `Closing change: only additions, ${plural(additions, 'rule')}; audited again with them, ${plural(change.verified.allowed.length, 'required target')} ${change.verified.allowed.length === 1 ? 'is' : 'are'} allowed${change.verified.otherVerdictsChanged.length > 0 ? `, and these other verdicts change too: ${change.verified.otherVerdictsChanged.join(', ')}` : ', and no other verdict changes'}.`,
      ],
      options,
      '',
    ),
  ];
  for (const layer of change.layers) {
    if (layer.layer === 'firewall') {
      for (const setting of layer.settings) out.push(...block([`Policy-wide, decide first: turn on the DNS proxy of ${setting.policy ?? 'the policy'}: ${setting.why}. Needed by ${setting.fixes.join(', ')}.`], options, '  '));
      for (const addition of layer.additions) out.push(...block([`${describePlace(addition)}:`], options, '  '), ...block(addition.rules.map(describeAddedRule), options, '    '));
    } else {
      out.push(...block(layer.additions.map(describeNsgAddition), options, '  '));
    }
    out.push(
      ...block(
        layer.unfixable.map((u) => `${u.target}: no addition can allow it (${layer.layer}): ${u.reason}`),
        options,
        '  ',
      ),
    );
  }
  const commands = closingCommands(change);
  if (commands.policyWide.length > 0) out.push('', 'Policy-wide change (az; it changes how the firewall resolves names for every rule and client: not part of the additions):', ...commands.policyWide.flatMap((c) => verbatim(c, '  ')));
  if (commands.az.length > 0) out.push('', 'az commands, in this order (bash; each adds one rule, collection or group and changes nothing else):', ...commands.az.flatMap((c) => verbatim(c, '  ')));
  for (const bicep of commands.bicep) out.push('', `Bicep for ${bicep.what}:`, ...verbatim(bicep.text.trimEnd(), '  '));
  return [...out, ''];
}
