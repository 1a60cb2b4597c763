import type { MergedReport } from '../../report/merge.js';
import { defineRegistry, formatsOf, type FormatOf } from '../format.js';
import type { TextOptions } from '../shared/terminal.js';

/** The reports of many nodes in one format: a pure function of the merged view. */
export type MergeRenderer = (merged: MergedReport, options: TextOptions) => Iterable<string>;

/** Every format `merge` prints in. */
export const MERGE_RENDERERS = defineRegistry<MergeRenderer>()([
  { format: 'table', extensions: ['.txt'], escapesItself: true, load: async () => {
    const { renderMergeTable } = await import('./table.js');
    return (merged, options) => [renderMergeTable(merged, options)];
  } },
  { format: 'json', extensions: ['.json'], escapesItself: true, load: async () => {
    const { renderMergeJson } = await import('./json.js');
    return (merged) => [renderMergeJson(merged)];
  } },
  { format: 'markdown', extensions: ['.md', '.markdown'], escapesItself: false, load: async () => {
    const { renderMergeMarkdown } = await import('./markdown.js');
    return (merged) => [renderMergeMarkdown(merged)];
  } },
  { format: 'junit', extensions: ['.xml'], escapesItself: false, load: async () => {
    const { renderMergeJunit } = await import('./junit.js');
    return (merged) => [renderMergeJunit(merged)];
  } },
  { format: 'html', extensions: ['.html', '.htm'], escapesItself: true, load: async () => {
    const { renderMergeHtml } = await import('./html.js');
    return (merged) => [renderMergeHtml(merged)];
  } },
]);

export type MergeFormat = FormatOf<typeof MERGE_RENDERERS>;
export const MERGE_FORMATS: readonly MergeFormat[] = formatsOf<MergeFormat>(MERGE_RENDERERS);
