import { escapeControl } from '../../model/text.js';
import { elide, wrap } from './terminal.js';

/**
 * Lays rows out in left-aligned columns; numeric columns named in `right` align right.
 * Cells are escaped first: a host, a deny page or a certificate name cannot break the
 * layout or reach the terminal as a control sequence.
 */
export function formatColumns(cells: ReadonlyArray<readonly string[]>, right: ReadonlySet<number> = new Set(), maxWidth = Number.POSITIVE_INFINITY, keepWhole = false): string {
  return layoutRows(cells, right, maxWidth, keepWhole).flat().join('\n');
}

/**
 * The same layout, row by row: each row's lines, more than one when its last column wraps to
 * fit `maxWidth`. Columns before the last that leave it too little room are cut in the middle,
 * unless `keepWhole` says names must stay whole (a list an admin copies from): the first
 * column then gets the room that is left, and a name longer than that takes a line of its own
 * with the rest of its row on the next.
 */
export function layoutRows(cells: ReadonlyArray<readonly string[]>, right: ReadonlySet<number> = new Set(), maxWidth = Number.POSITIVE_INFINITY, keepWhole = false): string[][] {
  let rows = cells.map((row) => row.map(escapeControl));
  const widthsOf = (all: string[][]): number[] => {
    const widths: number[] = [];
    for (const row of all) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
    return widths;
  };
  let widths = widthsOf(rows);
  const last = widths.length - 1;
  // The columns before the last must leave it room: the widest of them is cut in the middle.
  const room = (): number => maxWidth - widths.slice(0, last).reduce((sum, w) => sum + w + 2, 0);
  while (!keepWhole && Number.isFinite(maxWidth) && last > 0 && room() < MIN_LAST_COLUMN) {
    const widest = widths.slice(0, last).reduce((best, w, i) => (w > (widths[best] ?? 0) ? i : best), 0);
    const target = Math.max(MIN_ELIDED, (widths[widest] ?? 0) - (MIN_LAST_COLUMN - room()));
    if (target >= (widths[widest] ?? 0)) break;
    rows = rows.map((row) => row.map((cell, i) => (i === widest ? elide(cell, target) : cell)));
    widths = widthsOf(rows);
  }
  let overflow = Number.POSITIVE_INFINITY;
  // A list read line by line: its last column is worth more room than a rare long name, but
  // not so much that most names leave their row.
  const fairRoom = Math.min(widths[last] ?? 0, FAIR_LAST_COLUMN);
  if (keepWhole && Number.isFinite(maxWidth) && last > 0 && room() < fairRoom) {
    const first = widths[0] ?? 0;
    const names = rows
      .slice(1)
      .map((row) => (row[0] ?? '').length)
      .sort((a, b) => a - b);
    const most = names[Math.floor(names.length * 0.9)] ?? first;
    const fair = first - (fairRoom - room());
    const tight = first - Math.max(0, MIN_LAST_COLUMN - room());
    overflow = Math.max(MIN_ELIDED, fair, Math.min(most, tight));
    widths = [Math.min(first, overflow), ...widths.slice(1)];
  }
  // With too little room beside the other columns, the last one goes on its own lines below.
  const below = room() < MIN_LAST_COLUMN;
  const indent = below ? '    ' : ' '.repeat(Math.max(0, maxWidth - room()));
  return rows.map((row) => {
    const alone = (row[0] ?? '').length > overflow;
    const laid = row.map((cell, i) => {
      const width = widths[i] ?? 0;
      if (i === 0 && alone) return ' '.repeat(width);
      if (i === row.length - 1 && !right.has(i)) return cell;
      return right.has(i) ? cell.padStart(width) : cell.padEnd(width);
    });
    const head = alone ? [row[0] ?? ''] : [];
    const line = laid.join('  ').trimEnd();
    if (line.length <= maxWidth || right.has(last)) return [...head, line];
    const lead = laid.slice(0, -1).join('  ');
    if (below) return [...head, lead.trimEnd(), ...wrap(`${indent}${row[row.length - 1] ?? ''}`, maxWidth, indent)];
    const [first = '', ...rest] = wrap(row[row.length - 1] ?? '', maxWidth, indent, maxWidth - indent.length);
    return [...head, `${lead}  ${first}`.trimEnd(), ...rest];
  });
}

/** The narrowest the last column (a detail) may become before earlier columns are cut. */
const MIN_LAST_COLUMN = 20;
/** The room a whole-names list gives its last column before names take lines of their own. */
const FAIR_LAST_COLUMN = 40;
/** The narrowest a cut name may become. */
const MIN_ELIDED = 24;
