import { loadCatalog } from '../../catalog/load.js';
import type { Invocation } from '../shared/spec.js';
import type { FeaturesOptions } from './spec.js';
import { emit, prepareOutput, runFilesOf } from '../shared/emit.js';
import { renderEach } from '../../render/format.js';
import { LIST_RENDERERS } from '../../render/lists/registry.js';

export async function run({ options: given, context }: Invocation): Promise<number> {
  const options = given as unknown as FeaturesOptions;
  const files = prepareOutput(options.out, LIST_RENDERERS, runFilesOf(options));
  const catalog = loadCatalog({ extraFiles: options.catalog ?? [], revision: options.revision });
  const features = [...catalog.features.values()].map((f) => ({ id: f.id, name: f.name, default: f.default }));
  await emit(
    renderEach(LIST_RENDERERS, (render) => [render.features(features)]),
    options.output,
    files,
    context,
  );
  return 0;
}
