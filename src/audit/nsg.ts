import { ipv4Span, type Span } from './addresses.js';
import { addressMatch, anyOf, allOf, NO, portsMatch, sourceMatch, tagMatch, verdictFor, YES, type Match, type Ordered, type PolicySettings, type Traffic } from './evaluate.js';
import type { AuditVerdict, NetworkSecurityGroup, NsgRule, NsgRuleRef } from './types.js';

/**
 * Network security group rules, as Microsoft documents them, applied to the traffic each target
 * needs. Sources, each cited where it is applied:
 * - NSG_OVERVIEW: https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview
 *   (security rules, default security rules, augmented rules)
 * - NSG_HOW: https://learn.microsoft.com/azure/virtual-network/network-security-group-how-it-works
 * - TAGS: https://learn.microsoft.com/azure/virtual-network/service-tags-overview
 * - ASG: https://learn.microsoft.com/azure/virtual-network/application-security-groups
 */

/**
 * NSG_OVERVIEW, "Default security rules": every NSG holds these, and they cannot be removed; an
 * export that leaves them out (a template, a hand-trimmed `az network nsg show`) gets them back.
 */
export const DEFAULT_NSG_RULES: readonly NsgRule[] = (
  [
    ['AllowVnetInBound', 65000, 'Inbound', 'Allow', 'VirtualNetwork', 'VirtualNetwork'],
    ['AllowAzureLoadBalancerInBound', 65001, 'Inbound', 'Allow', 'AzureLoadBalancer', '*'],
    ['DenyAllInBound', 65500, 'Inbound', 'Deny', '*', '*'],
    ['AllowVnetOutBound', 65000, 'Outbound', 'Allow', 'VirtualNetwork', 'VirtualNetwork'],
    ['AllowInternetOutBound', 65001, 'Outbound', 'Allow', '*', 'Internet'],
    ['DenyAllOutBound', 65500, 'Outbound', 'Deny', '*', '*'],
  ] as const
).map(([name, priority, direction, access, source, destination]) => ({
  name,
  priority,
  direction,
  access,
  protocol: '*',
  sourcePrefixes: [source],
  sourcePorts: ['*'],
  destinationPrefixes: [destination],
  destinationPorts: ['*'],
  sourceAsgs: [],
  destinationAsgs: [],
  isDefault: true,
}));

type Address = 'public' | 'private';

/**
 * The workspace subnet is in the virtual network, so `VirtualNetwork` (the VNet's address space,
 * TAGS) holds it and `Internet` (the space outside it) does not; any other tag, a prefix or an
 * application security group needs data the export does not carry. `prefixes` and `asgs` are the
 * rule's side that names the subnet: its sources outbound, its destinations inbound.
 */
function nearEndOf(prefixes: readonly string[], asgs: readonly string[], side: 'source' | 'destination', sources: readonly Span[]): Match {
  // Effective rules write `*` as 0.0.0.0/0: every address, whether or not --source is given.
  const addresses = prefixes.filter((prefix) => !/^[A-Za-z]/.test(prefix)).map((prefix) => (prefix === '0.0.0.0/0' ? '*' : prefix));
  const tags = prefixes.filter((prefix) => /^[A-Za-z]/.test(prefix));
  return anyOf([
    ...(addresses.length > 0 ? [sourceMatch({ sourceAddresses: addresses, sourceIpGroups: [] }, sources)] : []),
    ...tags.map((tag): Match => {
      const name = tag.toLowerCase();
      if (name === 'virtualnetwork') return YES;
      if (name === 'internet') return NO;
      return { kind: 'depends', on: [`service tag ${tag} as the ${side}`] };
    }),
    // ASG: a rule names the group, and which NICs are in it is set on each NIC.
    ...asgs.map((asg): Match => ({ kind: 'depends', on: [`application security group ${asg} (whether the workspace's NICs are in it)`] })),
  ]);
}

/**
 * TAGS: `Internet` is the address space outside the virtual network reachable on the public
 * internet, Azure's public ranges included; `VirtualNetwork` is the VNet's space, peered and
 * connected ones included, where a private endpoint lies. Other service tags hold public ranges.
 * `prefixes` and `asgs` are the rule's side that names the remote end: its destinations outbound,
 * its sources inbound (where the remote end is always an Azure service's public addresses).
 */
function farEndOf(prefixes: readonly string[], asgs: readonly string[], traffic: Traffic, address: Address, settings: PolicySettings): Match {
  const what = traffic.destination.kind === 'host' ? traffic.destination.name : traffic.destination.kind === 'tag' ? `service tag ${traffic.destination.tag}` : `*.${traffic.destination.domain}`;
  return anyOf([
    ...prefixes.map((prefix): Match => {
      if (prefix === '*') return YES;
      const name = prefix.toLowerCase();
      if (name === 'internet') return address === 'public' ? YES : NO;
      if (name === 'virtualnetwork') return address === 'private' ? YES : NO;
      // TAGS: AzureLoadBalancer is the infrastructure's health probes, one host address (168.63.129.16), no service's.
      if (name === 'azureloadbalancer') return NO;
      if (address === 'private') {
        if (/^[A-Za-z]/.test(prefix)) return NO;
        const span = ipv4Span(prefix);
        // Effective rules write `*` as 0.0.0.0/0.
        return span !== null && span.first === 0 && span.last === 2 ** 32 - 1 ? YES : { kind: 'depends', on: [`the private address of ${what}`] };
      }
      return /^[A-Za-z]/.test(prefix) ? tagMatch(prefix, traffic, settings) : addressMatch(prefix, traffic, settings);
    }),
    ...asgs.map((asg): Match => (address === 'public' ? NO : { kind: 'depends', on: [`application security group ${asg} (whether the private endpoint's NIC is in it)`] })),
  ]);
}

/**
 * A client picks its source port from the ephemeral range (1024 and up on every OS Azure runs), so
 * `*` and a range over all of it (effective rules write `*` as 0-65535) match whatever it picks.
 */
function anySourcePort(ports: readonly string[]): boolean {
  return ports.some((text) => {
    if (text === '*') return true;
    const [first, last] = text.split('-').map(Number) as [number, number | undefined];
    return first <= 1024 && last === 65535;
  });
}

/** NSG_OVERVIEW, "Security rules": protocol, destination ports (a range or `*`), source ports. */
function ruleMatch(rule: NsgRule, traffic: Traffic, address: Address, sources: readonly Span[], settings: PolicySettings): Match {
  const protocol = traffic.transport === 'udp' ? 'Udp' : 'Tcp';
  // Icmp, Esp and Ah never carry the TCP or UDP traffic audited.
  if (rule.protocol !== '*' && rule.protocol !== protocol) return NO;
  if (!portsMatch(rule.destinationPorts, traffic.port)) return NO;
  const sourcePort: Match = rule.sourcePorts.length === 0 || anySourcePort(rule.sourcePorts) ? YES : { kind: 'depends', on: [`the client's source port (the rule allows only ${rule.sourcePorts.join(', ')})`] };
  if (traffic.direction === 'inbound') {
    return allOf([farEndOf(rule.sourcePrefixes, rule.sourceAsgs, traffic, address, settings), nearEndOf(rule.destinationPrefixes, rule.destinationAsgs, 'destination', sources), sourcePort]);
  }
  return allOf([farEndOf(rule.destinationPrefixes, rule.destinationAsgs, traffic, address, settings), nearEndOf(rule.sourcePrefixes, rule.sourceAsgs, 'source', sources), sourcePort]);
}

/** How verdicts and the advisory list name an NSG rule. */
export function nsgRuleRef(nsg: Pick<NetworkSecurityGroup, 'name'>, rule: NsgRule): NsgRuleRef {
  return { layer: 'nsg', nsg: nsg.name, rule: rule.name, priority: rule.priority, action: rule.access, isDefault: rule.isDefault };
}

/** NSG_OVERVIEW: rules are processed in priority order, lower numbers first; the first match stops processing. */
function orderedRules(nsg: NetworkSecurityGroup, direction: Traffic['direction'], address: Address, sources: readonly Span[], settings: PolicySettings): Ordered[] {
  const wanted = direction === 'inbound' ? 'Inbound' : 'Outbound';
  return nsg.rules
    .filter((rule) => rule.direction === wanted)
    .sort((a, b) => a.priority - b.priority)
    .map((rule) => {
      const ref = nsgRuleRef(nsg, rule);
      return { ref, match: (traffic: Traffic) => ruleMatch(rule, traffic, address, sources, settings) };
    });
}

/**
 * One NSG's verdict. A name that may resolve to a private endpoint or to a public address is read
 * both ways: when both end alike the verdict stands (the default rules allow either way), else it
 * depends on where the name resolves.
 */
function nsgVerdict(nsg: NetworkSecurityGroup, traffic: Traffic, sources: readonly Span[], settings: PolicySettings): AuditVerdict {
  const addresses: Address[] = traffic.address === 'unknown' ? ['public', 'private'] : [traffic.address];
  const verdicts = addresses.map((address) => verdictFor(traffic, orderedRules(nsg, traffic.direction, address, sources, settings), null));
  const first = verdicts[0] as AuditVerdict;
  if (verdicts.every((v) => v.verdict === first.verdict && v.verdict !== 'depends')) return first;
  const name = traffic.destination.kind === 'host' ? traffic.destination.name : traffic.destination.kind === 'wildcard' ? `*.${traffic.destination.domain}` : traffic.destination.tag;
  const on = [...new Set([...verdicts.flatMap((v) => (v.verdict === 'depends' ? v.on : [])), ...(verdicts.length > 1 && verdicts.some((v) => v.verdict !== first.verdict) ? [`whether ${name} resolves to a private endpoint (VirtualNetwork) or a public address (Internet)`] : [])])];
  const rule = verdicts.map((v) => ('rule' in v ? v.rule : null)).find((r) => r !== null) ?? null;
  return { verdict: 'depends', on, rule };
}

/**
 * NSG_HOW: outbound traffic meets the NIC's NSG first, then the subnet's; inbound traffic the
 * subnet's first, then the NIC's. Each must allow it. The first that denies decides; otherwise what
 * is undecided in any of them; otherwise the last allow.
 */
export function nsgLayerVerdict(nsgs: readonly NetworkSecurityGroup[], traffic: Traffic, sources: readonly Span[], settings: PolicySettings): AuditVerdict {
  const inPathOrder = traffic.direction === 'inbound' ? [...nsgs].reverse() : nsgs;
  const verdicts = inPathOrder.map((nsg) => nsgVerdict(nsg, traffic, sources, settings));
  const denied = verdicts.find((v) => v.verdict === 'denied' || v.verdict === 'no-rule');
  if (denied !== undefined) return denied;
  const depends = verdicts.filter((v): v is Extract<AuditVerdict, { verdict: 'depends' }> => v.verdict === 'depends');
  if (depends.length > 0) return { verdict: 'depends', on: [...new Set(depends.flatMap((v) => v.on))], rule: depends[0]?.rule ?? null };
  return verdicts.at(-1) ?? { verdict: 'no-rule' };
}
