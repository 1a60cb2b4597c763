import { expandCatalog } from '../catalog/expand.js';
import { renderTargetsJson } from '../reporters/targets-json.js';
import { renderTargetsTable } from '../reporters/targets-table.js';
import type { ListOptions } from './list-options.js';
import { emit, prepareOutput } from './emit.js';
import { resolveWorkspace } from './workspace.js';
import type { Write } from '../io/stdout.js';

/** Prints the targets the catalog expands to, and writes them to --out. Makes no network call. */
export async function runList(options: ListOptions, write: Write, warn: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<number> {
  prepareOutput(options.out);
  const { catalog, facts, features, warnings } = resolveWorkspace(options);
  for (const warning of warnings) warn(`aml-netcheck: warning: ${warning}`);
  const targets = expandCatalog(catalog, facts, { features });
  await emit({ json: () => [renderTargetsJson(targets)], text: () => renderTargetsTable(targets, facts) }, options.output, options.out, write);
  return 0;
}
