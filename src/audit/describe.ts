import { otherRuleDescription } from './other-rule.js';
import { describeRoute } from './routes.js';
import type { AuditVerdict, RuleRef } from './types.js';

/**
 * A verdict in the admin's words, for every place that names one: the audit's own formats and
 * `check --config`, which joins it with the probes.
 */

/**
 * `<group>/<collection>/<rule>` (priorities), `<firewall>/<collection>/<rule>` (priority) for classic
 * rules, `NSG <nsg>/<rule>` (priority), `route <table>/<route> <prefix> → <hop>`, or a managed network's
 * outbound rule, as the admin finds it.
 */
export function describeRuleRef(ref: RuleRef): string {
  if (ref.layer === 'nsg') return `NSG ${ref.nsg}/${ref.rule} (${ref.priority}${ref.isDefault ? ', default rule' : ''})`;
  if (ref.layer === 'route') return `route ${describeRoute(ref)}`;
  if (ref.layer === 'classic-firewall') return `${ref.firewall}/${ref.collection}/${ref.rule} (${ref.collectionPriority}, ${ref.ruleType === 'NetworkRule' ? 'network' : 'application'}, classic rules)`;
  if (ref.layer === 'managed') {
    if (ref.ruleType === 'isolation_mode') return `the managed network's isolation mode ${ref.rule}`;
    return `managed network ${ref.listed ? `outbound rule ${ref.rule}` : ref.rule} (${ref.ruleType} ${ref.destination}${ref.category === null ? '' : `, ${ref.category}`}${ref.listed ? '' : ', Azure adds it; not in the export'})`;
  }
  if (ref.layer !== 'firewall') return otherRuleDescription(ref as RuleRef);
  const where = `${ref.group}/${ref.collection}/${ref.rule}`;
  const policy = ref.policy === null ? '' : `, ${ref.policy}`;
  return `${where} (${ref.groupPriority}/${ref.collectionPriority}, ${ref.ruleType === 'NetworkRule' ? 'network' : 'application'}${policy})`;
}

/** Why, in one line: the rule that decides, or what is missing. */
export function explainVerdict(verdict: AuditVerdict): string {
  switch (verdict.verdict) {
    case 'allowed':
      return `by ${describeRuleRef(verdict.rule)}`;
    case 'denied':
      return `by ${describeRuleRef(verdict.rule)}`;
    case 'no-rule':
      return 'no rule matches: the implicit deny';
    case 'inexpressible':
      return `${verdict.reason}: ${describeRuleRef(verdict.rule)}`;
    case 'depends':
      return `on ${verdict.on.join(', ')}${verdict.rule === null ? '' : ` (${describeRuleRef(verdict.rule)})`}`;
    case 'not-audited':
      return verdict.reason;
  }
}
