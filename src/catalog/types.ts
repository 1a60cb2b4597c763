import type { Direction, ProbeDepth, RuleProtocol } from '../model/target.js';
import type { Cloud } from '../model/clouds.js';
import type { HostPattern } from './host-pattern.js';


/** Where a catalog item was written, so reports and errors can point at it. */
export interface Origin {
  readonly file: string;
  readonly keyPath: string;
}

export interface FeatureDef {
  readonly id: string;
  readonly name: string;
  /** What the feature's users see when it breaks, in plain words; null when a catalog gives none. */
  readonly impact: string | null;
  /** Opt-in features are checked only when --features names them. */
  readonly default: boolean;
  readonly origin: Origin;
}

export interface PortDef {
  readonly from: number;
  readonly to: number;
  readonly probe: ProbeDepth;
  readonly purpose: string;
  readonly origin: Origin;
}

export interface PortSpec {
  readonly protocol: RuleProtocol;
  readonly port: number;
}

export interface WildcardRule {
  readonly pattern: HostPattern;
  /** Each item lists alternatives; the first whose facts are known is used. */
  readonly names: ReadonlyArray<readonly string[]>;
  readonly representatives: readonly string[];
  readonly origin: Origin;
}

export interface SectionInfo {
  readonly id: string;
  readonly title: string;
  readonly source: string | null;
  readonly file: string;
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
  readonly files: readonly string[];
  /** Absent in catalogs built by hand (tests). */
  readonly sources?: readonly CatalogSource[];
  readonly sections: readonly SectionInfo[];
  readonly features: ReadonlyMap<string, FeatureDef>;
  readonly ports: readonly PortDef[];
  readonly wildcards: ReadonlyMap<string, WildcardRule>;
  readonly entries: readonly CatalogEntry[];
}
