import { evaluate, type TemplateScope } from '../facts/arm-expression.js';
import { readJsonInputFile } from '../io/input-file.js';
import { isObject, quoteJson, type JsonObject } from '../io/json-input.js';
import { formatKeyPath, InputError } from '../model/errors.js';
import type { ManagedNetworkMode } from '../model/facts.js';
import { quote } from '../model/text.js';
import { ipv4Span, isIpv6, mergeSpans, type Span } from './addresses.js';
import { DEFAULT_NSG_RULES } from './nsg.js';
import { readClassicFirewall } from './read-classic.js';
import { readManagedRules } from './read-managed.js';
import { checkOneRouteTable, ROUTE_TABLE_TYPE, ROUTE_TYPE, routeKindsOf, RouteReading } from './read-routes.js';
import { empty, nameInId, portProblemFrom, type Path } from './read-tools.js';
import { checkFirewalls } from './classic.js';
import {
  CONFIG_KINDS,
  type ApplicationProtocol,
  type AuditConfig,
  type AzureFirewall,
  type ManagedOutboundRule,
  type ConfigKind,
  type FirewallPolicy,
  type NetworkProtocol,
  type NetworkSecurityGroup,
  type NsgProtocol,
  type NsgRule,
  type PolicyRule,
  type RouteTable,
  type RuleCollection,
  type RuleCollectionGroup,
} from './types.js';

/**
 * The readers of `audit --config`: Azure Firewall Policy and its rule collection groups, as
 * `az network firewall policy show`, `az network firewall policy rule-collection-group list`
 * (or `show`) and an exported ARM template print them. Shapes from the REST API specification,
 * Microsoft.Network 2024-05-01, firewallPolicy.json (FirewallPolicy, FirewallPolicyRuleCollectionGroup
 * and the rule collection and rule definitions). `az` flattens each resource's `properties` to the
 * top level (x-ms-client-flatten); ARM keeps them nested: both are read.
 * NSGs: `az network nsg show` (networkSecurityGroup.json, NetworkSecurityGroup and SecurityRule)
 * and `az network nic list-effective-nsg` (networkInterface.json, EffectiveNetworkSecurityGroupListResult),
 * same API version.
 */

const POLICY_TYPE = 'microsoft.network/firewallpolicies';
const GROUP_TYPE = 'microsoft.network/firewallpolicies/rulecollectiongroups';
const SERVICE_TAGS_TYPE = 'microsoft.network/servicetags';
const NSG_TYPE = 'microsoft.network/networksecuritygroups';
const FIREWALL_TYPE = 'microsoft.network/azurefirewalls';

/** Real exports nest about ten levels; far deeper input is not one, and would overflow a recursive walk. */
const CONFIG_MAX_DEPTH = 64;

/** Keys every resource may carry that say nothing about what traffic passes: read silently. */
const RESOURCE_KEYS = ['id', 'name', 'type', 'etag', 'location', 'tags', 'resourceGroup', 'provisioningState', 'size', 'systemData', 'apiVersion', 'dependsOn', 'comments', 'identity', 'properties', 'scope'];
const POLICY_KEYS = ['basePolicy', 'dnsSettings', 'threatIntelMode', 'sku', 'firewalls', 'childPolicies', 'ruleCollectionGroups'];
const GROUP_KEYS = ['priority', 'ruleCollections'];
const COLLECTION_KEYS = ['name', 'priority', 'ruleCollectionType', 'action', 'rules'];
const RULE_KEYS: Record<PolicyRule['ruleType'], readonly string[]> = {
  NetworkRule: ['name', 'description', 'ruleType', 'ipProtocols', 'sourceAddresses', 'sourceIpGroups', 'destinationAddresses', 'destinationIpGroups', 'destinationFqdns', 'destinationPorts'],
  ApplicationRule: ['name', 'description', 'ruleType', 'protocols', 'sourceAddresses', 'sourceIpGroups', 'destinationAddresses', 'targetFqdns', 'targetUrls', 'fqdnTags', 'webCategories', 'terminateTLS'],
  // DNAT rules translate inbound traffic to the firewall's own address: read, never matched to outbound targets.
  NatRule: ['name', 'description', 'ruleType', 'ipProtocols', 'sourceAddresses', 'sourceIpGroups', 'destinationAddresses', 'destinationPorts', 'translatedAddress', 'translatedPort', 'translatedFqdn'],
};

// NetworkSecurityGroupPropertiesFormat: flushConnection re-evaluates flows when rules change, and the NICs,
// subnets and flow logs are where the NSG applies and what it records: none changes which rule matches.
const NSG_KEYS = ['securityRules', 'defaultSecurityRules', 'flushConnection', 'networkInterfaces', 'subnets', 'flowLogs', 'resourceGuid'];
const SECURITY_RULE_KEYS = [
  'description',
  'protocol',
  'sourcePortRange',
  'sourcePortRanges',
  'destinationPortRange',
  'destinationPortRanges',
  'sourceAddressPrefix',
  'sourceAddressPrefixes',
  'destinationAddressPrefix',
  'destinationAddressPrefixes',
  'sourceApplicationSecurityGroups',
  'destinationApplicationSecurityGroups',
  'access',
  'priority',
  'direction',
];
// EffectiveNetworkSecurityGroup and EffectiveNetworkSecurityRule: tagMap and the expanded prefixes are what a
// tag held when Azure computed them; audit decides tags with the service-tag file instead, and says so.
const EFFECTIVE_GROUP_KEYS = ['networkSecurityGroup', 'association', 'effectiveSecurityRules'];
const EFFECTIVE_RULE_KEYS = ['name', 'protocol', 'sourcePortRange', 'sourcePortRanges', 'destinationPortRange', 'destinationPortRanges', 'sourceAddressPrefix', 'sourceAddressPrefixes', 'destinationAddressPrefix', 'destinationAddressPrefixes', 'access', 'priority', 'direction'];
const NSG_PROTOCOLS: readonly NsgProtocol[] = ['Tcp', 'Udp', 'Icmp', 'Esp', 'Ah', '*'];

const EXPECTED =
  "an Azure Firewall Policy (`az network firewall policy show`), its rule collection groups (`az network firewall policy rule-collection-group list` or `show`), the same as ARM resources, an exported ARM template holding them, the service tags (`az network list-service-tags`), an NSG (`az network nsg show`), effective NSG rules (`az network nic list-effective-nsg`), an Azure Firewall (`az network firewall show`), a managed network's outbound rules (`az ml workspace outbound-rule list`, or `az ml workspace show`), a route table (`az network route-table show`) or effective routes (`az network nic show-effective-route-table`)";

/** The resource group az prints (`resourceGroup`), or the one in the resource id; null when neither says (a template's expression). */
function resourceGroupOf(node: JsonObject, id: unknown = node['id']): string | null {
  if (typeof node['resourceGroup'] === 'string' && node['resourceGroup'] !== '') return node['resourceGroup'];
  if (typeof id !== 'string') return null;
  const match = /\/resourceGroups\/([^/]+)\//i.exec(id);
  return match?.[1] ?? null;
}

class ConfigReader {
  private scope: TemplateScope | null = null;
  readonly policies: FirewallPolicy[] = [];
  readonly groups: RuleCollectionGroup[] = [];
  readonly serviceTags = new Map<string, Span[]>();
  readonly nsgs: NetworkSecurityGroup[] = [];
  readonly firewalls: AzureFirewall[] = [];
  readonly managedRules: ManagedOutboundRule[] = [];
  managedMode: ManagedNetworkMode | null = null;
  readonly routes: RouteReading;
  private readonly warned = new Set<string>();

  constructor(
    readonly shown: string,
    readonly warnings: string[],
  ) {
    this.routes = new RouteReading(this);
  }

  fail(path: Path, message: string): never {
    throw new InputError(path.length === 0 ? this.shown : `${this.shown}: ${formatKeyPath(path)}`, message);
  }

  /** A field we read past without modelling it: named once per file and place (list indexes folded). */
  unmodelled(path: Path, what: string): void {
    const place = formatKeyPath(path.map((part) => (typeof part === 'number' ? '*' : part))).replace(/\.\*|\["\*"\]/g, '[*]');
    if (this.warned.has(place)) return;
    this.warned.add(place);
    this.warnings.push(`${this.shown}: ${place}: ${what}`);
  }

  checkKeys(node: JsonObject, path: Path, known: readonly string[]): void {
    for (const [key, value] of Object.entries(node)) {
      if (known.includes(key) || RESOURCE_KEYS.includes(key) || empty(value)) continue;
      this.unmodelled([...path, key], 'not modelled by audit, so it is not taken into account');
    }
  }

  /** A template's expression evaluated, or the value itself. */
  private evaluated(raw: unknown, at: Path): unknown {
    if (this.scope === null) return raw;
    const result = evaluate(raw, this.scope);
    if (!result.ok) this.fail(at, `cannot evaluate the ARM expression ${quoteJson(raw)}: ${result.why}`);
    return result.value;
  }

  value(node: JsonObject, key: string, path: Path): unknown {
    return this.evaluated(node[key], [...path, key]);
  }

  string(node: JsonObject, key: string, path: Path, required: boolean): string | null {
    const value = this.value(node, key, path);
    if (value === undefined || value === null) {
      if (required) this.fail([...path, key], 'is missing; expected a string');
      return null;
    }
    if (typeof value !== 'string' || value === '') this.fail([...path, key], `expected a non-empty string; got ${quoteJson(value)}`);
    return value;
  }

  priority(node: JsonObject, path: Path): number {
    const value = this.value(node, 'priority', path);
    // 100 (first) to 65000 (last), as FirewallPolicyRuleCollectionGroupProperties and FirewallPolicyRuleCollection bound it.
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 100 || value > 65000) this.fail([...path, 'priority'], `expected an integer from 100 to 65000; got ${quoteJson(value)}`);
    return value;
  }

  strings(node: JsonObject, key: string, path: Path, check?: (item: string) => string | null): string[] {
    const value = this.value(node, key, path);
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) this.fail([...path, key], `expected a list of strings; got ${quoteJson(value)}`);
    return value.map((raw, index) => {
      // A template may write an item as an expression (`[parameters('subnet')]`).
      const item = this.evaluated(raw, [...path, key, index]);
      if (typeof item !== 'string' || item === '') this.fail([...path, key, index], `expected a non-empty string; got ${quoteJson(item)}`);
      const problem = check?.(item) ?? null;
      if (problem !== null) this.fail([...path, key, index], `${problem}; got ${quoteJson(item)}`);
      return item;
    });
  }

  /** The object `properties` holds (ARM), or the node itself (az, flattened). */
  propertiesOf(node: JsonObject, path: Path): { props: JsonObject; at: Path } {
    if (!('properties' in node)) return { props: node, at: path };
    if (!isObject(node['properties'])) this.fail([...path, 'properties'], `expected an object; got ${quoteJson(node['properties'])}`);
    return { props: node['properties'], at: [...path, 'properties'] };
  }

  readPolicy(node: JsonObject, path: Path): void {
    const name = this.string(node, 'name', path, true) as string;
    const { props, at } = this.propertiesOf(node, path);
    this.checkKeys(node, path, POLICY_KEYS);
    if (props !== node) this.checkKeys(props, at, POLICY_KEYS);
    let basePolicy: string | null = null;
    const base = props['basePolicy'];
    if (!empty(base)) {
      if (!isObject(base)) this.fail([...at, 'basePolicy'], `expected an object with an id; got ${quoteJson(base)}`);
      const id = this.string(base, 'id', [...at, 'basePolicy'], true) as string;
      basePolicy = nameInId(id, 'firewallpolicies');
      if (basePolicy === null) this.fail([...at, 'basePolicy', 'id'], `expected the id of a firewall policy (…/providers/Microsoft.Network/firewallPolicies/NAME); got ${quoteJson(id)}`);
    }
    let dnsProxy = false;
    const dns = props['dnsSettings'];
    if (!empty(dns)) {
      if (!isObject(dns)) this.fail([...at, 'dnsSettings'], `expected an object; got ${quoteJson(dns)}`);
      const enable = this.value(dns, 'enableProxy', [...at, 'dnsSettings']);
      if (enable !== undefined && enable !== null && typeof enable !== 'boolean') this.fail([...at, 'dnsSettings', 'enableProxy'], `expected true or false; got ${quoteJson(enable)}`);
      dnsProxy = enable === true;
      this.checkKeys(dns, [...at, 'dnsSettings'], ['enableProxy', 'servers', 'requireProxyForNetworkRules']);
    }
    const threatIntelMode = this.string(props, 'threatIntelMode', at, false);
    if (threatIntelMode !== null && !['alert', 'deny', 'off'].includes(threatIntelMode.toLowerCase())) this.fail([...at, 'threatIntelMode'], `expected Alert, Deny or Off; got ${quoteJson(threatIntelMode)}`);
    let sku: string | null = null;
    const skuNode = props['sku'];
    if (!empty(skuNode)) {
      if (!isObject(skuNode)) this.fail([...at, 'sku'], `expected an object with a tier; got ${quoteJson(skuNode)}`);
      sku = this.string(skuNode, 'tier', [...at, 'sku'], false);
    }
    this.policies.push({ name: name.toLowerCase(), basePolicy, dnsProxy, threatIntelMode, sku, where: `${this.shown}: ${formatKeyPath(path)}`, resourceGroup: resourceGroupOf(node) });
  }

  readGroup(node: JsonObject, path: Path): void {
    const rawName = this.string(node, 'name', path, true) as string;
    const id = typeof node['id'] === 'string' ? node['id'] : null;
    const slash = rawName.indexOf('/');
    // An ARM template names a child resource `parent/child`; az and ARM reads give the group's own name and its id.
    const name = slash === -1 ? rawName : rawName.slice(slash + 1);
    const policy = slash !== -1 ? rawName.slice(0, slash).toLowerCase() : id === null ? null : nameInId(id, 'firewallpolicies');
    const { props, at } = this.propertiesOf(node, path);
    this.checkKeys(node, path, GROUP_KEYS);
    if (props !== node) this.checkKeys(props, at, GROUP_KEYS);
    const priority = this.priority(props, at);
    const list = props['ruleCollections'];
    if (list !== undefined && list !== null && !Array.isArray(list)) this.fail([...at, 'ruleCollections'], `expected a list of rule collections; got ${quoteJson(list)}`);
    const collections = (list ?? []).map((item, index) => this.readCollection(item, [...at, 'ruleCollections', index]));
    this.groups.push({ name, priority, policy, collections, where: `${this.shown}: ${formatKeyPath(path)}`, resourceGroup: resourceGroupOf(node) });
  }

  private readCollection(node: unknown, path: Path): RuleCollection {
    if (!isObject(node)) this.fail(path, `expected a rule collection (an object); got ${quoteJson(node)}`);
    this.checkKeys(node, path, COLLECTION_KEYS);
    const name = this.string(node, 'name', path, true) as string;
    const priority = this.priority(node, path);
    const type = this.string(node, 'ruleCollectionType', path, true) as string;
    const nat = type.toLowerCase() === 'firewallpolicynatrulecollection';
    if (!nat && type.toLowerCase() !== 'firewallpolicyfilterrulecollection') this.fail([...path, 'ruleCollectionType'], `expected FirewallPolicyFilterRuleCollection or FirewallPolicyNatRuleCollection; got ${quoteJson(type)}`);
    const actionNode = node['action'];
    if (!isObject(actionNode)) this.fail([...path, 'action'], `expected an object {"type": ${nat ? '"DNAT"' : '"Allow" or "Deny"'}}; got ${quoteJson(actionNode)}`);
    const actionText = (this.string(actionNode, 'type', [...path, 'action'], true) as string).toLowerCase();
    const action = nat ? (actionText === 'dnat' ? 'DNAT' : null) : actionText === 'allow' ? 'Allow' : actionText === 'deny' ? 'Deny' : null;
    if (action === null) this.fail([...path, 'action', 'type'], `expected ${nat ? 'DNAT' : 'Allow or Deny'}; got ${quoteJson(actionNode['type'])}`);
    const rules = node['rules'];
    if (rules !== undefined && rules !== null && !Array.isArray(rules)) this.fail([...path, 'rules'], `expected a list of rules; got ${quoteJson(rules)}`);
    return { name, priority, action, rules: (rules ?? []).map((rule, index) => this.readRule(rule, [...path, 'rules', index], nat)) };
  }

  /** `classic`: a rule of an Azure Firewall's own collections, which names no ruleType (its collection says it) and writes ipProtocols as protocols. */
  readRule(node: unknown, path: Path, nat: boolean, classic?: { readonly ruleType: PolicyRule['ruleType']; readonly keys: readonly string[] }): PolicyRule {
    if (!isObject(node)) this.fail(path, `expected a rule (an object); got ${quoteJson(node)}`);
    const typeText = classic?.ruleType ?? (this.string(node, 'ruleType', path, true) as string);
    const ruleType = (['NetworkRule', 'ApplicationRule', 'NatRule'] as const).find((t) => t.toLowerCase() === typeText.toLowerCase());
    if (ruleType === undefined) this.fail([...path, 'ruleType'], `expected NetworkRule, ApplicationRule or NatRule; got ${quoteJson(typeText)}`);
    if ((ruleType === 'NatRule') !== nat) this.fail([...path, 'ruleType'], nat ? 'a NAT rule collection holds NatRule rules only' : 'a filter rule collection holds NetworkRule and ApplicationRule rules only');
    this.checkKeys(node, path, classic?.keys ?? RULE_KEYS[ruleType]);
    const name = this.string(node, 'name', path, false) ?? `#${String(path.at(-1))}`;
    const sourceAddresses = this.strings(node, 'sourceAddresses', path, addressProblem);
    const sourceIpGroups = this.strings(node, 'sourceIpGroups', path);
    if (ruleType === 'NatRule') return { ruleType, name, sourceAddresses, sourceIpGroups };
    if (ruleType === 'NetworkRule') {
      const ipProtocols = this.strings(node, classic === undefined ? 'ipProtocols' : 'protocols', path, (item) => (NETWORK_PROTOCOLS.some((p) => p.toLowerCase() === item.toLowerCase()) ? null : 'expected TCP, UDP, Any or ICMP')).map(
        (item) => NETWORK_PROTOCOLS.find((p) => p.toLowerCase() === item.toLowerCase()) as NetworkProtocol,
      );
      return {
        ruleType,
        name,
        sourceAddresses,
        sourceIpGroups,
        ipProtocols,
        destinationAddresses: this.strings(node, 'destinationAddresses', path),
        destinationIpGroups: this.strings(node, 'destinationIpGroups', path),
        destinationFqdns: this.strings(node, 'destinationFqdns', path),
        destinationPorts: this.strings(node, 'destinationPorts', path, portProblem),
      };
    }
    const protocolList = node['protocols'];
    if (protocolList !== undefined && protocolList !== null && !Array.isArray(protocolList)) this.fail([...path, 'protocols'], `expected a list of {"protocolType", "port"}; got ${quoteJson(protocolList)}`);
    const protocols = (protocolList ?? []).map((item, index) => {
      const at = [...path, 'protocols', index];
      if (!isObject(item)) this.fail(at, `expected {"protocolType": "Http" or "Https", "port": N}; got ${quoteJson(item)}`);
      const typeName = this.string(item, 'protocolType', at, true) as string;
      const protocolType = APPLICATION_PROTOCOLS.find((p) => p.toLowerCase() === typeName.toLowerCase());
      if (protocolType === undefined) this.fail([...at, 'protocolType'], `expected Http, Https or Mssql; got ${quoteJson(typeName)}`);
      const port = item['port'];
      // FirewallPolicyRuleApplicationProtocol.port: 0 to 64000.
      if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 64000) this.fail([...at, 'port'], `expected a port from 0 to 64000; got ${quoteJson(port)}`);
      return { protocolType, port };
    });
    return {
      ruleType,
      name,
      sourceAddresses,
      sourceIpGroups,
      protocols,
      targetFqdns: this.strings(node, 'targetFqdns', path),
      targetUrls: this.strings(node, 'targetUrls', path),
      fqdnTags: this.strings(node, 'fqdnTags', path),
      webCategories: this.strings(node, 'webCategories', path),
      destinationAddresses: this.strings(node, 'destinationAddresses', path),
    };
  }

  /** A rule's prefixes: `*`, an address, a prefix, a range, or a service tag by name (`Internet`, `Storage.westus2`). */
  private prefixes(node: JsonObject, single: string, path: Path): string[] {
    const one = this.string(node, single, path, false);
    const many = this.strings(node, `${single}es`, path, nsgPrefixProblem);
    if (one !== null) {
      const problem = nsgPrefixProblem(one);
      if (problem !== null) this.fail([...path, single], `${problem}; got ${quoteJson(one)}`);
    }
    return one === null ? many : [one, ...many];
  }

  private ports(node: JsonObject, single: string, path: Path): string[] {
    const one = this.string(node, single, path, false);
    if (one !== null && nsgPortProblem(one) !== null) this.fail([...path, single], `${nsgPortProblem(one) ?? ''}; got ${quoteJson(one)}`);
    const many = this.strings(node, `${single}s`, path, nsgPortProblem);
    return one === null ? many : [one, ...many];
  }

  /** Application security groups: references by id; a rule names them, the NICs say who is in them. */
  private asgs(node: JsonObject, key: string, path: Path): string[] {
    const value = node[key];
    if (empty(value)) return [];
    if (!Array.isArray(value)) this.fail([...path, key], `expected a list of application security groups ({"id": …}); got ${quoteJson(value)}`);
    return value.map((item, index) => {
      if (!isObject(item)) this.fail([...path, key, index], `expected an application security group ({"id": …}); got ${quoteJson(item)}`);
      const id = this.string(item, 'id', [...path, key, index], true) as string;
      return nameInId(id, 'applicationsecuritygroups') ?? this.fail([...path, key, index, 'id'], `expected the id of an application security group (…/applicationSecurityGroups/NAME); got ${quoteJson(id)}`);
    });
  }

  oneOf<T extends string>(node: JsonObject, key: string, path: Path, allowed: readonly T[], aliases: Readonly<Record<string, T>> = {}): T {
    const text = this.string(node, key, path, true) as string;
    const found = allowed.find((a) => a.toLowerCase() === text.toLowerCase()) ?? aliases[text.toLowerCase()];
    if (found === undefined) {
      const names = [...allowed, ...Object.keys(aliases).map((alias) => alias[0]?.toUpperCase() + alias.slice(1))];
      this.fail([...path, key], `expected ${names.slice(0, -1).join(', ')} or ${names.at(-1) ?? ''}; got ${quoteJson(text)}`);
    }
    return found;
  }

  /** SecurityRulePropertiesFormat (az flattens it; ARM nests it under properties), or an EffectiveNetworkSecurityRule. */
  private readSecurityRule(node: unknown, path: Path, isDefault: boolean, effective: boolean): NsgRule {
    if (!isObject(node)) this.fail(path, `expected a security rule (an object); got ${quoteJson(node)}`);
    const rawName = this.string(node, 'name', path, true) as string;
    const { props, at } = effective ? { props: node, at: path } : this.propertiesOf(node, path);
    this.checkKeys(node, path, effective ? EFFECTIVE_RULE_KEYS : SECURITY_RULE_KEYS);
    if (props !== node) this.checkKeys(props, at, SECURITY_RULE_KEYS);
    // Effective rules are named `securityRules/NAME` or `defaultSecurityRules/NAME`, and write `All` for `*`.
    const slash = rawName.indexOf('/');
    const name = effective && slash !== -1 ? rawName.slice(slash + 1) : rawName;
    const value = this.value(props, 'priority', at);
    // SecurityRulePropertiesFormat.priority: 100 to 4096 for the admin's rules; Azure's own sit at 65000 to 65500.
    const [low, high] = isDefault ? [65000, 65500] : effective ? [100, 65500] : [100, 4096];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < low || value > high) this.fail([...at, 'priority'], `expected an integer from ${low} to ${high}; got ${quoteJson(value)}`);
    return {
      name,
      priority: value,
      direction: this.oneOf(props, 'direction', at, ['Inbound', 'Outbound'] as const),
      access: this.oneOf(props, 'access', at, ['Allow', 'Deny'] as const),
      protocol: this.oneOf(props, 'protocol', at, NSG_PROTOCOLS, effective ? { all: '*' } : {}),
      sourcePrefixes: this.prefixes(props, 'sourceAddressPrefix', at),
      sourcePorts: this.ports(props, 'sourcePortRange', at),
      destinationPrefixes: this.prefixes(props, 'destinationAddressPrefix', at),
      destinationPorts: this.ports(props, 'destinationPortRange', at),
      sourceAsgs: this.asgs(props, 'sourceApplicationSecurityGroups', at),
      destinationAsgs: this.asgs(props, 'destinationApplicationSecurityGroups', at),
      isDefault: isDefault || (effective && rawName.toLowerCase().startsWith('defaultsecurityrules/')),
    };
  }

  /** The rules read, and Azure's default rules the export left out (a template, a trimmed export), with a warning. */
  private addNsg(name: string, rules: NsgRule[], effective: boolean, path: Path, resourceGroup: string | null): void {
    const missing = DEFAULT_NSG_RULES.filter((d) => !rules.some((r) => r.isDefault && r.name.toLowerCase() === d.name.toLowerCase()));
    if (missing.length > 0) {
      const place = path.length === 0 ? '' : `${formatKeyPath(path)}: `;
      this.warnings.push(`${this.shown}: ${place}NSG ${quote(name)} leaves out the default rules ${missing.map((d) => d.name).join(', ')}; added as Azure adds them to every NSG`);
    }
    const where = `${this.shown}: ${path.length === 0 ? 'NSG' : formatKeyPath(path)}`;
    this.nsgs.push({ name, effective, defaultsAdded: missing.map((d) => d.name), rules: [...rules, ...missing], where, resourceGroup });
  }

  /** `az network nsg show` (flattened) or the ARM resource (properties nested). */
  readNsg(node: JsonObject, path: Path): void {
    const name = this.string(node, 'name', path, true) as string;
    const { props, at } = this.propertiesOf(node, path);
    this.checkKeys(node, path, NSG_KEYS);
    if (props !== node) this.checkKeys(props, at, NSG_KEYS);
    const list = (key: string, isDefault: boolean): NsgRule[] => {
      const value = this.value(props, key, at);
      if (value === undefined || value === null) return [];
      if (!Array.isArray(value)) this.fail([...at, key], `expected a list of security rules; got ${quoteJson(value)}`);
      return value.map((rule, index) => this.readSecurityRule(rule, [...at, key, index], isDefault, false));
    };
    this.addNsg(name, [...list('securityRules', false), ...list('defaultSecurityRules', true)], false, path, resourceGroupOf(node));
  }

  /** One EffectiveNetworkSecurityGroup of `az network nic list-effective-nsg`: the NSG of a NIC or of its subnet. */
  readEffectiveNsg(node: JsonObject, path: Path): { nic: boolean } {
    this.checkKeys(node, path, EFFECTIVE_GROUP_KEYS);
    const reference = node['networkSecurityGroup'];
    if (!isObject(reference)) this.fail([...path, 'networkSecurityGroup'], `expected {"id": …} of the NSG; got ${quoteJson(reference)}`);
    const id = this.string(reference, 'id', [...path, 'networkSecurityGroup'], true) as string;
    const name = id.split('/').at(-1) ?? id;
    const association = node['association'];
    if (association !== undefined && association !== null && !isObject(association)) this.fail([...path, 'association'], `expected an object; got ${quoteJson(association)}`);
    const rules = node['effectiveSecurityRules'];
    if (!Array.isArray(rules)) this.fail([...path, 'effectiveSecurityRules'], `expected a list of effective security rules; got ${quoteJson(rules)}`);
    this.addNsg(
      name,
      rules.map((rule, index) => this.readSecurityRule(rule, [...path, 'effectiveSecurityRules', index], false, true)),
      true,
      path,
      resourceGroupOf(reference, id),
    );
    return { nic: isObject(association) && !empty(association['networkInterface']) };
  }

  /**
   * `az network list-service-tags` (ServiceTagsListResult) or the weekly download it mirrors:
   * values[] of {name, properties: {addressPrefixes}}. Only the IPv4 prefixes are kept: the
   * --source subnets and the rules audit compares them with are IPv4.
   */
  private readServiceTags(document: unknown): void {
    if (!isObject(document) || !Array.isArray(document['values'])) this.fail([], 'expected the service tags as `az network list-service-tags` prints them: an object with values[]');
    this.checkKeys(document, [], ['changeNumber', 'cloud', 'values', 'nextLink']);
    document['values'].forEach((node, index) => {
      const path = ['values', index];
      if (!isObject(node)) this.fail(path, `expected a service tag (an object); got ${quoteJson(node)}`);
      this.checkKeys(node, path, ['serviceTagChangeNumber']);
      const name = this.string(node, 'name', path, true) as string;
      const props = node['properties'];
      if (!isObject(props)) this.fail([...path, 'properties'], `expected an object with addressPrefixes; got ${quoteJson(props)}`);
      this.checkKeys(props, [...path, 'properties'], ['changeNumber', 'region', 'regionId', 'platform', 'systemService', 'addressPrefixes', 'networkFeatures', 'state']);
      const prefixes = this.strings(props, 'addressPrefixes', [...path, 'properties'], (item) => (ipv4Span(item) !== null || isIpv6(item) ? null : 'expected an IPv4 or IPv6 prefix'));
      this.serviceTags.set(name.toLowerCase(), mergeSpans(prefixes.map(ipv4Span).filter((span): span is Span => span !== null)));
    });
  }

  /** One document of a known kind. */
  readKind(document: unknown, kind: ConfigKind): void {
    if (kind === 'arm-template') return this.readTemplate(document);
    if (kind === 'service-tags') return this.readServiceTags(document);
    if (kind === 'effective-nsg') return this.readEffective(document);
    if (kind === 'route-table' || kind === 'effective-routes') return this.routes.readKind(document, kind);
    if (kind === 'managed-outbound-rules') {
      const { rules, mode } = readManagedRules(this, document);
      this.managedRules.push(...rules);
      this.managedMode = mode;
      return;
    }
    const items: Array<{ node: unknown; path: Path }> = Array.isArray(document)
      ? document.map((node, index) => ({ node, path: [index] }))
      : isObject(document) && Array.isArray(document['value']) && !('properties' in document)
        ? document['value'].map((node, index) => ({ node, path: ['value', index] }))
        : [{ node: document, path: [] }];
    for (const { node, path } of items) {
      if (!isObject(node)) this.fail(path, `expected ${{ 'firewall-policy': 'a firewall policy', 'rule-collection-group': 'a rule collection group', nsg: 'an NSG', 'azure-firewall': 'an Azure Firewall' }[kind]} (an object); got ${quoteJson(node)}`);
      if (kind === 'firewall-policy') this.readPolicy(node, path);
      else if (kind === 'azure-firewall') this.firewalls.push(readClassicFirewall(this, node, path));
      else if (kind === 'nsg') this.readNsg(node, path);
      else this.readGroup(node, path);
    }
  }

  /** NSG_HOW (nsg.ts): outbound traffic meets the NIC's NSG before the subnet's, whatever order az lists them in. */
  private readEffective(document: unknown): void {
    const items = isObject(document) && Array.isArray(document['value']) ? document['value'].map((node, index) => ({ node, path: ['value', index] as Path })) : [{ node: document, path: [] as Path }];
    if (isObject(document) && 'value' in document) this.checkKeys(document, [], ['value', 'nextLink']);
    const nics: NetworkSecurityGroup[] = [];
    const subnets: NetworkSecurityGroup[] = [];
    for (const { node, path } of items) {
      if (!isObject(node)) this.fail(path, `expected an effective NSG (an object); got ${quoteJson(node)}`);
      const { nic } = this.readEffectiveNsg(node, path);
      (nic ? nics : subnets).push(this.nsgs.pop() as NetworkSecurityGroup);
    }
    this.nsgs.push(...nics, ...subnets);
  }

  private readTemplate(document: unknown): void {
    if (!isObject(document) || !Array.isArray(document['resources'])) this.fail([], 'expected an ARM template: an object with resources[]');
    const parameters = document['parameters'] ?? {};
    const variables = document['variables'] ?? {};
    if (!isObject(parameters)) this.fail(['parameters'], `expected an object; got ${quoteJson(parameters)}`);
    if (!isObject(variables)) this.fail(['variables'], `expected an object; got ${quoteJson(variables)}`);
    this.scope = { parameters, variables };
    document['resources'].forEach((node, index) => {
      const path = ['resources', index];
      if (!isObject(node)) this.fail(path, `expected a resource (an object); got ${quoteJson(node)}`);
      const type = typeof node['type'] === 'string' ? node['type'].toLowerCase() : null;
      if (type === POLICY_TYPE) this.readPolicy(node, path);
      else if (type === GROUP_TYPE) this.readGroup(node, path);
      else if (type === NSG_TYPE) this.readNsg(node, path);
      else if (type === FIREWALL_TYPE) this.firewalls.push(readClassicFirewall(this, node, path));
      else if (type === ROUTE_TABLE_TYPE) this.routes.readTable(node, path);
      else if (type === ROUTE_TYPE) this.routes.readChildRoute(node, path);
      else this.unmodelled([...path, 'type'], `a resource of type ${quote(node['type'])}, which audit does not read yet; left out`);
    });
    this.scope = null;
  }
}

const NETWORK_PROTOCOLS: readonly NetworkProtocol[] = ['TCP', 'UDP', 'Any', 'ICMP'];
// The REST API lists Http and Https for policy application rules; Mssql is what SQL FQDN filtering writes.
const APPLICATION_PROTOCOLS: readonly ApplicationProtocol[] = ['Http', 'Https', 'Mssql'];

function addressProblem(item: string): string | null {
  return item === '*' || ipv4Span(item) !== null || isIpv6(item) ? null : 'expected *, an IP address, a CIDR prefix or a range a-b';
}

/** SecurityRulePropertiesFormat: `*`, an address, a CIDR prefix or range, or a tag (letters first: `Internet`, `Storage.westus2`). */
function nsgPrefixProblem(item: string): string | null {
  return item === '*' || ipv4Span(item) !== null || isIpv6(item) || /^[A-Za-z][A-Za-z0-9.]*$/.test(item) ? null : 'expected *, an IP address, a CIDR prefix, a range a-b or a service tag';
}

const portProblem = portProblemFrom(1);
const nsgPortProblem = portProblemFrom(0);

/** Which kinds the JSON itself says it is: the ARM type first, then the shape az prints. */
function kindsOf(document: unknown): ConfigKind[] {
  if (Array.isArray(document)) {
    const kinds = new Set(document.flatMap((item) => kindsOf(item)));
    return [...kinds];
  }
  if (!isObject(document)) return [];
  if (Array.isArray(document['resources']) && ('$schema' in document || 'contentVersion' in document)) return ['arm-template'];
  if (Array.isArray(document['value']) && !('properties' in document)) return kindsOf(document['value']);
  // `az ml workspace show`: the managed network's isolation mode and outbound rules (the rest is for --workspace-json).
  if (isObject(document['managed_network'])) return ['managed-outbound-rules'];
  // az ml prints an outbound rule's type in snake_case, where an ARM resource has its resource type.
  if (typeof document['type'] === 'string' && ['fqdn', 'service_tag', 'private_endpoint'].includes(document['type'].toLowerCase()) && 'destination' in document) return ['managed-outbound-rules'];
  const type = typeof document['type'] === 'string' ? document['type'].toLowerCase() : null;
  if (type === POLICY_TYPE) return ['firewall-policy'];
  if (type === GROUP_TYPE) return ['rule-collection-group'];
  if (type === SERVICE_TAGS_TYPE) return ['service-tags'];
  if (type === NSG_TYPE) return ['nsg'];
  if (type === FIREWALL_TYPE) return ['azure-firewall'];
  if (type === ROUTE_TABLE_TYPE) return ['route-table'];
  if (type !== null) return [];
  // The weekly download (ServiceTags_Public_*.json) is the same list without the resource's type.
  if (typeof document['cloud'] === 'string' && Array.isArray(document['values'])) return ['service-tags'];
  const props = isObject(document['properties']) ? document['properties'] : document;
  // A firewall names its policy (firewallPolicy) and threat-intel mode too: its own keys say it is one.
  if (['networkRuleCollections', 'applicationRuleCollections', 'natRuleCollections', 'ipConfigurations', 'hubIPAddresses', 'firewallPolicy'].some((key) => key in props)) return ['azure-firewall'];
  const kinds: ConfigKind[] = [];
  if (['dnsSettings', 'basePolicy', 'threatIntelMode', 'childPolicies', 'firewalls'].some((key) => key in props)) kinds.push('firewall-policy');
  if ('ruleCollections' in props) kinds.push('rule-collection-group');
  if ('securityRules' in props || 'defaultSecurityRules' in props) kinds.push('nsg');
  if ('effectiveSecurityRules' in document) kinds.push('effective-nsg');
  kinds.push(...routeKindsOf(document, props));
  return kinds;
}

/** `--config-kind KIND=FILE` values, by file. */
export function parseConfigKinds(values: readonly string[]): Map<string, ConfigKind> {
  const kinds = new Map<string, ConfigKind>();
  for (const value of values) {
    const equals = value.indexOf('=');
    const kind = CONFIG_KINDS.find((k) => k === value.slice(0, equals));
    if (equals === -1 || kind === undefined || equals === value.length - 1) throw new InputError('--config-kind', `expected KIND=FILE with KIND one of ${CONFIG_KINDS.join(', ')}; got ${quote(value)}`);
    kinds.set(value.slice(equals + 1), kind);
  }
  return kinds;
}

/** Reads one --config file; `kind` overrides what its JSON says. */
function readConfigFile(file: string, kind: ConfigKind | undefined, reader: (shown: string) => ConfigReader, onDocument?: (document: unknown) => void): ConfigKind {
  const { shown, document } = readJsonInputFile(file, '--config', CONFIG_MAX_DEPTH, 'an exported configuration');
  onDocument?.(document);
  let chosen = kind;
  if (chosen === undefined) {
    const kinds = kindsOf(document);
    if (kinds.length === 0) {
      if (Array.isArray(document) && document.length === 0) throw new InputError(shown, 'is an empty list: nothing to audit (a policy without rule collection groups needs no file for them)');
      throw new InputError(shown, `matches no configuration audit reads; expected ${EXPECTED}`);
    }
    if (kinds.length > 1 && Array.isArray(document)) throw new InputError(shown, `is a list that mixes ${kinds.join(' and ')}; give each kind in a file of its own`);
    if (kinds.length > 1) throw new InputError(shown, `could be ${kinds.join(' or ')}; say which with --config-kind ${kinds[0] ?? ''}=${file}`);
    chosen = kinds[0] as ConfigKind;
  }
  reader(shown).readKind(document, chosen);
  return chosen;
}

/**
 * Reads every --config file into one configuration, and checks that its policies and groups fit
 * together. `onDocument` sees each file's JSON as read (standard input can be read only once):
 * `bundle` keeps them.
 */
export function readConfigs(files: readonly string[], kinds: ReadonlyMap<string, ConfigKind> = new Map(), onDocument?: (file: string, document: unknown) => void): AuditConfig {
  if (files.length === 0) throw new InputError('--config', "needs at least one file: the exported firewall policy, its rule collection groups, an ARM template, an NSG, an Azure Firewall or a managed network's outbound rules");
  const named = new Set<string>();
  for (const file of files) {
    if (named.has(file)) throw new InputError('--config', `${quote(file)} is given twice`);
    named.add(file);
  }
  for (const file of kinds.keys()) if (!files.includes(file)) throw new InputError('--config-kind', `names ${quote(file)}, which no --config gives`);
  const warnings: string[] = [];
  const policies: FirewallPolicy[] = [];
  const groups: RuleCollectionGroup[] = [];
  const inputs: Array<{ file: string; kind: ConfigKind }> = [];
  const nsgs: NetworkSecurityGroup[] = [];
  const firewalls: AzureFirewall[] = [];
  let managedRules: ManagedOutboundRule[] | undefined;
  let managedMode: ManagedNetworkMode | null = null;
  const routeTables: RouteTable[] = [];
  let serviceTags: Map<string, Span[]> | null = null;
  for (const file of files) {
    let made: ConfigReader | null = null;
    const kind = readConfigFile(file, kinds.get(file), (shown) => (made = new ConfigReader(shown, warnings)), onDocument && ((document) => onDocument(file, document)));
    const reader = made as ConfigReader | null;
    if (reader !== null) {
      policies.push(...reader.policies);
      groups.push(...reader.groups);
      nsgs.push(...reader.nsgs);
      firewalls.push(...reader.firewalls);
      if (kind === 'managed-outbound-rules') {
        if (managedRules !== undefined) throw new InputError('--config', `${quote(file)} is a second managed network's outbound rules; audit one workspace at a time`);
        managedRules = reader.managedRules;
        managedMode = reader.managedMode;
      }
      routeTables.push(...reader.routes.finish());
      if (kind === 'service-tags') {
        if (serviceTags !== null) throw new InputError('--config', `${quote(file)} is a second service-tag file; give one`);
        serviceTags = reader.serviceTags;
      }
    }
    inputs.push({ file, kind });
  }
  checkConsistent(policies, groups);
  checkFirewalls(firewalls, policies, groups, warnings);
  checkOneRouteTable(routeTables);
  return { policies, groups, nsgs, routeTables, inputs, warnings, serviceTags, firewalls, ...(managedRules === undefined ? {} : { managedRules }), ...(managedMode === null ? {} : { managedMode }) };
}

function checkConsistent(policies: readonly FirewallPolicy[], groups: readonly RuleCollectionGroup[]): void {
  const byName = new Map<string, FirewallPolicy>();
  for (const policy of policies) {
    const other = byName.get(policy.name);
    if (other !== undefined) throw new InputError(policy.where, `firewall policy ${quote(policy.name)} is also given at ${other.where}; give each policy once`);
    byName.set(policy.name, policy);
  }
  const seen = new Map<string, RuleCollectionGroup>();
  for (const group of groups) {
    const key = `${group.policy ?? ''}/${group.name.toLowerCase()}`;
    const other = seen.get(key);
    if (other !== undefined) throw new InputError(group.where, `rule collection group ${quote(group.name)} is also given at ${other.where}; give each group once`);
    seen.set(key, group);
    const known = byName.has(group.policy ?? '') || policies.some((policy) => policy.basePolicy === group.policy);
    if (group.policy !== null && policies.length > 0 && !known) throw new InputError(group.where, `belongs to firewall policy ${quote(group.policy)}, which no --config gives (given: ${[...byName.keys()].join(', ')})`);
  }
}
