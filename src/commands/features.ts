import { loadCatalog } from '../catalog/load.js';
import { formatColumns } from '../render/shared/columns.js';
import type { Write } from '../io/stdout.js';
import { emit, jsonDocument, prepareOutput, runFilesOf } from './emit.js';
import { LIST_RENDERERS } from '../render/lists/registry.js';

export interface FeaturesOptions {
  catalog?: string[];
  revision?: string;
  output: 'table' | 'json';
  out?: string[];
}

export async function runFeatures(options: FeaturesOptions, write: Write): Promise<number> {
  const files = prepareOutput(options.out, LIST_RENDERERS, runFilesOf(options));
  const catalog = loadCatalog({ extraFiles: options.catalog ?? [], revision: options.revision });
  const features = [...catalog.features.values()].map((f) => ({ id: f.id, name: f.name, default: f.default }));
  const table = (): string => {
    const rows = [['ID', 'NAME', 'CHECKED BY DEFAULT'], ...features.map((f) => [f.id, f.name, f.default ? 'yes' : 'no (opt-in)'])];
    return `${formatColumns(rows)}\n`;
  };
  await emit({ registry: LIST_RENDERERS, render: { json: () => [jsonDocument({ features })], table } }, options.output, files, write);
  return 0;
}
