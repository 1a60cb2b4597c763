import type { CheckReport } from '../../report/report.js';
import { defineRegistry, formatsOf, type FormatOf } from '../format.js';
import type { TextOptions } from '../shared/terminal.js';

/** A check report in one format: a pure function of the report, in chunks (JSON streams target by target). */
export type CheckRenderer = (report: CheckReport, options: TextOptions) => Iterable<string>;

/**
 * Every format a check report prints in (`check`, `demo`, `bundle`). Commands pick from here
 * rather than branching on the format themselves; a new format is one entry.
 */
export const CHECK_RENDERERS = defineRegistry<CheckRenderer>()([
  { format: 'table', extensions: ['.txt'], escapesItself: true, load: async () => {
    const { renderCheckTable } = await import('./table.js');
    return (report, options) => [renderCheckTable(report, options)];
  } },
  { format: 'json', extensions: ['.json'], escapesItself: true, load: async () => (await import('./json.js')).checkJsonChunks },
  { format: 'markdown', extensions: ['.md', '.markdown'], escapesItself: false, load: async () => {
    const { renderCheckMarkdown } = await import('./markdown.js');
    return (report) => [renderCheckMarkdown(report)];
  } },
  { format: 'junit', extensions: ['.xml'], escapesItself: false, load: async () => {
    const { renderCheckJunit } = await import('./junit.js');
    return (report) => [renderCheckJunit(report)];
  } },
  { format: 'html', extensions: ['.html', '.htm'], escapesItself: true, load: async () => {
    const { renderCheckHtml } = await import('./html.js');
    return (report) => [renderCheckHtml(report)];
  } },
]);

export type CheckFormat = FormatOf<typeof CHECK_RENDERERS>;
export const CHECK_FORMATS: readonly CheckFormat[] = formatsOf<CheckFormat>(CHECK_RENDERERS);
