import { parseHostPattern, patternCovers } from '../catalog/host-pattern.js';
import { InputError } from '../model/errors.js';
import type { Target } from '../model/target.js';
import { quote } from '../model/text.js';
import { ipv4Span, relationOf, spanContains, spansOverlap, type Span } from './addresses.js';
import type { ApplicationRule, AuditConfig, AuditVerdict, FirewallRuleRef, NetworkRule, RuleCollection, RuleCollectionGroup, RuleRef } from './types.js';

/**
 * Azure Firewall's rule processing, as Microsoft documents it, applied to the traffic each
 * target needs. Sources, each cited where it is applied:
 * - RULE_PROCESSING: https://learn.microsoft.com/azure/firewall/rule-processing
 * - FAQ (wildcards): https://learn.microsoft.com/azure/firewall/firewall-faq
 * - FQDN_NETWORK: https://learn.microsoft.com/azure/firewall/fqdn-filtering-network-rules
 * - DNS_PROXY: https://learn.microsoft.com/azure/firewall/dns-settings
 * - APP_RULES: https://learn.microsoft.com/azure/firewall/features (application FQDN filtering rules)
 */

/** Where the traffic goes: a host name, every name under a domain (a catalog wildcard), or a service tag only. */
export type Destination = { readonly kind: 'host'; readonly name: string } | { readonly kind: 'wildcard'; readonly domain: string } | { readonly kind: 'tag'; readonly tag: string };

/**
 * The traffic one target needs, as the firewall sees it. Inbound, Azure opens the connection: then
 * `destination` and `tags` name the remote end, the sender (a service tag), and the workspace
 * subnet (--source) is the near end, as it is the source of outbound traffic.
 */
export interface Traffic {
  readonly direction: 'outbound' | 'inbound';
  readonly destination: Destination;
  readonly port: number;
  readonly transport: 'tcp' | 'udp';
  /** What the connection carries: application rules see HTTP and HTTPS (and MSSQL) only. */
  readonly application: 'http' | 'https' | 'other';
  /** The service tags the catalog says hold the destination. */
  readonly tags: readonly string[];
  /**
   * Where the destination's address lies, as far as the facts say: private (the facts give the
   * resource a private endpoint), public (a service tag's ranges, or a name no private link serves),
   * or unknown (a private-link name the facts say nothing about: it may resolve either way).
   */
  readonly address: 'private' | 'public' | 'unknown';
}

/** How one rule meets the traffic. */
export type Match = { readonly kind: 'yes' } | { readonly kind: 'no' } | { readonly kind: 'depends'; readonly on: readonly string[] } | { readonly kind: 'inexpressible'; readonly reason: string };

export const YES: Match = { kind: 'yes' };
export const NO: Match = { kind: 'no' };

/** Any yes wins, then what is undecided, then what cannot work; else no. */
export function anyOf(matches: readonly Match[]): Match {
  if (matches.some((m) => m.kind === 'yes')) return YES;
  const depends = matches.flatMap((m) => (m.kind === 'depends' ? m.on : []));
  if (depends.length > 0) return { kind: 'depends', on: [...new Set(depends)] };
  return matches.find((m) => m.kind === 'inexpressible') ?? NO;
}

/** Every condition must hold: any no wins, then what cannot work, then what is undecided. */
export function allOf(matches: readonly Match[]): Match {
  if (matches.some((m) => m.kind === 'no')) return NO;
  const inexpressible = matches.find((m) => m.kind === 'inexpressible');
  if (inexpressible !== undefined) return inexpressible;
  const depends = matches.flatMap((m) => (m.kind === 'depends' ? m.on : []));
  return depends.length > 0 ? { kind: 'depends', on: [...new Set(depends)] } : YES;
}

/** The traffic of a target, or why it is not audited. */
export function trafficOf(target: Target): Traffic | string {
  const tags = target.rules.filter((rule) => rule.type === 'service-tag').map((rule) => rule.destination);
  const transport = target.probe === 'udp' ? 'udp' : 'tcp';
  if (target.direction === 'inbound') {
    // The node to dial (--inbound-from-here) matters to check, not to the rule, which names the subnet.
    if (target.skipped !== null && target.skipped.flag !== '--inbound-from-here') return target.skipped.reason;
    const sender = tags[0];
    if (sender === undefined) return 'inbound, from no service tag the catalog names';
    return { direction: 'inbound', destination: { kind: 'tag', tag: sender }, port: target.port, transport, application: 'other', tags, address: 'public' };
  }
  const application = target.probe === 'http' ? 'http' : target.probe === 'https' ? 'https' : 'other';
  const base = { direction: 'outbound', port: target.port, transport, application, tags, address: target.mustResolvePrivately ? 'private' : target.privateName === null ? 'public' : 'unknown' } as const;
  if (target.skipped?.ruleOnly === true && tags.includes(target.host)) return { ...base, address: 'public', destination: { kind: 'tag', tag: target.host } };
  if (target.host.includes('<')) return target.skipped?.reason ?? 'the host is not known';
  if (target.host.startsWith('*.')) return { ...base, destination: { kind: 'wildcard', domain: target.host.slice(2).toLowerCase() } };
  if (target.skipped !== null) return target.skipped.reason;
  return { ...base, destination: { kind: 'host', name: target.host.toLowerCase() } };
}

/**
 * Whether a rule's FQDN covers the destination, as application rules read it (FAQ): `*` covers
 * every name; `*.x` any name under x at any depth, never x itself; `*x` any name ending in x, x
 * included; anything else only itself. The catalog's patterns read wildcards the same way.
 */
export function fqdnCovers(fqdn: string, destination: Destination): boolean {
  if (destination.kind === 'tag') return false;
  const text = fqdn.toLowerCase().replace(/\.$/, '');
  if (text === '*') return true;
  let pattern;
  try {
    pattern = parseHostPattern(text);
  } catch {
    // The catalog's grammar refuses some names a firewall takes (`*.com`, an underscore): read them plainly.
    const suffix = text.startsWith('*.') ? text.slice(1) : null;
    if (suffix === null) return destination.kind === 'host' && destination.name === text;
    return destination.kind === 'host' ? destination.name.endsWith(suffix) : `.${destination.domain}`.endsWith(suffix);
  }
  if (pattern.placeholders.length > 0 || pattern.path !== null) return false;
  if (destination.kind === 'host') return patternCovers(pattern, destination.name);
  // Every name under the domain: only a wildcard can cover them all, and then it covers any fresh label there.
  return pattern.wildcard !== 'none' && patternCovers(pattern, `any-name.${destination.domain}`);
}

/**
 * Addresses a rule names (a tag's, or a prefix) against the destination, by the service tags the
 * catalog says hold it and the published file's addresses for them: inside a tag that holds it
 * allows, apart from every such tag does not; anything else is undecided.
 */
function byAddress(ruleSpans: readonly Span[] | undefined, traffic: Traffic, settings: PolicySettings, unknown: string): Match {
  const held = traffic.destination.kind === 'tag' ? [traffic.destination.tag, ...traffic.tags] : traffic.tags;
  if (ruleSpans === undefined || settings.serviceTags === null || held.length === 0) return { kind: 'depends', on: [unknown] };
  const heldSpans = held.map((tag) => settings.serviceTags?.get(tag.toLowerCase()));
  if (heldSpans.some((spans) => spans !== undefined && spans.length > 0 && relationOf(spans, ruleSpans) === 'inside')) return YES;
  if (heldSpans.every((spans) => spans !== undefined && spans.length > 0 && relationOf(spans, ruleSpans) === 'apart')) return NO;
  return { kind: 'depends', on: [unknown] };
}

export function tagMatch(tag: string, traffic: Traffic, settings: PolicySettings): Match {
  const wanted = tag.toLowerCase();
  const held = traffic.destination.kind === 'tag' ? [traffic.destination.tag, ...traffic.tags] : traffic.tags;
  // A regional tag (Storage.westus2) is part of its global one (Storage).
  if (held.some((t) => t.toLowerCase() === wanted || t.toLowerCase().startsWith(`${wanted}.`))) return YES;
  const spans = settings.serviceTags?.get(wanted);
  return byAddress(spans, traffic, settings, settings.serviceTags !== null && spans === undefined ? `service tag ${tag} (not in the service-tag file)` : `service tag ${tag}`);
}

export function addressMatch(address: string, traffic: Traffic, settings: PolicySettings): Match {
  if (address === '*') return YES;
  const span = ipv4Span(address);
  if (span !== null) {
    if (span.first === 0 && span.last === 2 ** 32 - 1) return YES;
    const what = traffic.destination.kind === 'host' ? `the address of ${traffic.destination.name}` : traffic.destination.kind === 'tag' ? `the addresses of service tag ${traffic.destination.tag}` : `the addresses of *.${traffic.destination.domain}`;
    return byAddress([span], traffic, settings, what);
  }
  if (address.includes(':')) return NO;
  return tagMatch(address, traffic, settings);
}

/** The rule's sources against the workspace subnets (--source); without them, only `*` decides. */
export function sourceMatch(rule: { readonly sourceAddresses: readonly string[]; readonly sourceIpGroups: readonly string[] }, sources: readonly Span[]): Match {
  if (rule.sourceAddresses.includes('*')) return YES;
  const groups: Match = rule.sourceIpGroups.length > 0 ? { kind: 'depends', on: rule.sourceIpGroups.map((id) => `IP group ${id.split('/').at(-1) ?? id}`) } : NO;
  if (sources.length === 0) return rule.sourceAddresses.length > 0 ? anyOf([{ kind: 'depends', on: ['the workspace subnet (give --source)'] }, groups]) : groups;
  const spans = rule.sourceAddresses.map(ipv4Span).filter((span): span is Span => span !== null);
  const covered = sources.filter((source) => spans.some((span) => spanContains(span, source)));
  if (covered.length === sources.length) return YES;
  if (covered.length > 0 || sources.some((source) => spans.some((span) => spansOverlap(span, source)))) return anyOf([{ kind: 'depends', on: ['which part of the --source subnets sends it (the rule covers only part)'] }, groups]);
  return groups;
}

export function portsMatch(ports: readonly string[], port: number): boolean {
  return ports.some((text) => {
    if (text === '*') return true;
    const [first, last] = text.split('-').map(Number) as [number, number | undefined];
    return port >= first && port <= (last ?? first);
  });
}

export interface PolicySettings {
  /** dnsSettings.enableProxy of the policy the firewall runs; null when no policy was given. */
  readonly dnsProxy: boolean | null;
  /** The published service tags' IPv4 addresses, when given. */
  readonly serviceTags: ReadonlyMap<string, readonly Span[]> | null;
}

function networkMatch(rule: NetworkRule, traffic: Traffic, sources: readonly Span[], settings: PolicySettings): Match {
  const transport = traffic.transport === 'udp' ? 'UDP' : 'TCP';
  if (!rule.ipProtocols.some((p) => p === 'Any' || p === transport) || !portsMatch(rule.destinationPorts, traffic.port)) return NO;
  const fqdns = rule.destinationFqdns.map((fqdn): Match => {
    // FQDN_NETWORK: network rules take exact FQDNs, resolved by the firewall's DNS proxy; no wildcards.
    if (fqdn.includes('*')) return fqdnCovers(fqdn, traffic.destination) ? { kind: 'inexpressible', reason: `network rules take no wildcard FQDN (${fqdn}); use an application rule` } : NO;
    if (traffic.destination.kind !== 'host' || traffic.destination.name !== fqdn.toLowerCase().replace(/\.$/, '')) return NO;
    // DNS_PROXY: FQDNs in network rules need the DNS proxy on, or the firewall cannot resolve them as the clients do.
    if (settings.dnsProxy === null) return { kind: 'depends', on: ["the policy's DNS proxy setting (give `az network firewall policy show`)"] };
    return settings.dnsProxy ? YES : { kind: 'inexpressible', reason: `FQDN ${fqdn} in a network rule needs the policy's DNS proxy, which is off` };
  });
  const destination = anyOf([...rule.destinationAddresses.map((address) => addressMatch(address, traffic, settings)), ...rule.destinationIpGroups.map((id): Match => ({ kind: 'depends', on: [`IP group ${id.split('/').at(-1) ?? id}`] })), ...fqdns]);
  return allOf([destination, sourceMatch(rule, sources)]);
}

function applicationMatch(rule: ApplicationRule, traffic: Traffic, sources: readonly Span[], settings: PolicySettings): Match {
  // APP_RULES: application rules filter on the name in HTTP (Host), TLS (SNI) or MSSQL; a service tag has no name.
  if (traffic.destination.kind === 'tag') return NO;
  const names = anyOf([
    ...rule.targetFqdns.map((fqdn) => (fqdnCovers(fqdn, traffic.destination) ? YES : NO)),
    ...rule.fqdnTags.map((tag): Match => ({ kind: 'depends', on: [`FQDN tag ${tag}`] })),
    ...rule.webCategories.map((category): Match => ({ kind: 'depends', on: [`web category ${category}`] })),
    ...rule.targetUrls.map((url): Match => ({ kind: 'depends', on: [`URL ${url} (TLS inspection)`] })),
    ...rule.destinationAddresses.map((address) => addressMatch(address, traffic, settings)),
  ]);
  if (names.kind === 'no') return NO;
  const wanted = { http: 'Http', https: 'Https', other: traffic.transport === 'tcp' ? 'Mssql' : null }[traffic.application];
  const onPort = rule.protocols.filter((p) => p.port === traffic.port);
  if (!onPort.some((p) => p.protocolType === wanted)) {
    if (traffic.application === 'other' && onPort.length > 0 && names.kind === 'yes') {
      return allOf([{ kind: 'inexpressible', reason: `an application rule sees HTTP, HTTPS and MSSQL only; port ${traffic.port}/${traffic.transport} carries other traffic: use a network rule` }, sourceMatch(rule, sources)]);
    }
    return NO;
  }
  return allOf([names, sourceMatch(rule, sources)]);
}

/** How verdicts and the advisory list name a rule of a filter collection. */
export function firewallRuleRef(policy: string | null, group: RuleCollectionGroup, collection: Pick<RuleCollection, 'name' | 'priority'>, action: 'Allow' | 'Deny', rule: { readonly name: string; readonly ruleType: FirewallRuleRef['ruleType'] }): FirewallRuleRef {
  return { layer: 'firewall', policy: policy ?? group.policy, group: group.name, groupPriority: group.priority, collection: collection.name, collectionPriority: collection.priority, rule: rule.name, ruleType: rule.ruleType, action };
}

export interface Ordered {
  readonly ref: RuleRef;
  readonly match: (traffic: Traffic) => Match;
}

/**
 * RULE_PROCESSING: "Rule Collection Groups in the parent policy always take precedence regardless
 * of the priority of the child policy"; groups by priority, then collections by priority (100
 * first, 65000 last); "application rules are always processed after network rules, which are
 * processed after DNAT rules regardless of rule collection group or rule collection priority and
 * policy inheritance". DNAT rules match traffic to the firewall's own public address, never the
 * outbound traffic audited here, so they are read and left out of the order.
 */
export function orderRules(tiers: ReadonlyArray<{ readonly policy: string | null; readonly groups: readonly RuleCollectionGroup[] }>, sources: readonly Span[], settings: PolicySettings): Ordered[] {
  const ordered: Ordered[] = [];
  for (const ruleType of ['NetworkRule', 'ApplicationRule'] as const) {
    for (const tier of tiers) {
      const groups = [...tier.groups].sort((a, b) => a.priority - b.priority);
      for (const group of groups) {
        for (const collection of [...group.collections].sort((a, b) => a.priority - b.priority)) {
          if (collection.action === 'DNAT') continue;
          for (const rule of collection.rules) {
            if (rule.ruleType !== ruleType) continue;
            const ref = firewallRuleRef(tier.policy, group, collection, collection.action, { name: rule.name, ruleType });
            const match = rule.ruleType === 'NetworkRule' ? (traffic: Traffic) => networkMatch(rule, traffic, sources, settings) : rule.ruleType === 'ApplicationRule' ? (traffic: Traffic) => applicationMatch(rule, traffic, sources, settings) : () => NO;
            ordered.push({ ref, match });
          }
        }
      }
    }
  }
  return ordered;
}

/**
 * First match wins (RULE_PROCESSING); with no match, the firewall denies by default. A rule we
 * cannot decide (its service tag, IP group or the subnet is not given) matters only when it would
 * end differently from the rule that decides: then the verdict depends on it. An allow the firewall
 * cannot apply as configured is named when nothing after it allows the traffic.
 */
export function verdictFor(traffic: Traffic, ordered: readonly Ordered[], unknownParent: string | null): AuditVerdict {
  const undecided: Array<{ ref: RuleRef; on: readonly string[] }> = [];
  let inexpressible: { ref: RuleRef; reason: string } | null = null;
  let decided: AuditVerdict = { verdict: 'no-rule' };
  for (const { ref, match } of ordered) {
    const result = match(traffic);
    if (result.kind === 'no') continue;
    if (result.kind === 'inexpressible') {
      if (ref.action === 'Allow') inexpressible ??= { ref, reason: result.reason };
      continue;
    }
    if (result.kind === 'depends') {
      undecided.push({ ref, on: result.on });
      continue;
    }
    decided = ref.action === 'Allow' ? { verdict: 'allowed', rule: ref } : { verdict: 'denied', rule: ref };
    break;
  }
  if (unknownParent !== null) return { verdict: 'depends', on: [`firewall policy ${unknownParent}, the parent, whose rules come first (give its export with --config)`], rule: null };
  const allowed = decided.verdict === 'allowed';
  const differing = undecided.filter((u) => (u.ref.action === 'Allow') !== allowed);
  if (differing.length > 0) return { verdict: 'depends', on: [...new Set(differing.flatMap((u) => u.on))], rule: differing[0]?.ref ?? null };
  if (!allowed && inexpressible !== null) return { verdict: 'inexpressible', rule: inexpressible.ref, reason: inexpressible.reason };
  return decided;
}

/** The policies given, parent first, and the groups of each; a parent named but not given. */
export function tiersOf(config: AuditConfig): { tiers: Array<{ policy: string | null; groups: RuleCollectionGroup[] }>; unknownParent: string | null; settings: PolicySettings } {
  if (config.policies.length === 0) return { tiers: [{ policy: null, groups: [...config.groups] }], unknownParent: null, settings: { dnsProxy: null, serviceTags: config.serviceTags } };
  const parents = new Set(config.policies.map((p) => p.basePolicy).filter((name): name is string => name !== null));
  const leaves = config.policies.filter((p) => !parents.has(p.name));
  if (leaves.length !== 1) throw new InputError('--config', `firewall policies ${config.policies.map((p) => quote(p.name)).join(', ')} are not one policy and its parents; audit one policy (with its parent) at a time`);
  const leaf = leaves[0] as (typeof leaves)[number];
  const chain: string[] = [leaf.name];
  let unknownParent: string | null = null;
  for (let policy = leaf; policy.basePolicy !== null;) {
    const base = policy.basePolicy;
    if (chain.includes(base)) throw new InputError(policy.where, `its parent chain loops back to ${quote(base)}`);
    chain.unshift(base);
    const next = config.policies.find((p) => p.name === base);
    if (next === undefined) {
      if (!config.groups.some((g) => g.policy === base)) unknownParent = base;
      break;
    }
    policy = next;
  }
  const tiers = chain.map((name) => ({ policy: name, groups: config.groups.filter((g) => (g.policy ?? leaf.name) === name) }));
  return { tiers, unknownParent, settings: { dnsProxy: leaf.dnsProxy, serviceTags: config.serviceTags } };
}
