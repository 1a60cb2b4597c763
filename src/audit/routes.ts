import { ipv4Span, isIpv6, mergeSpans, spanContains, spansOverlap, type Span } from './addresses.js';
import type { PolicySettings, Traffic } from './evaluate.js';
import type { AuditVerdict, Bypass, Route, RouteRef, RouteTable } from './types.js';

/**
 * The routes of the workspace's subnet, as Microsoft documents them, applied to the traffic each
 * target needs. UDR: https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview
 * ("System routes", "Custom routes", "Service tags for user-defined routes", "How Azure selects a
 * route"), cited where each rule is applied.
 */

/**
 * UDR, "System routes", "Default": every subnet has these, and a route table (`az network
 * route-table show`) does not list them; effective routes do. `VirtualNetwork` stands for the
 * VNet's own address space (next hop "Virtual network", VnetLocal), which a route table does not
 * say; within it Azure turns the None of the reserved prefixes into VnetLocal.
 */
export const SYSTEM_ROUTES: readonly Route[] = (
  [
    ['VirtualNetwork', 'VnetLocal'],
    ['0.0.0.0/0', 'Internet'],
    ['10.0.0.0/8', 'None'],
    ['172.16.0.0/12', 'None'],
    ['192.168.0.0/16', 'None'],
    ['100.64.0.0/10', 'None'],
  ] as const
).map(([addressPrefix, nextHopType]) => ({ name: null, addressPrefix, nextHopType, nextHopIpAddress: null, source: 'Default', added: true }));

/** The name effective routes go by: they come from a NIC, not from a named table. */
export const EFFECTIVE_ROUTES = 'effective routes';

/** Where no public name's address lies: the reserved private and shared ranges, loopback, link-local, multicast and above. */
const NOT_PUBLIC: readonly Span[] = mergeSpans(['0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16', '224.0.0.0/3'].map((prefix) => ipv4Span(prefix) as Span));

/** UDR, "Default": the reserved prefixes a virtual network's address space is usually taken from. */
const PRIVATE: readonly Span[] = mergeSpans(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'].map((prefix) => ipv4Span(prefix) as Span));

/** Every IPv4 address outside NOT_PUBLIC. */
const PUBLIC: readonly Span[] = NOT_PUBLIC.reduce<Span[]>((gaps, span, index) => {
  const start = index === 0 ? 0 : (NOT_PUBLIC[index - 1] as Span).last + 1;
  if (span.first > start) gaps.push({ first: start, last: span.first - 1 });
  if (index === NOT_PUBLIC.length - 1 && span.last < 2 ** 32 - 1) gaps.push({ first: span.last + 1, last: 2 ** 32 - 1 });
  return gaps;
}, []);

/** Next hops that keep the traffic inside the virtual network or its peerings: where a private endpoint lies. */
const VNET_HOPS = new Set(['VnetLocal', 'VNetPeering', 'VNetGlobalPeering', 'InterfaceEndpoint']);

/** UDR, "How Azure selects a route": at equal prefixes a user route beats a BGP route, which beats a system route. */
const SOURCE_RANK: Record<Route['source'], number> = { User: 3, VirtualNetworkGateway: 2, Default: 1, Unknown: 0 };

/** Where a route sends the traffic, as far as the firewall and the verdict are concerned. */
type Outcome = { kind: 'blocked' } | { kind: 'firewall' } | { kind: 'past'; where: string } | { kind: 'gateway' } | { kind: 'appliance'; address: string } | { kind: 'unknown-appliance'; address: string };

/** A route with the addresses it holds, when they are known. */
interface Placed {
  readonly ref: RouteRef;
  /** Null: a service tag whose ranges are not given, or the VNet's address space a route table does not say. */
  readonly spans: readonly Span[] | null;
  /** The prefix length; for a service tag's merged ranges, the least its prefixes can have. */
  readonly length: number | null;
  /** The length is the prefix's own: false for a service tag, whose file audit reads merged. */
  readonly exact: boolean;
  /** UDR, "Service tags for user-defined routes": at an exact prefix match the explicit prefix wins over the tag. */
  readonly explicit: boolean;
}

function refOf(table: RouteTable, route: Route): RouteRef {
  return {
    layer: 'route',
    table: table.name,
    rule: route.name,
    addressPrefix: route.addressPrefix,
    nextHopType: route.nextHopType,
    nextHopIpAddress: route.nextHopIpAddress,
    source: route.source,
    added: route.added,
    action: route.nextHopType === 'None' ? 'Deny' : 'Allow',
  };
}

function place(table: RouteTable, route: Route, settings: PolicySettings): Placed[] {
  const ref = refOf(table, route);
  if (isIpv6(route.addressPrefix)) return [];
  const span = ipv4Span(route.addressPrefix);
  if (span !== null) return [{ ref, spans: [span], length: 32 - Math.log2(span.last - span.first + 1), exact: true, explicit: true }];
  if (route.added && route.addressPrefix === 'VirtualNetwork') return [{ ref, spans: null, length: null, exact: false, explicit: false }];
  // A service tag route holds the tag's prefixes, each with its own length.
  const tagSpans = settings.serviceTags?.get(route.addressPrefix.toLowerCase());
  if (tagSpans === undefined || tagSpans.length === 0) return [{ ref, spans: null, length: null, exact: false, explicit: false }];
  return tagSpans.map((s) => ({ ref, spans: [s], length: 32 - Math.floor(Math.log2(s.last - s.first + 1)), exact: false, explicit: false }));
}

/** Which of two routes holding the same address Azure takes: the longer prefix, then the source, then the explicit prefix. */
function better(a: Placed, b: Placed): number {
  return (b.length ?? 0) - (a.length ?? 0) || SOURCE_RANK[b.ref.source] - SOURCE_RANK[a.ref.source] || Number(b.explicit) - Number(a.explicit);
}

/**
 * UDR, "How Azure selects a route": system routes for the virtual network, its peerings and its
 * service endpoints are preferred over BGP routes, even more specific ones.
 */
function preferSystem(holding: Placed[]): Placed[] {
  const best = holding[0];
  if (best?.ref.source !== 'VirtualNetworkGateway') return holding;
  const system = holding.find((p) => p.ref.source === 'Default' && (VNET_HOPS.has(p.ref.nextHopType) || p.ref.nextHopType === 'VirtualNetworkServiceEndpoint'));
  return system === undefined ? holding : [system, ...holding.filter((p) => p !== system && p.ref.source !== 'VirtualNetworkGateway')];
}

function sameRank(a: Placed, b: Placed): boolean {
  return better(a, b) === 0;
}

function destinationName(traffic: Traffic): string {
  return traffic.destination.kind === 'host' ? traffic.destination.name : traffic.destination.kind === 'wildcard' ? `*.${traffic.destination.domain}` : `service tag ${traffic.destination.tag}`;
}

/** The tags that hold the destination, as the catalog names them. */
function heldTags(traffic: Traffic): string[] {
  return (traffic.destination.kind === 'tag' ? [traffic.destination.tag, ...traffic.tags] : [...traffic.tags]).map((tag) => tag.toLowerCase());
}

/** A tag route names a tag that holds the destination; a regional tag is part of its global one. */
function tagHolds(tag: string, traffic: Traffic): boolean {
  const wanted = tag.toLowerCase();
  return heldTags(traffic).some((held) => held === wanted || held.startsWith(`${wanted}.`));
}

/**
 * Where the destination's address may lie: the held tags' ranges when the service-tag file gives
 * them, else the public space; for a private endpoint, the VNet's and its peerings' prefixes when
 * effective routes give them, else null (the address space a route table does not say).
 */
function candidates(traffic: Traffic, address: 'public' | 'private', routes: readonly Route[], settings: PolicySettings): readonly Span[] | null {
  if (address === 'private') {
    const vnet = routes.filter((r) => !r.added && r.source === 'Default' && VNET_HOPS.has(r.nextHopType)).map((r) => ipv4Span(r.addressPrefix));
    const spans = vnet.filter((s): s is Span => s !== null);
    if (spans.length > 0) return mergeSpans(spans);
    // Effective routes without the VNet's own: the reserved private ranges, where a VNet's space usually lies.
    return routes.some((r) => r.added) ? null : PRIVATE;
  }
  let spans: readonly Span[] = PUBLIC;
  for (const tag of heldTags(traffic)) {
    const tagSpans = settings.serviceTags?.get(tag);
    if (tagSpans === undefined || tagSpans.length === 0) continue;
    const narrowed = intersect(spans, tagSpans);
    if (narrowed.length > 0) spans = narrowed;
  }
  return spans;
}

function intersect(a: readonly Span[], b: readonly Span[]): Span[] {
  const out: Span[] = [];
  for (const x of a) for (const y of b) if (spansOverlap(x, y)) out.push({ first: Math.max(x.first, y.first), last: Math.min(x.last, y.last) });
  return mergeSpans(out);
}

/** The candidate addresses cut where any route's prefix starts or ends, so that one set of routes holds each piece whole. */
function pieces(spans: readonly Span[], placed: readonly Placed[]): Span[] {
  const cuts = new Set<number>();
  for (const p of placed) for (const s of p.spans ?? []) cuts.add(s.first).add(s.last + 1);
  const sorted = [...cuts].sort((a, b) => a - b);
  const out: Span[] = [];
  for (const span of spans) {
    let first = span.first;
    for (const cut of sorted) {
      if (cut <= first || cut > span.last) continue;
      out.push({ first, last: cut - 1 });
      first = cut;
    }
    out.push({ first, last: span.last });
  }
  return out;
}

interface Alternative {
  readonly winner: Placed;
  readonly size: number;
  /** Why this route rather than another: what decides between them. */
  readonly because: string | null;
}

/**
 * UDR, "How Azure selects a route": the longest prefix that holds the address, then user over BGP
 * over system routes. For each piece of the destination's possible addresses, the route Azure takes;
 * a route whose prefix is not known (a tag without its ranges, the VNet's space) is a possibility
 * beside the routes it may be longer than.
 */
function alternatives(traffic: Traffic, address: 'public' | 'private', table: RouteTable, settings: PolicySettings): Alternative[] {
  const name = destinationName(traffic);
  const all = table.routes.flatMap((route) => place(table, route, settings));
  // Within the VNet's address space Azure uses the VNet's route, never the reserved prefixes' None (UDR, "Default").
  const relevant = address === 'private' ? all.filter((p) => !(p.ref.added && p.ref.nextHopType === 'None')) : all;
  const known = relevant.filter((p) => p.spans !== null);
  const unknown = relevant.filter((p) => p.spans === null);
  const spans = candidates(traffic, address, table.routes, settings);
  const out: Alternative[] = [];
  const addressText = address === 'private' ? `the private address of ${name}` : traffic.destination.kind === 'tag' ? `which address of ${name}` : `the address of ${name}`;
  if (spans === null) {
    // A private endpoint with only a route table: it takes the VNet's (or a peering's) route, unless a longer user route holds it.
    for (const p of known) {
      const whole = p.spans?.some((s) => s.first === 0 && s.last === 2 ** 32 - 1) ?? false;
      if (!whole && p.explicit && p.ref.source === 'User') out.push({ winner: p, size: 0, because: `${addressText} and the virtual network's address space (give \`az network nic show-effective-route-table\`)` });
    }
    for (const p of unknown) {
      if (p.ref.added) out.unshift({ winner: p, size: 1, because: null });
    }
    return out;
  }
  for (const piece of pieces(spans, known)) {
    const holding = preferSystem(known.filter((p) => p.spans?.some((s) => spanContains(s, piece)) ?? false).sort(better));
    const best = holding[0];
    const size = piece.last - piece.first + 1;
    // A tag's prefixes are never 0.0.0.0/0: a tag route that holds the address beats a default route.
    const tagWins = address === 'public' && (best === undefined || best.length === 0) && unknown.some((tag) => !tag.ref.added && tagHolds(tag.ref.addressPrefix, traffic));
    if (best !== undefined && !tagWins) {
      out.push({ winner: best, size, because: null });
      for (const other of holding.slice(1)) {
        // A route that may be as long as the best: equal routes (flows spread over them), or a tag whose own prefix lengths are not known.
        const upper = other.exact ? (other.length ?? 0) : 32;
        const bestLength = best.length ?? 0;
        if (upper < bestLength || (upper === bestLength && other.exact && best.exact && !sameRank(other, best))) continue;
        const tag = other.exact ? best : other;
        out.push({ winner: other, size: 0, because: other.exact && best.exact ? `which of the equal routes for ${other.ref.addressPrefix} a flow takes` : `the prefix of service tag ${tag.ref.addressPrefix} that holds ${name}` });
      }
    }
    if (address === 'private') continue;
    for (const tag of unknown) {
      if (tag.ref.added) continue;
      const holds = tagHolds(tag.ref.addressPrefix, traffic);
      // Against a longer prefix than 0.0.0.0/0, whether the tag's own prefix is longer is not known.
      if (holds && tagWins) out.push({ winner: tag, size, because: null });
      else out.push({ winner: tag, size: 0, because: `service tag ${tag.ref.addressPrefix}'s prefixes (give \`az network list-service-tags\`)` });
    }
  }
  // The pieces of the addresses taken by different routes: which one depends on the address.
  const mains = new Set(out.filter((a) => a.because === null).map((a) => a.winner));
  if (mains.size > 1) return out.map((a) => (a.because === null ? { ...a, because: addressText } : a));
  return out;
}

const WITHIN = 'within the virtual network';

/** Where each kind of next hop takes the traffic. */
function outcomeOf(ref: RouteRef, firewall: FirewallPath): Outcome {
  switch (ref.nextHopType) {
    case 'None':
      return { kind: 'blocked' };
    case 'VirtualAppliance': {
      const address = ref.nextHopIpAddress ?? '';
      if (firewall.addresses.length > 0) return firewall.addresses.includes(address) ? { kind: 'firewall' } : { kind: 'appliance', address };
      if (!firewall.given) return { kind: 'appliance', address };
      // One appliance and a firewall export: the appliance is that firewall. Several: which one is not said.
      return firewall.appliances.length === 1 ? { kind: 'firewall' } : { kind: 'unknown-appliance', address };
    }
    case 'Internet':
      return { kind: 'past', where: 'to the Internet' };
    case 'VirtualNetworkGateway':
      return { kind: 'gateway' };
    case 'VirtualNetworkServiceEndpoint':
      return { kind: 'past', where: "to the service's endpoint" };
    default:
      return { kind: 'past', where: WITHIN };
  }
}

function outcomeKey(outcome: Outcome): string {
  return outcome.kind === 'past' ? `past:${outcome.where}` : outcome.kind === 'appliance' || outcome.kind === 'unknown-appliance' ? `${outcome.kind}:${outcome.address}` : outcome.kind;
}

/** What audit knows of the firewall: whether its rules were given, its private addresses, and every appliance the routes name. */
export interface FirewallPath {
  readonly given: boolean;
  readonly addresses: readonly string[];
  readonly appliances: readonly string[];
}

export function firewallPathOf(tables: readonly RouteTable[], given: boolean, addresses: readonly string[]): FirewallPath {
  const appliances = [...new Set(tables.flatMap((t) => t.routes.filter((r) => r.nextHopType === 'VirtualAppliance' && r.nextHopIpAddress !== null).map((r) => r.nextHopIpAddress as string)))];
  return { given, addresses, appliances };
}

export function describeRoute(ref: RouteRef): string {
  const hop = ref.nextHopIpAddress === null ? ref.nextHopType : `${ref.nextHopType} ${ref.nextHopIpAddress}`;
  const vnet = ref.added && ref.addressPrefix === 'VirtualNetwork';
  const table = ref.table === EFFECTIVE_ROUTES ? 'effective route ' : `${ref.table}/`;
  const name = ref.rule !== null ? `${table}${ref.rule}` : ref.source === 'Default' ? 'system route' : `${ref.source} route`;
  return `${name} ${vnet ? "VirtualNetwork (the VNet's address space)" : ref.addressPrefix} → ${hop}${ref.added ? ' (added by audit)' : ''}`;
}

export interface RouteLayer {
  readonly verdict: AuditVerdict;
  /** How the routes leave the firewall: past it, or maybe past it. Null when on its path or without a firewall layer. */
  readonly firewall: Bypass | null;
}

/** The verdict of the route an outcome names, and whether the firewall sees the traffic. */
function single(outcome: Outcome, ref: RouteRef, firewall: FirewallPath): RouteLayer {
  const route = describeRoute(ref);
  switch (outcome.kind) {
    case 'blocked':
      // Dropped: nothing after the route sees it, as with any layer that blocks.
      return { verdict: { verdict: 'denied', rule: ref }, firewall: null };
    case 'firewall':
      return { verdict: { verdict: 'allowed', rule: ref }, firewall: null };
    case 'past':
      return { verdict: { verdict: 'allowed', rule: ref }, firewall: firewall.given ? bypass(outcome, route, true) : null };
    case 'gateway':
      return {
        verdict: { verdict: 'depends', on: [`what the network behind the virtual network gateway allows (${route})`], rule: ref },
        firewall: firewall.given ? { reason: `${route} sends it to the virtual network gateway, past the firewall`, always: true, expected: false } : null,
      };
    case 'appliance':
      return {
        verdict: { verdict: 'depends', on: [firewall.given ? `what virtual appliance ${outcome.address} allows: it is not the firewall (${firewall.addresses.join(', ')})` : `what virtual appliance ${outcome.address} allows (no export of its rules is given)`], rule: ref },
        firewall: firewall.given ? { reason: `${route} sends it to another appliance, past the firewall`, always: true, expected: false } : null,
      };
    case 'unknown-appliance':
      return {
        verdict: { verdict: 'depends', on: [`which of the virtual appliances ${firewall.appliances.join(', ')} is the firewall (the exports do not give its private IP address)`], rule: ref },
        firewall: { reason: `${route} sends it to ${outcome.address}, which may not be the firewall`, always: false, expected: false },
      };
  }
}

/** A private endpoint is reached inside the virtual network by design; anything else past the firewall escapes its rules. */
function bypass(outcome: Extract<Outcome, { kind: 'past' }>, route: string, always: boolean): Bypass {
  const expected = outcome.where === WITHIN;
  return { reason: expected ? `${route} keeps it within the virtual network (a private endpoint): the firewall is not on its path` : `${route} sends it ${outcome.where}, past the firewall: the firewall's rules do not apply to it`, always, expected };
}

/** How each possible route ends once the firewall's own verdict is known: what decides whether the route matters. */
function endOf(outcome: Outcome, firewallVerdict: AuditVerdict | null): string {
  if (outcome.kind === 'blocked') return 'denied';
  if (outcome.kind === 'past') return 'allowed';
  if (outcome.kind === 'firewall') return firewallVerdict === null ? 'allowed' : firewallVerdict.verdict;
  return 'depends';
}

interface Reading {
  readonly alternatives: readonly Alternative[];
  readonly address: 'public' | 'private';
}

/**
 * The route layer's verdict from every route the traffic may take: one route (or routes that end
 * alike) decides; routes that end differently leave it depending on what picks between them.
 * Routes that all allow, some through the firewall and some past it, allow, and say that the
 * traffic may pass the firewall.
 */
function decide(traffic: Traffic, readings: readonly Reading[], firewall: FirewallPath, firewallVerdict: AuditVerdict | null): RouteLayer {
  const found = readings.flatMap((r) => r.alternatives);
  if (found.length === 0) {
    // No route holds it: Azure drops what no route covers (effective routes hold 0.0.0.0/0 unless it is replaced).
    return { verdict: { verdict: 'no-rule' }, firewall: null };
  }
  const outcome = (a: Alternative): Outcome => outcomeOf(a.winner.ref, firewall);
  const main = [...found].sort((a, b) => b.size - a.size)[0] as Alternative;
  const keys = new Set(found.map((a) => outcomeKey(outcome(a))));
  if (keys.size === 1) return single(outcome(main), main.winner.ref, firewall);
  const ends = new Set(found.map((a) => endOf(outcome(a), firewallVerdict)));
  // The note names a way past the firewall that matters before one that is by design.
  const past = found.filter((a) => outcome(a).kind === 'past').sort((a, b) => Number((outcome(a) as { where?: string }).where === WITHIN) - Number((outcome(b) as { where?: string }).where === WITHIN));
  if (ends.size === 1 && ends.has('allowed') && past.length > 0) {
    // Every way allows: through the firewall (which allows it) or past it.
    const first = past[0] as Alternative;
    const pastOutcome = outcome(first) as Extract<Outcome, { kind: 'past' }>;
    const always = !keys.has('firewall');
    const byMain = outcome(main).kind === 'firewall' ? main : first;
    return { verdict: { verdict: 'allowed', rule: byMain.winner.ref }, firewall: firewall.given ? bypass(pastOutcome, describeRoute(first.winner.ref), always) : null };
  }
  const mainKey = outcomeKey(outcome(main));
  const differing = found.filter((a) => outcomeKey(outcome(a)) !== mainKey);
  const other = differing[0] as Alternative;
  const why = [...new Set(found.map((a) => a.because).filter((b): b is string => b !== null))];
  if (readings.length > 1 && new Set(readings.map((r) => r.alternatives.map((a) => outcomeKey(outcome(a))).join())).size > 1) why.push(`whether ${destinationName(traffic)} resolves to a private endpoint or a public address`);
  const routes = [...new Set([main, ...differing].map((a) => describeRoute(a.winner.ref)))];
  const toFirewall = keys.has('firewall');
  const firstPast = past[0];
  const mayPass: Bypass | null =
    !firewall.given || (toFirewall && keys.size === 1)
      ? null
      : firstPast !== undefined
        ? bypass(outcome(firstPast) as Extract<Outcome, { kind: 'past' }>, describeRoute(firstPast.winner.ref), !toFirewall)
        : { reason: `${describeRoute(other.winner.ref)} may take it past the firewall`, always: !toFirewall, expected: false };
  return { verdict: { verdict: 'depends', on: [`${why.join(', ') || `the address of ${destinationName(traffic)}`} (${routes.join(' or ')})`], rule: other.winner.ref }, firewall: mayPass };
}

/**
 * The route layer: which next hop the traffic takes and what follows from it. A name that may
 * resolve to a private endpoint or a public address is read both ways, as the NSG layer does.
 * `firewallVerdict` is the firewall layer's own verdict, null without one.
 */
export function routeLayerVerdict(tables: readonly RouteTable[], traffic: Traffic, settings: PolicySettings, firewall: FirewallPath, firewallVerdict: AuditVerdict | null): RouteLayer | null {
  const table = tables[0];
  if (table === undefined) return null;
  const addresses = traffic.address === 'unknown' ? (['public', 'private'] as const) : ([traffic.address] as const);
  return decide(
    traffic,
    addresses.map((address) => ({ address, alternatives: alternatives(traffic, address, table, settings) })),
    firewall,
    firewallVerdict,
  );
}

/**
 * Inbound, Azure opens the connection to the node's public IP; the node's replies follow its routes.
 * The firewall article's scenario for compute with a public IP asks for a route with next hop
 * Internet for the management tag: a reply sent to an appliance reaches a device that never saw
 * the connection arrive, and a stateful firewall drops it (asymmetric routing). So the reply's
 * route decides: to the Internet it works; to an appliance or the firewall it cannot work as
 * routed; to None it is dropped; through a gateway, or when routes disagree, it depends.
 */
export function replyRouteVerdict(tables: readonly RouteTable[], traffic: Traffic, settings: PolicySettings, firewall: FirewallPath): AuditVerdict | null {
  const table = tables[0];
  if (table === undefined) return null;
  const found = alternatives(traffic, 'public', table, settings);
  if (found.length === 0) return { verdict: 'no-rule' };
  const sender = destinationName(traffic);
  const verdictOf = (alternative: Alternative): AuditVerdict => {
    const ref = alternative.winner.ref;
    const outcome = outcomeOf(ref, firewall);
    switch (outcome.kind) {
      case 'blocked':
        return { verdict: 'denied', rule: ref };
      case 'past':
        return outcome.where === 'to the Internet' ? { verdict: 'allowed', rule: ref } : { verdict: 'depends', on: [`where replies to ${sender} go ${outcome.where}`], rule: ref };
      case 'gateway':
        return { verdict: 'depends', on: [`whether the gateway sends replies to ${sender} back to the Internet`], rule: ref };
      default:
        return { verdict: 'inexpressible', rule: ref, reason: `replies to ${sender} go to the appliance, which never saw the connection arrive (asymmetric routing): add a route for ${sender} with next hop Internet` };
    }
  };
  const verdicts = found.map(verdictOf);
  const first = verdicts[0] as AuditVerdict;
  if (verdicts.every((v) => v.verdict === first.verdict)) return first;
  const why = [...new Set(found.map((a) => a.because).filter((b): b is string => b !== null))];
  return { verdict: 'depends', on: [why.join(', ') || `which route replies to ${sender} take`], rule: found[0]?.winner.ref ?? null };
}
