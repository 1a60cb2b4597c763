import { InputError } from './errors.js';
import { quote } from './text.js';

/**
 * Secrets that can reach what we write: a support bundle is attached to tickets, read by
 * people outside the customer's company, and kept. Everything goes through one redactor
 * before it is written, whatever its source (environment, flags, files, logs, servers).
 */

export const REDACTED = '[redacted]';

/**
 * How a URL we show on purpose (the proxy) hides its password. The user name stays: it says
 * which account the proxy saw, and is no secret. The redaction below keeps this mask as it is.
 */
export const URL_PASSWORD_MASK = '***';

/**
 * The URL with its password masked, the rest as given. Credentials end at the authority's last
 * `@`, as URL parsers read them; a value without a scheme (`user:password@proxy:3128`) is masked too.
 */
export function maskedUrl(value: string): string {
  return value.replace(/^(\s*(?:[a-z][a-z0-9+.-]*:)?\/\/|\s*)([^/?#@:]*):([^/?#]*)@/i, (_m, lead: string, user: string) => `${lead}${user}:${URL_PASSWORD_MASK}@`);
}

/** Query parameters of a shared access signature (Azure Storage); `sig` is the secret, the rest say what it grants. */
const SAS_PARAMETERS = ['sig', 'se', 'st', 'sv', 'sp', 'spr', 'srt', 'ss', 'sr', 'sip', 'si', 'sdd', 'skoid', 'sktid', 'skt', 'ske', 'sks', 'skv', 'saoid', 'suoid', 'scid'];

/** Keys of connection strings (`Name=value;`) whose value is a secret. */
const CONNECTION_STRING_SECRETS = ['AccountKey', 'SharedAccessSignature', 'SharedAccessKey', 'SharedAccessKeyName', 'Password', 'Pwd', 'ClientSecret', 'Secret'];

/** Object keys whose value is a secret whatever it looks like (headers, settings, templates). */
const SECRET_KEY =
  /^(?:authorization|proxy-authorization|cookie|set-cookie|x-ms-authorization-auxiliary|password|passwd|pwd|secret|client[-_]?secret|token|access[-_]?token|refresh[-_]?token|id[-_]?token|api[-_]?key|x-api-key|account[-_]?key|primary[-_]?key|secondary[-_]?key|connection[-_]?string|sas[-_]?token|sas)$/i;

interface Rule {
  readonly pattern: RegExp;
  readonly replace: (match: string, ...groups: string[]) => string;
}

const BUILT_IN: readonly Rule[] = [
  // Credentials in any URL: scheme://user:password@host keeps the user, hides the password.
  // A password already masked (`maskedUrl`, as the proxy is shown everywhere) stays as it is.
  { pattern: /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@:'"<>]*):([^\s/?#@'"<>]*)@/gi, replace: (match, scheme: string, user: string, password: string) => (password === URL_PASSWORD_MASK ? match : `${scheme}${user}:${REDACTED}@`) },
  // HTTP headers written as text (logs, curl -v, a deny page echoing the request).
  // Also as a JSON key (`"cookie": "…"`), as logs and dumped headers write them.
  { pattern: /\b((?:proxy-)?authorization|cookie|set-cookie)("?\s*[:=]\s*)("?)[^\r\n"]*/gi, replace: (_m, name: string, sep: string, q: string) => `${name}${sep}${q}${REDACTED}` },
  { pattern: /\b(bearer|basic|negotiate|ntlm|digest)\s+[A-Za-z0-9\-._~+/]{8,}=*/gi, replace: (_m, scheme: string) => `${scheme} ${REDACTED}` },
  // A JSON Web Token anywhere (Azure AD access and ID tokens): three base64url parts, the first a JSON header.
  { pattern: /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, replace: () => REDACTED },
  { pattern: new RegExp(`([?&;]|^|\\s|")(${SAS_PARAMETERS.join('|')})=([^&\\s"'<>#]+)`, 'gim'), replace: (_m, lead: string, name: string) => `${lead}${name}=${REDACTED}` },
  { pattern: new RegExp(`\\b(${CONNECTION_STRING_SECRETS.join('|')})=([^;\\s"']+)`, 'gi'), replace: (_m, name: string) => `${name}=${REDACTED}` },
  // A storage account key on its own: 64 random bytes in base64.
  { pattern: /(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{86}==(?![A-Za-z0-9+/=])/g, replace: () => REDACTED },
];

/**
 * Which strings of a JSON document are the tool's own words rather than data (a status, a
 * reason code, a time, a file's checksum): kept as they are, by every pattern. None is a
 * secret, and a `--redact` pattern that matched one (`\p{L}`, `ode`) would leave a document
 * its readers (`diff`, `bundle verify`) refuse. `at` gives the shape of a key's value or of an
 * array's items; undefined: free data.
 */
export interface Shape {
  readonly fixed: boolean;
  at(key: string | number): Shape | undefined;
}

/**
 * A shape written out: `true` is a fixed value, an object names the keys that hold one (`*`
 * stands for every key and every item).
 */
export type ShapeSpec = true | { readonly [key: string]: ShapeSpec };

export function shapeOf(spec: ShapeSpec): Shape {
  if (spec === true) return { fixed: true, at: () => undefined };
  return {
    fixed: false,
    at: (key) => {
      const inner = spec[String(key)] ?? spec['*'];
      return inner === undefined ? undefined : shapeOf(inner);
    },
  };
}

export interface Redactor {
  /** The text with every secret replaced by `[redacted]`. */
  text(value: string): string;
  /**
   * A JSON value, deep: secret-named keys lose their values, every string is redacted as
   * text. Keys are never changed (they are the document's structure, not data); nor are the
   * values `shape` marks fixed.
   */
  value<T>(value: T, shape?: Shape): T;
  /** Log text, a JSON document a line (pino's NDJSON): each line that parses is redacted as data, any other as text. */
  lines(text: string): string;
}

/**
 * `--redact REGEX` values, compiled: one that does not compile, or that matches the empty
 * string (it would redact nothing, or everything between every two characters), is refused.
 */
export function compileUserPatterns(sources: readonly string[], where = '--redact'): RegExp[] {
  return sources.map((source) => {
    let pattern: RegExp;
    try {
      pattern = new RegExp(source, 'gu');
    } catch (error) {
      throw new InputError(where, `${quote(source)} is not a regular expression: ${(error as Error).message}`);
    }
    if (new RegExp(`^(?:${source})$`, 'u').test('')) throw new InputError(where, `${quote(source)} matches the empty string; give a pattern that matches only the secret`);
    return pattern;
  });
}

function replaceAll(text: string, rule: Rule): string {
  rule.pattern.lastIndex = 0;
  return text.replace(rule.pattern, rule.replace as (substring: string, ...args: unknown[]) => string);
}

export function createRedactor(userPatterns: readonly RegExp[] = []): Redactor {
  const users: Rule[] = userPatterns.map((pattern) => ({ pattern, replace: () => REDACTED }));
  const text = (value: string): string => {
    const builtIn = BUILT_IN.reduce(replaceAll, value);
    if (users.length === 0) return builtIn;
    // A user's pattern never reaches into a `[redacted]` already there (`red`, `\p{L}`): it would
    // leave `[[redacted]acted]`, and the same text redacted twice would differ from once.
    return users.reduce(
      (done, rule) =>
        done
          .split(REDACTED)
          .map((part) => replaceAll(part, rule))
          .join(REDACTED),
      builtIn,
    );
  };
  const walk = (value: unknown, shape: Shape | undefined): unknown => {
    if (shape?.fixed === true) return value;
    if (typeof value === 'string') return text(value);
    if (Array.isArray(value)) return value.map((item, index) => walk(item, shape?.at(index)));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, SECRET_KEY.test(key) && inner !== null && inner !== '' ? REDACTED : walk(inner, shape?.at(key))]));
    }
    return value;
  };
  const line = (one: string): string => {
    if (one.trim() === '') return one;
    let parsed: unknown;
    try {
      parsed = JSON.parse(one);
    } catch {
      return text(one);
    }
    return JSON.stringify(walk(parsed, undefined));
  };
  return {
    text,
    value: <T>(value: T, shape?: Shape): T => walk(value, shape) as T,
    lines: (value) => value.split('\n').map(line).join('\n'),
  };
}

/** The built-in patterns alone: what every command's output passes, `--redact` or not. */
export const SECRETS_ONLY: Redactor = createRedactor();
