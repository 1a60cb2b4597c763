import type { Cloud } from '../model/clouds.js';
import { CLOUDS } from '../model/clouds.js';
import { REASONS, type ReasonCode, type ReasonRemedy } from '../model/reasons.js';
import { bypassesWebProxy, describeRule, type FirewallRule, type Target } from '../model/target.js';
import { AZURE_DNS, privateZoneRecord, type PrivateZoneRecord } from './private-zones.js';
import { classifyManaged, describeManaged, type ManagedNetworkAction, type ManagedNetworkContext } from './managed-network.js';

/**
 * One change that fixes a blocked target, by the cause of the failure. Renderers turn these
 * into the admin's language (firewall commands, DNS records, proxy settings); the report's
 * `fix` sentences are these in words.
 */
export type Remedy =
  /**
   * Open the firewall: the target's rules, FQDN and service tag alternatives alike. `direct`:
   * the run had a web proxy, which cannot carry this traffic, so the rule must let it out directly.
   */
  | { readonly kind: 'allow'; readonly rules: readonly FirewallRule[]; readonly direct?: true }
  /** A private-link name must resolve to its private endpoint: no answer at all (`missing`) or a public one. */
  | { readonly kind: 'dns-private'; readonly host: string; readonly answer: 'missing' | 'public'; readonly record: PrivateZoneRecord | null }
  /** A public name does not resolve: the DNS server must forward public names. */
  | { readonly kind: 'dns-public'; readonly host: string; readonly forwarder: string }
  /** The DNS server itself failed: repair it or let DNS through to it. */
  | { readonly kind: 'dns-server-repair' }
  /** A DNS filter or sinkhole answers for the name: allow the name there; no firewall rule can help. */
  | { readonly kind: 'dns-filter-allow'; readonly host: string }
  /** TLS inspection (`inspection`) or something else answering with its own certificate (`foreign-certificate`). */
  | { readonly kind: 'tls-exempt'; readonly host: string; readonly cause: 'inspection' | 'foreign-certificate' }
  /** Something other than the host's TLS service answers at its address: a proxy, or a wrong record. */
  | { readonly kind: 'not-tls'; readonly host: string }
  | { readonly kind: 'proxy-allow'; readonly host: string; readonly pattern: string }
  /** The name must not go through the proxy (its private endpoint is only reachable from the VNet). */
  | { readonly kind: 'no-proxy'; readonly host: string }
  | { readonly kind: 'proxy-credentials' }
  | { readonly kind: 'proxy-reach' }
  /**
   * The proxy (`proxy`) or a device on the direct path (`device`: a transparent proxy, an
   * inspecting firewall) let the request through and could not reach the host itself: its own
   * way out (its egress rule, its DNS) is what to fix, not a rule for this machine.
   */
  | { readonly kind: 'gateway-egress'; readonly host: string; readonly port: number; readonly gateway: 'proxy' | 'device' }
  /**
   * A silent UDP port: nothing proves a block, so there is nothing to fix for sure. The admin
   * should confirm that these rules exist (and that the service answers at all).
   */
  | { readonly kind: 'confirm-udp'; readonly rules: readonly FirewallRule[]; readonly direct?: true }
  /**
   * The workspace has a managed virtual network: what an allow rule would do there is an outbound
   * rule of the managed network (or one Azure adds, or one it cannot express).
   */
  | { readonly kind: 'managed-network'; readonly action: ManagedNetworkAction };

export type RemedyKind = Remedy['kind'];

/** The private DNS record for a name, in the report's cloud first; a saved report may name another cloud's host. */
function recordFor(target: Target, cloud: Cloud): PrivateZoneRecord | null {
  if (target.privateName === null) return null;
  for (const candidate of [cloud, ...CLOUDS.filter((c) => c !== cloud)]) {
    const record = privateZoneRecord(target.host, target.privateName, candidate);
    if (record !== null) return record;
  }
  return null;
}

/** What building a remedy may need: the target, the report's cloud, and how it must go out. */
interface RemedyContext {
  readonly target: Target;
  readonly cloud: Cloud;
  /** The run had a web proxy that cannot carry this target's traffic: its rules must let it out directly. */
  readonly direct: { readonly direct?: true };
  /** The target's own allow rules, none for a target without rules (inbound); a managed network's rule in a managed network. */
  readonly allow: Remedy[];
}

/**
 * What each remedy the reason table names (model/reasons.ts) stands for. Firewall rules only
 * fix what a firewall broke; a DNS or TLS-inspection failure needs another change, and an allow
 * rule there would send people the wrong way. The mapped type makes every name be built here.
 */
const BUILD: { readonly [Name in ReasonRemedy]: (context: RemedyContext) => Remedy[] } = {
  none: () => [],
  // TCP drops, resets, SNI filtering, deny pages and UDP's ICMP refusals: the allow rule is the fix.
  allow: ({ allow }) => allow,
  'dns-resolve': ({ target, cloud }) => (target.privateName !== null ? [{ kind: 'dns-private', host: target.host, answer: 'missing', record: recordFor(target, cloud) }] : [{ kind: 'dns-public', host: target.host, forwarder: AZURE_DNS }]),
  'dns-private': ({ target, cloud }) => [{ kind: 'dns-private', host: target.host, answer: 'public', record: recordFor(target, cloud) }],
  'dns-server-repair': () => [{ kind: 'dns-server-repair' }],
  'dns-filter-allow': ({ target }) => [{ kind: 'dns-filter-allow', host: target.host }],
  'tls-inspection': ({ target }) => [{ kind: 'tls-exempt', host: target.host, cause: 'inspection' }],
  'tls-foreign-certificate': ({ target }) => [{ kind: 'tls-exempt', host: target.host, cause: 'foreign-certificate' }],
  // The connection got through: opening the firewall further changes nothing.
  'not-tls': ({ target }) => [{ kind: 'not-tls', host: target.host }],
  'proxy-reach': () => [{ kind: 'proxy-reach' }],
  'proxy-credentials': () => [{ kind: 'proxy-credentials' }],
  // In a managed network the rule to confirm is the managed network's.
  'confirm-udp': ({ target, direct, allow }) => (allow[0]?.kind === 'managed-network' ? allow : target.rules.length > 0 ? [{ kind: 'confirm-udp', rules: target.rules, ...direct }] : []),
  // A private endpoint answers only inside the VNet: the proxy cannot reach it, so the name must bypass the proxy.
  'proxy-allow': ({ target, allow }) => (target.mustResolvePrivately ? [{ kind: 'no-proxy', host: target.host }] : [{ kind: 'proxy-allow', host: target.host, pattern: target.pattern }, ...allow]),
  // The proxy allowed it and failed on its way out: the allow rules are for the proxy's own egress.
  'proxy-egress': ({ target, allow }) => (target.mustResolvePrivately ? [{ kind: 'no-proxy', host: target.host }] : [{ kind: 'gateway-egress', host: target.host, port: target.port, gateway: 'proxy' }, ...allow]),
  'device-egress': ({ target, allow }) => [{ kind: 'gateway-egress', host: target.host, port: target.port, gateway: 'device' }, ...allow],
};

/**
 * The remedies for a target that failed with `reason`, as the reason table names them.
 * `proxied`: the run had a web proxy; traffic it cannot carry needs a direct egress rule, and
 * opening the proxy would not help. A code the table does not know (a report from a newer
 * version) gets no remedy: a firewall rule by default would send people the wrong way.
 */
export function remediesFor(target: Target, reason: ReasonCode | null, cloud: Cloud, proxied = false, managed?: ManagedNetworkContext): Remedy[] {
  if (reason === null || !Object.hasOwn(REASONS, reason)) return [];
  const direct = proxied && bypassesWebProxy(target) ? ({ direct: true } as const) : {};
  const action = managed === undefined ? null : classifyManaged(target, managed);
  const allow: Remedy[] = action !== null ? [{ kind: 'managed-network', action }] : target.rules.length > 0 ? [{ kind: 'allow', rules: target.rules, ...direct }] : [];
  return BUILD[REASONS[reason].remedy]({ target, cloud, direct, allow });
}

function wildcardSentence(record: PrivateZoneRecord): string {
  return `forward ${record.forwardZones.join(', ')} to Azure DNS (${AZURE_DNS}), or on a zone made by hand add ${record.wildcard ?? record.host} A <${record.pointsAt}>`;
}

/** A remedy in one sentence each, as the report's `fix` and the table print them. */
export function describeRemedy(remedy: Remedy): string[] {
  switch (remedy.kind) {
    case 'allow':
      return remedy.rules.map((rule) => allowSentence(rule, remedy.direct === true));
    case 'dns-private':
      return [
        remedy.answer === 'missing'
          ? `make ${remedy.host} resolve here: link the privatelink DNS zone to this VNet, or forward the zone from your DNS server to Azure DNS (${AZURE_DNS})`
          : `make ${remedy.host} resolve to its private endpoint: add the privatelink zone (or a conditional forwarder to ${AZURE_DNS}) on the DNS server this VNet uses`,
        ...(remedy.record?.wildcard === undefined ? [] : [wildcardSentence(remedy.record)]),
      ];
    case 'dns-public':
      return [`make ${remedy.host} resolve here: your DNS server must forward public names (e.g. to Azure DNS, ${remedy.forwarder})`];
    case 'dns-server-repair':
      return ['the DNS server this machine uses failed to answer: repair it, or allow DNS (UDP and TCP 53) to it'];
    case 'dns-filter-allow':
      return [`allow ${remedy.host} on the DNS filter that answered for it (the resolver's block list, a DNS security policy or DNS firewall), or use a resolver that does not filter it; a firewall rule cannot fix a DNS answer`];
    case 'tls-exempt':
      return [
        remedy.cause === 'inspection'
          ? `exempt ${remedy.host} from TLS inspection, or trust the inspecting CA here (--ca-file) and on the compute`
          : `something between here and ${remedy.host} answers with its own certificate: exempt the host from TLS inspection or fix the DNS record that points elsewhere`,
      ];
    case 'not-tls':
      return [`something other than the TLS service of ${remedy.host} answers at its address: check the proxy settings this machine needs (--proxy, HTTPS_PROXY) and the DNS record or hosts entry of ${remedy.host}`];
    case 'proxy-allow':
      return [`allow ${remedy.pattern} on the proxy`];
    case 'no-proxy':
      return [`add ${remedy.host} to NO_PROXY on this machine and the compute: its private endpoint answers only inside the VNet, where the proxy cannot reach it`];
    case 'proxy-credentials':
      return ['give the proxy credentials in the proxy URL (http://user:password@proxy:port), or exempt this machine on the proxy'];
    case 'proxy-reach':
      return ['check the proxy address (--proxy, HTTPS_PROXY) and that this machine may reach it'];
    case 'gateway-egress':
      return [
        remedy.gateway === 'proxy'
          ? `the proxy let the request through but could not reach ${remedy.host}:${remedy.port} itself: allow the proxy's own outbound traffic to it (with the proxy as the source of the rule) and check that the proxy resolves the name`
          : `a device between here and ${remedy.host} (a transparent proxy or inspecting firewall) could not reach it: allow that device's own outbound traffic to ${remedy.host}:${remedy.port} and check that it resolves the name`,
      ];
    case 'confirm-udp':
      return remedy.rules.map((rule) => `no UDP answer proves it either way: confirm the firewall has the rule to ${allowSentence(rule, remedy.direct === true)}`);
    case 'managed-network':
      return [describeManaged(remedy.action)];
  }
}

function allowSentence(rule: FirewallRule, direct: boolean): string {
  return direct ? `${describeRule(rule, true)} from this subnet — it cannot go through the proxy` : describeRule(rule);
}

/** The report's `fix` for a target: every remedy in words. */
export function fixSentences(target: Target, reason: ReasonCode | null, cloud: Cloud, proxied = false, managed?: ManagedNetworkContext): string[] {
  return remediesFor(target, reason, cloud, proxied, managed).flatMap(describeRemedy);
}
