import { loadCatalog } from '../catalog/load.js';
import { formatColumns } from '../reporters/columns.js';
import type { Write } from '../io/stdout.js';

export function runFeatures(options: { catalog?: string[]; output: 'table' | 'json' }, write: Write): number {
  const catalog = loadCatalog({ extraFiles: options.catalog ?? [] });
  const features = [...catalog.features.values()].map((f) => ({ id: f.id, name: f.name, default: f.default }));
  if (options.output === 'json') {
    write(`${JSON.stringify({ features }, null, 2)}\n`);
  } else {
    const rows = [['ID', 'NAME', 'CHECKED BY DEFAULT'], ...features.map((f) => [f.id, f.name, f.default ? 'yes' : 'no (opt-in)'])];
    write(`${formatColumns(rows)}\n`);
  }
  return 0;
}
