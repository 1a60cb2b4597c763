import { InputError } from '../../model/errors.js';
import { escapeControl } from '../../model/text.js';
import { diffReports } from '../../report/diff.js';
import { readReport } from '../../report/read.js';
import { DIFF_RENDERERS } from '../../render/diff/registry.js';
import { renderEach } from '../../render/format.js';
import { emit, prepareOutput } from '../shared/emit.js';
import type { Invocation } from '../shared/spec.js';
import type { DiffOptions } from './spec.js';

/** `diff`: compares two saved check reports; resolves to the exit code. */
export async function run({ args, options: given, context }: Invocation): Promise<number> {
  const [beforeFile, afterFile] = args as [string, string];
  const options = given as unknown as DiffOptions;
  if (beforeFile === '-' && afterFile === '-') throw new InputError('diff', 'BEFORE and AFTER cannot both be standard input (-)');
  const files = prepareOutput(options.out, DIFF_RENDERERS, [
    { flag: 'BEFORE report', file: beforeFile },
    { flag: 'AFTER report', file: afterFile },
  ]);
  const before = readReport(beforeFile);
  const after = readReport(afterFile);
  const diff = diffReports(before, after);
  for (const warning of diff.warnings) context.stderr(`aml-netcheck: warning: ${escapeControl(warning)}\n`);
  await emit(
    renderEach(DIFF_RENDERERS, (render, text) => render(diff, text)),
    options.output,
    files,
    context,
  );
  return diff.summary.exitCode;
}
