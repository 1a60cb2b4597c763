import type { RulesPlan } from '../../remedies/plan.js';
import { partitionEntries } from '../../remedies/validate.js';
import { jsonDocument } from '../shared/json.js';

/** Bump when a consumer of `rules -o json` would have to change. */
const RULES_SCHEMA_VERSION = 1;

/** `rules -o json`: the plan as it is, entries that fail validation moved to `refused`. */
export function renderRulesJson(plan: RulesPlan): string {
  const { safe, refused } = partitionEntries(plan.allow);
  // The managed network's items carry their rows' sources; the data file as a whole is not the plan.
  const { managedNetwork, ...rest } = plan;
  const managed = managedNetwork === undefined ? {} : { managedNetwork: { mode: managedNetwork.mode, source: managedNetwork.data.source, workspaceName: managedNetwork.workspaceName, items: managedNetwork.items } };
  const document = { kind: 'aml-netcheck-rules', schemaVersion: RULES_SCHEMA_VERSION, ...rest, ...managed, allow: safe, refused };
  return jsonDocument(document);
}
