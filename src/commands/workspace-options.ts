import { Command, Option } from 'commander';
import { InputError } from '../errors.js';
import { collect } from './repeatable.js';
import { loadCatalog } from '../catalog/load.js';
import { checkFeatureSelection } from '../catalog/expand.js';
import type { Catalog } from '../catalog/types.js';
import { resolveFacts, type PartialFacts, type WorkspaceFacts } from '../facts/facts.js';
import { readWorkspaceJson } from '../facts/workspace-json.js';

/** The raw option values commander hands us for the workspace-facts flags. */
export interface WorkspaceOptionValues {
  cloud?: string;
  region?: string;
  workspaceId?: string;
  workspaceName?: string;
  storageAccount?: string;
  keyVault?: string;
  containerRegistry?: string;
  computeInstance?: string[];
  notebookFqdn?: string;
  inboundFromHere?: string;
  privateEndpoint?: boolean;
  hbi?: boolean;
  customImages?: boolean;
  userManagedDeps?: boolean;
  customPackageIndex?: boolean;
  features?: string[];
  workspaceJson?: string;
  catalog?: string[];
}

const FLAG_OF: Record<keyof WorkspaceFacts, string> = {
  cloud: '--cloud',
  region: '--region',
  workspaceId: '--workspace-id',
  workspaceName: '--workspace-name',
  storageAccount: '--storage-account',
  keyVault: '--key-vault',
  containerRegistry: '--container-registry',
  computeInstances: '--compute-instance',
  notebookFqdn: '--notebook-fqdn',
  nodeAddress: '--inbound-from-here',
  privateEndpoint: '--private-endpoint',
  hbi: '--hbi',
  customImages: '--custom-images',
  userManagedDependencies: '--user-managed-deps',
  customPackageIndex: '--custom-package-index',
};

function commaList(value: string, previous: string[] | undefined): string[] {
  const items = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return [...(previous ?? []), ...items];
}

/** Adds the flags that describe a workspace; `list` and `check` share them. */
export function addWorkspaceOptions(command: Command): Command {
  return command
    .addOption(new Option('--cloud <cloud>', 'Azure cloud of the workspace').choices(['public', 'usgov', 'china']))
    .option('--region <region>', 'Azure region of the workspace, e.g. westus2')
    .option('--workspace-id <guid>', 'workspace ID (a GUID)')
    .option('--workspace-name <name>', 'workspace name')
    .option('--storage-account <name>', 'default storage account of the workspace')
    .option('--key-vault <name>', 'key vault of the workspace')
    .option('--container-registry <name>', 'container registry of the workspace')
    .option('--compute-instance <name>', 'compute instance to check (repeatable)', collect)
    .option('--notebook-fqdn <host>', 'notebook host of the workspace (properties.notebookInfo.fqdn)')
    .option('--inbound-from-here <address>', 'address of the compute node that inbound rules target')
    .option('--private-endpoint', 'the workspace has a private endpoint')
    .option('--no-private-endpoint', 'the workspace has no private endpoint (overrides --workspace-json)')
    .option('--hbi', 'the workspace was created with hbi_workspace')
    .option('--no-hbi', 'the workspace is not high business impact (overrides --workspace-json)')
    .option('--custom-images', 'jobs use custom Docker images (needs the workspace container registry)')
    .option('--user-managed-deps', "jobs use Microsoft's default images with user-managed dependencies")
    .option('--custom-package-index', 'the default pip index is overridden')
    .option('--features <ids>', 'only these features, comma-separated (see `aml-netcheck features`)', commaList)
    .option('--workspace-json <file>', 'workspace JSON from `az ml workspace show` or the ARM resource; flags override it')
    .option('--catalog <file>', 'extra catalog file in the probes/ format (repeatable)', collect);
}

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
