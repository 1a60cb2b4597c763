import { isFqdnPattern, isId, isServiceTag } from '../model/identifiers.js';
import { quote } from '../model/text.js';

/**
 * The values a generated command or template may carry. User catalogs are validated when
 * they load, but a saved report is any JSON file: every renderer checks again here, so a
 * host like `$(touch x)` or `a';b` is refused before it can reach a shell, a Bicep file or a
 * spreadsheet, whatever path it came by.
 */
class UnsafeValueError extends Error {
  override name = 'UnsafeValueError';
  constructor(what: string, value: unknown) {
    super(`${quote(value)} is not a valid ${what}; it is left out of generated rules`);
  }
}

function isPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
}

export function checkFqdnPattern(value: string): string {
  if (!isFqdnPattern(value)) throw new UnsafeValueError('host name or wildcard', value);
  return value;
}

export function checkServiceTag(value: string): string {
  if (!isServiceTag(value)) throw new UnsafeValueError('service tag', value);
  return value;
}

export function checkPort(value: unknown): number {
  if (!isPort(value)) throw new UnsafeValueError('port', value);
  return value;
}

/**
 * A name Azure accepts for a rule or collection (letters, digits, `-`, `_`, `.`; starts with
 * a letter or digit, at most 80), derived from a validated value so it needs no escaping.
 */
export function ruleName(...parts: readonly string[]): string {
  const slug = parts
    .join('-')
    .replace(/\*/g, 'any')
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/[.-]+$/, '');
  return slug.slice(0, 80).replace(/[.-]+$/, '') || 'rule';
}

/** The structural fields of an allow entry, as a renderer needs them. */
interface EntryShape {
  readonly direction: string;
  readonly fqdn: string | null;
  readonly serviceTag: string | null;
  readonly protocol: string;
  readonly port: number;
  readonly features: readonly string[];
}

/** Why an entry cannot be printed as a rule, or null when every value in it is safe to print. */
function entryProblem(entry: EntryShape): string | null {
  if (entry.direction !== 'inbound' && entry.direction !== 'outbound') return new UnsafeValueError('direction', entry.direction).message;
  if (entry.fqdn !== null && !isFqdnPattern(entry.fqdn)) return new UnsafeValueError('host name or wildcard', entry.fqdn).message;
  if (entry.serviceTag !== null && !isServiceTag(entry.serviceTag)) return new UnsafeValueError('service tag', entry.serviceTag).message;
  if (entry.fqdn === null && entry.serviceTag === null) return 'an entry names neither a host nor a service tag';
  if (!['TCP', 'HTTP', 'HTTPS', 'UDP', 'Any'].includes(entry.protocol)) return new UnsafeValueError('protocol', entry.protocol).message;
  if (!isPort(entry.port)) return new UnsafeValueError('port', entry.port).message;
  const badFeature = entry.features.find((f) => !isId(f));
  if (badFeature !== undefined) return new UnsafeValueError('feature id', badFeature).message;
  return null;
}

/** Splits entries into those safe to print and one line for each refused, for the renderer to show as a comment. */
export function partitionEntries<T extends EntryShape>(entries: readonly T[]): { readonly safe: T[]; readonly refused: string[] } {
  const safe: T[] = [];
  const refused: string[] = [];
  for (const entry of entries) {
    const problem = entryProblem(entry);
    if (problem === null) safe.push(entry);
    else refused.push(problem);
  }
  return { safe, refused };
}

/** Azure resource names given on the command line (resource group, firewall, policy, NSG). */
export function isAzureResourceName(value: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_.()-]{0,88}[A-Za-z0-9_)]$|^[A-Za-z0-9]$/.test(value);
}

/** An IPv4 or IPv6 address or CIDR prefix, or a service tag, as a rule's source. */
export function isSourceAddress(value: string): boolean {
  const [address, prefix, extra] = value.split('/');
  if (extra !== undefined || address === undefined) return false;
  const ipv4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(address);
  const ipv6 = /^[0-9a-fA-F:]+$/.test(address) && address.includes(':') && address.length <= 39;
  if (!ipv4 && !ipv6) return prefix === undefined && (isServiceTag(value) || value === '*');
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (ipv4 ? 32 : 128);
}
