import { InputError } from '../model/errors.js';
import { loadCatalog } from '../catalog/load.js';
import { checkFeatureSelection } from '../catalog/expand.js';
import type { Catalog } from '../catalog/types.js';
import { resolveFacts } from '../facts/facts.js';
import { readWorkspaceJson } from '../facts/workspace-json.js';
import { FLAG_OF, type WorkspaceOptionValues } from './workspace-options.js';
import type { PartialFacts, WorkspaceFacts } from '../model/facts.js';

export interface Workspace {
  readonly catalog: Catalog;
  readonly facts: WorkspaceFacts;
  readonly features: string[] | undefined;
}

/** Loads the catalog and the facts, checking every value before any work starts. */
export function resolveWorkspace(values: WorkspaceOptionValues): Workspace {
  const catalog = loadCatalog({ extraFiles: values.catalog ?? [] });
  const layers: Array<{ facts: PartialFacts; source: (key: keyof WorkspaceFacts) => string }> = [];
  if (values.workspaceJson !== undefined) layers.push(readWorkspaceJson(values.workspaceJson));
  const fromFlags: PartialFacts = {
    cloud: values.cloud as WorkspaceFacts['cloud'] | undefined,
    region: values.region,
    workspaceId: values.workspaceId,
    workspaceName: values.workspaceName,
    storageAccount: values.storageAccount,
    keyVault: values.keyVault,
    containerRegistry: values.containerRegistry,
    computeInstances: values.computeInstance,
    notebookFqdn: values.notebookFqdn,
    nodeAddress: values.inboundFromHere,
    privateEndpoint: values.privateEndpoint,
    privateResources: values.privateResources as WorkspaceFacts['privateResources'],
    hbi: values.hbi,
    customImages: values.customImages,
    userManagedDependencies: values.userManagedDeps,
    customPackageIndex: values.customPackageIndex,
  };
  layers.push({ facts: fromFlags, source: (key) => FLAG_OF[key] });
  const facts = resolveFacts(layers);
  if (values.features !== undefined) {
    if (values.features.length === 0) throw new InputError('--features', 'needs at least one feature id');
    checkFeatureSelection(catalog, values.features);
  }
  return { catalog, facts, features: values.features };
}
