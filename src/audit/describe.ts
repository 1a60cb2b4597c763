import type { AuditVerdict, RuleRef } from './types.js';

/**
 * A verdict in the admin's words, for every place that names one: the audit's own formats and
 * `check --config`, which joins it with the probes.
 */

/** `<group>/<collection>/<rule>` (priorities), or `NSG <nsg>/<rule>` (priority), as the admin finds it in the portal. */
export function describeRuleRef(ref: RuleRef): string {
  if (ref.layer === 'nsg') return `NSG ${ref.nsg}/${ref.rule} (${ref.priority}${ref.isDefault ? ', default rule' : ''})`;
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
