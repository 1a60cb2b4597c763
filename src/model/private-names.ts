import type { Cloud } from './clouds.js';
import type { WorkspaceFacts } from './facts.js';

/**
 * The names a private endpoint answers for. Only these must resolve to a private address,
 * and only when the resource behind them has a private endpoint: a public answer for any
 * other name (another compute instance host, a storage account reached over a service
 * endpoint) is how Azure works, not a fault.
 */
export type PrivateNameKind = 'workspace-api' | 'notebooks' | 'compute-instance' | 'online-endpoint' | 'storage' | 'key-vault' | 'container-registry';

/**
 * The workspace's private-link names per cloud, as Azure's custom DNS article lists them:
 * `<id>.workspace.<region>.api…` and its `cert.` twin, the notebook host,
 * `<compute instance>.<region>.instances…` (and its SSH twin `<compute instance>-22.…`), and
 * `<online endpoint>.<region>.inference…`. The model cannot read the catalog, so
 * test/catalog/custom-dns.test.ts holds these to probes/custom-dns.yaml, which owns them.
 */
interface WorkspaceDomains {
  readonly api: string;
  readonly notebooks: string;
  readonly instances: string;
  readonly inference: string;
}

export const WORKSPACE_PRIVATE_DOMAINS: Readonly<Record<Cloud, WorkspaceDomains>> = {
  public: { api: 'api.azureml.ms', notebooks: 'notebooks.azure.net', instances: 'instances.azureml.ms', inference: 'inference.ml.azure.com' },
  usgov: { api: 'api.ml.azure.us', notebooks: 'notebooks.usgovcloudapi.net', instances: 'instances.azureml.us', inference: 'inference.ml.azure.us' },
  china: { api: 'api.ml.azure.cn', notebooks: 'notebooks.chinacloudapi.cn', instances: 'instances.azureml.cn', inference: 'inference.ml.azure.cn' },
};

export const STORAGE_SUFFIX: Readonly<Record<Cloud, string>> = { public: 'core.windows.net', usgov: 'core.usgovcloudapi.net', china: 'core.chinacloudapi.cn' };
const STORAGE_SERVICES = ['blob', 'file', 'dfs', 'queue', 'table', 'web'];
export const VAULT_SUFFIX: Readonly<Record<Cloud, string>> = { public: 'vault.azure.net', usgov: 'vault.usgovcloudapi.net', china: 'vault.azure.cn' };
export const REGISTRY_SUFFIX: Readonly<Record<Cloud, string>> = { public: 'azurecr.io', usgov: 'azurecr.us', china: 'azurecr.cn' };

const GUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The workspace API host, whose address every other workspace private name should share. */
export function workspaceApiHost(facts: WorkspaceFacts): string | null {
  if (facts.workspaceId === undefined || facts.region === undefined) return null;
  return `${facts.workspaceId}.workspace.${facts.region}.${WORKSPACE_PRIVATE_DOMAINS[facts.cloud].api}`;
}

/** The shapes of a cloud's workspace private-link names, compiled once per cloud. */
interface WorkspaceNamePatterns {
  readonly api: RegExp;
  readonly notebooks: RegExp;
  readonly instances: RegExp;
  readonly inference: RegExp;
  readonly registryData: RegExp;
}

function compilePatterns(cloud: Cloud): WorkspaceNamePatterns {
  const domains = WORKSPACE_PRIVATE_DOMAINS[cloud];
  return {
    api: new RegExp(`^${GUID}\\.workspace\\.${LABEL}\\.(?:cert\\.)?${escape(domains.api)}$`),
    notebooks: new RegExp(`^ml-[a-z0-9-]+-${GUID}\\.${LABEL}\\.${escape(domains.notebooks)}$`),
    instances: new RegExp(`^${LABEL}\\.${LABEL}\\.${escape(domains.instances)}$`),
    inference: new RegExp(`^${LABEL}\\.${LABEL}\\.${escape(domains.inference)}$`),
    registryData: new RegExp(`^${LABEL}\\.data\\.${escape(REGISTRY_SUFFIX[cloud])}$`),
  };
}

const PATTERNS: Readonly<Record<Cloud, WorkspaceNamePatterns>> = {
  public: compilePatterns('public'),
  usgov: compilePatterns('usgov'),
  china: compilePatterns('china'),
};

/**
 * Which private-link name a host is for this workspace's cloud, or null when it is none.
 * Workspace names are recognised by their shape (a user catalog may spell them out);
 * dependent resources only by the names the facts give, since only those are the
 * workspace's own.
 */
export function privateNameKind(host: string, facts: WorkspaceFacts): PrivateNameKind | null {
  const name = host.toLowerCase().replace(/\.$/, '');
  const patterns = PATTERNS[facts.cloud];
  if (patterns.api.test(name)) return 'workspace-api';
  if (facts.notebookFqdn !== undefined && name === facts.notebookFqdn.toLowerCase()) return 'notebooks';
  if (patterns.notebooks.test(name)) return 'notebooks';
  if (patterns.instances.test(name)) return 'compute-instance';
  if (patterns.inference.test(name)) return 'online-endpoint';
  const [first, ...rest] = name.split('.');
  const suffix = rest.join('.');
  if (facts.storageAccount !== undefined && first === facts.storageAccount.toLowerCase()) {
    if (STORAGE_SERVICES.some((service) => suffix === `${service}.${STORAGE_SUFFIX[facts.cloud]}`)) return 'storage';
  }
  if (facts.keyVault !== undefined && first === facts.keyVault.toLowerCase() && suffix === VAULT_SUFFIX[facts.cloud]) return 'key-vault';
  if (facts.containerRegistry !== undefined && first === facts.containerRegistry.toLowerCase()) {
    // The registry's regional data endpoint sits behind the same private endpoint.
    if (suffix === REGISTRY_SUFFIX[facts.cloud] || patterns.registryData.test(suffix)) return 'container-registry';
  }
  return null;
}

/** Whether the facts say the resource behind a private-link name has a private endpoint. */
export function mustResolvePrivately(kind: PrivateNameKind | null, facts: WorkspaceFacts): boolean {
  switch (kind) {
    case null:
      return false;
    case 'workspace-api':
    case 'notebooks':
    case 'compute-instance':
    case 'online-endpoint':
      return facts.privateEndpoint;
    default:
      return facts.privateResources.includes(kind);
  }
}
