import { hasManagedNetwork, type ManagedNetworkMode, type PrivateResource } from '../model/facts.js';
import type { LimitationRow, ManagedModeRow, ManagedNetworkData, RequiredPrivateEndpointRow, RequiredServiceTagRow } from '../model/managed-network.js';
import type { Target } from '../model/target.js';

/**
 * How a workspace's managed virtual network meets one target: Azure lets it out by itself
 * (internet mode, or a rule Azure adds), the admin adds an outbound rule, or the managed network
 * cannot express it at all. `rules -o managed-network` prints the admin's part; `check` words
 * each failure with it. The rows come from probes/managed-network/ (see model/managed-network.ts).
 */

/** One rule as `az ml workspace outbound-rule set` takes it. */
export type OutboundRuleSpec =
  | { readonly type: 'fqdn'; readonly destination: string }
  | { readonly type: 'service_tag'; readonly serviceTag: string; readonly protocol: 'TCP' | 'UDP' | '*'; readonly portRanges: string }
  | {
      readonly type: 'private_endpoint';
      readonly resource: 'storage' | 'key-vault' | 'container-registry' | 'workspace';
      /** The resource's name as the host gives it; null when the host is a wildcard. */
      readonly resourceName: string | null;
      readonly subresource: string;
      /** Serverless Spark jobs reach the storage through it (`--spark-enabled`). */
      readonly sparkEnabled: boolean;
    };

export type ManagedNetworkAction =
  /** Internet mode lets the traffic out: no outbound rule is needed for it. */
  | { readonly kind: 'internet'; readonly mode: ManagedModeRow }
  | { readonly kind: 'azure-adds-tag'; readonly row: RequiredServiceTagRow }
  | { readonly kind: 'azure-adds-endpoint'; readonly row: RequiredPrivateEndpointRow; readonly subresource: string }
  | { readonly kind: 'add'; readonly rule: OutboundRuleSpec }
  /** `what`: the traffic the limitation stops, for one target; `host` groups the ports of one host. */
  | { readonly kind: 'cannot'; readonly limitation: LimitationRow; readonly host: string; readonly what: string };

/** What the classification needs to know of the workspace. */
export interface ManagedNetworkContext {
  readonly data: ManagedNetworkData;
  readonly mode: ManagedNetworkMode | undefined;
  readonly privateResources: readonly PrivateResource[];
  /** The workspace itself has a private endpoint (public access disabled, as far as we know). */
  readonly privateEndpoint: boolean;
  /** Whether the catalog has a service tag stand for a host; without it no host counts as covered by a tag's ports. */
  readonly tagCovers?: (tag: string, host: string) => boolean;
}

/** The mode's row, when the workspace has a managed network. */
export function managedModeRow(context: ManagedNetworkContext): ManagedModeRow | null {
  const { mode } = context;
  if (!hasManagedNetwork(mode)) return null;
  return context.data.modes.find((m) => m.id === mode) ?? null;
}

function limitation(data: ManagedNetworkData, id: LimitationRow['id']): LimitationRow {
  // The loader makes sure each one is there.
  return data.limitations.find((l) => l.id === id) as LimitationRow;
}

export function limitationsOf(data: ManagedNetworkData, mode: ManagedModeRow): LimitationRow[] {
  return data.limitations.filter((l) => l.modes === undefined || l.modes.includes(mode.id));
}

const STORAGE_HOST_RE = /^([^.]+)\.(blob|file|queue|table|dfs)\.core\.(?:windows\.net|usgovcloudapi\.net|chinacloudapi\.cn)$/;

/** A host of an Azure Storage account: the account and the sub resource its name says; null for any other host. */
export function storageOf(host: string): { readonly account: string; readonly subresource: string } | null {
  const match = STORAGE_HOST_RE.exec(host.toLowerCase());
  return match === null ? null : { account: match[1] as string, subresource: match[2] as string };
}

/** The ARM resource type of each resource a private endpoint rule reaches. */
export const PRIVATE_ENDPOINT_ARM_TYPE = {
  storage: 'Microsoft.Storage/storageAccounts',
  'key-vault': 'Microsoft.KeyVault/vaults',
  'container-registry': 'Microsoft.ContainerRegistry/registries',
  workspace: 'Microsoft.MachineLearningServices/workspaces',
} as const satisfies Record<RequiredPrivateEndpointRow['resource'], string>;

/** `BatchNodeManagement.region` in the article stands for each regional tag. */
export function tagMatches(row: RequiredServiceTagRow, tag: string): boolean {
  if (row.tag.endsWith('.region')) return tag.toLowerCase().startsWith(row.tag.slice(0, -'region'.length).toLowerCase());
  return row.tag.toLowerCase() === tag.toLowerCase();
}

const RESOURCE_OF: Record<RequiredPrivateEndpointRow['resource'], PrivateResource | 'workspace'> = {
  workspace: 'workspace',
  storage: 'storage',
  'key-vault': 'key-vault',
  'container-registry': 'container-registry',
};

/** The dependent resource a host belongs to, by the catalog placeholder its pattern starts with, and its sub resource. */
function endpointOf(target: Target, data: ManagedNetworkData): { row: RequiredPrivateEndpointRow; subresource: string } | null {
  // Only what this run checks: a source of an opt-in feature not chosen says nothing of this target.
  const patterns = [target.pattern, ...target.sources.filter((s) => s.skipped === null).map((s) => s.pattern)];
  for (const row of data.requiredPrivateEndpoints) {
    const prefix = `<${row.placeholder}>.`;
    const pattern = patterns.find((p) => p.startsWith(prefix));
    if (pattern === undefined) continue;
    const storage = STORAGE_HOST_RE.exec(target.host);
    // A storage host names its sub resource; the others have one each.
    const subresource = row.resource === 'storage' && storage ? (storage[2] as string) : (row.subresources[0] as string);
    return { row, subresource };
  }
  return null;
}

function serviceTagOf(target: Target): string | null {
  return target.rules.find((r) => r.type === 'service-tag')?.destination ?? null;
}

function narrowestFqdn(target: Target): string | null {
  const fqdns = target.rules.filter((r) => r.type === 'fqdn').map((r) => r.destination);
  return fqdns.find((d) => !d.includes('*')) ?? fqdns[0] ?? null;
}

function serviceTagRule(tag: string, target: Target): OutboundRuleSpec {
  const protocol = target.protocol === 'udp' ? 'UDP' : target.protocol === 'any' ? '*' : 'TCP';
  return { type: 'service_tag', serviceTag: tag, protocol, portRanges: String(target.port) };
}

/** How the managed network meets `target`; null when the workspace has no managed network. */
export function classifyManaged(target: Target, context: ManagedNetworkContext): ManagedNetworkAction | null {
  const mode = managedModeRow(context);
  if (mode === null) return null;
  const { data } = context;
  const endpoint = endpointOf(target, data);
  const isPrivate = (row: RequiredPrivateEndpointRow): boolean => {
    const resource = RESOURCE_OF[row.resource];
    return resource === 'workspace' ? context.privateEndpoint : context.privateResources.includes(resource);
  };
  const spark = limitation(data, 'spark-no-fqdn').feature;
  const forSpark = spark !== undefined && target.features.includes(spark);
  const endpointRule = (found: { row: RequiredPrivateEndpointRow; subresource: string }): ManagedNetworkAction => ({
    kind: 'add',
    rule: { type: 'private_endpoint', resource: found.row.resource, resourceName: target.host.split('.')[0] as string, subresource: found.subresource, sparkEnabled: forSpark },
  });
  // Spark reaches storage only through a rule of its own with spark_enabled, not the one Azure adds.
  if (forSpark && endpoint !== null && endpoint.row.resource === 'storage' && target.direction === 'outbound') return endpointRule(endpoint);
  const tag = serviceTagOf(target);
  const requiredTag = tag === null ? undefined : data.requiredServiceTags.find((row) => row.direction === target.direction && tagMatches(row, tag));
  if (target.direction === 'inbound') {
    // Compute in a managed network is Azure's to manage; its inbound rule is one Azure adds.
    const inbound = requiredTag ?? data.requiredServiceTags.find((row) => row.direction === 'inbound');
    return inbound ? { kind: 'azure-adds-tag', row: inbound } : null;
  }
  if (mode.internet) {
    if (endpoint !== null && target.mustResolvePrivately) {
      if (isPrivate(endpoint.row) && endpoint.row.subresources.includes(endpoint.subresource)) return { kind: 'azure-adds-endpoint', ...endpoint };
      return endpointRule(endpoint);
    }
    return { kind: 'internet', mode };
  }
  if (requiredTag) return { kind: 'azure-adds-tag', row: requiredTag };
  if (endpoint !== null) {
    if (endpoint.row.subresources.includes(endpoint.subresource)) return { kind: 'azure-adds-endpoint', ...endpoint };
    return endpointRule(endpoint);
  }
  if (tag !== null) return { kind: 'add', rule: serviceTagRule(tag, target) };
  // Not the workspace's own storage: a private endpoint rule needs an account the admin can name and
  // approve, which Microsoft's accounts (vscode.blob...) and wildcards are not.
  if (STORAGE_HOST_RE.test(target.host)) {
    return { kind: 'cannot', limitation: limitation(data, 'storage-needs-private-endpoint'), host: target.host, what: `HTTPS to the storage account ${target.host}` };
  }
  // A required tag carries its service's HTTPS and the ports the article names for it (AzureMachineLearning: 18881, 5831)
  // to the hosts the catalog says it stands for (*.instances.azureml.ms): an FQDN rule there would only add a firewall's cost.
  const byPort = data.requiredServiceTags.find((row) => row.direction === 'outbound' && (target.port === 443 || (row.ports ?? []).includes(target.port)) && context.tagCovers?.(row.tag, target.host) === true);
  if (byPort) return { kind: 'azure-adds-tag', row: byPort };
  const fqdnPorts = limitation(data, 'fqdn-ports');
  const fqdn = narrowestFqdn(target);
  const web = target.protocol !== 'udp' && (fqdnPorts.ports ?? []).includes(target.port);
  if (fqdn !== null && web) return { kind: 'add', rule: { type: 'fqdn', destination: fqdn } };
  return { kind: 'cannot', limitation: fqdnPorts, host: target.host, what: `${target.protocol === 'udp' ? 'UDP' : 'TCP'} ${target.port} to ${target.host}` };
}

/** One sentence for an action, as `check` prints it under a failure. */
export function describeManaged(action: ManagedNetworkAction): string {
  switch (action.kind) {
    case 'internet':
      return `the managed network (${action.mode.az}) lets this out by itself: no outbound rule is missing; look for the block between the compute and the service`;
    case 'azure-adds-tag':
      return `Azure adds the ${action.row.direction} service tag rule ${action.row.tag} to a managed network by itself: check that the managed network is provisioned (az ml workspace show --query managed_network) and that the rule is listed and active (az ml workspace outbound-rule list)`;
    case 'azure-adds-endpoint':
      return `Azure adds the private endpoint rule to the workspace's ${action.row.resource} (${action.subresource}) by itself: check that the managed network is provisioned and the endpoint approved (az ml workspace outbound-rule list)`;
    case 'add':
      return `managed network: ${describeRuleSpec(action.rule)}`;
    case 'cannot':
      return `cannot be fixed in a managed network (${action.what}): ${action.limitation.requirement} is not possible; instead: ${action.limitation.alternative}`;
  }
}

export function describeRuleSpec(rule: OutboundRuleSpec): string {
  switch (rule.type) {
    case 'fqdn':
      return `add an FQDN outbound rule to ${rule.destination} (ports 80 and 443)`;
    case 'service_tag':
      return `add a service tag outbound rule to ${rule.serviceTag}, ${rule.protocol === '*' ? 'any protocol' : rule.protocol} ${rule.portRanges}`;
    case 'private_endpoint':
      return `needs a private endpoint outbound rule to the ${rule.resource} ${rule.resourceName ?? '(each account used)'}, sub resource ${rule.subresource}${rule.sparkEnabled ? ', Spark enabled' : ''}`;
  }
}

/**
 * How the managed network meets a target, in a few words, for `list` and `explain`, which
 * describe a workspace before anything fails (`describeManaged` words a failure).
 */
export function summarizeManaged(action: ManagedNetworkAction): string {
  switch (action.kind) {
    case 'internet':
      return `${action.mode.az} lets it out: no outbound rule needed`;
    case 'azure-adds-tag':
      return `Azure adds the ${action.row.direction} service tag rule ${action.row.tag}`;
    case 'azure-adds-endpoint':
      return `Azure adds the private endpoint rule to the workspace's ${action.row.resource} (${action.subresource})`;
    case 'add':
      return `the admin adds it: ${describeRuleSpec(action.rule)}`;
    case 'cannot':
      return `cannot be expressed: ${action.limitation.requirement} is not possible; instead: ${action.limitation.alternative}`;
  }
}

/** The anchor of the managed-network article that says what `action` relies on. */
export function managedSourceAnchor(action: ManagedNetworkAction, mode: ManagedModeRow): string {
  switch (action.kind) {
    case 'internet':
      return action.mode.source;
    case 'azure-adds-tag':
    case 'azure-adds-endpoint':
      return action.row.source;
    case 'cannot':
      return action.limitation.source;
    case 'add':
      // The mode's row says which rule types an admin may add in it.
      return mode.source;
  }
}

/** How the managed network meets each of `targets`, by target id; null when the workspace has none. */
export interface ManagedView {
  readonly mode: ManagedModeRow;
  readonly data: ManagedNetworkData;
  readonly actions: ReadonlyMap<string, ManagedNetworkAction>;
}

export function managedView(targets: readonly Target[], context: ManagedNetworkContext | undefined): ManagedView | null {
  const mode = context === undefined ? null : managedModeRow(context);
  if (context === undefined || mode === null) return null;
  const actions = new Map<string, ManagedNetworkAction>();
  for (const target of targets) {
    const action = classifyManaged(target, context);
    if (action !== null) actions.set(target.id, action);
  }
  return { mode, data: context.data, actions };
}
