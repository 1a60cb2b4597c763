import type { ReportDiff } from '../../report/diff.js';
import { formatsOf, reportRegistry, type FormatOf } from '../format.js';

/** Every format `diff` prints in, each a pure function of the comparison. */
export const DIFF_RENDERERS = reportRegistry<ReportDiff>({
  table: async () => (await import('./table.js')).renderDiffTable,
  json: async () => (await import('./json.js')).renderDiffJson,
  markdown: async () => (await import('./markdown.js')).renderDiffMarkdown,
  junit: async () => (await import('./junit.js')).renderDiffJunit,
  html: async () => (await import('./html.js')).renderDiffHtml,
});

export type DiffFormat = FormatOf<typeof DIFF_RENDERERS>;
export const DIFF_FORMATS: readonly DiffFormat[] = formatsOf<DiffFormat>(DIFF_RENDERERS);
