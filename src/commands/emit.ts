import { preflightOutputFile, writeOutputFile } from '../io/output-file.js';
import type { Write } from '../io/stdout.js';
import { escapeControlKeepLines } from '../model/text.js';

/**
 * The one way every command that prints a report or a list hands it out: --out gets JSON,
 * written first, then stdout gets the chosen format. The file comes first so a reader that
 * stops early (`| head`) cannot cost the saved report; a file that cannot be written still
 * lets the output print before the error is raised.
 */

export type OutputFormat = 'table' | 'json';

/** What a command has to show, in both forms; each is rendered only when needed. */
export interface Rendering {
  json(): Iterable<string>;
  text(): string;
  /**
   * The text escapes every outside value itself and may hold its own colour codes, which the
   * final guard would otherwise show as `\x1b`.
   */
  readonly textEscaped?: boolean;
}

/** Call before any work: an --out that cannot be written fails the run at once, not after it. */
export function prepareOutput(out: string | undefined): void {
  if (out !== undefined) preflightOutputFile(out);
}

export async function emit(rendering: Rendering, output: OutputFormat, out: string | undefined, write: Write): Promise<void> {
  let fileError: unknown = null;
  if (out !== undefined) {
    try {
      writeOutputFile(out, rendering.json());
    } catch (error) {
      fileError = error;
    }
  }
  if (output === 'json') {
    for (const chunk of rendering.json()) await write(chunk);
  } else {
    // Reporters escape the values they lay out; this pass is the last guard before a terminal.
    const text = rendering.text();
    await write(rendering.textEscaped ? text : escapeControlKeepLines(text));
  }
  if (fileError !== null) throw fileError;
}

/** A JSON document as the reporters print it. */
export function jsonDocument(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
