import { expandCatalog } from '../catalog/expand.js';
import { renderTargetsJson } from '../reporters/targets-json.js';
import { renderTargetsTable } from '../reporters/targets-table.js';
import type { ListOptions } from './list-options.js';
import { resolveWorkspace } from './workspace.js';
import type { Write } from '../io/stdout.js';

/** Prints the targets the catalog expands to. Makes no network call. */
export function runList(options: ListOptions, write: Write, warn: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): number {
  const { catalog, facts, features, warnings } = resolveWorkspace(options);
  for (const warning of warnings) warn(`aml-netcheck: warning: ${warning}`);
  const targets = expandCatalog(catalog, facts, { features });
  write(options.output === 'json' ? renderTargetsJson(targets) : renderTargetsTable(targets, facts));
  return 0;
}
