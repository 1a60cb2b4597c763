import type { MergedReport } from '../../report/merge.js';
import { formatsOf, reportRegistry, type FormatOf } from '../format.js';

/** Every format `merge` prints in, each a pure function of the merged view. */
export const MERGE_RENDERERS = reportRegistry<MergedReport>({
  table: async () => (await import('./table.js')).renderMergeTable,
  json: async () => (await import('./json.js')).renderMergeJson,
  markdown: async () => (await import('./markdown.js')).renderMergeMarkdown,
  junit: async () => (await import('./junit.js')).renderMergeJunit,
  html: async () => (await import('./html.js')).renderMergeHtml,
});

export type MergeFormat = FormatOf<typeof MERGE_RENDERERS>;
export const MERGE_FORMATS: readonly MergeFormat[] = formatsOf<MergeFormat>(MERGE_RENDERERS);
