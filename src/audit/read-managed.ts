import { isObject, quoteJson, type JsonObject } from '../io/json-input.js';
import { managedNetworkMode } from '../facts/table.js';
import { formatKeyPath } from '../model/errors.js';
import type { ManagedNetworkMode } from '../model/facts.js';
import { empty, portProblemFrom, type Path, type ReaderTools } from './read-tools.js';
import type { ManagedOutboundRule, ManagedRuleCategory } from './types.js';

/**
 * The outbound rules of a workspace's managed virtual network, as `az ml workspace outbound-rule
 * list` (or `show`) prints them: azure-ai-ml dumps each rule with the schema of
 * _schema/workspace/networking.py (the contract probes/managed-network/managed-network.yaml pins),
 * snake_case: {name, type: fqdn | service_tag | private_endpoint, destination, category, status}.
 * The REST API behind it is Microsoft.MachineLearningServices 2024-10-01, workspaceRP.json
 * (OutboundRule with its FqdnOutboundRule, ServiceTagOutboundRule and PrivateEndpointOutboundRule,
 * RuleCategory Required | Recommended | UserDefined | Dependency, RuleStatus Inactive | Active).
 */

const RULE_KEYS = ['name', 'type', 'destination', 'category', 'status'];
// parent_rule_names says which rule made a dependency rule Azure added: it changes no match.
const QUIET_RULE_KEYS = ['parent_rule_names'];
const SERVICE_TAG_KEYS = ['service_tag', 'protocol', 'port_ranges', 'address_prefixes', 'action'];
// spark_status says whether Spark's own endpoint is ready; fqdns are the names the endpoint answers for.
const PRIVATE_ENDPOINT_KEYS = ['service_resource_id', 'subresource_target', 'spark_enabled', 'spark_status', 'fqdns'];
const CATEGORIES: readonly ManagedRuleCategory[] = ['required', 'recommended', 'user_defined', 'dependency'];

/**
 * `az ml workspace outbound-rule list` (or `show`): the rules of one workspace; or `az ml workspace
 * show`, whose managed_network holds the isolation mode and the same rules (its other keys are the
 * workspace's facts, which --workspace-json reads).
 */
export function readManagedRules(tools: ReaderTools, document: unknown): { rules: ManagedOutboundRule[]; mode: ManagedNetworkMode | null } {
  if (isObject(document) && isObject(document['managed_network'])) {
    const network = document['managed_network'];
    const at: Path = ['managed_network'];
    tools.checkKeys(network, at, ['isolation_mode', 'outbound_rules', 'network_id', 'status', 'firewall_sku']);
    const text = tools.string(network, 'isolation_mode', at, false);
    const mode = text === null ? null : (managedNetworkMode(text, `${tools.shown}: ${formatKeyPath([...at, 'isolation_mode'])}`) as ManagedNetworkMode);
    const list = tools.value(network, 'outbound_rules', at);
    if (list !== undefined && list !== null && !Array.isArray(list)) tools.fail([...at, 'outbound_rules'], `expected a list of outbound rules; got ${quoteJson(list)}`);
    return { rules: (list ?? []).map((node, index) => readRule(tools, node, [...at, 'outbound_rules', index])), mode };
  }
  const items = Array.isArray(document) ? document.map((node, index) => ({ node, path: [index] as Path })) : [{ node: document, path: [] as Path }];
  return { rules: items.map(({ node, path }) => readRule(tools, node, path)), mode: null };
}

function readRule(tools: ReaderTools, node: unknown, path: Path): ManagedOutboundRule {
  if (!isObject(node)) tools.fail(path, `expected an outbound rule (an object); got ${quoteJson(node)}`);
  tools.checkKeys(node, path, [...RULE_KEYS, ...QUIET_RULE_KEYS]);
  const name = tools.string(node, 'name', path, true) as string;
  const type = tools.oneOf(node, 'type', path, ['fqdn', 'service_tag', 'private_endpoint'] as const);
  const categoryText = tools.string(node, 'category', path, false);
  // az ml prints snake_case (user_defined); the REST API's spelling (UserDefined) is read too.
  const category = categoryText === null ? null : (CATEGORIES.find((c) => c.replace('_', '') === categoryText.toLowerCase().replace('_', '')) ?? tools.fail([...path, 'category'], `expected required, recommended, user_defined or dependency; got ${quoteJson(categoryText)}`));
  const status = empty(tools.value(node, 'status', path)) ? null : tools.oneOf(node, 'status', path, ['Active', 'Inactive'] as const);
  const where = `${tools.shown}: ${path.length === 0 ? 'rule' : formatKeyPath(path)}`;
  const base = { name, category, status, where };
  const destination = tools.value(node, 'destination', path);
  if (type === 'fqdn') {
    const fqdn = tools.string(node, 'destination', path, true) as string;
    if (!/^(\*\.)?[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?$/.test(fqdn) && fqdn !== '*') tools.fail([...path, 'destination'], `expected a host name, or *. and a domain; got ${quoteJson(fqdn)}`);
    return { ...base, type, destination: fqdn };
  }
  const at = [...path, 'destination'];
  if (!isObject(destination)) tools.fail(at, `expected an object (${type === 'service_tag' ? 'service_tag, protocol, port_ranges' : 'service_resource_id, subresource_target, spark_enabled'}); got ${quoteJson(destination)}`);
  if (type === 'service_tag') return { ...base, type, ...serviceTagOf(tools, destination, at) };
  tools.checkKeys(destination, at, PRIVATE_ENDPOINT_KEYS);
  const sparkEnabled = tools.value(destination, 'spark_enabled', at);
  if (sparkEnabled !== undefined && sparkEnabled !== null && typeof sparkEnabled !== 'boolean') tools.fail([...at, 'spark_enabled'], `expected true or false; got ${quoteJson(sparkEnabled)}`);
  const serviceResourceId = tools.string(destination, 'service_resource_id', at, true) as string;
  if (!/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/[^/]+\/[^/]+\/[^/]+/i.test(serviceResourceId)) tools.fail([...at, 'service_resource_id'], `expected a resource id (/subscriptions/…/resourceGroups/…/providers/…); got ${quoteJson(serviceResourceId)}`);
  return { ...base, type, serviceResourceId, subresourceTarget: tools.string(destination, 'subresource_target', at, true) as string, sparkEnabled: sparkEnabled === true };
}

/** ServiceTagDestination: port_ranges is one string (`80, 443`, `1-65535`, `*`), as `outbound-rule set --port-ranges` takes it. */
function serviceTagOf(tools: ReaderTools, destination: JsonObject, at: Path): { serviceTag: string; protocol: string; portRanges: string[]; addressPrefixes: string[] } {
  tools.checkKeys(destination, at, SERVICE_TAG_KEYS);
  const action = tools.value(destination, 'action', at);
  if (action !== undefined && action !== null && tools.oneOf(destination, 'action', at, ['Allow', 'Deny'] as const) === 'Deny') tools.fail([...at, 'action'], 'a Deny outbound rule: a managed network has allow rules only');
  const serviceTag = tools.string(destination, 'service_tag', at, true) as string;
  const protocol = tools.oneOf(destination, 'protocol', at, ['TCP', 'UDP', 'ICMP', '*'] as const, { any: '*' });
  const text = tools.string(destination, 'port_ranges', at, true) as string;
  const portRanges = text.split(',').map((part) => part.trim());
  const problem = portRanges.map(portProblemFrom(1)).find((p) => p !== null);
  if (problem !== undefined) tools.fail([...at, 'port_ranges'], `${problem}, comma-separated; got ${quoteJson(text)}`);
  return { serviceTag, protocol, portRanges, addressPrefixes: tools.strings(destination, 'address_prefixes', at) };
}
