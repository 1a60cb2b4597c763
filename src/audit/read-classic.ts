import { isObject, quoteJson, type JsonObject } from '../io/json-input.js';
import { formatKeyPath } from '../model/errors.js';
import { empty, nameInId, type Path, type ReaderTools } from './read-tools.js';
import type { AzureFirewall, PolicyRule, RuleCollection } from './types.js';

/**
 * An Azure Firewall with its own (classic) rules, as `az network firewall show` prints it and as
 * an exported ARM template holds it (Microsoft.Network/azureFirewalls). Shapes from the REST API
 * specification, Microsoft.Network 2024-05-01, azureFirewall.json (AzureFirewall,
 * AzureFirewallPropertiesFormat, the Application, Network and NAT rule collections and rules).
 * az flattens `properties` of the firewall, of each collection and of each IP configuration
 * (x-ms-client-flatten); ARM keeps them nested: both are read.
 */

// AzureFirewallPropertiesFormat: where the firewall sits (virtualHub, the management IP configuration),
// how it scales (autoscaleConfiguration, zones) and the IP groups its rules already name (ipGroups,
// read-only) change no rule's match.
const FIREWALL_KEYS = [
  'applicationRuleCollections',
  'networkRuleCollections',
  'natRuleCollections',
  'ipConfigurations',
  'managementIpConfiguration',
  'threatIntelMode',
  'virtualHub',
  'firewallPolicy',
  'hubIPAddresses',
  'ipGroups',
  'sku',
  'additionalProperties',
  'autoscaleConfiguration',
  'zones',
];
const COLLECTION_KEYS = ['name', 'priority', 'action', 'rules'];
/** The rules of each kind of collection: no ruleType (the collection says it), and network protocols as `protocols`. */
const CLASSIC_RULES = {
  networkRuleCollections: {
    ruleType: 'NetworkRule',
    keys: ['name', 'description', 'protocols', 'sourceAddresses', 'sourceIpGroups', 'destinationAddresses', 'destinationIpGroups', 'destinationFqdns', 'destinationPorts'],
  },
  applicationRuleCollections: { ruleType: 'ApplicationRule', keys: ['name', 'description', 'protocols', 'sourceAddresses', 'sourceIpGroups', 'targetFqdns', 'fqdnTags'] },
  // DNAT rules translate inbound traffic to the firewall's own address: read, never matched to outbound targets.
  natRuleCollections: {
    ruleType: 'NatRule',
    keys: ['name', 'description', 'protocols', 'sourceAddresses', 'sourceIpGroups', 'destinationAddresses', 'destinationPorts', 'translatedAddress', 'translatedPort', 'translatedFqdn'],
  },
} as const satisfies Record<string, { ruleType: PolicyRule['ruleType']; keys: readonly string[] }>;

/**
 * additionalProperties the firewall runs with (AzureFirewallAdditionalProperties, strings). Only the
 * DNS proxy changes a match (FQDNs in network rules: https://learn.microsoft.com/azure/firewall/dns-settings);
 * the DNS servers it forwards to and the ranges it does not SNAT do not.
 */
const DNS_PROXY = 'network.dns.enableproxy';
const QUIET_PROPERTIES = ['network.dns.servers', 'network.snat.privateranges', 'network.snat.autolearnprivateranges', 'network.dns.requireproxyfornetworkrules'];

function onOff(text: string): boolean | null {
  const lower = text.toLowerCase();
  return ['true', 'enabled'].includes(lower) ? true : ['false', 'disabled'].includes(lower) ? false : null;
}

function readCollections(tools: ReaderTools, props: JsonObject, at: Path, key: keyof typeof CLASSIC_RULES): RuleCollection[] {
  const list = tools.value(props, key, at);
  if (empty(list)) return [];
  if (!Array.isArray(list)) tools.fail([...at, key], `expected a list of rule collections; got ${quoteJson(list)}`);
  const nat = key === 'natRuleCollections';
  return list.map((item, index) => {
    const path = [...at, key, index];
    if (!isObject(item)) tools.fail(path, `expected a rule collection (an object); got ${quoteJson(item)}`);
    const name = tools.string(item, 'name', path, true) as string;
    const { props: collection, at: where } = tools.propertiesOf(item, path);
    tools.checkKeys(item, path, COLLECTION_KEYS);
    if (collection !== item) tools.checkKeys(collection, where, COLLECTION_KEYS);
    const priority = tools.priority(collection, where);
    const actionNode = tools.value(collection, 'action', where);
    if (!isObject(actionNode)) tools.fail([...where, 'action'], `expected an object {"type": ${nat ? '"Dnat"' : '"Allow" or "Deny"'}}; got ${quoteJson(actionNode)}`);
    // AzureFirewallRCActionType (Allow, Deny) and AzureFirewallNatRCActionType (Dnat; Snat is named but no collection uses it).
    const natType = nat ? (tools.string(actionNode, 'type', [...where, 'action'], true) as string) : null;
    if (natType !== null && natType.toLowerCase() !== 'dnat') tools.fail([...where, 'action', 'type'], `expected Dnat; got ${quoteJson(natType)}`);
    const action = nat ? ('DNAT' as const) : tools.oneOf(actionNode, 'type', [...where, 'action'], ['Allow', 'Deny'] as const);
    const rules = tools.value(collection, 'rules', where);
    if (rules !== undefined && rules !== null && !Array.isArray(rules)) tools.fail([...where, 'rules'], `expected a list of rules; got ${quoteJson(rules)}`);
    return { name, priority, action, rules: (rules ?? []).map((rule, at) => tools.readRule(rule, [...where, 'rules', at], nat, CLASSIC_RULES[key])) };
  });
}

/** ipConfigurations[].privateIPAddress, or hubIPAddresses.privateIPAddress for a firewall in a virtual hub. */
function privateIpOf(tools: ReaderTools, props: JsonObject, at: Path): string | null {
  const configs = tools.value(props, 'ipConfigurations', at);
  if (Array.isArray(configs)) {
    for (const [index, config] of configs.entries()) {
      if (!isObject(config)) tools.fail([...at, 'ipConfigurations', index], `expected an IP configuration (an object); got ${quoteJson(config)}`);
      const { props: inner, at: where } = tools.propertiesOf(config, [...at, 'ipConfigurations', index]);
      const address = tools.string(inner, 'privateIPAddress', where, false);
      if (address !== null) return address;
    }
  } else if (!empty(configs)) tools.fail([...at, 'ipConfigurations'], `expected a list of IP configurations; got ${quoteJson(configs)}`);
  const hub = tools.value(props, 'hubIPAddresses', at);
  return isObject(hub) ? tools.string(hub, 'privateIPAddress', [...at, 'hubIPAddresses'], false) : null;
}

/** The DNS proxy from additionalProperties (az today), or from the same keys at the top level (older az printed them there). */
function dnsProxyOf(tools: ReaderTools, node: JsonObject, path: Path, props: JsonObject, at: Path): boolean {
  let proxy = false;
  const read = (holder: JsonObject, where: Path, keys: readonly string[]): void => {
    for (const key of keys) {
      const lower = key.toLowerCase();
      if (lower === DNS_PROXY) {
        const value = tools.value(holder, key, where);
        const on = typeof value === 'string' ? onOff(value) : typeof value === 'boolean' ? value : null;
        if (on === null) tools.fail([...where, key], `expected "true" or "false"; got ${quoteJson(value)}`);
        proxy = on;
      } else if (!QUIET_PROPERTIES.includes(lower)) tools.unmodelled([...where, key], 'an additional property audit does not model, so it is not taken into account');
    }
  };
  const extra = tools.value(props, 'additionalProperties', at);
  if (!empty(extra)) {
    if (!isObject(extra)) tools.fail([...at, 'additionalProperties'], `expected an object of strings; got ${quoteJson(extra)}`);
    read(extra, [...at, 'additionalProperties'], Object.keys(extra));
  }
  read(
    node,
    path,
    Object.keys(node).filter((key) => key.toLowerCase().startsWith('network.')),
  );
  return proxy;
}

/** One firewall: `az network firewall show` (flattened) or the ARM resource (properties nested). */
export function readClassicFirewall(tools: ReaderTools, node: JsonObject, path: Path): AzureFirewall {
  const name = tools.string(node, 'name', path, true) as string;
  const { props, at } = tools.propertiesOf(node, path);
  const known = [...FIREWALL_KEYS, ...Object.keys(node).filter((key) => key.toLowerCase().startsWith('network.'))];
  tools.checkKeys(node, path, known);
  if (props !== node) tools.checkKeys(props, at, FIREWALL_KEYS);
  const reference = tools.value(props, 'firewallPolicy', at);
  let policy: string | null = null;
  if (!empty(reference)) {
    if (!isObject(reference)) tools.fail([...at, 'firewallPolicy'], `expected an object with an id; got ${quoteJson(reference)}`);
    const id = tools.string(reference, 'id', [...at, 'firewallPolicy'], true) as string;
    policy = nameInId(id, 'firewallpolicies') ?? tools.fail([...at, 'firewallPolicy', 'id'], `expected the id of a firewall policy (…/providers/Microsoft.Network/firewallPolicies/NAME); got ${quoteJson(id)}`);
  }
  const threatIntelMode = empty(tools.value(props, 'threatIntelMode', at)) ? null : tools.oneOf(props, 'threatIntelMode', at, ['Alert', 'Deny', 'Off'] as const);
  const skuNode = tools.value(props, 'sku', at);
  const sku = isObject(skuNode) ? tools.string(skuNode, 'tier', [...at, 'sku'], false) : null;
  const collections = (['networkRuleCollections', 'applicationRuleCollections', 'natRuleCollections'] as const).flatMap((key) => readCollections(tools, props, at, key));
  const dnsProxy = dnsProxyOf(tools, node, path, props, at);
  return { name, policy, dnsProxy, threatIntelMode, sku, privateIp: privateIpOf(tools, props, at), collections, where: `${tools.shown}: ${path.length === 0 ? 'firewall' : formatKeyPath(path)}` };
}
