import type { ReportDiff } from '../../report/diff.js';
import { defineRegistry, formatsOf, type FormatOf } from '../format.js';
import type { TextOptions } from '../shared/terminal.js';

/** A comparison of two reports in one format: a pure function of the comparison. */
export type DiffRenderer = (diff: ReportDiff, options: TextOptions) => Iterable<string>;

/** Every format `diff` prints in. */
export const DIFF_RENDERERS = defineRegistry<DiffRenderer>()([
  { format: 'table', extensions: ['.txt'], escapesItself: true, load: async () => {
    const { renderDiffTable } = await import('./table.js');
    return (diff, options) => [renderDiffTable(diff, options)];
  } },
  { format: 'json', extensions: ['.json'], escapesItself: true, load: async () => {
    const { renderDiffJson } = await import('./json.js');
    return (diff) => [renderDiffJson(diff)];
  } },
  { format: 'markdown', extensions: ['.md', '.markdown'], escapesItself: false, load: async () => {
    const { renderDiffMarkdown } = await import('./markdown.js');
    return (diff) => [renderDiffMarkdown(diff)];
  } },
  { format: 'junit', extensions: ['.xml'], escapesItself: false, load: async () => {
    const { renderDiffJunit } = await import('./junit.js');
    return (diff) => [renderDiffJunit(diff)];
  } },
  { format: 'html', extensions: ['.html', '.htm'], escapesItself: true, load: async () => {
    const { renderDiffHtml } = await import('./html.js');
    return (diff) => [renderDiffHtml(diff)];
  } },
]);

export type DiffFormat = FormatOf<typeof DIFF_RENDERERS>;
export const DIFF_FORMATS: readonly DiffFormat[] = formatsOf<DiffFormat>(DIFF_RENDERERS);
