import { ipv4Span } from './addresses.js';
import { firewallRuleRef, tiersOf } from './evaluate.js';
import { nsgRuleRef } from './nsg.js';
import { classicRef } from './classic.js';
import type { Advisory, AuditConfig, NsgRule, PolicyRule, RuleCollectionGroup, RuleRef } from './types.js';

/**
 * The admin's Allow rules that let through more than any workspace needs: every destination
 * (`*`, 0.0.0.0/0, the `Internet` tag), every name (`*` in an application rule), every port. An
 * advisory list only: the workspace may still need what such a rule allows, so nothing here
 * changes a verdict or the exit code. Azure's own NSG default rules (AllowInternetOutBound) are
 * not the admin's to remove and are left out.
 */

/** `*`, an all-addresses prefix (effective rules write `*` as 0.0.0.0/0), or the Internet tag. */
function everywhere(address: string): boolean {
  if (address === '*' || address.toLowerCase() === 'internet') return true;
  const span = ipv4Span(address);
  return span !== null && span.first === 0 && span.last === 2 ** 32 - 1;
}

/** Every port: `*`, or a range over all of them (effective rules write `*` as 0-65535). */
function everyPort(ports: readonly string[]): boolean {
  return ports.some((p) => p === '*' || /^[01]-65535$/.test(p));
}

function broadDestinations(addresses: readonly string[]): string[] {
  return addresses.filter(everywhere);
}

/** What makes a filter rule of an Allow collection broad, or nothing. */
function ruleReasons(rule: PolicyRule): string[] {
  const reasons: string[] = [];
  if (rule.ruleType === 'NetworkRule') {
    const wide = [...broadDestinations(rule.destinationAddresses), ...rule.destinationFqdns.filter((f) => f === '*')];
    if (wide.length > 0 && everyPort(rule.destinationPorts)) reasons.push(`any-any: every destination (${wide.join(', ')}) on every port${rule.ipProtocols.includes('Any') ? ', every protocol' : ''}`);
    else if (wide.length > 0) reasons.push(`every destination (${wide.join(', ')}) on ${rule.destinationPorts.join(', ')}`);
  } else if (rule.ruleType === 'ApplicationRule') {
    if (rule.targetFqdns.includes('*')) reasons.push(`every name (*) on ${rule.protocols.map((p) => `${p.protocolType}:${p.port}`).join(', ')}`);
    const wide = broadDestinations(rule.destinationAddresses);
    if (wide.length > 0) reasons.push(`every destination (${wide.join(', ')})`);
  }
  return reasons;
}

function firewallAdvisories(config: AuditConfig): Advisory[] {
  const advisories: Advisory[] = [];
  const each = (policy: string | null, group: RuleCollectionGroup, named: (ref: RuleRef) => RuleRef): void => {
    for (const collection of group.collections) {
      if (collection.action !== 'Allow') continue;
      for (const rule of collection.rules) {
        const reasons = ruleReasons(rule);
        if (reasons.length === 0 || rule.ruleType === 'NatRule') continue;
        advisories.push({ rule: named(firewallRuleRef(policy, group, collection, collection.action, rule)), why: reasons.join('; ') });
      }
    }
  };
  for (const tier of tiersOf(config).tiers) for (const group of tier.groups) each(tier.policy, group, (ref) => ref);
  // A firewall's classic rules, as classic.ts reads them: one group of its collections.
  for (const firewall of config.firewalls ?? []) {
    if (firewall.policy === null) each(null, { name: firewall.name, priority: 100, policy: null, collections: firewall.collections, where: firewall.where }, (ref) => classicRef(firewall.name, ref));
  }
  return advisories;
}

function nsgReason(rule: NsgRule): string | null {
  if (rule.isDefault || rule.direction !== 'Outbound' || rule.access !== 'Allow') return null;
  const wide = broadDestinations(rule.destinationPrefixes);
  if (wide.length === 0 || !everyPort(rule.destinationPorts)) return null;
  return `every destination (${wide.join(', ')}) on every port${rule.protocol === '*' ? ', every protocol' : ''}`;
}

/** Every over-broad Allow rule of the firewall policies (parent first) and the NSGs given. */
export function advisoriesOf(config: AuditConfig): Advisory[] {
  const nsg = (config.nsgs ?? []).flatMap((group) =>
    group.rules.flatMap((rule): Advisory[] => {
      const why = nsgReason(rule);
      return why === null ? [] : [{ rule: nsgRuleRef(group, rule), why }];
    }),
  );
  return [...nsg, ...firewallAdvisories(config)];
}
