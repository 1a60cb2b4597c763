import { Command, Option } from 'commander';
import { collect } from './repeatable.js';
import type { WorkspaceFacts } from '../model/facts.js';

// Only the flags live here: cli.ts imports this for every command, --version included,
// so it must not pull in the catalog loader (ajv, yaml). workspace.ts reads the values.

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
  privateResources?: string[];
  hbi?: boolean;
  customImages?: boolean;
  userManagedDeps?: boolean;
  customPackageIndex?: boolean;
  features?: string[];
  workspaceJson?: string;
  catalog?: string[];
}

export const FLAG_OF: Record<keyof WorkspaceFacts, string> = {
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
  privateResources: '--private-resources',
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
    .option('--private-resources <ids>', 'dependent resources with private endpoints of their own: storage, key-vault, container-registry', commaList)
    .option('--hbi', 'the workspace was created with hbi_workspace')
    .option('--no-hbi', 'the workspace is not high business impact (overrides --workspace-json)')
    .option('--custom-images', 'jobs use custom Docker images (needs the workspace container registry)')
    .option('--user-managed-deps', "jobs use Microsoft's default images with user-managed dependencies")
    .option('--custom-package-index', 'the default pip index is overridden')
    .option('--features <ids>', 'only these features, comma-separated (see `aml-netcheck features`)', commaList)
    .option('--workspace-json <file>', 'workspace JSON from `az ml workspace show` or the ARM resource; flags override it')
    .option('--catalog <file>', 'extra catalog file in the probes/ format (repeatable)', collect);
}
