/**
 * Two articles that say different things about one host or tag: the catalog keeps both rows and
 * marks the disagreement (an entry's `disagrees`), which the loader checks and explain reports.
 */
import type { CatalogEntry, DisagreementAspect } from './types.js';

export const overlaps = (a: readonly string[], b: readonly string[]): boolean => a.some((id) => b.includes(id));

/** The host patterns an entry names: its own, or those that stand for its tag. */
export function namedHosts(entry: CatalogEntry): string[] {
  return entry.kind === 'host' ? [entry.pattern.text] : [entry.serviceTag, entry.tagName, ...Object.values(entry.hosts).flatMap((list) => (list ?? []).map((p) => p.text))];
}

/** What an entry says on one aspect, comparable between two entries. */
function aspectOf(entry: CatalogEntry, on: DisagreementAspect): string {
  switch (on) {
    case 'ports':
      return entry.ports.map((p) => `${p.protocol}:${p.port}`).join(',') + ` ${entry.direction}`;
    case 'condition':
      return entry.condition ?? '';
    case 'required':
      return String(entry.required);
    case 'clouds':
      return [...entry.clouds].sort().join(',');
  }
}

/** The entries of `section` that name a host or tag this entry names, in a revision they share. */
export function sameHost(entries: readonly CatalogEntry[], entry: CatalogEntry, section: string): CatalogEntry[] {
  const mine = namedHosts(entry);
  return entries.filter((other) => other.section.id === section && overlaps(other.revisions, entry.revisions) && namedHosts(other).some((h) => mine.includes(h)));
}

/**
 * Those of them that say otherwise on `on`. For any aspect but the ports, only an entry for a
 * port this one names too: the firewall article's row for 443 does not answer a row about 8787.
 */
export function counterparts(entries: readonly CatalogEntry[], entry: CatalogEntry, section: string, on: DisagreementAspect): CatalogEntry[] {
  const ports = new Set(entry.ports.map((p) => p.port));
  return sameHost(entries, entry, section).filter((other) => (on === 'ports' || other.ports.some((p) => ports.has(p.port))) && aspectOf(other, on) !== aspectOf(entry, on));
}
