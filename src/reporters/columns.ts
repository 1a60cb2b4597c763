import { escapeControl } from '../model/text.js';

/**
 * Lays rows out in left-aligned columns; numeric columns named in `right` align right.
 * Cells are escaped first: a host, a deny page or a certificate name cannot break the
 * layout or reach the terminal as a control sequence.
 */
export function formatColumns(cells: ReadonlyArray<readonly string[]>, right: ReadonlySet<number> = new Set()): string {
  const rows = cells.map((row) => row.map(escapeControl));
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => {
          const width = widths[i] ?? 0;
          if (i === row.length - 1 && !right.has(i)) return cell;
          return right.has(i) ? cell.padStart(width) : cell.padEnd(width);
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
