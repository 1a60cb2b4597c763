/** A JSON document as every kind prints it: two-space indents and a final newline. */
export function jsonDocument(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
