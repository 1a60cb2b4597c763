import { readFileSync } from 'node:fs';
import { InputError, formatKeyPath } from '../model/errors.js';
import { cloudOfApiHost } from '../model/clouds.js';
import type { FactSource } from './facts.js';
import type { PartialFacts, WorkspaceFacts } from '../model/facts.js';

/**
 * Reads the workspace JSON a user already has: the ARM resource (`az resource show`,
 * the portal's JSON view, a template export) or what `az ml workspace show` prints.
 * Keys we do not use are ignored, since both shapes carry many; keys we use must
 * have the right type.
 */
export function readWorkspaceJson(file: string): { facts: PartialFacts; source: FactSource } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(file, `cannot read workspace JSON: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new InputError(file, `not valid JSON: ${describeJsonError(error as Error, text)}`);
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    throw new InputError(file, 'expected a JSON object describing the workspace');
  }
  const root = document as Record<string, unknown>;
  const paths = new Map<keyof WorkspaceFacts, string>();
  const reader = new JsonReader(file, root);
  const facts: PartialFacts = 'properties' in root ? readArmShape(reader, paths) : readCliShape(reader, paths);
  return { facts, source: (key) => `${file}: ${paths.get(key) ?? key}` };
}

function describeJsonError(error: Error, text: string): string {
  const match = /position (\d+)/.exec(error.message);
  if (!match) return error.message;
  const offset = Number(match[1]);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `${error.message.replace(/ in JSON at position \d+.*$/, '')} at line ${line} column ${column}`;
}

class JsonReader {
  constructor(
    private readonly file: string,
    private readonly root: Record<string, unknown>,
  ) {}

  get(path: Array<string | number>): unknown {
    let node: unknown = this.root;
    for (const key of path) {
      if (node === null || typeof node !== 'object') return undefined;
      node = (node as Record<string | number, unknown>)[key];
    }
    return node;
  }

  fail(path: Array<string | number>, message: string): never {
    throw new InputError(`${this.file}: ${formatKeyPath(path)}`, message);
  }

  string(path: Array<string | number>): string | undefined {
    const value = this.get(path);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') this.fail(path, `must be a string, got ${JSON.stringify(value)}`);
    return value;
  }

  boolean(path: Array<string | number>): boolean | undefined {
    const value = this.get(path);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') this.fail(path, `must be true or false, got ${JSON.stringify(value)}`);
    return value;
  }

  array(path: Array<string | number>): unknown[] | undefined {
    const value = this.get(path);
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) this.fail(path, `must be an array, got ${JSON.stringify(value)}`);
    return value;
  }

  /** The resource name at the end of an ARM id of the given type, or a bare name. */
  resourceName(path: Array<string | number>, type: string): string | undefined {
    const value = this.string(path);
    if (value === undefined) return undefined;
    if (!value.includes('/')) return value;
    const match = new RegExp(`/providers/${type.replace('.', '\\.')}/([^/]+)$`, 'i').exec(value.replace(/\/+$/, ''));
    if (!match) this.fail(path, `'${value}' is not a resource id of type ${type}`);
    return match[1];
  }
}

function set<K extends keyof WorkspaceFacts>(
  facts: PartialFacts,
  paths: Map<keyof WorkspaceFacts, string>,
  key: K,
  value: WorkspaceFacts[K] | undefined,
  path: Array<string | number>,
): void {
  if (value === undefined) return;
  facts[key] = value;
  paths.set(key, formatKeyPath(path));
}

function normaliseRegion(location: string | undefined): string | undefined {
  return location?.toLowerCase().replace(/\s+/g, '');
}

function cloudFromDiscoveryUrl(reader: JsonReader, path: string[]): WorkspaceFacts['cloud'] | undefined {
  const url = reader.string(path);
  if (url === undefined) return undefined;
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    reader.fail(path, `'${url}' is not a URL`);
  }
  return cloudOfApiHost(host);
}

function readArmShape(reader: JsonReader, paths: Map<keyof WorkspaceFacts, string>): PartialFacts {
  const facts: PartialFacts = {};
  const properties = reader.get(['properties']);
  if (properties === null || typeof properties !== 'object' || Array.isArray(properties)) {
    reader.fail(['properties'], 'must be an object');
  }
  set(facts, paths, 'workspaceName', reader.string(['name']), ['name']);
  set(facts, paths, 'region', normaliseRegion(reader.string(['location'])), ['location']);
  set(facts, paths, 'workspaceId', reader.string(['properties', 'workspaceId']), ['properties', 'workspaceId']);
  set(facts, paths, 'storageAccount', reader.resourceName(['properties', 'storageAccount'], 'Microsoft.Storage/storageAccounts'), ['properties', 'storageAccount']);
  set(facts, paths, 'keyVault', reader.resourceName(['properties', 'keyVault'], 'Microsoft.KeyVault/vaults'), ['properties', 'keyVault']);
  set(facts, paths, 'containerRegistry', reader.resourceName(['properties', 'containerRegistry'], 'Microsoft.ContainerRegistry/registries'), ['properties', 'containerRegistry']);
  set(facts, paths, 'hbi', reader.boolean(['properties', 'hbiWorkspace']), ['properties', 'hbiWorkspace']);
  set(facts, paths, 'notebookFqdn', reader.string(['properties', 'notebookInfo', 'fqdn']), ['properties', 'notebookInfo', 'fqdn']);
  const connections = reader.array(['properties', 'privateEndpointConnections']);
  if (connections !== undefined) set(facts, paths, 'privateEndpoint', connections.length > 0, ['properties', 'privateEndpointConnections']);
  set(facts, paths, 'cloud', cloudFromDiscoveryUrl(reader, ['properties', 'discoveryUrl']), ['properties', 'discoveryUrl']);
  return facts;
}

function readCliShape(reader: JsonReader, paths: Map<keyof WorkspaceFacts, string>): PartialFacts {
  const facts: PartialFacts = {};
  set(facts, paths, 'workspaceName', reader.string(['name']), ['name']);
  set(facts, paths, 'region', normaliseRegion(reader.string(['location'])), ['location']);
  set(facts, paths, 'workspaceId', reader.string(['workspace_id']), ['workspace_id']);
  set(facts, paths, 'storageAccount', reader.resourceName(['storage_account'], 'Microsoft.Storage/storageAccounts'), ['storage_account']);
  set(facts, paths, 'keyVault', reader.resourceName(['key_vault'], 'Microsoft.KeyVault/vaults'), ['key_vault']);
  set(facts, paths, 'containerRegistry', reader.resourceName(['container_registry'], 'Microsoft.ContainerRegistry/registries'), ['container_registry']);
  set(facts, paths, 'hbi', reader.boolean(['hbi_workspace']), ['hbi_workspace']);
  set(facts, paths, 'notebookFqdn', reader.string(['notebook_info', 'fqdn']), ['notebook_info', 'fqdn']);
  const connections = reader.array(['private_endpoint_connections']);
  if (connections !== undefined) set(facts, paths, 'privateEndpoint', connections.length > 0, ['private_endpoint_connections']);
  // With public access disabled the workspace is only reachable through a private endpoint.
  const publicAccess = reader.string(['public_network_access']);
  if (publicAccess !== undefined && publicAccess.toLowerCase() === 'disabled' && facts.privateEndpoint === undefined) {
    set(facts, paths, 'privateEndpoint', true, ['public_network_access']);
  }
  set(facts, paths, 'cloud', cloudFromDiscoveryUrl(reader, ['discovery_url']), ['discovery_url']);
  return facts;
}
