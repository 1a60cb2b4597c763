import type { Cloud } from './clouds.js';

/** Dependent resources of a workspace that can have their own private endpoint. */
export const PRIVATE_RESOURCES = ['storage', 'key-vault', 'container-registry'] as const;
export type PrivateResource = (typeof PRIVATE_RESOURCES)[number];

export function isPrivateResource(value: string): value is PrivateResource {
  return (PRIVATE_RESOURCES as readonly string[]).includes(value);
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
}

export type PartialFacts = Partial<WorkspaceFacts>;
