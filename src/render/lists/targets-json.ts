import type { Target } from '../../model/target.js';
import { jsonDocument } from '../shared/json.js';

/** `list -o json`: the expanded targets, the same objects `check` later adds results to. */
export function renderTargetsJson(targets: readonly Target[]): string {
  return jsonDocument({ targets });
}
