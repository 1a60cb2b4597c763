import type { Direction, ProbeDepth, RuleProtocol } from '../model/target.js';
import type { Cloud } from '../model/clouds.js';
import type { HostPattern } from './host-pattern.js';
import type { DISAGREEMENT_ASPECTS } from './schema.js';

/** Where a catalog item was written, so reports and errors can point at it. */
export interface Origin {
  readonly file: string;
  readonly keyPath: string;
}

/**
 * A dated revision of the article the shipped catalog follows. Its id (`2021-11`) is stable:
 * `--revision`, reports and catalog files name it.
 */
export interface RevisionDef {
  readonly id: string;
  /** The article's own date (ms.date), ISO `YYYY-MM-DD`. */
  readonly date: string;
  readonly title: string;
  /** Where that revision of the article can be read; a section's anchor is appended to it. */
  readonly url: string;
  readonly notes: string | null;
  readonly origin: Origin;
}

export interface FeatureDef {
  readonly id: string;
  readonly name: string;
  /** What the feature's users see when it breaks, in plain words; null when a catalog gives none. */
  readonly impact: string | null;
  /** Opt-in features are checked only when --features names them. */
  readonly default: boolean;
  /** The revisions the feature exists in. */
  readonly revisions: readonly string[];
  readonly origin: Origin;
}

export interface PortDef {
  readonly from: number;
  readonly to: number;
  readonly probe: ProbeDepth;
  readonly purpose: string;
  readonly revisions: readonly string[];
  readonly origin: Origin;
}

export interface PortSpec {
  readonly protocol: RuleProtocol;
  readonly port: number;
}

/**
 * What a DNS server needs for the workspace's private endpoint in one cloud, from Azure's custom
 * DNS article: the privatelink zones, the public zones to forward to Azure DNS, the names that
 * must answer with the endpoint's address, and the wildcard records for online endpoints.
 */
export interface PrivateDnsDef {
  readonly cloud: Cloud;
  readonly article: ArticleRef;
  /** The article file at its commit, with the anchor of the part these rows come from. */
  readonly source: string;
  readonly privateZones: readonly string[];
  readonly forwardZones: readonly string[];
  /** The forwarded zones an on-premises DNS server sends to a DNS server in the VNet. */
  readonly onPremisesZones: readonly string[];
  /** Host templates with placeholders, as the catalog's patterns write them. */
  readonly privateNames: readonly string[];
  /** `record` is relative to `zone` and may hold placeholders. */
  readonly endpointRecords: ReadonlyArray<{ readonly zone: string; readonly record: string }>;
  readonly revisions: readonly string[];
  readonly origin: Origin;
}

export interface WildcardRule {
  readonly pattern: HostPattern;
  /** Each item lists alternatives; the first whose facts are known is used. */
  readonly names: ReadonlyArray<readonly string[]>;
  readonly representatives: readonly string[];
  readonly revisions: readonly string[];
  readonly origin: Origin;
}

/** The article file (at one commit) a section's rows come from, when it is not the revisions' article. */
export interface ArticleRef {
  /** `owner/name` on GitHub. */
  readonly repo: string;
  readonly path: string;
  readonly commit: string;
  /** The file at that commit; an anchor is appended to it. */
  readonly url: string;
}

export interface SectionInfo {
  readonly id: string;
  readonly title: string;
  /** The article's anchor for this section in the selected revision (or the one anchor given for all). */
  readonly source: string | null;
  /** The anchor per revision, where the section moved between them. */
  readonly sources: ReadonlyMap<string, string>;
  readonly revisions: readonly string[];
  readonly file: string;
  /** Null: the section follows the article of the revisions (revisions.yaml). */
  readonly article: ArticleRef | null;
}

export type DisagreementAspect = (typeof DISAGREEMENT_ASPECTS)[number];

/** Another section's entry for the same host or tag says otherwise, on this aspect; both are kept. */
export interface Disagreement {
  readonly section: string;
  readonly on: DisagreementAspect;
}

interface EntryBase {
  readonly section: SectionInfo;
  readonly origin: Origin;
  readonly direction: Direction;
  readonly clouds: readonly Cloud[];
  readonly ports: readonly PortSpec[];
  readonly features: readonly string[];
  readonly condition: string | null;
  readonly required: boolean;
  readonly purpose: string;
  /** The revisions of the article this requirement holds in, exactly as written. */
  readonly revisions: readonly string[];
  /** Where each revision states it: the entry's own anchor, else its section's. */
  readonly sources: ReadonlyMap<string, string>;
  readonly disagrees: readonly Disagreement[];
}

export interface HostEntry extends EntryBase {
  readonly kind: 'host';
  readonly pattern: HostPattern;
}

export interface ServiceTagEntry extends EntryBase {
  readonly kind: 'service-tag';
  /** As the article writes it, e.g. Storage.region. */
  readonly serviceTag: string;
  /** The name Azure Firewall accepts, where the article spells it differently. */
  readonly tagName: string;
  readonly hosts: Readonly<Partial<Record<Cloud, readonly HostPattern[]>>>;
}

export type CatalogEntry = HostEntry | ServiceTagEntry;

/** A catalog file's text as it was read, for a support bundle to carry. */
export interface CatalogSource {
  readonly file: string;
  readonly text: string;
  /** Shipped with aml-netcheck, rather than given with --catalog. */
  readonly builtin: boolean;
}

export interface Catalog {
  /**
   * The revision this catalog was narrowed to; null when it holds every revision (for
   * comparing them) or when its files define none.
   */
  readonly revision: RevisionDef | null;
  /** Every revision the files define, oldest first. */
  readonly revisions: readonly RevisionDef[];
  /** Each feature id any revision defines, with the revisions it is in: to tell "gone" from "unknown". */
  readonly featureRevisions: ReadonlyMap<string, readonly string[]>;
  readonly files: readonly string[];
  /** Absent in catalogs built by hand (tests). */
  readonly sources?: readonly CatalogSource[];
  readonly sections: readonly SectionInfo[];
  readonly features: ReadonlyMap<string, FeatureDef>;
  readonly ports: readonly PortDef[];
  readonly wildcards: ReadonlyMap<string, WildcardRule>;
  readonly entries: readonly CatalogEntry[];
  /** Per cloud; absent in catalogs built by hand (tests) and empty when no file gives it. */
  readonly privateDns?: ReadonlyMap<Cloud, PrivateDnsDef>;
}
