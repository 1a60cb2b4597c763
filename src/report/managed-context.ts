import { patternCovers } from '../catalog/host-pattern.js';
import { loadManagedNetworkData } from '../catalog/managed-network.js';
import type { Catalog } from '../catalog/types.js';
import { hasManagedNetwork, type WorkspaceFacts } from '../model/facts.js';
import type { ManagedNetworkContext } from '../remedies/managed-network.js';

// Apart from report.ts, so that list, explain and rules load none of the report and audit modules.

/**
 * With a managed network, a fix is one of its outbound rules: the data that says which, read only
 * then. The catalog, when there is one, says which hosts a service tag stands for.
 */
export function managedContextOf(facts: WorkspaceFacts, catalog?: Catalog): ManagedNetworkContext | undefined {
  if (!hasManagedNetwork(facts.managedNetwork)) return undefined;
  // Outbound rows only: the inbound row's host is the compute node itself (`<node>`), which would cover every name.
  const tagCovers = (tag: string, host: string): boolean => (catalog?.entries ?? []).some((e) => e.kind === 'service-tag' && e.direction === 'outbound' && (e.serviceTag === tag || e.tagName === tag) && (e.hosts[facts.cloud] ?? []).some((p) => patternCovers(p, host)));
  return { data: loadManagedNetworkData(), mode: facts.managedNetwork, privateResources: facts.privateResources, privateEndpoint: facts.privateEndpoint, tagCovers };
}
