import { expandCatalog } from '../catalog/expand.js';
import { renderTargetsJson } from '../reporters/targets-json.js';
import { renderTargetsTable } from '../reporters/targets-table.js';
import type { ListOptions } from './list-options.js';
import { emit, prepareOutput, runFilesOf } from './shared/emit.js';
import { LIST_FORMATS } from '../reporters/formats.js';
import { resolveWorkspace } from './shared/workspace.js';
import type { Write } from '../io/stdout.js';

/** Prints the targets the catalog expands to, and writes them to --out. Makes no network call. */
export async function runList(options: ListOptions, write: Write, warn: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<number> {
  const files = prepareOutput(options.out, LIST_FORMATS, runFilesOf(options));
  const { catalog, facts, features, warnings } = resolveWorkspace(options);
  for (const warning of warnings) warn(`aml-netcheck: warning: ${warning}`);
  const targets = expandCatalog(catalog, facts, { features });
  await emit({ render: { json: () => [renderTargetsJson(targets)], table: (text) => [renderTargetsTable(targets, facts, text)] } }, options.output, files, write);
  return 0;
}
