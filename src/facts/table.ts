import { CLOUDS, isCloud, normaliseRegion } from '../model/clouds.js';
import { InputError } from '../model/errors.js';
import { MANAGED_NETWORK_MODES, PRIVATE_RESOURCES, isPrivateResource, type WorkspaceFacts } from '../model/facts.js';
import { isValidHostOrAddress } from '../model/hosts.js';
import { isHostName } from '../model/identifiers.js';
import { quote } from '../model/text.js';

// The one place a workspace fact is declared. Flags, placeholders, catalog conditions and
// the workspace-JSON readers are all derived from these rows, so a new fact is one row
// (and its field in WorkspaceFacts). cli.ts loads this for every command, --version
// included: it must stay free of heavy imports (ajv, yaml, the catalog).

/** string: one value; list: a repeatable flag; comma-list: `a,b`; boolean: `--x` and `--no-x`. */
export type FactKind = 'string' | 'list' | 'comma-list' | 'boolean';

/** The workspace JSON shapes a single workspace comes in; lists and templates hold ARM resources. */
export type JsonShape = 'arm' | 'cli-v2' | 'sdk-v1';

export const SHAPE_NAMES: Record<JsonShape, string> = {
  arm: 'an ARM resource',
  'cli-v2': '`az ml workspace show` (v2)',
  'sdk-v1': 'the v1 SDK/CLI',
};

/** How a JSON value becomes the fact. */
export type JsonRead =
  | { readonly read: 'string' }
  /** An ARM resource id of this type, or a bare name. */
  | { readonly read: 'resource-id'; readonly type: string }
  | { readonly read: 'boolean' }
  /** A non-empty list means true (private endpoint connections). */
  | { readonly read: 'has-items' }
  /** `Disabled` (any casing) means true; `Enabled` says nothing. */
  | { readonly read: 'access-disabled' }
  /** The cloud, from the API domain of the discovery URL. */
  | { readonly read: 'api-url-cloud' };

export type JsonSource = JsonRead & { readonly path: readonly string[] };

export interface PlaceholderRow {
  /** `<name>` in host patterns. */
  readonly name: string;
  /** Stands for a whole host name rather than part of a label. */
  readonly wholeHost: boolean;
  /** Completes "needs <name>" when the fact is missing, saying why it matters. */
  readonly missing?: string;
}

export interface ConditionRow {
  readonly id: string;
  /** Completes "needed only when ...". */
  readonly when: string;
  /**
   * The condition holds while the fact is false (default: while it is true): for a
   * requirement that a setting takes away, so it is checked unless the user says otherwise.
   */
  readonly whileFalse?: boolean;
}

export interface FactRow {
  readonly flag: `--${string}`;
  /** The value's name in --help: `<name>`. Booleans have none. */
  readonly argument?: string;
  readonly help: string;
  /** Help for `--no-<flag>`, booleans only. */
  readonly negatedHelp?: string;
  readonly kind: FactKind;
  readonly choices?: readonly string[];
  /** `check` also takes other tools' spellings of the choices (az ml's snake case), so the flag lists the choices in --help but refuses nothing itself. */
  readonly acceptsOtherSpellings?: true;
  /** A valid value, for examples and for the tests that feed every row. */
  readonly example?: string;
  /** Checks one value against Azure's rules (naming `where` when it breaks them) and normalises it. */
  readonly check?: (value: string, where: string) => string;
  readonly placeholder?: PlaceholderRow;
  /** Catalog conditions on this (boolean) fact: one that holds while it is true, and perhaps one while it is false. */
  readonly condition?: ConditionRow | readonly ConditionRow[];
  /** Where each workspace-JSON shape holds the fact; the first source with a value wins. */
  readonly json?: Partial<Record<JsonShape, readonly JsonSource[]>>;
}

const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Azure's own naming rules: a value outside them cannot be the real resource. */
function nameRule(re: RegExp, expected: string, normalise: (value: string) => string = (v) => v): (value: string, where: string) => string {
  return (value, where) => {
    const normalised = normalise(value);
    if (!re.test(normalised)) throw new InputError(where, `${quote(value)} is not ${expected}`);
    return normalised;
  };
}

/**
 * A managed network's mode in any of the spellings Azure's tools print: our flag's
 * `allow-only-approved-outbound`, az ml's `allow_only_approved_outbound`, ARM's
 * `AllowOnlyApprovedOutbound`. One key for all: lower case without separators.
 */
export function managedNetworkMode(value: string, where: string): string {
  const key = value.toLowerCase().replace(/[-_\s]/g, '');
  const mode = MANAGED_NETWORK_MODES.find((m) => m.replace(/-/g, '') === key);
  if (mode === undefined) throw new InputError(where, `unknown managed network mode ${quote(value)} (expected ${MANAGED_NETWORK_MODES.join(', ')}, or az ml's allow_internet_outbound, ...)`);
  return mode;
}

const RESOURCE_ID = (type: string, path: readonly string[]): JsonSource => ({ read: 'resource-id', type, path });

export const FACT_TABLE = {
  cloud: {
    flag: '--cloud',
    argument: '<cloud>',
    help: "Azure cloud of the workspace (default: the region's cloud, else public)",
    kind: 'string',
    choices: CLOUDS,
    example: 'usgov',
    check: (value: string, where: string) => {
      if (!isCloud(value)) throw new InputError(where, `unknown cloud ${quote(value)} (expected ${CLOUDS.join(', ')})`);
      return value;
    },
    json: {
      arm: [{ read: 'api-url-cloud', path: ['properties', 'discoveryUrl'] }],
      'cli-v2': [{ read: 'api-url-cloud', path: ['discovery_url'] }],
      'sdk-v1': [{ read: 'api-url-cloud', path: ['discoveryUrl'] }],
    },
  },
  region: {
    flag: '--region',
    argument: '<region>',
    help: 'Azure region of the workspace, e.g. westus2 (`West US 2` works too)',
    kind: 'string',
    example: 'westus2',
    check: nameRule(/^[a-z][a-z0-9]{2,29}$/, 'an Azure region name such as westus2', normaliseRegion),
    placeholder: { name: 'region', wholeHost: false },
    json: {
      arm: [{ read: 'string', path: ['location'] }],
      'cli-v2': [{ read: 'string', path: ['location'] }],
      'sdk-v1': [{ read: 'string', path: ['location'] }],
    },
  },
  workspaceId: {
    flag: '--workspace-id',
    argument: '<guid>',
    help: 'workspace ID (a GUID)',
    kind: 'string',
    example: '0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11',
    check: nameRule(GUID_RE, 'a GUID such as 0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11', (v) => v.toLowerCase()),
    placeholder: { name: 'workspace-id', wholeHost: false },
    json: {
      arm: [{ read: 'string', path: ['properties', 'workspaceId'] }],
      'cli-v2': [{ read: 'string', path: ['workspace_id'] }],
      'sdk-v1': [{ read: 'string', path: ['workspaceid'] }],
    },
  },
  workspaceName: {
    flag: '--workspace-name',
    argument: '<name>',
    help: 'workspace name (also picks the workspace in a --workspace-json list or template)',
    kind: 'string',
    example: 'ws1',
    check: nameRule(/^[A-Za-z0-9][A-Za-z0-9_-]{2,32}$/, 'a workspace name of 3-33 letters, digits, hyphens or underscores'),
    placeholder: { name: 'workspace-name', wholeHost: false },
    json: {
      arm: [{ read: 'string', path: ['name'] }],
      'cli-v2': [{ read: 'string', path: ['name'] }],
      'sdk-v1': [{ read: 'string', path: ['name'] }],
    },
  },
  storageAccount: {
    flag: '--storage-account',
    argument: '<name>',
    help: 'default storage account of the workspace',
    kind: 'string',
    example: 'st1',
    check: nameRule(/^[a-z0-9]{3,24}$/, 'a storage account name of 3-24 lower-case letters and digits'),
    placeholder: { name: 'storage', wholeHost: false },
    json: {
      arm: [RESOURCE_ID('Microsoft.Storage/storageAccounts', ['properties', 'storageAccount'])],
      'cli-v2': [RESOURCE_ID('Microsoft.Storage/storageAccounts', ['storage_account'])],
      'sdk-v1': [RESOURCE_ID('Microsoft.Storage/storageAccounts', ['storageAccount'])],
    },
  },
  keyVault: {
    flag: '--key-vault',
    argument: '<name>',
    help: 'key vault of the workspace',
    kind: 'string',
    example: 'kv1',
    check: nameRule(/^[a-z](?:[a-z0-9]|-(?!-)){1,22}[a-z0-9]$/, 'a key vault name of 3-24 letters, digits and single hyphens', (v) => v.toLowerCase()),
    placeholder: { name: 'key-vault', wholeHost: false },
    json: {
      arm: [RESOURCE_ID('Microsoft.KeyVault/vaults', ['properties', 'keyVault'])],
      'cli-v2': [RESOURCE_ID('Microsoft.KeyVault/vaults', ['key_vault'])],
      'sdk-v1': [RESOURCE_ID('Microsoft.KeyVault/vaults', ['keyVault'])],
    },
  },
  containerRegistry: {
    flag: '--container-registry',
    argument: '<name>',
    help: 'container registry of the workspace',
    kind: 'string',
    example: 'acr1',
    // Azure asks for at least 5 characters today, but older registries can be shorter.
    check: nameRule(/^[a-z0-9]{1,50}$/, 'a registry name of up to 50 letters and digits', (v) => v.toLowerCase()),
    placeholder: { name: 'registry', wholeHost: false },
    json: {
      arm: [RESOURCE_ID('Microsoft.ContainerRegistry/registries', ['properties', 'containerRegistry'])],
      'cli-v2': [RESOURCE_ID('Microsoft.ContainerRegistry/registries', ['container_registry'])],
      'sdk-v1': [RESOURCE_ID('Microsoft.ContainerRegistry/registries', ['containerRegistry'])],
    },
  },
  computeInstances: {
    flag: '--compute-instance',
    argument: '<name>',
    help: 'compute instance to check (repeatable)',
    kind: 'list',
    example: 'ci1',
    check: nameRule(/^[a-z][a-z0-9-]{1,22}[a-z0-9]$/, 'a compute instance name of 3-24 letters, digits and hyphens', (v) => v.toLowerCase()),
    placeholder: { name: 'compute-instance', wholeHost: false },
  },
  // Flags only: the workspace JSON that `az ml workspace show` prints does not list endpoints.
  onlineEndpoints: {
    flag: '--online-endpoint',
    argument: '<name>',
    help: 'managed online endpoint to check through the workspace private endpoint (repeatable)',
    kind: 'list',
    example: 'ep1',
    check: nameRule(/^[a-z][a-z0-9-]{1,30}[a-z0-9]$/, 'an online endpoint name of 3-32 letters, digits and hyphens, starting with a letter', (v) => v.toLowerCase()),
    placeholder: { name: 'online-endpoint', wholeHost: false },
  },
  notebookFqdn: {
    flag: '--notebook-fqdn',
    argument: '<host>',
    help: 'notebook host of the workspace (properties.notebookInfo.fqdn)',
    kind: 'string',
    example: 'ml-ws1-westus2-0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11.westus2.notebooks.azure.net',
    check: (value: string, where: string) => {
      const host = value.toLowerCase();
      if (!isHostName(host)) throw new InputError(where, `${quote(value)} is not a valid host name`);
      return host;
    },
    placeholder: { name: 'notebook-fqdn', wholeHost: true },
    json: {
      arm: [{ read: 'string', path: ['properties', 'notebookInfo', 'fqdn'] }],
      'cli-v2': [{ read: 'string', path: ['notebook_info', 'fqdn'] }],
      'sdk-v1': [{ read: 'string', path: ['notebookInfo', 'fqdn'] }],
    },
  },
  nodeAddress: {
    flag: '--inbound-from-here',
    argument: '<address>',
    help: "check this compute node's inbound management ports (those the selected revision lists), from outside it",
    kind: 'string',
    example: '10.0.0.4',
    check: (value: string, where: string) => {
      if (!isValidHostOrAddress(value.toLowerCase())) throw new InputError(where, `${quote(value)} is not an IP address or host name`);
      return value.toLowerCase();
    },
    placeholder: { name: 'node', wholeHost: true, missing: 'the compute node; inbound ports are checked from outside it' },
  },
  privateEndpoint: {
    flag: '--private-endpoint',
    help: 'the workspace has a private endpoint',
    negatedHelp: 'the workspace has no private endpoint (overrides --workspace-json)',
    kind: 'boolean',
    condition: { id: 'private-endpoint', when: 'the workspace has a private endpoint' },
    json: {
      // With public access disabled the workspace is only reachable through a private endpoint.
      arm: [
        { read: 'access-disabled', path: ['properties', 'publicNetworkAccess'] },
        { read: 'has-items', path: ['properties', 'privateEndpointConnections'] },
      ],
      'cli-v2': [
        { read: 'access-disabled', path: ['public_network_access'] },
        { read: 'has-items', path: ['private_endpoint_connections'] },
      ],
      'sdk-v1': [
        { read: 'access-disabled', path: ['publicNetworkAccess'] },
        { read: 'has-items', path: ['privateEndpointConnections'] },
      ],
    },
  },
  privateResources: {
    flag: '--private-resources',
    argument: '<ids>',
    help: `dependent resources with their own private endpoint, comma-separated: ${PRIVATE_RESOURCES.join(', ')}`,
    kind: 'comma-list',
    example: 'storage',
    check: (value: string, where: string) => {
      const id = value.toLowerCase();
      if (!isPrivateResource(id)) throw new InputError(where, `unknown private resource ${quote(value)} (known: ${PRIVATE_RESOURCES.join(', ')})`);
      return id;
    },
  },
  hbi: {
    flag: '--hbi',
    help: 'the workspace was created with hbi_workspace',
    negatedHelp: 'the workspace is not high business impact (overrides --workspace-json)',
    kind: 'boolean',
    condition: { id: 'hbi-workspace', when: 'the workspace was created with hbi_workspace (high business impact)' },
    json: {
      arm: [{ read: 'boolean', path: ['properties', 'hbiWorkspace'] }],
      'cli-v2': [{ read: 'boolean', path: ['hbi_workspace'] }],
      'sdk-v1': [{ read: 'boolean', path: ['hbiWorkspace'] }],
    },
  },
  customImages: {
    flag: '--custom-images',
    help: 'jobs use custom Docker images (needs the workspace container registry)',
    negatedHelp: 'jobs use no custom Docker images',
    kind: 'boolean',
    condition: { id: 'custom-images', when: 'you use custom Docker images, even small changes to Microsoft base images' },
  },
  userManagedDependencies: {
    flag: '--user-managed-deps',
    help: "jobs use Microsoft's default images with user-managed dependencies",
    negatedHelp: 'jobs use no user-managed dependencies',
    kind: 'boolean',
    condition: { id: 'user-managed-dependencies', when: "you use Microsoft's default Docker images with user-managed dependencies" },
  },
  customPackageIndex: {
    flag: '--custom-package-index',
    help: 'the default pip index is overridden',
    negatedHelp: 'the default pip index is used',
    kind: 'boolean',
    condition: { id: 'custom-package-index', when: 'the default pip index is overridden' },
  },
  publicIpCompute: {
    flag: '--public-ip-compute',
    help: 'compute instances or clusters have a public IP address',
    negatedHelp: 'every compute instance and cluster is without a public IP address',
    kind: 'boolean',
    condition: [
      { id: 'public-ip-compute', when: 'a compute instance or cluster has a public IP address' },
      // The training-network article's rows for compute (serverless included) without one.
      { id: 'no-public-ip-compute', when: 'compute instances, clusters or serverless compute have no public IP address', whileFalse: true },
    ],
  },
  rstudio: {
    flag: '--rstudio',
    help: 'RStudio is installed on a compute instance',
    negatedHelp: 'RStudio is not installed on any compute instance',
    kind: 'boolean',
    condition: { id: 'rstudio', when: 'RStudio is installed on a compute instance' },
  },
  storageFirewall: {
    flag: '--storage-firewall',
    help: 'a firewall sits between Azure Machine Learning and the storage endpoints',
    negatedHelp: 'no firewall sits between Azure Machine Learning and the storage endpoints',
    kind: 'boolean',
    condition: { id: 'storage-firewall', when: 'a firewall sits between Azure Machine Learning and the storage endpoints' },
  },
  privateAzureMonitor: {
    flag: '--private-azure-monitor',
    help: 'Azure Monitor is secured with a private link for the workspace (its public hosts are then not needed)',
    negatedHelp: 'Azure Monitor is reached over its public endpoints',
    kind: 'boolean',
    condition: { id: 'azure-monitor-public', when: 'Azure Monitor is not secured with a private link for the workspace', whileFalse: true },
  },
  managedNetwork: {
    flag: '--managed-network',
    argument: '<mode>',
    help: "outbound mode of the workspace's managed virtual network (disabled: none; az ml spells them allow_internet_outbound, ...)",
    kind: 'string',
    choices: MANAGED_NETWORK_MODES,
    acceptsOtherSpellings: true,
    example: 'allow-only-approved-outbound',
    check: managedNetworkMode,
    json: {
      // azure-ai-ml prints snake case (IsolationMode through camel_to_snake), ARM PascalCase.
      arm: [{ read: 'string', path: ['properties', 'managedNetwork', 'isolationMode'] }],
      'cli-v2': [{ read: 'string', path: ['managed_network', 'isolation_mode'] }],
    },
  },
} as const satisfies { readonly [K in keyof WorkspaceFacts]: FactRow };

export type FactKey = keyof typeof FACT_TABLE;

/** The rows in declaration order, each with its fact key. */
export const FACT_ROWS: ReadonlyArray<FactRow & { readonly key: FactKey }> = (Object.keys(FACT_TABLE) as FactKey[]).map((key) => ({ key, ...(FACT_TABLE[key] as FactRow) }));

type KebabToCamel<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<KebabToCamel<Tail>>}` : S;
type OptionValue<Kind> = Kind extends 'boolean' ? boolean : Kind extends 'string' ? string : string[];

/** The values commander hands us for the fact flags, keyed as commander names them. */
export type FactOptionValues = {
  [K in FactKey as (typeof FACT_TABLE)[K]['flag'] extends `--${infer Name}` ? KebabToCamel<Name> : never]?: OptionValue<(typeof FACT_TABLE)[K]['kind']>;
};

/** The property commander stores a flag's value under: --user-managed-deps → userManagedDeps. */
export function optionProperty(flag: string): string {
  return flag.replace(/^--/, '').replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/** The flag for a fact; what errors and skip reasons name. */
export function flagOf(key: FactKey): string {
  return FACT_TABLE[key].flag;
}
