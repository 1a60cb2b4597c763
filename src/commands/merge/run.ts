import { InputError } from '../../model/errors.js';
import { escapeControl } from '../../model/text.js';
import { mergeReports } from '../../report/merge.js';
import { readMergeInputs } from '../../report/read-merge.js';
import { MERGE_RENDERERS } from '../../render/merge/registry.js';
import { renderEach } from '../../render/format.js';
import { emit, prepareOutput } from '../shared/emit.js';
import type { Invocation } from '../shared/spec.js';
import type { MergeOptions } from './spec.js';

/** `merge`: one view of the reports of many nodes; resolves to the exit code. */
export async function run({ args, options: given, context }: Invocation): Promise<number> {
  const files = args[0] as readonly string[];
  const options = given as unknown as MergeOptions;
  if (files.length === 0) throw new InputError('merge', 'give at least one REPORT (a file, or - for standard input)');
  if (files.filter((f) => f === '-').length > 1) throw new InputError('merge', 'standard input (-) can be given only once');
  const outputs = prepareOutput(
    options.out,
    MERGE_RENDERERS,
    files.map((file) => ({ flag: 'REPORT', file })),
  );
  const { nodes, warnings: readWarnings, pending } = readMergeInputs(files);
  const merged = mergeReports(nodes, pending);
  for (const warning of [...readWarnings, ...merged.warnings]) context.stderr(`aml-netcheck: warning: ${escapeControl(warning)}\n`);
  await emit(
    renderEach(MERGE_RENDERERS, (render, text) => render(merged, text)),
    options.output,
    outputs,
    context,
  );
  return merged.summary.exitCode;
}
