import type { CheckReport } from '../../report/report.js';
import type { ReportDiff } from '../../report/diff.js';
import { renderDiffJson } from '../diff/json.js';
import { renderDiffJunit } from '../diff/junit.js';
import { renderDiffHtml } from '../diff/html.js';
import { renderDiffMarkdown } from '../diff/markdown.js';
import { renderDiffTable } from '../diff/table.js';
import { renderCheckHtml } from './html.js';
import { checkJsonChunks } from './json.js';
import { renderCheckJunit } from './junit.js';
import { renderCheckMarkdown } from './markdown.js';
import { renderCheckTable } from './table.js';
import type { MergedReport } from '../../report/merge.js';
import { renderMergeHtml } from '../merge/html.js';
import { renderMergeJson } from '../merge/json.js';
import { renderMergeJunit } from '../merge/junit.js';
import { renderMergeMarkdown } from '../merge/markdown.js';
import { renderMergeTable } from '../merge/table.js';
import type { CheckFormat, DiffFormat, MergeFormat } from '../formats.js';
import type { TextOptions } from '../shared/terminal.js';

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

/**
 * The formats whose reporter escapes every value it lays out itself, and may colour: the
 * commands' last escaping pass would show their own escape codes as text.
 */
export const CHECK_SELF_ESCAPING: readonly CheckFormat[] = ['table', 'html'];

/** The same for `diff`: each format a pure function of the comparison. */
export const DIFF_REPORTERS: Readonly<Record<DiffFormat, (diff: ReportDiff, options: TextOptions) => Iterable<string>>> = {
  table: (diff, options) => [renderDiffTable(diff, options)],
  json: (diff) => [renderDiffJson(diff)],
  markdown: (diff) => [renderDiffMarkdown(diff)],
  junit: (diff) => [renderDiffJunit(diff)],
  html: (diff) => [renderDiffHtml(diff)],
};

/** The same for `merge`: each format a pure function of the merged view. */
export const MERGE_REPORTERS: Readonly<Record<MergeFormat, (merged: MergedReport, options: TextOptions) => Iterable<string>>> = {
  table: (merged, options) => [renderMergeTable(merged, options)],
  json: (merged) => [renderMergeJson(merged)],
  markdown: (merged) => [renderMergeMarkdown(merged)],
  junit: (merged) => [renderMergeJunit(merged)],
  html: (merged) => [renderMergeHtml(merged)],
};
