/** Reading back the Markdown the reporters write, to check its tables are what a renderer needs. */

/** The cells of a Markdown table row, as a renderer splits it: on every pipe that is not escaped. */
export function cells(row: string): string[] {
  return row.replace(/\\\|/g, '').split('|').slice(1, -1);
}

/** Every table, as its lines: the header, the separator row, then the rows. */
export function tablesOf(markdown: string): string[][] {
  const tables: string[][] = [];
  let current: string[] | null = null;
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|')) {
      current = null;
      continue;
    }
    if (current === null) tables.push((current = []));
    current.push(line);
  }
  return tables;
}

/** What would break a table in a renderer: no separator row under the header, or a row of another width. */
export function malformedTables(markdown: string): string[] {
  return tablesOf(markdown).flatMap(([header = '', rule = '', ...rows]) => {
    const width = cells(header).length;
    const problems = /^\| (?:--- \| )*--- \|$/.test(rule) && cells(rule).length === width ? [] : [`no separator row under ${header}`];
    return [...problems, ...rows.filter((row) => cells(row).length !== width).map((row) => `${cells(row).length} cells, the header has ${width}: ${row}`)];
  });
}
