import type { CheckReport } from '../report/report.js';
import { renderCheckHtml } from './check-html.js';
import { checkJsonChunks } from './check-json.js';
import { renderCheckJunit } from './check-junit.js';
import { renderCheckMarkdown } from './check-markdown.js';
import { renderCheckTable } from './check-table.js';
import type { CheckFormat } from './formats.js';
import type { TextOptions } from './terminal.js';

/**
 * Every format a check report prints in, each a pure function of the report. Commands pick
 * from here rather than branching on the format themselves; a new format is one entry.
 */
export const CHECK_REPORTERS: Readonly<Record<CheckFormat, (report: CheckReport, options: TextOptions) => Iterable<string>>> = {
  table: (report, options) => [renderCheckTable(report, options)],
  json: checkJsonChunks,
  markdown: (report) => [renderCheckMarkdown(report)],
  junit: (report) => [renderCheckJunit(report)],
  html: (report) => [renderCheckHtml(report)],
};
