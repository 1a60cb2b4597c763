import type { MergedReport } from '../../report/merge.js';

/**
 * `merge -o json`: the MergedReport as it is (src/report/merge.ts documents every field).
 * `kind` says what the document is, `schemaVersion` when a consumer would have to change.
 */
export function renderMergeJson(merged: MergedReport): string {
  return `${JSON.stringify(merged, null, 2)}\n`;
}
