import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { quote } from '../model/text.js';
import { InputError } from '../model/errors.js';
import { type Cloud, CLOUDS } from '../model/clouds.js';
import { ID_RULE, isHostName, isId, isServiceTag, SERVICE_TAG_RULE } from '../model/identifiers.js';
import { CONDITIONS } from './conditions.js';
import { articleOf, parseConcreteTemplate, parsePattern, parsePortRange, parsePortSpecs } from './fields.js';
import type { HostPattern } from './host-pattern.js';
import { BUILTIN_CATALOG_DIR, CATALOG_EXTENSIONS, ParsedFile, parseFile, displayPath, type Path, type RawEntry, type RawPrivateDns, type RawSource } from './parse-file.js';
import type { Catalog, CatalogEntry, FeatureDef, PortDef, PrivateDnsDef, RevisionDef, SectionInfo, WildcardRule } from './types.js';
import { NEWEST, selectRevision } from './revisions.js';
import { counterparts, namedHosts, overlaps, sameHost } from './disagreements.js';

const REVISION_ID_RE = /^\d{4}-(0[1-9]|1[0-2])$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

interface Registry {
  privateDns: Map<Cloud, PrivateDnsDef>;
  revisions: Map<string, RevisionDef>;
  sections: Map<string, SectionInfo>;
  features: Map<string, FeatureDef>;
  ports: PortDef[];
  wildcards: WildcardRule[];
}

function collectRevisions(file: ParsedFile, registry: Registry): void {
  file.data.articleRevisions?.forEach((raw, index) => {
    const at = (key: string): Path => ['articleRevisions', index, key];
    if (!REVISION_ID_RE.test(raw.id)) file.fail(at('id'), `${quote(raw.id)} is not a revision id: the year and month of the article, like 2021-11`);
    const existing = registry.revisions.get(raw.id);
    if (existing) file.fail(at('id'), `revision ${quote(raw.id)} is already defined in ${existing.origin.file}`);
    if (!DATE_RE.test(raw.date) || Number.isNaN(Date.parse(`${raw.date}T00:00:00Z`)) || new Date(`${raw.date}T00:00:00Z`).toISOString().slice(0, 10) !== raw.date) {
      file.fail(at('date'), `${quote(raw.date)} is not a date like 2021-11-05`);
    }
    if (!raw.date.startsWith(raw.id)) file.fail(at('date'), `${quote(raw.date)} is not in ${raw.id}, the month the id names`);
    if (!/^https:\/\/[^\s]+$/.test(raw.url)) file.fail(at('url'), `${quote(raw.url)} is not an https URL`);
    registry.revisions.set(raw.id, { id: raw.id, date: raw.date, title: raw.title, url: raw.url, notes: raw.notes ?? null, origin: file.origin(['articleRevisions', index]) });
  });
}

/** The revisions an item says it holds in; unscoped items (user catalogs) hold in all. */
function scopeOf(file: ParsedFile, path: Path, own: readonly string[] | undefined, inherited: readonly string[], registry: Registry): readonly string[] {
  if (own === undefined) return inherited;
  own.forEach((id, i) => {
    if (!registry.revisions.has(id)) {
      const known = [...registry.revisions.keys()];
      file.fail([...path, i], `unknown revision ${quote(id)} (${known.length > 0 ? `known: ${known.join(', ')}` : 'the catalog defines no revisions'})`);
    }
  });
  return own;
}

function sourcesOf(file: ParsedFile, path: Path, raw: RawSource | undefined, scope: readonly string[]): { source: string | null; sources: Map<string, string> } {
  if (raw === undefined) return { source: null, sources: new Map() };
  if (typeof raw === 'string') return { source: raw, sources: new Map(scope.map((id) => [id, raw])) };
  for (const id of Object.keys(raw)) {
    if (!scope.includes(id)) file.fail([...path, id], `names revision ${quote(id)}, which this item is not in (it is in ${scope.join(', ') || 'no revision'})`);
  }
  return { source: null, sources: new Map(Object.entries(raw)) };
}

function collectDefinitions(file: ParsedFile, registry: Registry): SectionInfo {
  const { data } = file;
  const all = [...registry.revisions.keys()];
  if (!isId(data.section)) file.fail(['section'], `${quote(data.section)} is not a lower-case id like azure-ml-hosts (${ID_RULE})`);
  const earlier = registry.sections.get(data.section);
  if (earlier) file.fail(['section'], `section ${quote(data.section)} is already defined in ${earlier.file}`);
  const revisions = scopeOf(file, ['revisions'], data.revisions, all, registry);
  const { source, sources } = sourcesOf(file, ['source'], data.source, revisions);
  const section: SectionInfo = { id: data.section, title: data.title, source, sources, revisions, file: file.label, article: articleOf(file, data.article) };
  registry.sections.set(section.id, section);

  data.features?.forEach((feature, index) => {
    const path: Path = ['features', index, 'id'];
    if (!isId(feature.id)) file.fail(path, `${quote(feature.id)} is not a lower-case id like compute-instance (${ID_RULE})`);
    const existing = registry.features.get(feature.id);
    if (existing) file.fail(path, `feature ${quote(feature.id)} is already defined in ${existing.origin.file}`);
    const scope = scopeOf(file, ['features', index, 'revisions'], feature.revisions, revisions, registry);
    registry.features.set(feature.id, { id: feature.id, name: feature.name, impact: feature.impact ?? null, default: feature.default ?? true, revisions: scope, origin: file.origin(['features', index]) });
  });

  data.ports?.forEach((port, index) => {
    const path: Path = ['ports', index, 'port'];
    const { from, to } = parsePortRange(file, path, String(port.port));
    const scope = scopeOf(file, ['ports', index, 'revisions'], port.revisions, revisions, registry);
    // A port may mean something else in another revision, but only one thing in each.
    const clash = registry.ports.find((p) => p.from <= to && from <= p.to && (scope.length === 0 || overlaps(p.revisions, scope)));
    if (clash) file.fail(path, `port ${String(port.port)} is already described in ${clash.origin.file}`);
    registry.ports.push({ from, to, probe: port.probe, purpose: port.purpose, revisions: scope, origin: file.origin(['ports', index]) });
  });

  data.wildcards?.forEach((rule, index) => {
    const pattern = parsePattern(file, ['wildcards', index, 'pattern'], rule.pattern);
    if (pattern.wildcard === 'none') file.fail(['wildcards', index, 'pattern'], `${quote(rule.pattern)} has no wildcard`);
    const scope = scopeOf(file, ['wildcards', index, 'revisions'], rule.revisions, revisions, registry);
    const existing = registry.wildcards.find((w) => w.pattern.text === rule.pattern && (scope.length === 0 || overlaps(w.revisions, scope)));
    if (existing) file.fail(['wildcards', index, 'pattern'], `wildcard ${quote(rule.pattern)} is already mapped in ${existing.origin.file}`);
    if (!rule.names && !rule.representatives) file.fail(['wildcards', index], "needs 'names' or 'representatives'");
    const names = (rule.names ?? []).map((item, i) => {
      const alternatives = typeof item === 'string' ? [item] : item;
      return alternatives.map((alt, j) => parseConcreteTemplate(file, ['wildcards', index, 'names', i, ...(typeof item === 'string' ? [] : [j])], alt));
    });
    const representatives = (rule.representatives ?? []).map((rep, i) => parseConcreteTemplate(file, ['wildcards', index, 'representatives', i], rep));
    registry.wildcards.push({ pattern, names, representatives, revisions: scope, origin: file.origin(['wildcards', index]) });
  });

  data.privateDns?.forEach((raw, index) => collectPrivateDns(file, raw, index, section, registry));
  return section;
}

/** Private DNS rows come from Azure's custom DNS article, never the revisions' one: the file names it (`article:`). */
function collectPrivateDns(file: ParsedFile, raw: RawPrivateDns, index: number, section: SectionInfo, registry: Registry): void {
  const at = (...rest: Path): Path => ['privateDns', index, ...rest];
  if (section.article === null) file.fail(at(), "needs the file's 'article' (repo, path, commit): private DNS rows come from another article than the revisions'");
  if (!/^#[\w-]+$/.test(raw.source)) file.fail(at('source'), `${quote(raw.source)} is not an anchor in the article like #example-custom-dns-server-hosted-in-virtual-network`);
  const zones = (key: 'privateZones' | 'forwardZones'): string[] =>
    raw[key].map((zone, i) => {
      if (!isHostName(zone)) file.fail(at(key, i), `${quote(zone)} is not a DNS zone name`);
      return zone;
    });
  const privateZones = zones('privateZones');
  const forwardZones = zones('forwardZones');
  const onPremisesZones = raw.onPremisesZones.map((zone, i) => {
    if (!forwardZones.includes(zone)) file.fail(at('onPremisesZones', i), `${quote(zone)} is not in forwardZones`);
    return zone;
  });
  const privateNames = raw.privateNames.map((name, i) => parseConcreteTemplate(file, at('privateNames', i), name));
  const endpointRecords = raw.endpointRecords.map(({ zone, record }, i) => {
    if (!privateZones.includes(zone) && !forwardZones.includes(zone)) file.fail(at('endpointRecords', i, 'zone'), `${quote(zone)} is in neither privateZones nor forwardZones`);
    const pattern = parsePattern(file, at('endpointRecords', i, 'record'), `${record}.${zone}`);
    if (pattern.wildcard === 'none') file.fail(at('endpointRecords', i, 'record'), `${quote(record)} must be a wildcard record like *.<region>`);
    return { zone, record };
  });
  const existing = registry.privateDns.get(raw.cloud);
  if (existing) file.fail(at('cloud'), `private DNS of ${raw.cloud} is already given in ${existing.origin.file}`);
  registry.privateDns.set(raw.cloud, {
    cloud: raw.cloud,
    article: section.article,
    source: `${section.article.url}${raw.source}`,
    privateZones,
    forwardZones,
    onPremisesZones,
    privateNames,
    endpointRecords,
    revisions: section.revisions,
    origin: file.origin(at()),
  });
}

function buildEntry(file: ParsedFile, section: SectionInfo, raw: RawEntry, index: number, registry: Registry): CatalogEntry {
  const at = (...rest: Path): Path => ['entries', index, ...rest];
  const stated = raw.revisions !== undefined || file.data.revisions !== undefined;
  let revisions = scopeOf(file, at('revisions'), raw.revisions, section.revisions, registry);
  const features = raw.features.map((id, i) => {
    const feature = registry.features.get(id);
    if (!feature) file.fail(at('features', i), `unknown feature ${quote(id)} (known: ${[...registry.features.keys()].join(', ')})`);
    return feature;
  });
  if (stated) {
    features.forEach((feature, i) => {
      const missing = revisions.filter((r) => !feature.revisions.includes(r));
      if (missing.length > 0) file.fail(at('features', i), `feature ${quote(feature.id)} is not in revision ${missing.join(', ')}, which this entry is in (the feature is in ${feature.revisions.join(', ') || 'no revision'})`);
    });
  } else if (section.revisions.length > 0) {
    // An entry that names no revision (a user's file, perhaps older than revisions) holds where its
    // features do, so a feature retired in a newer revision does not stop the whole catalog loading.
    revisions = revisions.filter((r) => features.every((f) => f.revisions.includes(r)));
    if (revisions.length === 0) file.fail(at('features'), `no revision has all of ${features.map((f) => quote(f.id)).join(', ')}: use features of one revision, or name the revisions with 'revisions'`);
  }
  const own = sourcesOf(file, at('source'), raw.source, revisions);
  // The entry's own anchor wins; its section's fills the revisions the entry does not name.
  const sources = new Map([
    ...revisions.flatMap((r): Array<[string, string]> => {
      const anchor = own.sources.get(r) ?? section.sources.get(r);
      return anchor === undefined ? [] : [[r, anchor]];
    }),
  ]);
  if (raw.condition !== undefined && !CONDITIONS.has(raw.condition)) {
    file.fail(at('condition'), `unknown condition ${quote(raw.condition)} (known: ${[...CONDITIONS.keys()].join(', ')})`);
  }
  const common = {
    section,
    origin: file.origin(at()),
    direction: raw.direction ?? 'outbound',
    clouds: raw.clouds,
    ports: parsePortSpecs(file, at('ports'), raw.ports),
    features: raw.features,
    condition: raw.condition ?? null,
    required: raw.required ?? true,
    purpose: raw.purpose,
    revisions,
    sources,
    disagrees: raw.disagrees ?? [],
  } as const;

  if ((raw.pattern === undefined) === (raw.serviceTag === undefined)) {
    file.fail(at(), "needs exactly one of 'pattern' (a host) or 'serviceTag'");
  }
  if (raw.pattern !== undefined) {
    if (raw.hosts !== undefined) file.fail(at('hosts'), "only a serviceTag entry lists 'hosts'");
    if (raw.tagName !== undefined) file.fail(at('tagName'), "only a serviceTag entry has a 'tagName'");
    return { ...common, kind: 'host', pattern: parsePattern(file, at('pattern'), raw.pattern) };
  }
  const serviceTag = raw.serviceTag as string;
  if (!isServiceTag(serviceTag)) file.fail(at('serviceTag'), `${quote(serviceTag)} is not a service tag name like Storage.region (${SERVICE_TAG_RULE})`);
  if (raw.tagName !== undefined && !isServiceTag(raw.tagName)) file.fail(at('tagName'), `${quote(raw.tagName)} is not a service tag name like Storage.region (${SERVICE_TAG_RULE})`);
  if (raw.hosts === undefined) file.fail(at(), "missing key 'hosts' (the host patterns that stand for the tag, per cloud)");
  const hosts: Partial<Record<Cloud, HostPattern[]>> = {};
  for (const cloud of CLOUDS) {
    const list = raw.hosts[cloud];
    if (list === undefined) continue;
    if (!raw.clouds.includes(cloud)) file.fail(at('hosts', cloud), `lists hosts for ${cloud}, which is not in clouds`);
    hosts[cloud] = list.map((text, i) => parsePattern(file, at('hosts', cloud, i), text));
  }
  for (const cloud of raw.clouds) {
    if (!hosts[cloud]) file.fail(at('hosts'), `has no hosts for ${cloud}, which is in clouds`);
  }
  return { ...common, kind: 'service-tag', serviceTag, tagName: raw.tagName ?? serviceTag, hosts };
}

/**
 * A disagreement is marked on purpose, so it must be true: the other section exists, names the
 * same host or tag in a revision this entry is in, and says something else on the aspect named.
 */
function checkDisagreements(parsed: readonly ParsedFile[], entries: readonly CatalogEntry[]): void {
  const files = new Map(parsed.map((p) => [p.label, p]));
  const sections = new Set(entries.map((e) => e.section.id));
  for (const entry of entries) {
    const file = files.get(entry.origin.file) as ParsedFile;
    const index = Number(/\[(\d+)\]/.exec(entry.origin.keyPath)?.[1]);
    entry.disagrees.forEach((mark, i) => {
      const at: Path = ['entries', index, 'disagrees', i, 'section'];
      if (mark.section === entry.section.id) file.fail(at, 'names its own section: a disagreement is between two articles');
      if (!sections.has(mark.section)) file.fail(at, `unknown section ${quote(mark.section)}, or one without entries`);
      if (sameHost(entries, entry, mark.section).length === 0) file.fail(at, `section ${quote(mark.section)} has no entry for ${namedHosts(entry).join(' or ')} in revision${entry.revisions.length > 1 ? 's' : ''} ${entry.revisions.join(', ')}`);
      if (counterparts(entries, entry, mark.section, mark.on).length === 0) {
        file.fail(['entries', index, 'disagrees', i, 'on'], `section ${quote(mark.section)} says the same ${mark.on} for this host and its ports: there is nothing to disagree on`);
      }
    });
  }
}

export interface LoadOptions {
  /** Directory of the shipped catalog; tests point it elsewhere. */
  builtinDir?: string;
  /** User catalog files (--catalog), loaded after the shipped ones. */
  extraFiles?: readonly string[];
  /**
   * The revision of the article to check against: an id, `newest` (the default), or `all` to
   * keep every revision (for comparing them).
   */
  revision?: string;
}

function listCatalogDir(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    throw new InputError(displayPath(dir), `cannot read catalog directory: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return names
    .filter((n) => CATALOG_EXTENSIONS.test(n))
    .sort()
    .map((n) => join(dir, n));
}

function byDate(a: RevisionDef, b: RevisionDef): number {
  return a.date < b.date ? -1 : a.date > b.date ? 1 : a.id < b.id ? -1 : 1;
}

export function loadCatalog(options: LoadOptions = {}): Catalog {
  return readCatalog(options)(options.revision ?? NEWEST);
}

/**
 * Reads and checks the catalog files once, and gives a function that narrows them to any
 * revision (an id, `newest` or `all`) without reading them again: for comparing two revisions.
 */
export function readCatalog(options: Omit<LoadOptions, 'revision'> = {}): (revision: string) => Catalog {
  const builtin = listCatalogDir(options.builtinDir ?? BUILTIN_CATALOG_DIR);
  const files = [...builtin, ...(options.extraFiles ?? [])];
  const parsed = files.map(parseFile);
  const registry: Registry = { privateDns: new Map(), revisions: new Map(), sections: new Map(), features: new Map(), ports: [], wildcards: [] };
  // Revisions, then definitions, before any entry, so any file may use what another defines.
  for (const file of parsed) collectRevisions(file, registry);
  const sections = parsed.map((file) => collectDefinitions(file, registry));
  const entries = parsed.flatMap((file, i) => (file.data.entries ?? []).map((raw, index) => buildEntry(file, sections[i] as SectionInfo, raw, index, registry)));
  checkDisagreements(parsed, entries);
  const revisions = [...registry.revisions.values()].sort(byDate);
  const full: Omit<Catalog, 'wildcards'> = {
    revision: null,
    revisions,
    featureRevisions: new Map([...registry.features.values()].map((f) => [f.id, f.revisions])),
    files: parsed.map((p) => p.label),
    sources: parsed.map((p, index) => ({ file: p.label, text: p.text, builtin: index < builtin.length })),
    sections,
    features: registry.features,
    ports: registry.ports,
    entries,
    privateDns: registry.privateDns,
  };
  return (revision) => selectRevision(full, registry.wildcards, revision);
}
