/**
 * Bad input from the user (flags, catalog files, workspace JSON). The CLI prints
 * `where: message` on one line and exits 2; anything else that escapes is a bug.
 */
export class InputError extends Error {
  override name = 'InputError';
  readonly where: string;
  constructor(where: string, message: string) {
    super(message);
    this.where = where;
  }

  toLine(): string {
    return `${this.where}: ${this.message}`;
  }
}

/** Renders an object key path the way users read it: entries[3].ports[1]. */
export function formatKeyPath(segments: ReadonlyArray<string | number>): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out === '' ? '(top level)' : out;
}
