import { InputError } from '../model/errors.js';
import { quote } from '../model/text.js';
import type { Catalog, RevisionDef, WildcardRule } from './types.js';

/** `--revision` values besides an id: the default, and every revision at once for comparing them. */
export const NEWEST = 'newest';
export const ALL_REVISIONS = 'all';

function knownRevisions(catalog: Pick<Catalog, 'revisions'>): string {
  return `known: ${catalog.revisions.map((r) => r.id).join(', ')}, ${NEWEST}; see \`aml-netcheck revisions\``;
}

/** Looks a revision up by id, or `newest`; exit 2 naming the flag when it is not there. */
export function findRevision(catalog: Pick<Catalog, 'revisions'>, which: string, flag = '--revision'): RevisionDef {
  const revision = which === NEWEST ? catalog.revisions.at(-1) : catalog.revisions.find((r) => r.id === which);
  if (revision) return revision;
  if (catalog.revisions.length === 0) throw new InputError(flag, `the catalog defines no revisions, so ${quote(which)} cannot be selected`);
  throw new InputError(flag, `unknown revision ${quote(which)} (${knownRevisions(catalog)})`);
}

/**
 * Narrows a catalog holding every revision to the requirements of one. A catalog whose files
 * define no revisions (a test's own) holds one unnamed revision and is returned as it is.
 * `wildcards` comes apart from the catalog, as the full list: a pattern may map differently in
 * two revisions, so the map a catalog holds is made here, for the revision selected.
 */
export function selectRevision(full: Omit<Catalog, 'wildcards'>, wildcards: readonly WildcardRule[], which: string): Catalog {
  if (which === ALL_REVISIONS || (full.revisions.length === 0 && which === NEWEST)) {
    // Newest wins where two revisions map a pattern differently: the full catalog explains, it does not expand.
    const newestFirst = [...wildcards].sort((a, b) => rank(full, b) - rank(full, a));
    const map = new Map<string, WildcardRule>();
    for (const rule of newestFirst) if (!map.has(rule.pattern.text)) map.set(rule.pattern.text, rule);
    return { ...full, wildcards: map };
  }
  const revision = findRevision(full, which);
  const holds = (item: { readonly revisions: readonly string[] }): boolean => item.revisions.includes(revision.id);
  const sections = full.sections.filter(holds).map((section) => ({ ...section, source: section.sources.get(revision.id) ?? section.source }));
  const sectionById = new Map(sections.map((s) => [s.id, s]));
  return {
    ...full,
    revision,
    sections,
    features: new Map([...full.features].filter(([, feature]) => holds(feature))),
    ports: full.ports.filter(holds),
    wildcards: new Map(wildcards.filter(holds).map((rule) => [rule.pattern.text, rule])),
    entries: full.entries.filter(holds).map((entry) => ({ ...entry, section: sectionById.get(entry.section.id) ?? entry.section })),
    ...(full.privateDns === undefined ? {} : { privateDns: new Map([...full.privateDns].filter(([, dns]) => holds(dns))) }),
  };
}

function rank(catalog: Pick<Catalog, 'revisions'>, rule: WildcardRule): number {
  return Math.max(-1, ...rule.revisions.map((id) => catalog.revisions.findIndex((r) => r.id === id)));
}
