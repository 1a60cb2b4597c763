import type { Target } from '../../model/target.js';

/** `list -o json`: the expanded targets, the same objects `check` later adds results to. */
export function renderTargetsJson(targets: readonly Target[]): string {
  return `${JSON.stringify({ targets }, null, 2)}\n`;
}
