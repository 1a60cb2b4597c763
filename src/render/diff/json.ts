import type { ReportDiff } from '../../report/diff.js';

/**
 * `diff -o json`: the ReportDiff as it is (src/report/diff.ts documents every field). `kind`
 * says what the document is, `schemaVersion` when a consumer would have to change.
 */
export function renderDiffJson(diff: ReportDiff): string {
  return `${JSON.stringify(diff, null, 2)}\n`;
}
