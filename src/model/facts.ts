import type { Cloud } from './clouds.js';

/** Dependent resources of a workspace that can have their own private endpoint. */
export const PRIVATE_RESOURCES = ['storage', 'key-vault', 'container-registry'] as const;
export type PrivateResource = (typeof PRIVATE_RESOURCES)[number];

export function isPrivateResource(value: string): value is PrivateResource {
  return (PRIVATE_RESOURCES as readonly string[]).includes(value);
}

/**
 * The outbound modes of a workspace's managed virtual network, as our flag spells them. Azure's
 * third mode, `disabled`, means the workspace has none (its compute lives in the admin's own VNet).
 */
export const MANAGED_NETWORK_MODES = ['allow-internet-outbound', 'allow-only-approved-outbound', 'disabled'] as const;
export type ManagedNetworkMode = (typeof MANAGED_NETWORK_MODES)[number];

/** A managed network that restricts or routes outbound traffic: any mode but `disabled`. */
export function hasManagedNetwork(mode: ManagedNetworkMode | undefined): mode is Exclude<ManagedNetworkMode, 'disabled'> {
  return mode !== undefined && mode !== 'disabled';
}

/** What we know about the user's workspace; placeholders and conditions are filled from it. */
export interface WorkspaceFacts {
  cloud: Cloud;
  region?: string;
  workspaceId?: string;
  workspaceName?: string;
  storageAccount?: string;
  keyVault?: string;
  containerRegistry?: string;
  computeInstances: string[];
  /** Managed online endpoints, whose scoring names answer through the workspace private endpoint. */
  onlineEndpoints: string[];
  notebookFqdn?: string;
  nodeAddress?: string;
  privateEndpoint: boolean;
  /** Dependent resources reached through their own private endpoint (their names must resolve privately). */
  privateResources: PrivateResource[];
  hbi: boolean;
  customImages: boolean;
  userManagedDependencies: boolean;
  customPackageIndex: boolean;
  publicIpCompute: boolean;
  rstudio: boolean;
  storageFirewall: boolean;
  /** Azure Monitor is reached through a private link, so its public hosts are not needed. */
  privateAzureMonitor: boolean;
  /** The outbound mode of the workspace's managed virtual network; unset when unknown. */
  managedNetwork?: ManagedNetworkMode;
}

export type PartialFacts = Partial<WorkspaceFacts>;
