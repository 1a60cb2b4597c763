import { hostname } from 'node:os';
import type { WorkspaceFacts } from '../model/facts.js';

/**
 * Placeholders a host pattern may hold, and the workspace fact behind each.
 * `flag` is what the user passes to supply it; reports name it when it is missing.
 */
export interface PlaceholderSpec {
  readonly name: string;
  readonly flag: string;
  /** Stands for a whole host name rather than part of a label. */
  readonly wholeHost: boolean;
  /** Names one of the workspace's own resources, which a private endpoint makes private. */
  readonly workspaceResource?: boolean;
  values(facts: WorkspaceFacts): string[];
}

function one(value: string | undefined): string[] {
  return value === undefined ? [] : [value];
}

const SPECS: PlaceholderSpec[] = [
  { name: 'region', flag: '--region', wholeHost: false, values: (f) => one(f.region) },
  { name: 'workspace-id', workspaceResource: true, flag: '--workspace-id', wholeHost: false, values: (f) => one(f.workspaceId) },
  // Host names are case-insensitive and Azure lowercases workspace names in them.
  { name: 'workspace-name', flag: '--workspace-name', wholeHost: false, values: (f) => one(f.workspaceName?.toLowerCase()) },
  { name: 'storage', workspaceResource: true, flag: '--storage-account', wholeHost: false, values: (f) => one(f.storageAccount) },
  { name: 'key-vault', workspaceResource: true, flag: '--key-vault', wholeHost: false, values: (f) => one(f.keyVault?.toLowerCase()) },
  { name: 'registry', workspaceResource: true, flag: '--container-registry', wholeHost: false, values: (f) => one(f.containerRegistry?.toLowerCase()) },
  { name: 'compute-instance', workspaceResource: true, flag: '--compute-instance', wholeHost: false, values: (f) => f.computeInstances.map((c) => c.toLowerCase()) },
  { name: 'notebook-fqdn', workspaceResource: true, flag: '--notebook-fqdn', wholeHost: true, values: (f) => one(f.notebookFqdn?.toLowerCase()) },
  // Inbound rules target the compute node itself; aml-netcheck usually runs on it.
  { name: 'node', flag: '--inbound-from-here', wholeHost: true, values: (f) => [f.nodeAddress ?? hostname().toLowerCase()] },
];

export const PLACEHOLDERS: ReadonlyMap<string, PlaceholderSpec> = new Map(SPECS.map((s) => [s.name, s]));
