import { loadCatalog } from '../../catalog/load.js';
import { ALL_REVISIONS } from '../../catalog/revisions.js';
import type { RevisionRow } from '../../render/lists/revisions.js';
import { LIST_RENDERERS } from '../../render/lists/registry.js';
import { renderEach } from '../../render/format.js';
import type { Invocation } from '../shared/spec.js';
import type { RevisionsOptions } from './spec.js';
import { emit, prepareOutput, runFilesOf } from '../shared/emit.js';

/** Lists the revisions of the article the catalog follows, newest last, marking the default. */
export async function run({ options: given, context }: Invocation): Promise<number> {
  const options = given as unknown as RevisionsOptions;
  const files = prepareOutput(options.out, LIST_RENDERERS, runFilesOf(options));
  const catalog = loadCatalog({ extraFiles: options.catalog ?? [], revision: ALL_REVISIONS });
  const newest = catalog.revisions.at(-1);
  const rows: RevisionRow[] = catalog.revisions.map((revision) => ({
    revision,
    isDefault: revision === newest,
    entries: catalog.entries.filter((e) => e.revisions.includes(revision.id)).length,
    features: [...catalog.features.values()].filter((f) => f.revisions.includes(revision.id)).length,
  }));
  await emit(
    renderEach(LIST_RENDERERS, (render) => [render.revisions(rows)]),
    options.output,
    files,
    context,
  );
  return 0;
}
