import { expandCatalog } from '../../catalog/expand.js';
import type { Invocation } from '../shared/spec.js';
import type { ListOptions } from './spec.js';
import { emit, prepareOutput, runFilesOf } from '../shared/emit.js';
import { LIST_RENDERERS } from '../../render/lists/registry.js';
import { renderEach } from '../../render/format.js';
import { resolveWorkspace } from '../shared/workspace.js';
import { managedContextOf } from '../../report/managed-context.js';
import { managedView } from '../../remedies/managed-network.js';

/** Prints the targets the catalog expands to, and writes them to --out. Makes no network call. */
export async function run({ options: given, context }: Invocation): Promise<number> {
  const options = given as unknown as ListOptions;
  const files = prepareOutput(options.out, LIST_RENDERERS, runFilesOf(options));
  const { catalog, facts, features, warnings } = resolveWorkspace(options);
  for (const warning of warnings) context.stderr(`aml-netcheck: warning: ${warning}\n`);
  const targets = expandCatalog(catalog, facts, { features });
  const managed = managedView(targets, managedContextOf(facts, catalog));
  await emit(
    renderEach(LIST_RENDERERS, (render, text) => [render.targets(targets, facts, text, managed)]),
    options.output,
    files,
    context,
  );
  return 0;
}
