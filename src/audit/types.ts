import type { ManagedNetworkMode } from '../model/facts.js';
import type { OutboundRuleSpec } from '../remedies/managed-network.js';
import type { Span } from './addresses.js';

/**
 * The admin's own configuration as `audit` reads it, and what it concludes for each target.
 * Shapes follow the Microsoft.Network REST API (2024-05-01, firewallPolicy.json), whichever
 * way the export printed them: `az` flattens `properties` to the top level, ARM nests them.
 */

/** What a `--config` file holds; `--config-kind KIND=FILE` names it when the JSON could be two. */
export const CONFIG_KINDS = ['firewall-policy', 'rule-collection-group', 'arm-template', 'service-tags', 'nsg', 'effective-nsg', 'azure-firewall', 'managed-outbound-rules', 'route-table', 'effective-routes'] as const;
export type ConfigKind = (typeof CONFIG_KINDS)[number];

export type NetworkProtocol = 'TCP' | 'UDP' | 'Any' | 'ICMP';
export type ApplicationProtocol = 'Http' | 'Https' | 'Mssql';

interface RuleBase {
  readonly name: string;
  readonly sourceAddresses: readonly string[];
  readonly sourceIpGroups: readonly string[];
}

export interface NetworkRule extends RuleBase {
  readonly ruleType: 'NetworkRule';
  readonly ipProtocols: readonly NetworkProtocol[];
  readonly destinationAddresses: readonly string[];
  readonly destinationIpGroups: readonly string[];
  readonly destinationFqdns: readonly string[];
  readonly destinationPorts: readonly string[];
}

export interface ApplicationRule extends RuleBase {
  readonly ruleType: 'ApplicationRule';
  readonly protocols: ReadonlyArray<{ readonly protocolType: ApplicationProtocol; readonly port: number }>;
  readonly targetFqdns: readonly string[];
  readonly targetUrls: readonly string[];
  readonly fqdnTags: readonly string[];
  readonly webCategories: readonly string[];
  readonly destinationAddresses: readonly string[];
}

export interface NatRule extends RuleBase {
  readonly ruleType: 'NatRule';
}

export type PolicyRule = NetworkRule | ApplicationRule | NatRule;

export interface RuleCollection {
  readonly name: string;
  readonly priority: number;
  readonly action: 'Allow' | 'Deny' | 'DNAT';
  readonly rules: readonly PolicyRule[];
}

export interface RuleCollectionGroup {
  readonly name: string;
  readonly priority: number;
  /** The policy it belongs to, by name (lower case), as its id or ARM name says; null when neither does. */
  readonly policy: string | null;
  readonly collections: readonly RuleCollection[];
  /** Where it was read: `file: keyPath`. */
  readonly where: string;
  /** The resource group of its policy, from the export's resourceGroup or id; null or absent when neither says. */
  readonly resourceGroup?: string | null;
}

export interface FirewallPolicy {
  readonly name: string;
  /** The parent's name (lower case), from basePolicy.id; null for none. */
  readonly basePolicy: string | null;
  /** dnsSettings.enableProxy; false when the policy says nothing (the API's default). */
  readonly dnsProxy: boolean;
  readonly threatIntelMode: string | null;
  readonly sku: string | null;
  readonly where: string;
  /** Its resource group, from the export's resourceGroup or id; null or absent when neither says (an ARM template). */
  readonly resourceGroup?: string | null;
}

/** SecurityRulePropertiesFormat.protocol (networkSecurityGroup.json); effective rules write `All` for `*`. */
export type NsgProtocol = 'Tcp' | 'Udp' | 'Icmp' | 'Esp' | 'Ah' | '*';

/** A security rule of an NSG (networkSecurityGroup.json 2024-05-01, SecurityRulePropertiesFormat), or an effective one. */
export interface NsgRule {
  readonly name: string;
  readonly priority: number;
  readonly direction: 'Inbound' | 'Outbound';
  readonly access: 'Allow' | 'Deny';
  readonly protocol: NsgProtocol;
  /** sourceAddressPrefix and sourceAddressPrefixes together: `*`, prefixes, ranges or service tags. */
  readonly sourcePrefixes: readonly string[];
  readonly sourcePorts: readonly string[];
  readonly destinationPrefixes: readonly string[];
  readonly destinationPorts: readonly string[];
  /** Application security groups by name. */
  readonly sourceAsgs: readonly string[];
  readonly destinationAsgs: readonly string[];
  /** One of the rules Azure puts in every NSG (defaultSecurityRules). */
  readonly isDefault: boolean;
}

export interface NetworkSecurityGroup {
  readonly name: string;
  /** Read from `az network nic list-effective-nsg` rather than `az network nsg show`. */
  readonly effective: boolean;
  /** Names of the default rules the export left out and audit added. */
  readonly defaultsAdded: readonly string[];
  readonly rules: readonly NsgRule[];
  readonly where: string;
  /** Its resource group, from the export's resourceGroup or id; null or absent when neither says. */
  readonly resourceGroup?: string | null;
}

/**
 * RouteNextHopType (routeTable.json 2024-05-01), and the hop types `az network nic
 * show-effective-route-table` also prints for Azure's own routes (peerings, service endpoints,
 * private endpoints: https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview).
 */
export const NEXT_HOP_TYPES = ['VirtualNetworkGateway', 'VnetLocal', 'Internet', 'VirtualAppliance', 'None', 'VNetPeering', 'VNetGlobalPeering', 'VirtualNetworkServiceEndpoint', 'InterfaceEndpoint'] as const;
export type NextHopType = (typeof NEXT_HOP_TYPES)[number];

/** EffectiveRouteSource: User for a route table's routes, VirtualNetworkGateway for BGP, Default for Azure's system routes. */
export type RouteSource = 'User' | 'VirtualNetworkGateway' | 'Default' | 'Unknown';

/** A route of a route table (RoutePropertiesFormat) or an active effective route, one address prefix each. */
export interface Route {
  /** The route's name; null for Azure's system routes, which have none. */
  readonly name: string | null;
  /** A CIDR prefix or a service tag (`Storage`, `AzureCloud.westus2`); `VirtualNetwork` stands for the VNet's address space when audit added that system route. */
  readonly addressPrefix: string;
  readonly nextHopType: NextHopType;
  readonly nextHopIpAddress: string | null;
  readonly source: RouteSource;
  /** A system route the export leaves out (a route table lists only the admin's routes) and audit added. */
  readonly added: boolean;
}

/** The routes of the workspace's subnet: a route table (`az network route-table show`) or a NIC's effective routes. */
export interface RouteTable {
  readonly name: string;
  /** Read from `az network nic show-effective-route-table`: Azure's system routes are in it. */
  readonly effective: boolean;
  readonly disableBgpRoutePropagation: boolean;
  readonly routes: readonly Route[];
  /** The system routes audit added, as `prefix → hop`. */
  readonly systemRoutesAdded: readonly string[];
  readonly where: string;
}

/**
 * An Azure Firewall as `az network firewall show` prints it (azureFirewall.json 2024-05-01,
 * AzureFirewall): its own classic rule collections, or the policy it runs instead.
 */
export interface AzureFirewall {
  readonly name: string;
  /** firewallPolicy.id's policy name (lower case); null when the firewall runs its classic rules. */
  readonly policy: string | null;
  /** additionalProperties["Network.DNS.EnableProxy"]; false when the firewall says nothing (the API's default). */
  readonly dnsProxy: boolean;
  readonly threatIntelMode: string | null;
  readonly sku: string | null;
  /** ipConfigurations[].privateIPAddress (or hubIPAddresses.privateIPAddress): the next hop routes send traffic to. */
  readonly privateIp: string | null;
  /** networkRuleCollections, applicationRuleCollections and natRuleCollections, as policy collections read them. */
  readonly collections: readonly RuleCollection[];
  readonly where: string;
}

/** RuleCategory of workspaceRP.json (Microsoft.MachineLearningServices 2024-10-01), as az ml prints it (snake_case). */
export type ManagedRuleCategory = 'required' | 'recommended' | 'user_defined' | 'dependency';

interface ManagedRuleBase {
  readonly name: string;
  readonly category: ManagedRuleCategory | null;
  /** RuleStatus: Inactive until the managed network is provisioned (or a private endpoint approved). */
  readonly status: 'Active' | 'Inactive' | null;
  readonly where: string;
}

/** One outbound rule of a managed virtual network, as `az ml workspace outbound-rule list` prints it. */
export type ManagedOutboundRule =
  | (ManagedRuleBase & { readonly type: 'fqdn'; readonly destination: string })
  | (ManagedRuleBase & { readonly type: 'service_tag'; readonly serviceTag: string; readonly protocol: string; readonly portRanges: readonly string[]; readonly addressPrefixes: readonly string[] })
  | (ManagedRuleBase & { readonly type: 'private_endpoint'; readonly serviceResourceId: string; readonly subresourceTarget: string; readonly sparkEnabled: boolean });

/** Every --config read, merged. */
export interface AuditConfig {
  readonly policies: readonly FirewallPolicy[];
  readonly groups: readonly RuleCollectionGroup[];
  /** In the order traffic leaving the workspace meets them (a NIC's NSG before its subnet's); absent when none. */
  readonly nsgs?: readonly NetworkSecurityGroup[];
  /** The route table or effective routes of the workspace's subnet; absent when none. */
  readonly routeTables?: readonly RouteTable[];
  readonly inputs: ReadonlyArray<{ readonly file: string; readonly kind: ConfigKind }>;
  /**
   * Microsoft's published service tags (`az network list-service-tags`), by lower-case name: each
   * tag's IPv4 addresses as merged spans. Null when no such file was given.
   */
  readonly serviceTags: ReadonlyMap<string, readonly Span[]> | null;
  /** One line each: fields read but not modelled, resources this slice does not read. */
  readonly warnings: readonly string[];
  /** Azure Firewalls read (`az network firewall show`); absent when none. */
  readonly firewalls?: readonly AzureFirewall[];
  /** The managed network's outbound rules (`az ml workspace outbound-rule list`); absent when no such export was given. */
  readonly managedRules?: readonly ManagedOutboundRule[];
  /** The isolation mode the managed export itself gives (`az ml workspace show`: managed_network.isolation_mode). */
  readonly managedMode?: ManagedNetworkMode;
}

/** A rule as verdicts name it: `<group>/<collection>/<rule>`, with the priorities that ordered it. */
export interface FirewallRuleRef {
  readonly layer: 'firewall';
  readonly policy: string | null;
  readonly group: string;
  readonly groupPriority: number;
  readonly collection: string;
  readonly collectionPriority: number;
  readonly rule: string;
  readonly ruleType: 'NetworkRule' | 'ApplicationRule';
  readonly action: 'Allow' | 'Deny';
}

/** An NSG rule as verdicts name it: `<nsg>/<rule>` (priority). */
export interface NsgRuleRef {
  readonly layer: 'nsg';
  readonly nsg: string;
  readonly rule: string;
  readonly priority: number;
  readonly action: 'Allow' | 'Deny';
  readonly isDefault: boolean;
}

/** A route as verdicts name it: `<table>/<route>` (prefix → next hop); Azure's system routes have no name. */
export interface RouteRef {
  readonly layer: 'route';
  readonly table: string;
  /** The route's name, as the other layers name their rules; null for Azure's system routes. */
  readonly rule: string | null;
  readonly addressPrefix: string;
  readonly nextHopType: NextHopType;
  readonly nextHopIpAddress: string | null;
  readonly source: RouteSource;
  /** A system route audit added: the export does not list it. */
  readonly added: boolean;
  /** Deny for a route to None (the traffic is dropped), else Allow. */
  readonly action: 'Allow' | 'Deny';
}

/** A classic rule of an Azure Firewall (no policy): `<firewall>/<collection>/<rule>` (priority). */
export interface ClassicRuleRef {
  readonly layer: 'classic-firewall';
  readonly firewall: string;
  readonly collection: string;
  readonly collectionPriority: number;
  readonly rule: string;
  readonly ruleType: 'NetworkRule' | 'ApplicationRule';
  readonly action: 'Allow' | 'Deny';
}

/** What lets traffic out of a managed virtual network: an outbound rule, or the isolation mode itself. */
export interface ManagedRuleRef {
  readonly layer: 'managed';
  /** The rule's name; for internet outbound, the isolation mode. */
  readonly rule: string;
  readonly ruleType: 'fqdn' | 'service_tag' | 'private_endpoint' | 'isolation_mode';
  readonly destination: string;
  readonly category: ManagedRuleCategory | null;
  /** The export lists it; false for a rule Azure adds by itself that the export left out. */
  readonly listed: boolean;
  readonly action: 'Allow';
}

export type RuleRef = FirewallRuleRef | NsgRuleRef | ClassicRuleRef | ManagedRuleRef | RouteRef;

/**
 * The layers traffic passes through, in path order: the managed network (when the workspace has
 * one), the NSGs on the workspace's subnet or NIC, the routes, then the firewall (a policy's or its classic rules).
 */
export type AuditLayer = 'nsg' | 'route' | 'firewall' | 'managed';

/** A layer the traffic does not pass through (always), or may not (the route depends on data not given). */
export interface Bypass {
  readonly reason: string;
  readonly always: boolean;
  /** By design: a private endpoint reached within the virtual network, which no firewall is meant to see. */
  readonly expected: boolean;
}

/** One layer's own verdict; `bypassed` when the routes take the traffic past it, so that its verdict does not apply. */
export interface LayerVerdict {
  readonly layer: AuditLayer;
  readonly verdict: AuditVerdict;
  readonly bypassed?: Bypass;
}

export type AuditVerdict =
  | { readonly verdict: 'allowed'; readonly rule: RuleRef }
  | { readonly verdict: 'denied'; readonly rule: RuleRef }
  | { readonly verdict: 'no-rule' }
  | { readonly verdict: 'inexpressible'; readonly rule: RuleRef; readonly reason: string }
  | { readonly verdict: 'depends'; readonly on: readonly string[]; readonly rule: RuleRef | null }
  | { readonly verdict: 'not-audited'; readonly reason: string };

export interface AuditedTarget {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly protocol: string;
  readonly required: boolean;
  readonly features: readonly string[];
  /** The verdict of all layers together: the first layer on the path that blocks decides. */
  readonly verdict: AuditVerdict;
  /** Each layer's own verdict, in path order. */
  readonly layers: readonly LayerVerdict[];
}

/** The managed network's closing change: one outbound rule that adds what the blocked targets need. */
export interface ManagedChange {
  readonly rule: OutboundRuleSpec;
  /** describeRuleSpec's words for it. */
  readonly description: string;
  /** The ids of the blocked targets it lets out. */
  readonly targets: readonly string[];
  /**
   * As the admin runs it (render/rules/managed-network.ts withPrintedChanges): the rule's name, the
   * `az ml workspace outbound-rule set` command and the managed_network.outbound_rules YAML; command
   * null and `refused` saying why when a value in the rule is not safe to print.
   */
  readonly printed?: { readonly name: string | null; readonly command: string | null; readonly yaml: readonly string[]; readonly refused: string | null };
}

export interface ManagedAudit {
  /** az ml's spelling of the isolation mode; null when neither the facts nor the flags say it. */
  readonly mode: string | null;
  readonly rules: number;
  /** Outbound rules to add (additive only) for the required targets the managed network blocks. */
  readonly changes: readonly ManagedChange[];
  /** Required targets no outbound rule can let out, with what to do instead. */
  readonly cannot: ReadonlyArray<{ readonly target: string; readonly requirement: string; readonly alternative: string }>;
}

export interface AuditResult {
  readonly policies: ReadonlyArray<{ readonly name: string; readonly basePolicy: string | null; readonly dnsProxy: boolean; readonly threatIntelMode: string | null; readonly sku: string | null }>;
  readonly nsgs: ReadonlyArray<{ readonly name: string; readonly effective: boolean; readonly defaultsAdded: readonly string[] }>;
  readonly routeTables?: ReadonlyArray<{ readonly name: string; readonly effective: boolean; readonly disableBgpRoutePropagation: boolean; readonly systemRoutesAdded: readonly string[] }>;
  readonly sources: readonly string[];
  readonly targets: readonly AuditedTarget[];
  readonly exitCode: number;
  /** What to add to the admin's configuration so that every required target it blocks is allowed (close.ts). */
  readonly change: ClosingChange;
  /** The admin's rules that allow more than the workspace needs (advisory.ts); never changes the exit code. */
  readonly advisories: readonly Advisory[];
  readonly firewalls?: ReadonlyArray<{ readonly name: string; readonly policy: string | null; readonly dnsProxy: boolean; readonly threatIntelMode: string | null; readonly sku: string | null; readonly privateIp: string | null }>;
  readonly managed?: ManagedAudit;
  /** What the run warned of on stderr (fields not modelled, defaults added), for the reports that keep it (Markdown, HTML, JUnit). */
  readonly warnings?: readonly string[];
  /** The catalog's name of each feature a target serves, by id, for the reports that group by feature. */
  readonly featureNames?: Readonly<Record<string, string>>;
  /** When the audit ran (ISO 8601), for the reports that date themselves (JUnit). */
  readonly auditedAt?: string;
}

/**
 * The closing change: only additions to the admin's own structure, layer by layer. Each layer
 * that can block owns one entry kind; a layer another slice adds (routes, the managed network)
 * adds its own kind to LayerChange and its own builder to close.ts.
 */
export interface ClosingChange {
  /** The --source prefixes the added rules carry, or [SOURCE_PLACEHOLDER] for the admin to fill. */
  readonly sourceAddresses: readonly string[];
  readonly layers: readonly LayerChange[];
  /**
   * The change applied to the configuration and audited again: the targets it makes allowed, and
   * any other target whose verdict it would change (none, unless a policy-wide setting is changed).
   */
  readonly verified: { readonly allowed: readonly string[]; readonly otherVerdictsChanged: readonly string[] };
}

/** What the admin must fill in: no command or template runs while it stands. */
export const SOURCE_PLACEHOLDER = '<workspace-subnet>';

export type LayerChange = FirewallLayerChange | NsgLayerChange;

/** Where added firewall rules go: an existing collection, or one (and perhaps a group) made for them. */
export interface FirewallPlace {
  readonly policy: string | null;
  readonly resourceGroup: string | null;
  readonly group: string;
  readonly groupPriority: number;
  readonly newGroup: boolean;
  readonly collection: string;
  readonly collectionPriority: number;
  readonly newCollection: boolean;
}

/** A rule to add, as the evaluator reads rules, with the targets it allows. */
export type AddedFirewallRule = (NetworkRule | ApplicationRule) & { readonly fixes: readonly string[] };

export interface FirewallAddition {
  readonly place: FirewallPlace;
  readonly ruleType: 'NetworkRule' | 'ApplicationRule';
  readonly rules: readonly AddedFirewallRule[];
}

/** A policy-wide setting the additions need: named as such, never folded into a rule. */
export interface PolicySettingChange {
  readonly setting: 'dns-proxy';
  readonly policy: string | null;
  readonly resourceGroup: string | null;
  readonly why: string;
  readonly fixes: readonly string[];
}

/** A required target no addition can allow, and why (a deny with no free priority ahead of it). */
export interface Unfixable {
  readonly target: string;
  readonly reason: string;
}

export interface FirewallLayerChange {
  readonly layer: 'firewall';
  /** In the order to apply them: a new group before its collections, a new collection before rules added to it. */
  readonly additions: readonly FirewallAddition[];
  readonly settings: readonly PolicySettingChange[];
  /**
   * The same rules as one new rule collection group per policy, at a free priority ahead of every
   * deny they must pass: what a Bicep deployment can add without restating a group of the admin's
   * (deploying a ruleCollectionGroups resource replaces the whole group). Null when no free
   * priority is ahead of them all.
   */
  readonly asNewGroups: readonly FirewallAddition[] | null;
  readonly unfixable: readonly Unfixable[];
}

/** An NSG rule to add: an outbound Allow at a priority the NSG does not use, ahead of the deny. */
export interface NsgAddition {
  readonly nsg: string;
  readonly resourceGroup: string | null;
  readonly rule: NsgRule;
  readonly fixes: readonly string[];
}

export interface NsgLayerChange {
  readonly layer: 'nsg';
  readonly additions: readonly NsgAddition[];
  readonly unfixable: readonly Unfixable[];
}

/** One of the admin's rules that allows more than the workspace needs, and what makes it broad. */
export interface Advisory {
  readonly rule: RuleRef;
  readonly why: string;
}
