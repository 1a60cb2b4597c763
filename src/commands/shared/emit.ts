import path from 'node:path';
import { preflightOutputFile, refuseOutputOverRunFile, writeOutputFile, type RunFile } from '../../io/output-file.js';
import { InputError } from '../../model/errors.js';
import { quote } from '../../model/text.js';
import { descriptorOf, endingsHelp, formatsEndingIn, formatsOf, type Registry, type Rendering } from '../../render/format.js';
import { formatsAskedBy } from '../../render/registries.js';
import { guardOutput, PLAIN, textOptionsFor, type TextOptions } from '../../render/shared/terminal.js';
import type { CommandContext } from './spec.js';

/**
 * The one way every command hands out what it made: stdout gets the format of `-o`, and each
 * `--out FILE` gets the format its file name ends in (the endings are each kind's registry's,
 * under src/render/; JSON for any other name). Where an ending fits several formats (`.sh`: az,
 * az-classic, nsg) and `-o` is one of them, the file gets that one. The files come first, so a reader that stops early (`| head`) cannot cost a saved report; a file that cannot
 * be written still lets stdout print before the error is raised.
 */

export interface OutputFile<F extends string> {
  readonly file: string;
  readonly format: F;
}

/** The format a --out file gets from its name (and -o, where the name fits several); JSON when the name says nothing we know. */
function formatForFile<F extends string>(file: string, registry: Registry<F>, stdoutFormat?: F): F {
  const extension = path.extname(file).toLowerCase();
  const asked = formatsAskedBy(extension);
  const fits = asked.length > 0 ? formatsEndingIn(registry, extension) : formatsOf(registry).filter((format) => format === 'json');
  if (stdoutFormat !== undefined && fits.includes(stdoutFormat)) return stdoutFormat;
  if (fits[0] !== undefined) return fits[0];
  const choices = endingsHelp(registry).join('; ');
  throw new InputError('--out', `${quote(file)} names ${asked.join(' or ')} by its ending ${extension}, which this command does not write; it writes ${choices}; and JSON for any other name`);
}

/**
 * The files a command's flags name for it to read (or to log to): an --out must not be one of
 * them. Every command passes its options here, whatever flags it has.
 */
export function runFilesOf(options: {
  readonly workspaceJson?: string | undefined;
  readonly catalog?: readonly string[] | undefined;
  readonly caFile?: readonly string[] | undefined;
  readonly logFile?: string | undefined;
  readonly fromReport?: string | undefined;
  readonly config?: readonly string[] | undefined;
}): RunFile[] {
  const files: RunFile[] = [];
  if (options.workspaceJson !== undefined) files.push({ flag: '--workspace-json', file: options.workspaceJson });
  for (const file of options.catalog ?? []) files.push({ flag: '--catalog', file });
  for (const file of options.caFile ?? []) files.push({ flag: '--ca-file', file });
  if (options.logFile !== undefined) files.push({ flag: '--log-file', file: options.logFile });
  if (options.fromReport !== undefined) files.push({ flag: '--from-report', file: options.fromReport });
  for (const file of options.config ?? []) files.push({ flag: '--config', file });
  return files;
}

/**
 * Call before any work: each --out gets its format, and one that cannot be written, is
 * named twice, or is a file the run reads (`runFiles`), fails the run at once rather than after it.
 */
export function prepareOutput<F extends string>(outs: readonly string[] | undefined, registry: Registry<F>, runFiles: readonly RunFile[], stdoutFormat?: F): OutputFile<F>[] {
  const files: OutputFile<F>[] = [];
  const seen = new Set<string>();
  for (const file of outs ?? []) {
    const resolved = path.resolve(file);
    if (seen.has(resolved)) throw new InputError('--out', `${quote(file)} is named twice`);
    seen.add(resolved);
    const format = formatForFile(file, registry, stdoutFormat);
    preflightOutputFile(file);
    refuseOutputOverRunFile(file, runFiles);
    files.push({ file, format });
  }
  return files;
}

/** Where stdout is: the writer, and what decides its width and colour. */
export type StdoutOf = Pick<CommandContext, 'write' | 'stdout' | 'env'>;

export async function emit<F extends string>(rendering: Rendering<F>, output: F, files: readonly OutputFile<F>[], out: StdoutOf): Promise<void> {
  const text = async (format: F, options: TextOptions): Promise<Iterable<string>> => guardOutput(descriptorOf(rendering.registry, format).escapesItself, await rendering.render[format](options));
  let fileError: unknown = null;
  for (const { file, format } of files) {
    try {
      // A file is read later, elsewhere: no colour, the width a report assumes when it cannot ask.
      writeOutputFile(file, await text(format, PLAIN));
    } catch (error) {
      fileError ??= error;
    }
  }
  for (const chunk of await text(output, textOptionsFor(out.stdout, out.env))) await out.write(chunk);
  if (fileError !== null) throw fileError;
}
