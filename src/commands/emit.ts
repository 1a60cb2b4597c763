import path from 'node:path';
import { preflightOutputFile, writeOutputFile } from '../io/output-file.js';
import type { Write } from '../io/stdout.js';
import { InputError } from '../model/errors.js';
import { escapeControlKeepLines, quote } from '../model/text.js';
import { PLAIN, textOptionsFor, type TextOptions } from '../reporters/terminal.js';

/**
 * The one way every command hands out what it made: stdout gets the format of `-o`, and each
 * `--out FILE` gets the format its file name ends in (`.html`, `.md`, `.xml` for JUnit, `.txt`
 * for the plain table, `.csv`, `.bicep`; JSON for `.json` and any other name). The files come
 * first, so a reader that stops early (`| head`) cannot cost a saved report; a file that cannot
 * be written still lets stdout print before the error is raised.
 */

/** What a file name's ending asks for. A format a command does not offer is refused before any work. */
const FORMAT_OF_EXTENSION: Readonly<Record<string, string>> = {
  '.json': 'json',
  '.html': 'html',
  '.htm': 'html',
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.xml': 'junit',
  '.txt': 'table',
  '.csv': 'csv',
  '.bicep': 'bicep',
};

/** Everything a command can show, one renderer per format; each runs only when asked for. */
export interface Rendering<F extends string> {
  readonly render: Readonly<Record<F, (options: TextOptions) => Iterable<string>>>;
  /**
   * Formats whose renderer escapes every outside value itself and may hold its own colour
   * codes, which the final guard would otherwise show as `\x1b`. JSON always is.
   */
  readonly selfEscaping?: readonly F[];
}

export interface OutputFile<F extends string> {
  readonly file: string;
  readonly format: F;
}

/** The format a --out file gets from its name; JSON when the name says nothing we know. */
export function formatForFile<F extends string>(file: string, offered: readonly F[]): F {
  const extension = path.extname(file).toLowerCase();
  const wanted = FORMAT_OF_EXTENSION[extension] ?? 'json';
  if ((offered as readonly string[]).includes(wanted)) return wanted as F;
  const known = Object.entries(FORMAT_OF_EXTENSION)
    .filter(([, format]) => (offered as readonly string[]).includes(format))
    .map(([ext, format]) => `${format} (${ext})`);
  const choices = [...new Set(known)].join(', ');
  throw new InputError('--out', `${quote(file)} names ${wanted} by its ending ${extension}, which this command does not write; it writes ${choices}, and JSON for any other name`);
}

/**
 * Call before any work: each --out gets its format, and one that cannot be written, or is
 * named twice, fails the run at once rather than after it.
 */
export function prepareOutput<F extends string>(outs: readonly string[] | undefined, offered: readonly F[]): OutputFile<F>[] {
  const files: OutputFile<F>[] = [];
  const seen = new Set<string>();
  for (const file of outs ?? []) {
    const resolved = path.resolve(file);
    if (seen.has(resolved)) throw new InputError('--out', `${quote(file)} is named twice`);
    seen.add(resolved);
    const format = formatForFile(file, offered);
    preflightOutputFile(file);
    files.push({ file, format });
  }
  return files;
}

export async function emit<F extends string>(rendering: Rendering<F>, output: F, files: readonly OutputFile<F>[], write: Write): Promise<void> {
  const escaped = new Set<string>(['json', ...(rendering.selfEscaping ?? [])]);
  // Reporters escape the values they lay out; this pass is the last guard before a terminal or a file.
  const text = (format: F, options: TextOptions): Iterable<string> => {
    const chunks = rendering.render[format](options);
    return escaped.has(format) ? chunks : [escapeControlKeepLines([...chunks].join(''))];
  };
  let fileError: unknown = null;
  for (const { file, format } of files) {
    try {
      // A file is read later, elsewhere: no colour, the width a report assumes when it cannot ask.
      writeOutputFile(file, text(format, PLAIN));
    } catch (error) {
      fileError ??= error;
    }
  }
  for (const chunk of text(output, textOptionsFor(process.stdout, process.env))) await write(chunk);
  if (fileError !== null) throw fileError;
}

/** A JSON document as the reporters print it. */
export function jsonDocument(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
