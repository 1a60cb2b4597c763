import { InputError } from '../model/errors.js';
import { escapeControl } from '../model/text.js';
import type { Write } from '../io/stdout.js';
import { diffReports } from '../report/diff.js';
import { readReport } from '../report/read.js';
import { renderDiffJson } from '../reporters/diff-json.js';
import { DIFF_REPORTERS } from '../reporters/registry.js';
import { textOptionsFor } from '../reporters/terminal.js';
import { emit, prepareOutput } from './emit.js';
import type { DiffOptions } from './diff-options.js';

/** `diff`: compares two saved check reports; resolves to the exit code. */
export async function runDiff(beforeFile: string, afterFile: string, options: DiffOptions, write: Write): Promise<number> {
  if (beforeFile === '-' && afterFile === '-') throw new InputError('diff', 'BEFORE and AFTER cannot both be standard input (-)');
  prepareOutput(options.out);
  const before = readReport(beforeFile);
  const after = readReport(afterFile);
  const diff = diffReports(before, after);
  for (const warning of diff.warnings) process.stderr.write(`aml-netcheck: warning: ${escapeControl(warning)}\n`);
  const textOptions = textOptionsFor(process.stdout, process.env);
  const text = (): string => [...DIFF_REPORTERS[options.output](diff, textOptions)].join('');
  await emit({ json: () => [renderDiffJson(diff)], text, textEscaped: options.output === 'table' }, options.output === 'json' ? 'json' : 'table', options.out, write);
  return diff.summary.exitCode;
}
