import type { RuleRef } from './types.js';

/**
 * A rule of a layer the renderers do not know yet, named from what it holds: its names joined
 * as a path (`rt-aml/to-internet`), its numbers as `key value`. A layer added to the audit thus
 * shows up in every format, named sensibly, before its own wording is written.
 */
export function otherRuleName(ref: RuleRef): { path: string; numbers: string } {
  const fields = Object.entries(ref as unknown as Record<string, unknown>).filter(([key]) => key !== 'layer' && key !== 'action');
  return {
    path: fields.flatMap(([, value]) => (typeof value === 'string' ? [value] : [])).join('/'),
    numbers: fields.flatMap(([key, value]) => (typeof value === 'number' ? [`${key} ${value}`] : [])).join(', '),
  };
}

/** describeRuleRef's words for such a rule: `<layer> <path> (<numbers>)`. */
export function otherRuleDescription(ref: RuleRef): string {
  const { path, numbers } = otherRuleName(ref);
  return `${String(ref.layer)} ${path}${numbers === '' ? '' : ` (${numbers})`}`;
}
