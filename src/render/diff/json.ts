import type { ReportDiff } from '../../report/diff.js';
import { jsonDocument } from '../shared/json.js';

/**
 * `diff -o json`: the ReportDiff as it is (src/report/diff.ts documents every field). `kind`
 * says what the document is, `schemaVersion` when a consumer would have to change.
 */
export function renderDiffJson(diff: ReportDiff): string {
  return jsonDocument(diff);
}
