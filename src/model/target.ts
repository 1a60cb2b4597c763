import type { PrivateNameKind } from './private-names.js';
/** As the catalog writes a requirement; `any` is the article's ANY (every IP protocol), probed over TCP. */
export type RuleProtocol = 'tcp' | 'http' | 'https' | 'udp' | 'any';
export type ProbeDepth = 'tcp' | 'http' | 'https' | 'udp';
export type Direction = 'inbound' | 'outbound';

/** Why a target is listed but not checked, and the flag that would bring it in. */
export interface Skip {
  readonly reason: string;
  readonly flag: string | null;
  /**
   * Nothing can be dialled for it (a service tag no host stands for in this cloud), yet the
   * allow-list still needs its rule. Absent otherwise.
   */
  readonly ruleOnly?: true;
}

export type FirewallProtocol = 'TCP' | 'HTTP' | 'HTTPS' | 'UDP' | 'Any';

/** The allow rule that would open a target, as a firewall admin would write it. */
export interface FirewallRule {
  readonly type: 'service-tag' | 'fqdn';
  readonly destination: string;
  readonly protocol: FirewallProtocol;
  readonly port: number;
  readonly direction: Direction;
}

/** One catalog requirement that led to a target; a target merges all that share host, port and transport (UDP or not). */
export interface TargetSource {
  readonly section: string;
  readonly file: string;
  readonly keyPath: string;
  /** The host pattern, or the service tag, the requirement is written as. */
  readonly pattern: string;
  readonly serviceTag: string | null;
  readonly features: readonly string[];
  readonly condition: string | null;
  readonly required: boolean;
  readonly representative: boolean;
  readonly purpose: string;
  readonly skipped: Skip | null;
}

/** A concrete host and port to check, with everything the report needs to explain it. */
export interface Target {
  /** `host:port`; a UDP target is `host:port/udp`, so it never meets the TCP target on the same port. */
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly protocol: RuleProtocol;
  /** How deep the check goes on this port: tcp connect, plain http, tls plus https, or a udp datagram exchange. */
  readonly probe: ProbeDepth;
  readonly direction: Direction;
  /** URL path to request on http(s), when the catalog gives one. */
  readonly path: string | null;
  readonly pattern: string;
  readonly features: readonly string[];
  readonly required: boolean;
  readonly condition: string | null;
  readonly representative: boolean;
  /** Which private-link name the host is (workspace API, notebooks, a compute instance, a dependent resource), or null. */
  readonly privateName: PrivateNameKind | null;
  /**
   * The facts say the resource behind this name has a private endpoint, so the name must
   * resolve to a private address here. Other names may resolve publicly.
   */
  readonly mustResolvePrivately: boolean;
  readonly skipped: Skip | null;
  readonly purpose: string;
  readonly rules: readonly FirewallRule[];
  readonly sources: readonly TargetSource[];
}

/** `direct`: the rule must let this machine's subnet out itself, because the traffic cannot go through the proxy. */
export function describeRule(rule: FirewallRule, direct = false): string {
  const towards = rule.direction === 'inbound' ? 'from' : 'to';
  const what = rule.type === 'service-tag' ? `service tag ${rule.destination}` : rule.destination;
  return `allow ${direct ? 'direct ' : ''}${rule.direction} ${rule.protocol} ${rule.port} ${towards} ${what}`;
}

/**
 * A web proxy carries HTTP and HTTPS only: a bare TCP port (SMB 445, 8787, 18881) or UDP
 * leaves this machine directly, whatever proxy is configured, so the firewall must let it out.
 */
export function bypassesWebProxy(target: Pick<Target, 'probe' | 'direction'>): boolean {
  return target.direction === 'outbound' && (target.probe === 'tcp' || target.probe === 'udp');
}
