import { InputError } from '../model/errors.js';
import type { Cloud } from '../model/clouds.js';
import { CONDITIONS } from './conditions.js';
import { patternCovers, type HostPattern } from './host-pattern.js';
import type { Catalog, CatalogEntry } from './types.js';
import { isValidHostOrAddress, parseHostPort } from '../model/hosts.js';
import { quote } from '../model/text.js';

/** One catalog requirement that covers the host asked about. */
export interface Explanation {
  readonly section: string;
  readonly sectionTitle: string;
  readonly file: string;
  readonly keyPath: string;
  /** The pattern (or service tag) that matched. */
  readonly matchedBy: string;
  readonly serviceTag: string | null;
  /** For a service tag: the host patterns that stand for it in these clouds. */
  readonly standsFor: readonly string[];
  readonly clouds: readonly Cloud[];
  readonly direction: CatalogEntry['direction'];
  readonly ports: ReadonlyArray<{ protocol: string; port: number }>;
  readonly features: ReadonlyArray<{ id: string; name: string }>;
  readonly required: boolean;
  /** "needed only when ..." text, or null when always needed. */
  readonly condition: string | null;
  readonly purpose: string;
}

/**
 * Accepts a bare host, host:port, a URL, or a pattern exactly as the catalog writes it.
 * A fully qualified name's trailing dot is dropped; a port that is not 1-65535 is an error,
 * not quietly ignored.
 */
export function normaliseQuery(query: string): { host: string; port: number | null } {
  let text = query.trim().toLowerCase();
  const url = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/.exec(text);
  text = url ? (url[1] as string).replace(/^[^@]*@/, '') : (text.split('/')[0] as string);
  const parsed = parseHostPort(text);
  if (!parsed.ok) throw new InputError('HOST', `${quote(query)}: ${parsed.problem}`);
  const host = parsed.host.endsWith('.') && !parsed.host.endsWith('..') ? parsed.host.slice(0, -1) : parsed.host;
  if (host === '' || !(isValidHostOrAddress(host) || /^[*a-z0-9.<>-]+$/.test(host))) {
    throw new InputError('HOST', `${quote(query)} is not a host name, URL or catalog pattern`);
  }
  return { host, port: parsed.port };
}

function covers(pattern: HostPattern, host: string): boolean {
  // A pattern that is one whole-host placeholder (the compute node) says nothing about names.
  if (/^<[a-z-]+>$/.test(pattern.host)) return false;
  return pattern.host === host || pattern.text === host || patternCovers(pattern, host);
}

function tagMatches(entry: CatalogEntry, host: string): boolean {
  if (entry.kind !== 'service-tag') return false;
  // Storage.westus2 and Storage.region both name the Storage.region tag; another suffix is
  // part of the name (AzureFrontDoor.FrontEnd is not AzureFrontDoor.FirstParty).
  const base = (name: string): string => name.toLowerCase().replace(/\.[a-z0-9]+$/, '');
  return [entry.serviceTag, entry.tagName].some((tag) => tag.toLowerCase() === host || (/\.region$/i.test(tag) && base(tag) === base(host) && host.includes('.')));
}

export function explainHost(catalog: Catalog, query: string, cloud?: Cloud): Explanation[] {
  const { host, port } = normaliseQuery(query);
  const out: Explanation[] = [];
  for (const entry of catalog.entries) {
    const clouds = cloud ? entry.clouds.filter((c) => c === cloud) : entry.clouds;
    if (clouds.length === 0) continue;
    if (port !== null && !entry.ports.some((p) => p.port === port)) continue;
    let matchedBy: string | undefined;
    if (entry.kind === 'host') {
      if (covers(entry.pattern, host)) matchedBy = entry.pattern.text;
    } else if (tagMatches(entry, host)) {
      matchedBy = entry.serviceTag;
    } else {
      matchedBy = clouds.flatMap((c) => entry.hosts[c] ?? []).find((p) => covers(p, host))?.text;
    }
    if (matchedBy === undefined) continue;
    out.push({
      section: entry.section.id,
      sectionTitle: entry.section.title,
      file: entry.origin.file,
      keyPath: entry.origin.keyPath,
      matchedBy,
      serviceTag: entry.kind === 'service-tag' ? entry.tagName : null,
      standsFor: entry.kind === 'service-tag' ? [...new Set(clouds.flatMap((c) => (entry.hosts[c] ?? []).map((p) => p.text)))] : [],
      clouds,
      direction: entry.direction,
      ports: entry.ports.map((p) => ({ protocol: p.protocol, port: p.port })),
      features: entry.features.map((id) => ({ id, name: catalog.features.get(id)?.name ?? id })),
      required: entry.required,
      condition: entry.condition === null ? null : `needed only when ${CONDITIONS.get(entry.condition)?.when ?? entry.condition}`,
      purpose: entry.purpose,
    });
  }
  return out;
}
