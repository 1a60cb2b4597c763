import { InputError, formatKeyPath } from '../model/errors.js';
import { cloudOfApiHost } from '../model/clouds.js';
import type { PartialFacts, PrivateResource } from '../model/facts.js';
import { quote } from '../model/text.js';
import { readJsonInputFile } from '../io/input-file.js';
import { isObject, quoteJson, valueAt, type JsonObject } from '../io/json-input.js';
import { evaluate, type TemplateScope } from './arm-expression.js';
import type { FactLayer } from './facts.js';
import { FACT_ROWS, SHAPE_NAMES, type FactKey, type FactRow, type JsonShape, type JsonSource } from './table.js';

/**
 * Reads the workspace JSON a user already has, in whichever shape their tool printed it:
 * the ARM resource, `az ml workspace show`, the v1 SDK/CLI, an ARM list of resources, or
 * an exported ARM template. Where each shape holds each fact comes from the fact table.
 * A fact key spelled the way another shape spells it is an error, never skipped.
 */

export interface WorkspaceJsonOptions {
  /**
   * What the flags say. --workspace-name picks the workspace in a list or template, and a
   * template expression we cannot evaluate is no error for a fact a flag gives anyway.
   */
  readonly flags?: PartialFacts;
}

type Path = ReadonlyArray<string | number>;

const WORKSPACE_TYPE = 'Microsoft.MachineLearningServices/workspaces';
const PRIVATE_ENDPOINT_TYPE = 'Microsoft.Network/privateEndpoints';
const SINGLE_SHAPES: readonly JsonShape[] = ['arm', 'cli-v2', 'sdk-v1'];

const EXPECTED_SHAPES = 'an ARM resource (name, location, properties), `az ml workspace show` output (storage_account, key_vault, ...), ' + 'v1 SDK/CLI output (storageAccount, workspaceid, ...), an ARM list {"value": [...]} or an exported ARM template (resources[])';

/** Keys only one shape prints, besides the fact keys: enough to tell v1 from v2 with no fact given. */
const EXTRA_MARKERS: Partial<Record<JsonShape, readonly string[]>> = {
  'cli-v2': ['resource_group', 'display_name', 'mlflow_tracking_uri', 'application_insights'],
  'sdk-v1': ['friendlyName', 'applicationInsights', 'allowPublicAccessWhenBehindVnet', 'sdkTelemetryAppInsightsKey', 'creationTime'],
};

/** Resource types a private endpoint may target, and the dependent resource each is. */
const PRIVATE_TARGETS: ReadonlyArray<{ type: string; fact: 'storageAccount' | 'keyVault' | 'containerRegistry'; id: PrivateResource }> = [
  { type: 'Microsoft.Storage/storageAccounts', fact: 'storageAccount', id: 'storage' },
  { type: 'Microsoft.KeyVault/vaults', fact: 'keyVault', id: 'key-vault' },
  { type: 'Microsoft.ContainerRegistry/registries', fact: 'containerRegistry', id: 'container-registry' },
];

export function readWorkspaceJson(file: string, options: WorkspaceJsonOptions = {}): FactLayer {
  const { shown, document } = readJsonInputFile(file, '--workspace-json', WORKSPACE_JSON_MAX_DEPTH, 'a workspace document');
  const reader = new DocumentReader(shown, options.flags ?? {});
  const facts = reader.read(document);
  return { facts, source: (key) => `${shown}: ${reader.paths.get(key as FactKey) ?? key}` };
}

/**
 * Real workspace documents, exported templates included, nest a dozen levels. Far deeper input
 * would overflow the stack of anything that walks it recursively (JSON.stringify included).
 */
const WORKSPACE_JSON_MAX_DEPTH = 100;

/** A private endpoint connection counts unless its state says it is not approved. */
function connectionApproved(connection: unknown): boolean {
  if (!isObject(connection)) return true;
  const properties = connection['properties'] ?? connection;
  if (!isObject(properties)) return true;
  const state = properties['privateLinkServiceConnectionState'] ?? properties['private_link_service_connection_state'];
  const status = isObject(state) ? state['status'] : undefined;
  return typeof status !== 'string' || status.toLowerCase() === 'approved';
}

/** `storageAccount`, `storage_account` and `StorageAccount` are one key spelled three ways. */
function spelling(key: string): string {
  return key.toLowerCase().replace(/_/g, '');
}

function sourcesOf(shape: JsonShape): Array<{ row: FactRow & { key: FactKey }; source: JsonSource }> {
  return FACT_ROWS.flatMap((row) => (row.json?.[shape] ?? []).map((source) => ({ row, source })));
}

/** Objects inside a shape that hold fact keys: the top, `properties`, `notebookInfo`. */
function containersOf(shape: JsonShape): string[][] {
  const seen = new Map<string, string[]>([['', []]]);
  for (const { source } of sourcesOf(shape)) {
    for (let i = 1; i < source.path.length; i++) seen.set(source.path.slice(0, i).join('.'), source.path.slice(0, i));
  }
  return [...seen.values()];
}

function markersOf(shape: JsonShape): string[] {
  const own = sourcesOf(shape)
    .map(({ source }) => source.path[0] as string)
    .filter((k) => k !== 'name' && k !== 'location');
  return [...new Set([...own, ...(EXTRA_MARKERS[shape] ?? [])])];
}

function typeIs(node: JsonObject, type: string): boolean {
  return typeof node['type'] === 'string' && node['type'].toLowerCase() === type.toLowerCase();
}

class DocumentReader {
  readonly paths = new Map<FactKey, string>();
  private scope: TemplateScope | null = null;

  constructor(
    private readonly where: string,
    private readonly flags: PartialFacts,
  ) {}

  fail(path: Path, message: string): never {
    throw new InputError(path.length === 0 ? this.where : `${this.where}: ${formatKeyPath(path)}`, message);
  }

  read(document: unknown): PartialFacts {
    if (Array.isArray(document)) return this.readCollection(document, []);
    if (!isObject(document)) this.fail([], `matches no workspace JSON shape; expected ${EXPECTED_SHAPES}`);
    if (Array.isArray(document['resources']) && ('$schema' in document || 'contentVersion' in document)) return this.readTemplate(document);
    if (Array.isArray(document['value']) && !('properties' in document)) return this.readCollection(document['value'], ['value']);
    const facts = this.readWorkspace(document, [], this.shapeOf(document, []));
    // `{"properties": {}}` has the outline of a resource but says nothing about any workspace.
    if (Object.keys(facts).length === 0) this.fail([], `holds no workspace fact (no name, location, workspace id or resource of the workspace); expected ${EXPECTED_SHAPES}`);
    return facts;
  }

  private shapeOf(node: JsonObject, path: Path): JsonShape {
    if ('properties' in node) {
      if (!isObject(node['properties'])) this.fail([...path, 'properties'], 'must be an object');
      return 'arm';
    }
    const found = (['cli-v2', 'sdk-v1'] as const).map((shape) => ({ shape, keys: markersOf(shape).filter((k) => k in node) })).filter((m) => m.keys.length > 0);
    const [first, second] = found;
    if (first && second) {
      this.fail(path, `mixes keys of ${SHAPE_NAMES[first.shape]} (${first.keys.join(', ')}) and of ${SHAPE_NAMES[second.shape]} (${second.keys.join(', ')}); use the output of one tool as it printed it`);
    }
    if (!first) this.fail(path, `matches no workspace JSON shape; expected ${EXPECTED_SHAPES}`);
    return first.shape;
  }

  private readTemplate(template: JsonObject): PartialFacts {
    const parameters = template['parameters'] ?? {};
    const variables = template['variables'] ?? {};
    if (!isObject(parameters)) this.fail(['parameters'], 'must be an object');
    if (!isObject(variables)) this.fail(['variables'], 'must be an object');
    this.scope = { parameters, variables };
    return this.readCollection(template['resources'] as unknown[], ['resources']);
  }

  /** A list or a template: pick the workspace, and see which private endpoints point at its resources. */
  private readCollection(items: unknown[], base: Path): PartialFacts {
    const workspaces: Array<{ node: JsonObject; path: Path; name: string }> = [];
    const endpoints: Array<{ node: JsonObject; path: Path }> = [];
    items.forEach((item, index) => {
      const path = [...base, index];
      if (!isObject(item)) this.fail(path, `expected an object describing a resource, got ${quoteJson(item)}`);
      if (typeIs(item, PRIVATE_ENDPOINT_TYPE)) endpoints.push({ node: item, path });
      else if (item['type'] === undefined || typeIs(item, WORKSPACE_TYPE)) {
        const name = this.value(item, ['name']);
        workspaces.push({ node: item, path, name: name.ok && typeof name.value === 'string' ? name.value : String(item['name']) });
      }
    });
    const chosen = this.pick(workspaces, base);
    const facts = this.readWorkspace(chosen.node, chosen.path, this.shapeOf(chosen.node, chosen.path));
    this.linkPrivateEndpoints(endpoints, facts);
    return facts;
  }

  private pick<T extends { name: string }>(workspaces: T[], base: Path): T {
    const names = workspaces.map((w) => w.name).join(', ');
    const wanted = this.flags.workspaceName;
    if (wanted !== undefined) {
      const matches = workspaces.filter((w) => w.name.toLowerCase() === wanted.toLowerCase());
      const [match, twin] = matches;
      if (!match) this.fail(base, `holds no workspace named ${quote(wanted)} (${workspaces.length === 0 ? 'it holds none' : `candidates: ${names}`})`);
      // Lists across resource groups or subscriptions can hold one name twice: never guess which.
      if (twin) this.fail(base, `holds ${matches.length} workspaces named ${quote(wanted)}; keep only the one you mean (for example az ml workspace show -g GROUP -n ${wanted})`);
      return match;
    }
    const [only, other] = workspaces;
    if (!only) this.fail(base, `holds no ${WORKSPACE_TYPE} resource`);
    if (other) this.fail(base, `holds ${workspaces.length} workspaces (${names}); pick one with --workspace-name`);
    return only;
  }

  /** A value as the document means it: a template expression evaluated, or why it cannot be. */
  private value(node: JsonObject, path: readonly string[]): { ok: true; value: unknown } | { ok: false; why: string; raw: unknown } {
    const value = valueAt(node, path);
    if (this.scope === null) return { ok: true, value };
    const evaluated = evaluate(value, this.scope);
    return evaluated.ok ? evaluated : { ...evaluated, raw: value };
  }

  private readWorkspace(node: JsonObject, base: Path, shape: JsonShape): PartialFacts {
    if (typeof node['type'] === 'string' && !typeIs(node, WORKSPACE_TYPE)) {
      this.fail([...base, 'type'], `is ${quote(node['type'])}, not a ${WORKSPACE_TYPE} resource`);
    }
    this.checkForeignKeys(node, base, shape);
    const facts: Record<string, unknown> = {};
    for (const row of FACT_ROWS) {
      for (const source of row.json?.[shape] ?? []) {
        const path = [...base, ...source.path];
        const evaluated = this.value(node, source.path);
        if (!evaluated.ok) {
          // A flag gives this fact anyway; the file's value would be overridden.
          if (this.flags[row.key] !== undefined) break;
          this.fail(path, `cannot evaluate the ARM expression ${quote(evaluated.raw)}: ${evaluated.why}; give ${row.flag} instead`);
        }
        const value = this.convert(evaluated.value, source, path);
        if (value === undefined) continue;
        facts[row.key] = value;
        this.paths.set(row.key, formatKeyPath(path));
        break;
      }
    }
    return facts as PartialFacts;
  }

  private convert(value: unknown, source: JsonSource, path: Path): unknown {
    if (value === undefined || value === null || value === '') return undefined;
    const text = (): string => {
      if (typeof value !== 'string') this.fail(path, `must be a string, got ${quoteJson(value)}`);
      return value;
    };
    switch (source.read) {
      case 'string':
        return text();
      case 'resource-id':
        return this.resourceName(text(), source.type, path);
      case 'boolean':
        if (typeof value !== 'boolean') this.fail(path, `must be true or false, got ${quoteJson(value)}`);
        return value;
      case 'has-items':
        if (!Array.isArray(value)) this.fail(path, `must be a list, got ${quoteJson(value)}`);
        // A connection still pending, rejected or disconnected carries no traffic.
        return value.some((connection) => connectionApproved(connection));
      case 'access-disabled': {
        const access = text().toLowerCase();
        if (access !== 'enabled' && access !== 'disabled') this.fail(path, `must be Enabled or Disabled, got ${quoteJson(value)}`);
        return access === 'disabled' ? true : undefined;
      }
      case 'api-url-cloud': {
        const url = text();
        let host: string;
        try {
          host = new URL(url).hostname;
        } catch {
          return this.fail(path, `${quote(url)} is not a URL`);
        }
        return cloudOfApiHost(host);
      }
    }
  }

  /** The resource name at the end of an ARM id of the given type, or a bare name. */
  private resourceName(value: string, type: string, path: Path): string {
    if (!value.includes('/')) return value;
    const match = new RegExp(`/providers/${type.replace('.', '\\.')}/([^/]+)$`, 'i').exec(value.replace(/\/+$/, ''));
    if (!match) this.fail(path, `${quote(value)} is not a resource id of type ${type}`);
    return match[1] as string;
  }

  /**
   * Every key that spells a fact must be where this shape keeps it: `storage_account` at the
   * top of an ARM resource, or `storageAccount` in `az ml` output, would otherwise be dropped.
   */
  private checkForeignKeys(node: JsonObject, base: Path, shape: JsonShape): void {
    const own = sourcesOf(shape).map(({ source }) => source.path);
    const containers = containersOf(shape);
    const isOwn = (path: readonly string[]): boolean => own.some((p) => p.join('.') === path.join('.')) || containers.some((c) => c.join('.') === path.join('.'));
    const factSpellings = new Map<string, { shape: JsonShape; key: string }>();
    for (const other of SINGLE_SHAPES) {
      for (const { source } of sourcesOf(other)) {
        for (const key of source.path) if (key !== 'name' && key !== 'location' && key !== 'properties') factSpellings.set(spelling(key), { shape: other, key });
      }
    }
    for (const container of containers) {
      const holder = valueAt(node, container);
      if (!isObject(holder)) continue;
      for (const key of Object.keys(holder)) {
        const path = [...container, key];
        if (isOwn(path)) continue;
        const known = factSpellings.get(spelling(key));
        if (!known) continue;
        const ownPath = [...own, ...containers].find((p) => p.length > 0 && spelling(p[p.length - 1] as string) === spelling(key));
        const spelledBy = SINGLE_SHAPES.find((s) => sourcesOf(s).some(({ source }) => source.path.includes(key)));
        const holds = ownPath ? `${SHAPE_NAMES[shape]} holds it at ${formatKeyPath(ownPath)}` : `${SHAPE_NAMES[shape]} has no such key`;
        this.fail([...base, ...path], spelledBy ? `is how ${SHAPE_NAMES[spelledBy]} spells it; ${holds}` : `is spelled like no workspace JSON shape; ${holds}`);
      }
    }
  }

  private linkPrivateEndpoints(endpoints: ReadonlyArray<{ node: JsonObject; path: Path }>, facts: PartialFacts): void {
    const found = new Set<PrivateResource>();
    let firstPath: string | undefined;
    const nameOf = (key: 'storageAccount' | 'keyVault' | 'containerRegistry' | 'workspaceName'): string | undefined => (this.flags[key] ?? facts[key])?.toLowerCase();
    for (const endpoint of endpoints) {
      for (const list of ['privateLinkServiceConnections', 'manualPrivateLinkServiceConnections']) {
        const evaluated = this.value(endpoint.node, ['properties', list]);
        const connections = evaluated.ok && Array.isArray(evaluated.value) ? evaluated.value : [];
        connections.forEach((connection, index) => {
          const path = [...endpoint.path, 'properties', list, index, 'properties', 'privateLinkServiceId'];
          const target = isObject(connection) ? this.value(connection, ['properties', 'privateLinkServiceId']) : { ok: true as const, value: undefined };
          if (!target.ok) {
            if (this.flags.privateResources !== undefined) return;
            this.fail(path, `cannot evaluate the ARM expression ${quote(target.raw)}: ${target.why}; give --private-resources instead`);
          }
          if (typeof target.value !== 'string') return;
          const match = /\/providers\/([^/]+\/[^/]+)\/([^/]+)/i.exec(target.value);
          if (!match) return;
          const [, type, name] = match as unknown as [string, string, string];
          const hit = PRIVATE_TARGETS.find((t) => t.type.toLowerCase() === type.toLowerCase() && nameOf(t.fact) === name.toLowerCase());
          if (hit) {
            found.add(hit.id);
            firstPath ??= formatKeyPath(path);
          } else if (type.toLowerCase() === WORKSPACE_TYPE.toLowerCase() && nameOf('workspaceName') === name.toLowerCase() && facts.privateEndpoint === undefined) {
            facts.privateEndpoint = true;
            this.paths.set('privateEndpoint', formatKeyPath(path));
          }
        });
      }
    }
    if (found.size > 0) {
      facts.privateResources = PRIVATE_TARGETS.map((t) => t.id).filter((id) => found.has(id));
      this.paths.set('privateResources', firstPath as string);
    }
  }
}
