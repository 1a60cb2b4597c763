import type { Direction } from './target.js';

/**
 * What a managed virtual network does by itself and what it cannot express, as read from
 * probes/managed-network/ (src/catalog/managed-network.ts). Every row names where the article
 * says it: `source` is an anchor of the article at `ManagedNetworkData.source`.
 */

/** A file of a public repository at one commit. */
export interface RepositoryFile {
  readonly repository: string;
  readonly path: string;
  readonly commit: string;
}

/** The rule types of `az ml workspace outbound-rule set --type`. */
export type OutboundRuleType = 'private_endpoint' | 'service_tag' | 'fqdn';

export interface ManagedModeRow {
  /** Our flag's spelling. */
  readonly id: 'allow-internet-outbound' | 'allow-only-approved-outbound';
  /** az ml's spelling (`isolation_mode`). */
  readonly az: string;
  /** All outbound internet traffic is let out. */
  readonly internet: boolean;
  readonly ruleTypes: readonly OutboundRuleType[];
  readonly source: string;
}

export interface RequiredServiceTagRow {
  /** `BatchNodeManagement.region` stands for every regional tag. */
  readonly tag: string;
  readonly direction: Direction;
  /** Ports the article says the tag carries, for targets that name no tag. */
  readonly ports?: readonly number[];
  readonly purpose: string;
  readonly source: string;
}

export interface RequiredPrivateEndpointRow {
  readonly resource: 'workspace' | 'storage' | 'key-vault' | 'container-registry';
  /** The catalog placeholder a host of this resource starts with (`<storage>.blob...`). */
  readonly placeholder: string;
  readonly subresources: readonly string[];
  readonly source: string;
}

export type LimitationId = 'fqdn-ports' | 'storage-needs-private-endpoint' | 'spark-no-fqdn';

export interface LimitationRow {
  readonly id: LimitationId;
  /** fqdn-ports: the only ports an FQDN rule carries. */
  readonly ports?: readonly number[];
  /** spark-no-fqdn: the catalog feature of the jobs it concerns. */
  readonly feature?: string;
  /** The modes it holds in; all managed modes when absent. */
  readonly modes?: readonly ManagedModeRow['id'][];
  readonly requirement: string;
  readonly alternative: string;
  readonly source: string;
}

export interface ManagedNetworkData {
  readonly source: RepositoryFile;
  /** The az CLI and SDK files whose behaviour the generated commands and YAML rely on. */
  readonly contracts: ReadonlyArray<RepositoryFile & { readonly what: string }>;
  readonly modes: readonly ManagedModeRow[];
  readonly requiredServiceTags: readonly RequiredServiceTagRow[];
  readonly requiredPrivateEndpoints: readonly RequiredPrivateEndpointRow[];
  readonly limitations: readonly LimitationRow[];
}

/** A row's source as `explain` prints sources: the article's address at its commit and anchor. */
export function sourceUrl(file: RepositoryFile, anchor = ''): string {
  return `https://github.com/${file.repository}/blob/${file.commit}/${file.path}${anchor}`;
}
