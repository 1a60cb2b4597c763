import type { AuditedTarget, AuditLayer, AuditResult, AuditVerdict, RuleRef } from '../../audit/types.js';
import { otherRuleName } from '../../audit/other-rule.js';
import { explainVerdict } from './table.js';

/**
 * What the audit's Markdown, HTML and JUnit share: how a layer and a rule are named, and the
 * verdicts turned around, rule by rule, as the admin who owns the rules reads them. Layers and
 * rules are handled by their `layer` with a fallback, so a layer added to the audit shows up
 * under its own name before any renderer knows it.
 */

/** The verdicts that stop the traffic where they are given (audit.ts: the first blocking layer decides). */
export const BLOCKING: ReadonlyArray<AuditVerdict['verdict']> = ['denied', 'no-rule', 'inexpressible'];

/** Problems first, as the table orders them. */
const VERDICT_ORDER: ReadonlyArray<AuditVerdict['verdict']> = ['denied', 'no-rule', 'inexpressible', 'depends', 'allowed', 'not-audited'];

export function verdictRank(verdict: AuditVerdict): number {
  const rank = VERDICT_ORDER.indexOf(verdict.verdict);
  return rank < 0 ? VERDICT_ORDER.length : rank;
}

/** A layer as the admin calls it. */
export function layerName(layer: AuditLayer | string): string {
  switch (layer) {
    case 'nsg':
      return 'NSG';
    case 'firewall':
      return 'Azure Firewall';
    default:
      // A layer this renderer does not know yet: its own name says enough.
      return layer;
  }
}

/** A verdict as a sentence: `denied by <rule>`, `depends on <data>`, `cannot work: <reason>: <rule>`. */
export function verdictSentence(verdict: AuditVerdict): string {
  switch (verdict.verdict) {
    case 'no-rule':
      return explainVerdict(verdict);
    case 'inexpressible':
      return `cannot work: ${explainVerdict(verdict)}`;
    case 'not-audited':
      return `not audited: ${explainVerdict(verdict)}`;
    default:
      return `${verdict.verdict} ${explainVerdict(verdict)}`;
  }
}

/** What a verdict says beside the rule it names, for a view already under that rule. */
export function besideRule(verdict: AuditVerdict): string {
  switch (verdict.verdict) {
    case 'depends':
      return `on ${verdict.on.join(', ')}`;
    case 'inexpressible':
      return verdict.reason;
    case 'allowed':
    case 'denied':
      return '';
    default:
      return explainVerdict(verdict);
  }
}

/** Tells rules apart on any layer: every field of the reference, in the order the audit writes them. */
export function ruleKey(ref: RuleRef): string {
  return JSON.stringify(ref);
}

/** The rule a verdict names, if it names one. */
export function ruleOf(verdict: AuditVerdict): RuleRef | null {
  return 'rule' in verdict ? verdict.rule : null;
}

/** The rule's name where it lives, without priorities: `<policy>/<group>/<collection>/<rule>`, `<nsg>/<rule>`. */
export function rulePath(ref: RuleRef): string {
  switch (ref.layer) {
    case 'firewall':
      return [ref.policy, ref.group, ref.collection, ref.rule].filter((part) => part !== null).join('/');
    case 'nsg':
      return `${ref.nsg}/${ref.rule}`;
    case 'route':
      return `${ref.table}/${ref.rule ?? `system route ${ref.addressPrefix}`}`;
    default:
      return otherRuleName(ref as RuleRef).path;
  }
}

/** The priorities that ordered the rule, as the portal shows them. */
export function rulePriority(ref: RuleRef): string {
  switch (ref.layer) {
    case 'firewall':
      return `group ${ref.groupPriority}, collection ${ref.collectionPriority}`;
    case 'nsg':
      return `priority ${ref.priority}${ref.isDefault ? ' (default rule)' : ''}`;
    case 'route':
      // Routes have no priority: the longest prefix that holds the address wins.
      return `prefix ${ref.addressPrefix}`;
    default:
      return otherRuleName(ref as RuleRef).numbers;
  }
}

/** What a rule is beside its name: its kind and action. */
export function ruleKind(ref: RuleRef): string {
  switch (ref.layer) {
    case 'firewall':
      return `${ref.ruleType === 'NetworkRule' ? 'network' : 'application'} rule, ${ref.action}`;
    case 'nsg':
      return `security rule, ${ref.action}`;
    case 'route':
      return `${ref.source === 'User' ? 'user' : 'system'} route to ${ref.nextHopType}${ref.nextHopIpAddress === null ? '' : ` ${ref.nextHopIpAddress}`}${ref.added ? ' (added by audit)' : ''}`;
    default:
      return 'action' in (ref as object) ? String((ref as { action: unknown }).action) : '';
  }
}

/**
 * The order the rules are processed in on their layer: a parent policy's before its child's,
 * then groups and collections by priority (Azure Firewall); each NSG in path order, by priority.
 */
function processingOrder(ref: RuleRef, result: AuditResult): ReadonlyArray<number | string> {
  switch (ref.layer) {
    case 'firewall': {
      const parents = new Map(result.policies.map((p) => [p.name.toLowerCase(), p.basePolicy]));
      let depth = 0;
      for (let at = ref.policy; at !== null && at !== undefined && depth <= parents.size; at = parents.get(at) ?? null) depth++;
      // A parent has fewer ancestors than its child: it comes first.
      return [depth, ref.groupPriority, ref.collectionPriority, rulePath(ref)];
    }
    case 'nsg': {
      const index = result.nsgs.findIndex((n) => n.name === ref.nsg);
      return [index < 0 ? result.nsgs.length : index, ref.priority, ref.rule];
    }
    case 'route':
      // Longest prefix first; a service tag (no length here) after the prefixes.
      return [-Number(ref.addressPrefix.split('/')[1] ?? -1), rulePath(ref)];
    default:
      return [rulePath(ref as RuleRef)];
  }
}

function compareKeys(a: ReadonlyArray<number | string>, b: ReadonlyArray<number | string>): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const [x, y] = [a[i] ?? '', b[i] ?? ''];
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x).localeCompare(String(y));
  }
  return 0;
}

/** A target as one layer judged it, beside the verdict of all layers together. */
export interface LayerEntry {
  readonly target: AuditedTarget;
  readonly layer: AuditLayer;
  readonly verdict: AuditVerdict;
}

export interface RuleEntries {
  /** One key per rule, whatever its layer (ruleKey). */
  readonly key: string;
  readonly rule: RuleRef;
  readonly entries: readonly LayerEntry[];
}

export interface LayerRules {
  readonly layer: AuditLayer;
  readonly rules: readonly RuleEntries[];
}

export interface ByRule {
  /** The layers in path order, each with the rules that decide some target there, in processing order. */
  readonly layers: readonly LayerRules[];
  /** Targets a layer has no rule for: they fall to its implicit deny. */
  readonly noRule: readonly LayerEntry[];
  readonly inexpressible: readonly LayerEntry[];
  readonly depends: readonly LayerEntry[];
}

/** The audit turned around: for each rule, the targets it allows, denies or leaves undecided, layer by layer. */
export function byRule(result: AuditResult): ByRule {
  const layers = new Map<AuditLayer, Map<string, { rule: RuleRef; entries: LayerEntry[] }>>();
  const noRule: LayerEntry[] = [];
  const inexpressible: LayerEntry[] = [];
  const depends: LayerEntry[] = [];
  for (const target of result.targets) {
    for (const { layer, verdict } of target.layers) {
      const entry = { target, layer, verdict };
      if (verdict.verdict === 'no-rule') noRule.push(entry);
      if (verdict.verdict === 'inexpressible') inexpressible.push(entry);
      if (verdict.verdict === 'depends') depends.push(entry);
      const rule = ruleOf(verdict);
      if (rule === null) continue;
      const rules = layers.get(layer) ?? new Map<string, { rule: RuleRef; entries: LayerEntry[] }>();
      layers.set(layer, rules);
      const key = ruleKey(rule);
      const found = rules.get(key) ?? { rule, entries: [] };
      rules.set(key, found);
      found.entries.push(entry);
    }
  }
  return {
    layers: [...layers].map(([layer, rules]) => ({
      layer,
      rules: [...rules].map(([key, { rule, entries }]) => ({ key, rule, entries: [...entries].sort((a, b) => verdictRank(a.verdict) - verdictRank(b.verdict)) })).sort((a, b) => compareKeys(processingOrder(a.rule, result), processingOrder(b.rule, result))),
    })),
    noRule,
    inexpressible,
    depends,
  };
}

/** Counts of the verdicts of all layers together, in VERDICT_ORDER, zeros left out. */
export function verdictCounts(result: AuditResult): Array<[AuditVerdict['verdict'], number]> {
  return VERDICT_ORDER.map((verdict) => [verdict, result.targets.filter((t) => t.verdict.verdict === verdict).length] as [AuditVerdict['verdict'], number]).filter(([, n]) => n > 0);
}

/** The inputs the verdicts rest on, in one line each: the policies (DNS proxy) and NSGs read, the sources given. */
export function inputsOf(result: AuditResult): string[] {
  return [
    ...result.nsgs.map((n) => `NSG ${n.name}${n.effective ? ' (effective rules)' : ''}${n.defaultsAdded.length > 0 ? `; default rules added: ${n.defaultsAdded.join(', ')}` : ''}`),
    ...result.policies.map((p) => `Firewall policy ${p.name}${p.basePolicy === null ? '' : ` (parent ${p.basePolicy})`}, DNS proxy ${p.dnsProxy ? 'on' : 'off'}${p.sku === null ? '' : `, SKU ${p.sku}`}`),
    `Sources: ${result.sources.length === 0 ? 'not given (--source)' : result.sources.join(', ')}`,
  ];
}
