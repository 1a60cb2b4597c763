import { InputError } from '../model/errors.js';
import { CLOUDS, knownRegionCloud, type Cloud } from '../model/clouds.js';
import { CONDITIONS } from './conditions.js';
import { patternCovers, type HostPattern } from './host-pattern.js';
import type { Catalog, CatalogEntry, DisagreementAspect, RevisionDef, SectionInfo } from './types.js';
import { counterparts } from './disagreements.js';
import { CLOUD_NAMES } from '../model/clouds.js';
import { isValidHostOrAddress, parseHostPort } from '../model/hosts.js';
import { quote } from '../model/text.js';
import type { PartialFacts, WorkspaceFacts } from '../model/facts.js';
import type { Target } from '../model/target.js';
import { resolveFacts } from '../facts/facts.js';
import { flagOf, type FactKey } from '../facts/table.js';
import { expandCatalog } from './expand.js';
import { placeholderValues } from './host-pattern.js';
import { factsOfPlaceholders } from './placeholders.js';

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
  /** The revisions of the article this requirement holds in (of those explained). */
  readonly revisions: readonly string[];
  /** Where each of those revisions states it: the article file at its commit and the requirement's anchor. */
  readonly provenance: ReadonlyArray<{ readonly revision: string; readonly url: string }>;
  /** The article file the requirement comes from. */
  readonly article: string;
  /** Where another article says otherwise for the same host; both requirements are kept. */
  readonly disagreements: readonly ExplainedDisagreement[];
}

/** One side of a disagreement: which article, in which catalog section, and what it says. */
export interface DisagreementSide {
  readonly article: string;
  readonly section: string;
  readonly sectionTitle: string;
  readonly says: string;
}

export interface ExplainedDisagreement {
  readonly on: DisagreementAspect;
  readonly this: DisagreementSide;
  readonly other: DisagreementSide;
}

/** How one revision of the article treats the host, all its matches taken together. */
export interface RevisionStanding {
  readonly revision: string;
  readonly date: string;
  /**
   * `required` always, `conditional` (required only when a condition holds), `optional`, or
   * `not-covered`: nothing in that revision names the host.
   */
  readonly status: 'required' | 'conditional' | 'optional' | 'not-covered';
  readonly conditions: readonly string[];
  readonly ports: readonly string[];
  readonly features: readonly string[];
  readonly clouds: readonly Cloud[];
}

export type HostChangeKind = 'newly-listed' | 'no-longer-listed' | 'became-required' | 'became-conditional' | 'became-optional' | 'conditions-changed' | 'ports-added' | 'ports-removed' | 'features-added' | 'features-removed' | 'clouds-added' | 'clouds-removed';

/** One difference between two consecutive revisions, for the host. */
export interface HostChange {
  readonly from: string;
  readonly to: string;
  readonly kind: HostChangeKind;
  /** What was added or removed (ports as `TCP 443 outbound`, feature ids, clouds, conditions). */
  readonly items: readonly string[];
}

/**
 * Accepts a bare host, host:port, a URL, or a pattern exactly as the catalog writes it.
 * A fully qualified name's trailing dot is dropped; a port that is not 1-65535 is an error,
 * not quietly ignored.
 */
function normaliseQuery(query: string): { host: string; port: number | null } {
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
  // Storage.westus2, Storage.region and Storage all name the Storage tag (regional or whole):
  // only `.region` or a region's name is a region suffix. Another suffix is part of the name
  // (AzureFrontDoor.FrontEnd is not AzureFrontDoor.FirstParty).
  const withoutRegion = (name: string): string => {
    const match = /^(.*)\.([a-z0-9]+)$/.exec(name.toLowerCase());
    return match && (match[2] === 'region' || knownRegionCloud(match[2] as string) !== undefined) ? (match[1] as string) : name.toLowerCase();
  };
  return [entry.serviceTag, entry.tagName].some((tag) => tag.toLowerCase() === host || withoutRegion(tag) === withoutRegion(host));
}

/** The article's file: the section's own, else the one the revision links to (its path in the repository). */
function articleOf(section: SectionInfo, revisions: readonly RevisionDef[]): string {
  if (section.article !== null) return section.article.path;
  const url = revisions[0]?.url ?? '';
  return /^https:\/\/github\.com\/[^/]+\/[^/]+\/blob\/[^/]+\/([^#?]+)/.exec(url)?.[1] ?? url;
}

function conditionText(entry: CatalogEntry): string | null {
  return entry.condition === null ? null : `needed only when ${CONDITIONS.get(entry.condition)?.when ?? entry.condition}`;
}

/** What an entry says on the aspect two articles disagree on, in words. */
function says(entry: CatalogEntry, on: DisagreementAspect): string {
  switch (on) {
    case 'ports':
      return `${entry.ports.map((p) => portText(p, entry.direction)).join(', ')}`;
    case 'condition':
      return conditionText(entry) ?? (entry.required ? 'needed always' : 'optional');
    case 'required':
      return entry.required ? 'required' : 'optional';
    case 'clouds':
      return `clouds ${entry.clouds.map((c) => CLOUD_NAMES[c]).join(', ')}`;
  }
}

function side(entry: CatalogEntry, on: DisagreementAspect, revisions: readonly RevisionDef[]): DisagreementSide {
  return { article: articleOf(entry.section, revisions), section: entry.section.id, sectionTitle: entry.section.title, says: says(entry, on) };
}

function disagreementsOf(catalog: Catalog, entry: CatalogEntry, revisions: readonly RevisionDef[]): ExplainedDisagreement[] {
  return entry.disagrees.flatMap((mark) =>
    counterparts(catalog.entries, entry, mark.section, mark.on).map((other) => ({
      on: mark.on,
      this: side(entry, mark.on, revisions),
      other: side(
        other,
        mark.on,
        revisions.filter((r) => other.revisions.includes(r.id)),
      ),
    })),
  );
}

export function explainHost(catalog: Catalog, query: string, cloud?: Cloud): Explanation[] {
  const { host, port } = normaliseQuery(query);
  const explained = explainedRevisions(catalog);
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
    const holding = explained.filter((r) => entry.revisions.includes(r.id));
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
      condition: conditionText(entry),
      purpose: entry.purpose,
      revisions: holding.map((r) => r.id),
      provenance: holding.map((r) => ({ revision: r.id, url: `${entry.section.article?.url ?? r.url}${entry.sources.get(r.id) ?? ''}` })),
      article: articleOf(entry.section, holding),
      disagreements: disagreementsOf(catalog, entry, holding),
    });
  }
  return out;
}

/** The revisions an explanation speaks of: the one the catalog was narrowed to, else all it defines. */
function explainedRevisions(catalog: Catalog): readonly RevisionDef[] {
  return catalog.revision !== null ? [catalog.revision] : catalog.revisions;
}

function portText(p: { protocol: string; port: number }, direction: string): string {
  return `${p.protocol.toUpperCase()} ${p.port} ${direction}`;
}

/** Each revision's standing for the host, oldest first. */
export function standings(catalog: Catalog, explanations: readonly Explanation[]): RevisionStanding[] {
  return explainedRevisions(catalog).map((revision) => {
    const holding = explanations.filter((e) => e.revisions.includes(revision.id));
    const required = holding.filter((e) => e.required);
    const status = holding.length === 0 ? 'not-covered' : required.length === 0 ? 'optional' : required.some((e) => e.condition === null) ? 'required' : 'conditional';
    return {
      revision: revision.id,
      date: revision.date,
      status,
      conditions: status === 'conditional' ? [...new Set(required.map((e) => e.condition as string))] : [],
      ports: [...new Set(holding.flatMap((e) => e.ports.map((p) => portText(p, e.direction))))],
      features: [...new Set(holding.flatMap((e) => e.features.map((f) => f.id)))],
      clouds: [...new Set(holding.flatMap((e) => e.clouds))],
    };
  });
}

function gained<T>(before: readonly T[], after: readonly T[]): T[] {
  return after.filter((x) => !before.includes(x));
}

/** What changed for the host from each revision to the next. */
export function hostChanges(standing: readonly RevisionStanding[]): HostChange[] {
  const out: HostChange[] = [];
  for (let i = 1; i < standing.length; i++) {
    const a = standing[i - 1] as RevisionStanding;
    const b = standing[i] as RevisionStanding;
    const add = (kind: HostChangeKind, items: readonly string[] = []): number => out.push({ from: a.revision, to: b.revision, kind, items });
    if (a.status === 'not-covered' && b.status === 'not-covered') continue;
    if (a.status === 'not-covered') {
      add('newly-listed', [b.status]);
      continue;
    }
    if (b.status === 'not-covered') {
      add('no-longer-listed');
      continue;
    }
    if (a.status !== b.status) add(b.status === 'required' ? 'became-required' : b.status === 'conditional' ? 'became-conditional' : 'became-optional', b.conditions);
    else if (b.status === 'conditional' && (gained(a.conditions, b.conditions).length > 0 || gained(b.conditions, a.conditions).length > 0)) add('conditions-changed', b.conditions);
    const pairs: Array<[HostChangeKind, HostChangeKind, readonly string[], readonly string[]]> = [
      ['ports-added', 'ports-removed', a.ports, b.ports],
      ['features-added', 'features-removed', a.features, b.features],
      ['clouds-added', 'clouds-removed', a.clouds, b.clouds],
    ];
    for (const [added, removed, before, after] of pairs) {
      if (gained(before, after).length > 0) add(added, gained(before, after));
      if (gained(after, before).length > 0) add(removed, gained(after, before));
    }
  }
  return out;
}

/**
 * The targets `list` would give for the rows explained, had the workspace the host asked about:
 * the host fills the placeholders of the patterns that cover it (st1.file.core.windows.net gives
 * the storage account st1) and names the one host of a wildcard that covers it. Only the newest
 * revision explained: a workspace is checked against one. A host the catalog names as it is stays
 * that host. `given`: the facts the user gave.
 */
export function explainedTargets(catalog: Catalog, query: string, explanations: readonly Explanation[], given: PartialFacts): { facts: WorkspaceFacts; targets: Target[] } {
  const { host, port } = normaliseQuery(query);
  const newest = explainedRevisions(catalog).at(-1)?.id;
  const explained = new Set(explanations.filter((e) => newest === undefined || e.revisions.includes(newest)).map((e) => `${e.file}|${e.keyPath}`));
  const entries = catalog.entries.filter((e) => explained.has(`${e.origin.file}|${e.origin.keyPath}`));
  const patternsIn = (c: Cloud): HostPattern[] => entries.filter((e) => e.clouds.includes(c)).flatMap((e) => (e.kind === 'host' ? [e.pattern] : (e.hosts[c] ?? [])));
  // The cloud whose names the host is (a storage host in usgov ends in usgovcloudapi.net), else the first the rows hold in.
  const cloud = given.cloud ?? CLOUDS.find((c) => patternsIn(c).some((p) => patternCovers(p, host))) ?? CLOUDS.find((c) => entries.some((e) => e.clouds.includes(c))) ?? 'public';
  // A name the catalog gives as it is (vscode.blob.core.windows.net) is that name, not a workspace's storage account.
  const concrete = isValidHostOrAddress(host) && !entries.some((e) => e.kind === 'host' && e.pattern.text === host);
  const patterns = patternsIn(cloud);
  const derived: PartialFacts = {};
  const wildcards = new Map(catalog.wildcards);
  for (const pattern of patterns) {
    if (!concrete) continue;
    const values = placeholderValues(pattern, host);
    if (values === null) continue;
    Object.assign(derived, factsOfPlaceholders(values));
    const rule = wildcards.get(pattern.host);
    if (pattern.wildcard !== 'none' && rule !== undefined) wildcards.set(pattern.host, { ...rule, names: [[host]], representatives: [] });
  }
  const resolve = (facts: PartialFacts): WorkspaceFacts => resolveFacts([{ facts: { ...facts, ...given, cloud }, source: (key) => flagOf(key as FactKey) }]).facts;
  let facts: WorkspaceFacts;
  try {
    facts = resolve(derived);
  } catch (error) {
    // A region the host names that belongs to another cloud than the one asked about: the host says nothing then.
    if (!(error instanceof InputError)) throw error;
    facts = resolve({});
  }
  // The features `list` checks by default: a row of an opt-in feature is listed, skipped, as there.
  const targets = expandCatalog({ ...catalog, entries, wildcards }, facts);
  const named = targets.some((t) => t.host === host);
  return { facts, targets: entries.length === 0 ? [] : targets.filter((t) => (!named || t.host === host) && (port === null || t.port === port)) };
}
