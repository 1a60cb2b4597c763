import type { RulesPlan } from '../../remedies/plan.js';
import { partitionEntries } from '../../remedies/validate.js';
import { jsonDocument } from '../shared/json.js';

/** Bump when a consumer of `rules -o json` would have to change. */
const RULES_SCHEMA_VERSION = 1;

/** `rules -o json`: the plan as it is, entries that fail validation moved to `refused`. */
export function renderRulesJson(plan: RulesPlan): string {
  const { safe, refused } = partitionEntries(plan.allow);
  const document = { kind: 'aml-netcheck-rules', schemaVersion: RULES_SCHEMA_VERSION, ...plan, allow: safe, refused };
  return jsonDocument(document);
}
