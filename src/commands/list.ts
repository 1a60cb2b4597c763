import { expandCatalog } from '../catalog/expand.js';
import type { ListOptions } from './list-options.js';
import { emit, prepareOutput, runFilesOf } from './emit.js';
import { LIST_RENDERERS } from '../render/lists/registry.js';
import { renderEach } from '../render/format.js';
import { resolveWorkspace } from './workspace.js';
import type { Write } from '../io/stdout.js';

/** Prints the targets the catalog expands to, and writes them to --out. Makes no network call. */
export async function runList(options: ListOptions, write: Write, warn: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<number> {
  const files = prepareOutput(options.out, LIST_RENDERERS, runFilesOf(options));
  const { catalog, facts, features, warnings } = resolveWorkspace(options);
  for (const warning of warnings) warn(`aml-netcheck: warning: ${warning}`);
  const targets = expandCatalog(catalog, facts, { features });
  await emit(renderEach(LIST_RENDERERS, (render, text) => [render.targets(targets, facts, text)]), options.output, files, write);
  return 0;
}
