import { escapeControl } from '../../model/text.js';

/** What every Markdown format (check, diff, merge, rules) lays text out with. */

/**
 * A value made safe for a table cell: no control characters, no line break, no pipe that
 * would split the cell, no HTML a renderer would act on.
 */
export function cell(text: string): string {
  return escapeControl(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|');
}

/** A code span, unless the value holds a backtick that would end it early. */
export function code(text: string): string {
  return text.includes('`') ? cell(text) : `\`${cell(text)}\``;
}

/** A table, header first; the cells are already made safe. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)];
}

/** A collapsed section, so a ticket stays readable. */
export function details(summary: string, lines: readonly string[], open = false): string[] {
  return [open ? '<details open>' : '<details>', `<summary>${cell(summary)}</summary>`, '', ...lines, '', '</details>', ''];
}
