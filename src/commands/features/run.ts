import { loadCatalog } from '../../catalog/load.js';
import { formatColumns } from '../../render/shared/columns.js';
import type { Invocation } from '../shared/spec.js';
import type { FeaturesOptions } from './spec.js';
import { emit, jsonDocument, prepareOutput, runFilesOf } from '../shared/emit.js';
import { LIST_RENDERERS } from '../../render/lists/registry.js';

export async function run({ options: given, context }: Invocation): Promise<number> {
  const options = given as unknown as FeaturesOptions;
  const files = prepareOutput(options.out, LIST_RENDERERS, runFilesOf(options));
  const catalog = loadCatalog({ extraFiles: options.catalog ?? [], revision: options.revision });
  const features = [...catalog.features.values()].map((f) => ({ id: f.id, name: f.name, default: f.default }));
  const table = (): string => {
    const rows = [['ID', 'NAME', 'CHECKED BY DEFAULT'], ...features.map((f) => [f.id, f.name, f.default ? 'yes' : 'no (opt-in)'])];
    return `${formatColumns(rows)}\n`;
  };
  await emit({ registry: LIST_RENDERERS, render: { json: () => [jsonDocument({ features })], table } }, options.output, files, context);
  return 0;
}
