/**
 * The small part of the ARM template expression language an exported template uses for
 * the names we need: `[parameters('x')]` and `[variables('x')]` whose values are literal,
 * `[resourceId('Microsoft.Storage/storageAccounts', 'st1')]`, `concat`, `toLower`.
 * Anything else (`resourceGroup().location`, `reference(...)`) depends on a deployment we
 * cannot see, so it is reported as not evaluable rather than guessed.
 */

export type Evaluated = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly why: string };

export interface TemplateScope {
  readonly parameters: Record<string, unknown>;
  readonly variables: Record<string, unknown>;
}

class NotEvaluable extends Error {}

/** True for a string ARM reads as an expression (`[[` escapes a literal bracket). */
function isExpression(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith('[') && !value.startsWith('[[') && value.endsWith(']');
}

const MAX_DEPTH = 8;

/** The value a template property holds once its expression, if any, is evaluated. */
export function evaluate(value: unknown, scope: TemplateScope, depth = 0): Evaluated {
  if (typeof value === 'string' && value.startsWith('[[')) return { ok: true, value: value.slice(1) };
  if (!isExpression(value)) return { ok: true, value };
  try {
    const parser = new Parser(value.slice(1, -1), scope, depth);
    const result = parser.expression();
    parser.end();
    return { ok: true, value: result };
  } catch (error) {
    if (error instanceof NotEvaluable) return { ok: false, why: error.message };
    throw error;
  }
}

function literalOf(name: string, kind: 'parameters' | 'variables', scope: TemplateScope, depth: number): unknown {
  const table = kind === 'parameters' ? scope.parameters : scope.variables;
  if (!Object.hasOwn(table, name)) throw new NotEvaluable(`the template declares no ${kind === 'parameters' ? 'parameter' : 'variable'} '${name}'`);
  const declared = table[name];
  const raw = kind === 'parameters' ? (declared !== null && typeof declared === 'object' ? (declared as Record<string, unknown>)['defaultValue'] : undefined) : declared;
  if (raw === undefined) throw new NotEvaluable(`parameter '${name}' has no defaultValue; its value comes with the deployment`);
  if (depth >= MAX_DEPTH) throw new NotEvaluable('expressions nest too deeply');
  const evaluated = evaluate(raw, scope, depth + 1);
  if (!evaluated.ok) throw new NotEvaluable(evaluated.why);
  return evaluated.value;
}

class Parser {
  private at = 0;
  constructor(
    private readonly text: string,
    private readonly scope: TemplateScope,
    private readonly depth: number,
  ) {}

  end(): void {
    this.skipSpace();
    if (this.at !== this.text.length) throw new NotEvaluable(`unexpected '${this.text.slice(this.at, this.at + 10)}'`);
  }

  expression(): unknown {
    this.skipSpace();
    const char = this.text[this.at];
    if (char === "'") return this.stringLiteral();
    if (char !== undefined && /[-0-9]/.test(char)) return this.number();
    const name = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(this.text.slice(this.at))?.[0];
    if (!name) throw new NotEvaluable(`unexpected '${this.text.slice(this.at, this.at + 10)}'`);
    this.at += name.length;
    this.skipSpace();
    if (name === 'true' || name === 'false') return name === 'true';
    if (this.text[this.at] !== '(') throw new NotEvaluable(`'${name}' is not a function call`);
    this.at++;
    const args: unknown[] = [];
    this.skipSpace();
    if (this.text[this.at] === ')') this.at++;
    else {
      for (;;) {
        args.push(this.expression());
        this.skipSpace();
        const next = this.text[this.at++];
        if (next === ')') break;
        if (next !== ',') throw new NotEvaluable('malformed argument list');
      }
    }
    this.skipSpace();
    if (this.text[this.at] === '.' || this.text[this.at] === '[') throw new NotEvaluable(`${name}() is followed by a property access`);
    return this.call(name, args);
  }

  private call(name: string, args: unknown[]): unknown {
    const strings = (): string[] => {
      if (!args.every((a) => typeof a === 'string')) throw new NotEvaluable(`${name}() takes strings here`);
      return args as string[];
    };
    switch (name.toLowerCase()) {
      case 'parameters':
      case 'variables': {
        const [key] = strings();
        if (key === undefined || args.length !== 1) throw new NotEvaluable(`${name}() takes one name`);
        return literalOf(key, name.toLowerCase() as 'parameters' | 'variables', this.scope, this.depth);
      }
      case 'resourceid': {
        // resourceId([subscriptionId], [resourceGroupName], type, name1, [name2...])
        const parts = strings();
        const typeAt = parts.findIndex((p) => p.includes('/'));
        if (typeAt === -1 || typeAt === parts.length - 1) throw new NotEvaluable('resourceId() without a resource type and name');
        const [provider, ...childTypes] = (parts[typeAt] as string).split('/');
        const names = parts.slice(typeAt + 1);
        const segments = [`${provider}/${childTypes[0]}`, names[0]];
        childTypes.slice(1).forEach((type, i) => segments.push(type, names[i + 1] ?? ''));
        return `/providers/${segments.join('/')}`;
      }
      case 'concat':
        return strings().join('');
      case 'tolower':
        return strings().join('').toLowerCase();
      case 'toupper':
        return strings().join('').toUpperCase();
      default:
        throw new NotEvaluable(`${name}() depends on the deployment`);
    }
  }

  private stringLiteral(): string {
    let out = '';
    this.at++;
    for (;;) {
      const char = this.text[this.at++];
      if (char === undefined) throw new NotEvaluable('unterminated string');
      if (char === "'") {
        if (this.text[this.at] === "'") {
          out += "'";
          this.at++;
          continue;
        }
        return out;
      }
      out += char;
    }
  }

  private number(): number {
    const digits = /^-?\d+/.exec(this.text.slice(this.at))?.[0];
    if (!digits) throw new NotEvaluable('malformed number');
    this.at += digits.length;
    return Number(digits);
  }

  private skipSpace(): void {
    while (this.text[this.at] === ' ') this.at++;
  }
}
