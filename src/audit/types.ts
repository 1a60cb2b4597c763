import type { Span } from './addresses.js';

/**
 * The admin's own configuration as `audit` reads it, and what it concludes for each target.
 * Shapes follow the Microsoft.Network REST API (2024-05-01, firewallPolicy.json), whichever
 * way the export printed them: `az` flattens `properties` to the top level, ARM nests them.
 */

/** What a `--config` file holds; `--config-kind KIND=FILE` names it when the JSON could be two. */
export const CONFIG_KINDS = ['firewall-policy', 'rule-collection-group', 'arm-template', 'service-tags', 'nsg', 'effective-nsg'] as const;
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
}

/** Every --config read, merged. */
export interface AuditConfig {
  readonly policies: readonly FirewallPolicy[];
  readonly groups: readonly RuleCollectionGroup[];
  /** In the order traffic leaving the workspace meets them (a NIC's NSG before its subnet's); absent when none. */
  readonly nsgs?: readonly NetworkSecurityGroup[];
  readonly inputs: ReadonlyArray<{ readonly file: string; readonly kind: ConfigKind }>;
  /**
   * Microsoft's published service tags (`az network list-service-tags`), by lower-case name: each
   * tag's IPv4 addresses as merged spans. Null when no such file was given.
   */
  readonly serviceTags: ReadonlyMap<string, readonly Span[]> | null;
  /** One line each: fields read but not modelled, resources this slice does not read. */
  readonly warnings: readonly string[];
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

export type RuleRef = FirewallRuleRef | NsgRuleRef;

/** The layers traffic passes through, in path order: the NSGs on the workspace's subnet or NIC, then the firewall. */
export type AuditLayer = 'nsg' | 'firewall';

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
  readonly layers: ReadonlyArray<{ readonly layer: AuditLayer; readonly verdict: AuditVerdict }>;
}

export interface AuditResult {
  readonly policies: ReadonlyArray<{ readonly name: string; readonly basePolicy: string | null; readonly dnsProxy: boolean; readonly threatIntelMode: string | null; readonly sku: string | null }>;
  readonly nsgs: ReadonlyArray<{ readonly name: string; readonly effective: boolean; readonly defaultsAdded: readonly string[] }>;
  readonly sources: readonly string[];
  readonly targets: readonly AuditedTarget[];
  readonly exitCode: number;
  /** What the run warned of on stderr (fields not modelled, defaults added), for the reports that keep it (Markdown, HTML, JUnit). */
  readonly warnings?: readonly string[];
  /** The catalog's name of each feature a target serves, by id, for the reports that group by feature. */
  readonly featureNames?: Readonly<Record<string, string>>;
  /** When the audit ran (ISO 8601), for the reports that date themselves (JUnit). */
  readonly auditedAt?: string;
}
