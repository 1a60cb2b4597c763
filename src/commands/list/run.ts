import { expandCatalog } from '../../catalog/expand.js';
import { renderTargetsJson } from '../../reporters/targets-json.js';
import { renderTargetsTable } from '../../reporters/targets-table.js';
import type { Invocation } from '../shared/spec.js';
import type { ListOptions } from './spec.js';
import { emit, prepareOutput, runFilesOf } from '../shared/emit.js';
import { LIST_FORMATS } from '../../reporters/formats.js';
import { resolveWorkspace } from '../shared/workspace.js';

/** Prints the targets the catalog expands to, and writes them to --out. Makes no network call. */
export async function run({ options: given, context }: Invocation): Promise<number> {
  const options = given as unknown as ListOptions;
  const files = prepareOutput(options.out, LIST_FORMATS, runFilesOf(options));
  const { catalog, facts, features, warnings } = resolveWorkspace(options);
  for (const warning of warnings) context.stderr(`aml-netcheck: warning: ${warning}\n`);
  const targets = expandCatalog(catalog, facts, { features });
  await emit({ render: { json: () => [renderTargetsJson(targets)], table: (text) => [renderTargetsTable(targets, facts, text)] } }, options.output, files, context);
  return 0;
}
