import { escapeControlKeepLines } from '../../model/text.js';

/**
 * How a text report meets a terminal: how wide it may be, and whether it may colour. Decided
 * once by the command from the environment, then handed to the pure renderers.
 */
export interface TextOptions {
  /** Columns a line may take. */
  readonly width: number;
  readonly color: boolean;
}

/** What a report assumes when it cannot ask the terminal: wide enough to read, narrow enough to paste. */
const DEFAULT_WIDTH = 100;
/** Below this, wrapping would make a report harder to read than long lines. */
const MIN_WIDTH = 40;

export const PLAIN: TextOptions = { width: DEFAULT_WIDTH, color: false };

/**
 * The terminal's width, else COLUMNS, else 100. Colour only on a terminal, unless FORCE_COLOR
 * asks for it; NO_COLOR (https://no-color.org) turns it off whatever else says.
 */
export function textOptionsFor(stream: { isTTY?: boolean; columns?: number }, env: NodeJS.ProcessEnv): TextOptions {
  const fromEnv = Number(env['COLUMNS']);
  const width = stream.isTTY && stream.columns ? stream.columns : Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_WIDTH;
  const noColor = env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '';
  const force = env['FORCE_COLOR'] !== undefined && !['', '0', 'false'].includes(env['FORCE_COLOR']);
  return { width: Math.max(MIN_WIDTH, width), color: !noColor && (force || stream.isTTY === true) };
}

const CODES = { red: 31, green: 32, yellow: 33, magenta: 35, dim: 2, bold: 1 } as const;
export type Colour = keyof typeof CODES;

export function paint(text: string, colour: Colour, options: TextOptions): string {
  return options.color ? `\u001b[${CODES[colour]}m${text}\u001b[0m` : text;
}

/**
 * Breaks text into lines of at most `width` columns at spaces, a word longer than a line cut
 * where it must; every line after the first starts with `indent`. The first line may have
 * less room (`firstRoom`) when something stands before it.
 */
export function wrap(text: string, width: number, indent: string, firstRoom = width): string[] {
  if (text.length <= firstRoom) return [text];
  // A line's own leading spaces are its indentation, not words.
  const lead = /^ */.exec(text)?.[0] ?? '';
  const room = Math.max(10, width - indent.length);
  const lines: string[] = [];
  let line = lead;
  const limit = (): number => (lines.length === 0 ? firstRoom : room);
  for (const word of text.slice(lead.length).split(' ')) {
    let rest = word;
    while (rest.length > limit()) {
      const used = line.trim() === '' ? line.length : line.length + 1;
      const cut = limit() - used;
      if (cut <= 0) {
        lines.push(line);
        line = '';
        continue;
      }
      lines.push(`${line}${line.trim() === '' ? '' : ' '}${rest.slice(0, cut)}`);
      line = '';
      rest = rest.slice(cut);
    }
    if (line.trim() === '') line += rest;
    else if (line.length + 1 + rest.length <= limit()) line += ` ${rest}`;
    else {
      lines.push(line);
      line = rest;
      // Later lines have less room than the first: a word that fitted there may not here.
      while (line.length > limit()) {
        lines.push(line.slice(0, limit()));
        line = line.slice(limit());
      }
    }
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines.map((l, i) => (i === 0 ? l : `${indent}${l}`));
}

/** A long name cut in the middle, so both its start and its distinctive end stay visible. */
export function elide(text: string, width: number): string {
  if (text.length <= width) return text;
  const keep = Math.max(1, width - 1);
  const head = Math.ceil(keep / 2);
  return `${text.slice(0, head)}…${text.slice(text.length - (keep - head))}`;
}

/**
 * The last guard before a terminal or a file: renderers escape the values they lay out, and
 * this pass makes sure no control character of anyone's gets through. A format that escapes
 * itself (JSON; a table that may colour) is left as it is, or its own colour codes would
 * show as `\x1b`.
 */
export function guardOutput(escapesItself: boolean, chunks: Iterable<string>): Iterable<string> {
  return escapesItself ? chunks : [escapeControlKeepLines([...chunks].join(''))];
}
