import type { Target } from '../../model/target.js';
import type { WorkspaceFacts } from '../../model/facts.js';
import { sourceUrl } from '../../model/managed-network.js';
import { managedSourceAnchor, summarizeManaged, type ManagedView } from '../../remedies/managed-network.js';
import type { TextOptions } from '../shared/terminal.js';
import { jsonDocument } from '../shared/json.js';

/**
 * `list -o json`: the expanded targets, the same objects `check` later adds results to. With a
 * managed network, each target also says how it meets the target, as `rules -o json` words an item.
 */
export function renderTargetsJson(targets: readonly Target[], _facts?: WorkspaceFacts, _options?: TextOptions, managed: ManagedView | null = null): string {
  if (managed === null) return jsonDocument({ targets });
  const withManaged = targets.map((target) => {
    const action = managed.actions.get(target.id);
    if (action === undefined) return target;
    return { ...target, managedNetwork: { ...action, says: summarizeManaged(action), source: sourceUrl(managed.data.source, managedSourceAnchor(action, managed.mode)) } };
  });
  return jsonDocument({ targets: withManaged, managedNetwork: { mode: managed.mode, source: managed.data.source } });
}
