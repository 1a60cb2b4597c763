import { escapeControl } from '../model/text.js';
import { elide, wrap } from './terminal.js';

/**
 * Lays rows out in left-aligned columns; numeric columns named in `right` align right.
 * Cells are escaped first: a host, a deny page or a certificate name cannot break the
 * layout or reach the terminal as a control sequence.
 */
export function formatColumns(cells: ReadonlyArray<readonly string[]>, right: ReadonlySet<number> = new Set(), maxWidth = Number.POSITIVE_INFINITY): string {
  return layoutRows(cells, right, maxWidth).flat().join('\n');
}

/**
 * The same layout, row by row: each row's lines, more than one when its last column wraps to
 * fit `maxWidth`. Columns before the last that leave it too little room are cut in the middle.
 */
export function layoutRows(cells: ReadonlyArray<readonly string[]>, right: ReadonlySet<number> = new Set(), maxWidth = Number.POSITIVE_INFINITY): string[][] {
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
  while (Number.isFinite(maxWidth) && last > 0 && room() < MIN_LAST_COLUMN) {
    const widest = widths.slice(0, last).reduce((best, w, i) => (w > (widths[best] ?? 0) ? i : best), 0);
    const target = Math.max(MIN_ELIDED, (widths[widest] ?? 0) - (MIN_LAST_COLUMN - room()));
    if (target >= (widths[widest] ?? 0)) break;
    rows = rows.map((row) => row.map((cell, i) => (i === widest ? elide(cell, target) : cell)));
    widths = widthsOf(rows);
  }
  // With too little room beside the other columns, the last one goes on its own lines below.
  const below = room() < MIN_LAST_COLUMN;
  const indent = below ? '    ' : ' '.repeat(Math.max(0, maxWidth - room()));
  return rows
    .map((row) => {
      const laid = row.map((cell, i) => {
        const width = widths[i] ?? 0;
        if (i === row.length - 1 && !right.has(i)) return cell;
        return right.has(i) ? cell.padStart(width) : cell.padEnd(width);
      });
      const line = laid.join('  ').trimEnd();
      if (line.length <= maxWidth || right.has(last)) return [line];
      const lead = laid.slice(0, -1).join('  ');
      if (below) return [lead.trimEnd(), ...wrap(`${indent}${row[row.length - 1] ?? ''}`, maxWidth, indent)];
      const [first = '', ...rest] = wrap(row[row.length - 1] ?? '', maxWidth, indent, maxWidth - indent.length);
      return [`${lead}  ${first}`.trimEnd(), ...rest];
    });
}

/** The narrowest the last column (a detail) may become before earlier columns are cut. */
const MIN_LAST_COLUMN = 20;
/** The narrowest a cut name may become. */
const MIN_ELIDED = 24;
