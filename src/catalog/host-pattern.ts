import { PLACEHOLDERS } from './placeholders.js';
import { HOST_NAME_MAX_LENGTH, hostLabelProblem } from '../model/identifiers.js';
import { quote } from '../model/text.js';

/**
 * A host pattern as the article writes it: `login.microsoftonline.com`,
 * `*.blob.core.windows.net`, `*pytorch.org`, `<storage>.file.core.windows.net`,
 * optionally followed by a URL path (`raw.githubusercontent.com/microsoft/.../*`).
 */
export interface HostPattern {
  readonly text: string;
  /** The host part, placeholders and wildcard kept. */
  readonly host: string;
  /** URL path to request, without the trailing `*`; null when the pattern has none. */
  readonly path: string | null;
  /** `*.x` covers subdomains of x; `*x` covers any name ending in x, x itself included. */
  readonly wildcard: 'none' | 'subdomain' | 'suffix';
  readonly placeholders: readonly string[];
}

export class PatternError extends Error {
  override name = 'PatternError';
}

const PLACEHOLDER_RE = /<([a-z][a-z0-9-]*)>/g;
const PATH_RE = /^\/[A-Za-z0-9._~\/-]*\*?$/;

export function parseHostPattern(text: string): HostPattern {
  if (text.trim() !== text || text === '') throw new PatternError('must not be empty or have surrounding spaces');
  const slash = text.indexOf('/');
  const host = slash === -1 ? text : text.slice(0, slash);
  const rawPath = slash === -1 ? null : text.slice(slash);
  if (rawPath !== null && !PATH_RE.test(rawPath)) {
    throw new PatternError(`invalid URL path ${quote(rawPath)}`);
  }
  if (host !== host.toLowerCase()) throw new PatternError('must be lower case');

  const placeholders = [...host.matchAll(PLACEHOLDER_RE)].map((m) => m[1] as string);
  for (const name of placeholders) {
    const spec = PLACEHOLDERS.get(name);
    if (!spec) throw new PatternError(`unknown placeholder <${name}> (known: ${[...PLACEHOLDERS.keys()].map((n) => `<${n}>`).join(', ')})`);
    if (spec.wholeHost && host !== `<${name}>`) throw new PatternError(`<${name}> stands for a whole host and cannot be combined with other text`);
  }

  let wildcard: HostPattern['wildcard'] = 'none';
  let rest = host;
  if (host.startsWith('*.')) {
    wildcard = 'subdomain';
    rest = host.slice(2);
  } else if (host.startsWith('*')) {
    wildcard = 'suffix';
    rest = host.slice(1);
  }
  if (rest.includes('*')) throw new PatternError('a wildcard may only start the pattern');

  const bare = rest.replace(PLACEHOLDER_RE, 'x');
  const labels = bare.split('.');
  if (wildcard !== 'none' && labels.length < 2) throw new PatternError('a wildcard must cover at least a two-label domain');
  for (const label of labels) {
    const problem = hostLabelProblem(label);
    if (problem !== null) throw new PatternError(problem);
  }
  // A placeholder counts as one character here: the name it is filled into can only be longer.
  if (bare.length > HOST_NAME_MAX_LENGTH) throw new PatternError(`the host is longer than ${HOST_NAME_MAX_LENGTH} characters`);
  const path = rawPath === null ? null : rawPath.replace(/\*$/, '');
  return { text, host, path, wildcard, placeholders };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A matcher for concrete names: wildcards as firewalls read them, placeholders as one label (or a
 * whole host). `capture`: each placeholder is a group, in the order the pattern names them.
 */
function patternRegExp(pattern: HostPattern, capture = false): RegExp {
  let body = '';
  let rest = pattern.host;
  if (pattern.wildcard === 'subdomain') {
    body = '(?:[a-z0-9-]+\\.)+';
    rest = rest.slice(2);
  } else if (pattern.wildcard === 'suffix') {
    body = '(?:[a-z0-9.-]*)';
    rest = rest.slice(1);
  }
  let last = 0;
  for (const match of rest.matchAll(PLACEHOLDER_RE)) {
    body += escapeRegExp(rest.slice(last, match.index));
    const part = PLACEHOLDERS.get(match[1] as string)?.wholeHost ? '.+' : '[a-z0-9-]+';
    body += capture ? `(${part})` : part;
    last = (match.index ?? 0) + match[0].length;
  }
  body += escapeRegExp(rest.slice(last));
  return new RegExp(`^${body}$`);
}

export function patternCovers(pattern: HostPattern, name: string): boolean {
  return patternRegExp(pattern).test(name.toLowerCase());
}

/** What each placeholder of `pattern` stands for in `name`; null when the pattern does not cover the name. */
export function placeholderValues(pattern: HostPattern, name: string): Map<string, string> | null {
  const match = patternRegExp(pattern, true).exec(name.toLowerCase());
  if (match === null) return null;
  const names = [...pattern.host.matchAll(PLACEHOLDER_RE)].map((m) => m[1] as string);
  const values = new Map<string, string>();
  names.forEach((placeholder, i) => values.set(placeholder, match[i + 1] as string));
  return values;
}

/** On failure, `partial` is the template with the single-valued facts we do know filled in. */
export type FillResult = { ok: true; hosts: string[] } | { ok: false; missing: string[]; partial: string };

/**
 * Fills the placeholders of a template from per-placeholder values. A placeholder
 * with several values (several compute instances) yields one host per value.
 */
export function fillTemplate(template: string, valuesOf: (placeholder: string) => string[]): FillResult {
  const names = [...new Set([...template.matchAll(PLACEHOLDER_RE)].map((m) => m[1] as string))];
  const missing = names.filter((n) => valuesOf(n).length === 0);
  if (missing.length > 0) {
    let partial = template;
    for (const name of names) {
      const values = valuesOf(name);
      if (values.length === 1) partial = partial.split(`<${name}>`).join(values[0] as string);
    }
    return { ok: false, missing, partial };
  }
  let hosts = [template];
  for (const name of names) {
    const next: string[] = [];
    for (const host of hosts) for (const value of valuesOf(name)) next.push(host.split(`<${name}>`).join(value));
    hosts = next;
  }
  return { ok: true, hosts };
}

export function hasPlaceholder(text: string): boolean {
  return /<[a-z][a-z0-9-]*>/.test(text);
}
