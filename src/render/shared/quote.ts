import { escapeControl } from '../../model/text.js';

/**
 * Quoting for each medium a rule is printed in. The values are validated before they get
 * here; quoting them anyway means a value that slips past validation stays one inert word.
 */

/** One shell word: single quotes, where nothing is special but the quote itself (`'\''`). */
export function shellWord(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A Bicep string literal: `\\`, `\'` and `\${` escaped, control characters as escapes, so it is one literal whatever it holds. */
export function bicepString(value: string): string {
  const body = value.replace(/[\\'\n\r\t$]|[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (char) => {
    switch (char) {
      case '\\':
        return '\\\\';
      case "'":
        return "\\'";
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      case '$':
        return '\\$';
      default:
        return `\\u{${char.charCodeAt(0).toString(16)}}`;
    }
  });
  return `'${body}'`;
}

/**
 * An RFC 4180 field. A value a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR
 * first) gets a leading `'`, the way OWASP suggests, so opening the file cannot run anything.
 * Control characters are shown as escapes (`\n`, `\x1b`): the file may be printed on a terminal.
 */
export function csvField(value: string): string {
  const inert = escapeControl(/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);
  return /[",\r\n]/.test(inert) ? `"${inert.replace(/"/g, '""')}"` : inert;
}

/** Text for a `#` or `//` comment: one line, nothing a terminal or the parser would act on. */
export function commentText(value: string): string {
  return escapeControl(value).replace(/[\u2028\u2029]/g, ' ');
}
