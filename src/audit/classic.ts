import { InputError } from '../model/errors.js';
import { quote } from '../model/text.js';
import type { Span } from './addresses.js';
import { orderRules, verdictFor, type PolicySettings, type Traffic } from './evaluate.js';
import type { AuditConfig, AuditVerdict, AzureFirewall, ClassicRuleRef, FirewallPolicy, RuleCollectionGroup, RuleRef } from './types.js';

/**
 * An Azure Firewall's classic rules, processed as Microsoft documents it
 * (https://learn.microsoft.com/azure/firewall/rule-processing, "Classic rules"): network rule
 * collections by priority, then application rule collections by priority, first match wins, and
 * the implicit deny at the end; DNAT rules see only inbound traffic. That is the order evaluate.ts
 * gives one policy group holding every collection, so classic rules run through the same
 * evaluator and name their rules `<firewall>/<collection>/<rule>`.
 * A firewall runs either its classic rules or a firewall policy, never both
 * (https://learn.microsoft.com/azure/firewall-manager/policy-overview).
 */

const POLICY_OVERVIEW = 'https://learn.microsoft.com/azure/firewall-manager/policy-overview';

/** The exports fit one firewall: refused when they cannot, warned when the firewall's own export says two things. */
export function checkFirewalls(firewalls: readonly AzureFirewall[], policies: readonly FirewallPolicy[], groups: readonly RuleCollectionGroup[], warnings: string[]): void {
  const [firewall, second] = firewalls;
  if (firewall === undefined) return;
  if (second !== undefined) throw new InputError(second.where, `a second Azure Firewall (${quote(second.name)}, after ${quote(firewall.name)}): audit the one firewall the workspace's traffic passes`);
  if (firewall.policy !== null && firewall.collections.length > 0) {
    warnings.push(`${firewall.where}: firewall ${quote(firewall.name)} runs firewall policy ${quote(firewall.policy)} and lists classic rule collections too; a firewall runs one or the other (${POLICY_OVERVIEW}): the policy's rules are audited, the classic collections left out`);
  }
  if (firewall.policy === null && (policies.length > 0 || groups.length > 0)) {
    throw new InputError(firewall.where, `firewall ${quote(firewall.name)} runs its own classic rules, yet a firewall policy or rule collection groups are given too: give the rules of the one firewall the workspace's traffic passes`);
  }
  if (firewall.policy !== null && policies.length > 0 && !policies.some((p) => p.name === firewall.policy)) {
    throw new InputError(firewall.where, `firewall ${quote(firewall.name)} runs firewall policy ${quote(firewall.policy)}, which no --config gives (given: ${policies.map((p) => p.name).join(', ')})`);
  }
}

export function classicRef(firewall: string, ref: RuleRef): RuleRef {
  if (ref.layer !== 'firewall') return ref;
  const { collection, collectionPriority, rule, ruleType, action } = ref;
  return { layer: 'classic-firewall', firewall, collection, collectionPriority, rule, ruleType, action } satisfies ClassicRuleRef;
}

/**
 * The firewall layer of a classic firewall: its verdict for some traffic. Null when no firewall was
 * given, or when it runs a policy whose export is given (the policy's rules then decide).
 */
export function classicLayer(config: AuditConfig, sources: readonly Span[]): ((traffic: Traffic) => AuditVerdict) | null {
  const firewall = config.firewalls?.[0];
  if (firewall === undefined) return null;
  const { policy } = firewall;
  if (policy !== null) {
    if (config.policies.length > 0 || config.groups.length > 0) return null;
    const missing: AuditVerdict = { verdict: 'depends', on: [`firewall policy ${policy}, which firewall ${firewall.name} runs (give \`az network firewall policy show\` and its rule collection groups with --config)`], rule: null };
    return () => missing;
  }
  const settings: PolicySettings = { dnsProxy: firewall.dnsProxy, serviceTags: config.serviceTags };
  const group: RuleCollectionGroup = { name: firewall.name, priority: 100, policy: null, collections: firewall.collections, where: firewall.where };
  const ordered = orderRules([{ policy: null, groups: [group] }], sources, settings).map((o) => ({ ...o, ref: classicRef(firewall.name, o.ref) }));
  return (traffic) => verdictFor(traffic, ordered, null);
}
