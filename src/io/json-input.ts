import { escapeControl, truncate } from '../model/text.js';

/**
 * JSON a user hands us (catalog files, workspace JSON, saved reports, ConfigMap lists) is read
 * through these helpers alone, so every reader says where a file stops being JSON, and names
 * and shows a value the same way.
 */

export type JsonObject = Record<string, unknown>;
type JsonPath = ReadonlyArray<string | number>;

/** A mapping of keys: not null, not a list. */
export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Why a text is not JSON, and the line and column (from 1) where it stops being JSON. */
export class JsonSyntaxError extends Error {
  override name = 'JsonSyntaxError';
  constructor(
    /** The parser's complaint, one safe line, without its position. */
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${reason} at line ${line} column ${column}`);
  }
}

/** The text as JSON, or a JsonSyntaxError that always says where. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    // V8 gives a position for some errors only ("Unexpected token" has none before Node 22).
    const given = /position (\d+)/.exec(message)?.[1];
    const offset = given === undefined ? syntaxErrorOffset(text) : Number(given);
    // Node 20 quotes the text around the token: the caller names the file, the position says where.
    const reason = message.replace(/(?: in JSON)? at position \d+.*$/s, '').replace(/^(Unexpected token '.+?'), .*$/s, '$1');
    const before = text.slice(0, offset);
    throw new JsonSyntaxError(truncate(escapeControl(reason)), before.split('\n').length, offset - before.lastIndexOf('\n'));
  }
}

const LITERALS = ['true', 'false', 'null'];
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPED = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);

/**
 * The offset of the first character that makes the text not JSON (its length when it ends too
 * soon). Only run once JSON.parse has refused the text; iterative, so no nesting overflows it.
 */
function syntaxErrorOffset(text: string): number {
  type Expect = 'value' | 'value-or-close' | 'key' | 'key-or-close' | 'colon' | 'comma-or-close' | 'end';
  const open: string[] = [];
  let expect: Expect = 'value';
  let i = 0;
  const afterValue = (): Expect => (open.length === 0 ? 'end' : 'comma-or-close');
  const close = (): void => {
    i++;
    open.pop();
    expect = afterValue();
  };
  /** Moves past the string starting at i: null, or the offset of what is wrong in it. */
  const string = (): number | null => {
    for (i++; i < text.length;) {
      const char = text[i] as string;
      if (char === '"') {
        i++;
        return null;
      }
      if (char < ' ') return i;
      if (char !== '\\') {
        i++;
        continue;
      }
      const next = text[i + 1];
      if (next === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return i + 2;
        i += 6;
      } else if (next !== undefined && ESCAPED.has(next)) i += 2;
      else return i + 1;
    }
    return text.length;
  };
  for (;;) {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
    if (i >= text.length) return text.length;
    const char = text[i] as string;
    const top = open.at(-1);
    switch (expect) {
      case 'end':
        return i;
      case 'colon':
        if (char !== ':') return i;
        i++;
        expect = 'value';
        continue;
      case 'comma-or-close':
        if (char === ',') {
          i++;
          expect = top === '{' ? 'key' : 'value';
          continue;
        }
        if (char !== (top === '{' ? '}' : ']')) return i;
        close();
        continue;
      case 'key':
      case 'key-or-close':
        if (expect === 'key-or-close' && char === '}') {
          close();
          continue;
        }
        if (char !== '"') return i;
        {
          const bad = string();
          if (bad !== null) return bad;
        }
        expect = 'colon';
        continue;
      case 'value':
      case 'value-or-close':
        if (expect === 'value-or-close' && char === ']') {
          close();
          continue;
        }
        if (char === '{' || char === '[') {
          open.push(char);
          i++;
          expect = char === '{' ? 'key-or-close' : 'value-or-close';
          continue;
        }
        if (char === '"') {
          const bad = string();
          if (bad !== null) return bad;
          expect = afterValue();
          continue;
        }
        NUMBER.lastIndex = i;
        if (NUMBER.test(text)) {
          i = NUMBER.lastIndex;
          expect = afterValue();
          continue;
        }
        {
          const literal = LITERALS.find((word) => word[0] === char);
          if (literal === undefined) return i;
          for (let k = 0; k < literal.length; k++) if (text[i + k] !== literal[k]) return i + k;
          i += literal.length;
          expect = afterValue();
        }
        continue;
    }
  }
}

/** A JSON pointer (`/targets/3/verdict`, as Ajv reports a place) as the path a reader knows: targets[3].verdict. */
export function pointerToPath(pointer: string): Array<string | number> {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^(0|[1-9]\d*)$/.test(part) ? Number(part) : part));
}

/** The value at a path, or undefined where the path leaves the document (never a character of a string). */
export function valueAt(document: unknown, path: JsonPath): unknown {
  let node = document;
  for (const key of path) node = isObject(node) || Array.isArray(node) ? (node as Record<string | number, unknown>)[key] : undefined;
  return node;
}

/** A value as JSON writes it, cut short and safe for a message, so a string "2" and a number 2 read differently. */
export function quoteJson(value: unknown): string {
  return escapeControl(truncate(JSON.stringify(value) ?? 'nothing'));
}
