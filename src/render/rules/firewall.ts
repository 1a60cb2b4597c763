import { APPLICATION_COLLECTION, NETWORK_COLLECTION, RULE_COLLECTION_GROUP } from '../../remedies/names.js';
import { partitionEntries, ruleName } from '../../remedies/validate.js';
import type { AllowEntry, RulesPlan } from '../../remedies/plan.js';
import type { Additions } from './formats.js';

/**
 * The Azure Firewall reading of an allow-list, shared by the az, az-classic and Bicep
 * renderers. A service tag the catalog names becomes a network rule (the article lists those
 * tags as network rules, and Microsoft keeps their addresses current); other web traffic an
 * application rule on the name; anything else a network rule on the name, which needs the
 * firewall's DNS proxy.
 */
export interface ApplicationRule {
  readonly name: string;
  readonly fqdn: string;
  readonly protocols: ReadonlyArray<{ readonly type: 'Http' | 'Https'; readonly port: number }>;
  readonly features: readonly string[];
}

/** What a network rule's `ipProtocols` hold: web traffic is TCP there. */
export type NetworkProtocol = 'TCP' | 'UDP' | 'Any';

export interface NetworkRule {
  readonly name: string;
  readonly destination: { readonly kind: 'service-tag' | 'fqdn'; readonly value: string };
  readonly protocol: NetworkProtocol;
  readonly ports: readonly number[];
  readonly features: readonly string[];
}

export interface FirewallRules {
  readonly application: readonly ApplicationRule[];
  readonly network: readonly NetworkRule[];
  /** Inbound entries: an NSG's job (see `-o nsg`), not the egress firewall's. */
  readonly inbound: readonly AllowEntry[];
  readonly refused: readonly string[];
  /** Whether a network rule names a host, so the firewall's DNS proxy must be on. */
  readonly needsDnsProxy: boolean;
}

function uniqueNames<T extends { name: string }>(rules: T[]): T[] {
  const used = new Map<string, number>();
  return rules.map((rule) => {
    const seen = used.get(rule.name) ?? 0;
    used.set(rule.name, seen + 1);
    return seen === 0 ? rule : { ...rule, name: ruleName(`${rule.name.slice(0, 74)}-${seen + 1}`) };
  });
}

function networkProtocol(protocol: AllowEntry['protocol']): NetworkProtocol {
  return protocol === 'UDP' || protocol === 'Any' ? protocol : 'TCP';
}

export function azureFirewallRules(entries: readonly AllowEntry[]): FirewallRules {
  const { safe, refused: invalid } = partitionEntries(entries);
  const refused = [...invalid];
  const application = new Map<string, { name: string; fqdn: string; protocols: Array<{ type: 'Http' | 'Https'; port: number }>; features: Set<string> }>();
  const network = new Map<string, { name: string; destination: NetworkRule['destination']; protocol: NetworkProtocol; ports: Set<number>; features: Set<string> }>();
  const inbound: AllowEntry[] = [];
  for (const entry of safe) {
    if (entry.direction === 'inbound') {
      inbound.push(entry);
    } else if (entry.serviceTag === null && entry.fqdn !== null && (entry.protocol === 'HTTP' || entry.protocol === 'HTTPS')) {
      const rule = application.get(entry.fqdn) ?? { name: ruleName(entry.fqdn), fqdn: entry.fqdn, protocols: [], features: new Set<string>() };
      const type = entry.protocol === 'HTTP' ? 'Http' : 'Https';
      if (!rule.protocols.some((p) => p.type === type && p.port === entry.port)) rule.protocols.push({ type, port: entry.port });
      for (const f of entry.features) rule.features.add(f);
      application.set(entry.fqdn, rule);
    } else if (entry.serviceTag === null && entry.fqdn !== null && entry.fqdn.includes('*')) {
      // Azure Firewall network rules take no wildcard names, and one refused command would stop
      // the whole script (set -e): name the hosts (e.g. --compute-instance) to get a rule.
      refused.push(`${entry.fqdn} on ${entry.protocol} ${entry.port}: an Azure Firewall network rule takes no wildcard name; give the concrete host (for compute instances, --compute-instance NAME) to get a rule for it`);
    } else {
      const destination = entry.serviceTag !== null ? { kind: 'service-tag' as const, value: entry.serviceTag } : { kind: 'fqdn' as const, value: entry.fqdn as string };
      // One rule per protocol: a rule holding TCP 443 and UDP 5831 would also open UDP 443 and TCP 5831.
      const protocol = networkProtocol(entry.protocol);
      const key = `${destination.kind}|${destination.value}|${protocol}`;
      const name = protocol === 'TCP' ? ruleName(destination.value) : ruleName(destination.value, protocol.toLowerCase());
      const rule = network.get(key) ?? { name, destination, protocol, ports: new Set<number>(), features: new Set<string>() };
      rule.ports.add(entry.port);
      for (const f of entry.features) rule.features.add(f);
      network.set(key, rule);
    }
  }
  const networkRules = uniqueNames([...network.values()].map((r) => ({ ...r, ports: [...r.ports].sort((a, b) => a - b), features: [...r.features] })));
  return {
    application: uniqueNames([...application.values()].map((r) => ({ ...r, protocols: [...r.protocols].sort((a, b) => a.port - b.port), features: [...r.features] }))),
    network: networkRules,
    inbound,
    refused,
    needsDnsProxy: networkRules.some((r) => r.destination.kind === 'fqdn'),
  };
}

/**
 * The fixes of a report go in a group of their own, at a priority of their own: applied after the
 * allow-list, they add to the policy and never take the allow-list's place.
 */
const FIXES_GROUP = { name: 'aml-netcheck-fixes', priority: 600 } as const;

export interface FirewallNames {
  readonly group: { readonly name: string; readonly priority: number };
  readonly application: { readonly name: string; readonly priority: number };
  readonly network: { readonly name: string; readonly priority: number };
}

/**
 * The names above; for additions a group and collections of their own after them, named after
 * the newer revision; for the fixes of a report, the fixes group and collections named for it.
 * Each is its own so that no script or template ever writes into what another one owns.
 */
export function firewallNames(additions: Additions | undefined, origin: RulesPlan['origin']): FirewallNames {
  if (additions !== undefined) {
    const named = (meta: { name: string; priority: number }): { name: string; priority: number } => ({ name: ruleName(meta.name, additions.revision), priority: meta.priority + 10 });
    return { group: named(RULE_COLLECTION_GROUP), application: named(APPLICATION_COLLECTION), network: named(NETWORK_COLLECTION) };
  }
  if (origin === 'report') {
    const fixes = (meta: { name: string; priority: number }): { name: string; priority: number } => ({ name: ruleName(meta.name, 'fixes'), priority: meta.priority + 10 });
    return { group: FIXES_GROUP, application: fixes(APPLICATION_COLLECTION), network: fixes(NETWORK_COLLECTION) };
  }
  return { group: RULE_COLLECTION_GROUP, application: APPLICATION_COLLECTION, network: NETWORK_COLLECTION };
}
