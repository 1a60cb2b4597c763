import { loadCatalog } from '../catalog/load.js';
import { formatColumns } from '../reporters/columns.js';
import type { Write } from '../io/stdout.js';
import { emit, jsonDocument, prepareOutput } from './emit.js';

export interface FeaturesOptions {
  catalog?: string[];
  output: 'table' | 'json';
  out?: string;
}

export async function runFeatures(options: FeaturesOptions, write: Write): Promise<number> {
  prepareOutput(options.out);
  const catalog = loadCatalog({ extraFiles: options.catalog ?? [] });
  const features = [...catalog.features.values()].map((f) => ({ id: f.id, name: f.name, default: f.default }));
  const table = (): string => {
    const rows = [['ID', 'NAME', 'CHECKED BY DEFAULT'], ...features.map((f) => [f.id, f.name, f.default ? 'yes' : 'no (opt-in)'])];
    return `${formatColumns(rows)}\n`;
  };
  await emit({ json: () => [jsonDocument({ features })], text: table }, options.output, options.out, write);
  return 0;
}
