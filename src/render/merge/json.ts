import type { MergedReport } from '../../report/merge.js';
import { jsonDocument } from '../shared/json.js';

/**
 * `merge -o json`: the MergedReport as it is (src/report/merge.ts documents every field).
 * `kind` says what the document is, `schemaVersion` when a consumer would have to change.
 */
export function renderMergeJson(merged: MergedReport): string {
  return jsonDocument(merged);
}
