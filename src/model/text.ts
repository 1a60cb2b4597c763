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
const QUOTED_VALUE_MAX = 80;

/** Cuts a value to `max` characters, ending in an ellipsis when it was longer. */
export function truncate(text: string, max: number = QUOTED_VALUE_MAX): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** Cuts a path to `max` characters from the front, so the file's own name stays whole. */
export function truncateStart(text: string, max: number = QUOTED_VALUE_MAX): string {
  const chars = [...text];
  return chars.length <= max ? text : `…${chars.slice(chars.length - max + 1).join('')}`;
}

/** A value from the user or the network as an error message quotes it: 'value', cut short and made safe. */
export function quote(value: unknown, max: number = QUOTED_VALUE_MAX): string {
  return `'${escapeControl(truncate(String(value), max))}'`;
}

/** A count with its noun: `1 node`, `3 nodes`, `2 required targets`. */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** 29876 29877 44224 → 29876-29877 44224: fewer, shorter rules and sentences. */
export function portRanges(ports: readonly number[]): string[] {
  const sorted = [...new Set(ports)].sort((a, b) => a - b);
  const ranges: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && (sorted[j + 1] as number) === (sorted[j] as number) + 1) j++;
    ranges.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return ranges;
}
