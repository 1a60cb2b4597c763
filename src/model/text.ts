/**
 * Text from outside (HTTP bodies, certificate fields, DNS names, file contents, flags) can
 * carry terminal escape sequences: a deny page could clear the screen, recolour a verdict or
 * rewrite the line above. Everything that reaches a terminal or a text report passes here.
 */

/** C0 and C1 controls, DEL, and the Unicode marks that reorder text (bidi overrides and isolates). */
const UNSAFE_RE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_KEEP_LINES_RE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function visible(char: string): string {
  const code = char.charCodeAt(0);
  if (char === '\n') return '\\n';
  if (char === '\r') return '\\r';
  if (char === '\t') return '\\t';
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Shows every control character as a visible escape (`\x1b`, `\n`), so a value stays on its line. */
export function escapeControl(text: string): string {
  return text.replace(UNSAFE_RE, visible);
}

/** The same, but line breaks and tabs of a multi-line text (a report) are kept. */
export function escapeControlKeepLines(text: string): string {
  return text.replace(UNSAFE_KEEP_LINES_RE, visible);
}

/** The longest value an error message quotes; the rest is cut with an ellipsis. */
export const QUOTED_VALUE_MAX = 80;

/** Cuts a value to `max` characters, ending in an ellipsis when it was longer. */
export function truncate(text: string, max: number = QUOTED_VALUE_MAX): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** A value from the user or the network as an error message quotes it: 'value', cut short and made safe. */
export function quote(value: unknown, max: number = QUOTED_VALUE_MAX): string {
  return `'${escapeControl(truncate(String(value), max))}'`;
}

/** A count with its noun: `1 node`, `3 nodes`, `2 required targets`. */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
