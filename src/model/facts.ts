import type { Cloud } from './clouds.js';
import type { PrivateResource } from './private-names.js';

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
  notebookFqdn?: string;
  nodeAddress?: string;
  privateEndpoint: boolean;
  /** Dependent resources with private endpoints of their own (--private-resources). */
  privateResources?: PrivateResource[];
  hbi: boolean;
  customImages: boolean;
  userManagedDependencies: boolean;
  customPackageIndex: boolean;
}

export type PartialFacts = Partial<WorkspaceFacts>;
