import net from 'node:net';
import { describeSinkholed, isPrivateAddress } from '../probers/dns.js';
import { formatEndpoint } from '../model/hosts.js';
import { REASONS } from '../model/reasons.js';
import type { DnsResult, PhaseFailure, TcpResult, TlsDetails } from '../model/phases.js';
import { EMPTY_PHASES, type TargetOutcome } from '../model/result.js';
import type { Target } from '../model/target.js';

// Pure judgements over what the probes saw: no I/O here, so each rule is tested on its own.

export function outcome(partial: Partial<TargetOutcome> & Pick<TargetOutcome, 'verdict' | 'detail'>): TargetOutcome {
  return {
    reason: null,
    phase: null,
    warnings: [],
    via: 'direct',
    attempts: 1,
    timings: {},
    phases: EMPTY_PHASES,
    ...partial,
  };
}

/** A failed phase decides the target, with the verdict the reason table gives its code. */
export function failedAt(failure: PhaseFailure<unknown>, rest: Partial<TargetOutcome>): TargetOutcome {
  return outcome({ ...rest, verdict: REASONS[failure.reason].verdict, reason: failure.reason, phase: failure.phase, detail: failure.message });
}

type TcpFailure = Extract<TcpResult, { ok: false }>;

function familyOf(address: string): 'IPv4' | 'IPv6' {
  return net.isIPv6(address) ? 'IPv6' : 'IPv4';
}

/**
 * Some addresses of a name failed while another connected: not blocked, since clients move on
 * to an address that works, but it costs them. When one whole family fails and the other
 * works, say so: a client that tries the dead family first waits (or is turned away) on every
 * connection before it falls back, and the fix is that family's rule or its DNS record.
 * Null when every address connected.
 */
export function someAddressesFailed(tcp: readonly TcpResult[]): string | null {
  const failed = tcp.filter((r): r is TcpFailure => !r.ok);
  if (failed.length === 0) return null;
  const working = tcp.filter((r) => r.ok);
  const deadFamilies = new Set(failed.map((r) => familyOf(r.details.address)));
  const liveFamilies = new Set(working.map((r) => familyOf(r.details.address)));
  const [dead] = deadFamilies;
  const [live] = liveFamilies;
  if (deadFamilies.size === 1 && liveFamilies.size === 1 && dead !== live) {
    const endpoints = working.map((r) => formatEndpoint(r.details.address, r.details.port)).join(', ');
    const cost = failed.some((r) => r.reason === 'tcp-timeout') ? 'wait for the timeout before falling back' : 'are turned away and fall back at once';
    return `${dead} is blocked: ${failed.map((r) => r.message).join('; ')}; ${live} ${endpoints} ${working.length === 1 ? 'works' : 'work'} — clients that try ${dead} first ${cost}`;
  }
  return `${failed.length} of ${tcp.length} addresses failed: ${failed.map((r) => r.message).join('; ')}`;
}

/**
 * Every address failed: the detail of a blocked target. Each address's failure is named when
 * they differ (IPv4 refused, IPv6 timed out); the same failure everywhere is said once.
 */
export function everyAddressFailed(failed: readonly TcpFailure[]): string {
  const [first, ...others] = failed;
  if (first === undefined) return '';
  if (others.length === 0) return first.message;
  if (others.every((r) => r.reason === first.reason)) {
    return `${first.message}; the same for ${others.map((r) => formatEndpoint(r.details.address, r.details.port)).join(', ')}`;
  }
  return failed.map((r) => r.message).join('; ');
}

function addressesOf(dns: Extract<DnsResult, { ok: true }>): readonly string[] {
  return dns.details.addresses;
}

/**
 * A name whose resource has a private endpoint must resolve to a private address; say what it
 * resolved to instead, and whether the privatelink zone took part. Null when all is as it should be.
 */
export function privateNameProblem(target: Target, dns: DnsResult): string | null {
  if (!target.mustResolvePrivately || !dns.ok || dns.details.ipLiteral) return null;
  const publicOnes = addressesOf(dns).filter((a) => !isPrivateAddress(a));
  if (publicOnes.length === 0) return null;
  const chain = dns.details.cnameChain.length > 0 ? ` via ${dns.details.cnameChain.join(' -> ')}` : '';
  const privatelink = dns.details.cnameChain.some((name) => name.includes('.privatelink.'));
  return (
    `${target.host} resolves to public ${publicOnes.join(', ')}${chain} at ${dns.details.answeredBy ?? 'the resolver'}; ` +
    `its private endpoint needs it to resolve to a private address` +
    (privatelink ? ' (the privatelink zone answers with a public record)' : ' (no privatelink zone answered: check the conditional forwarder or private DNS zone link)')
  );
}

/**
 * Azure points a compute instance's private name at the workspace private endpoint, not at
 * the instance. A private answer that differs from the workspace API's is a stale or hand-made
 * record: the name resolves, but to an address that does not serve it.
 */
export function computeInstanceAddressWarning(target: Target, dns: DnsResult, api: { host: string; dns: DnsResult } | null): string | null {
  if (target.privateName !== 'compute-instance' || !target.mustResolvePrivately || api === null || !dns.ok || !api.dns.ok) return null;
  const mine = addressesOf(dns);
  const workspace = addressesOf(api.dns).filter(isPrivateAddress);
  if (mine.length === 0 || workspace.length === 0 || !mine.every(isPrivateAddress)) return null;
  if (mine.some((address) => workspace.includes(address))) return null;
  return `${target.host} resolves to ${mine.join(', ')}, but the workspace private endpoint (${api.host}) is ${workspace.join(', ')}: a compute instance name must point at the workspace private endpoint's address`;
}

export function dnsWarnings(dns: DnsResult): string[] {
  if (!dns.ok) return [];
  const warnings: string[] = [];
  const { sinkholed } = dns.details;
  if (sinkholed.length > 0) {
    warnings.push(
      `${dns.details.answeredBy ?? 'the resolver'} also answered ${dns.details.host} with ${describeSinkholed(sinkholed)}: ` +
        `addresses no service can have, from a DNS filter or sinkhole; only ${dns.details.addresses.join(', ')} ${dns.details.addresses.length === 1 ? 'was' : 'were'} dialled`,
    );
  }
  if (dns.details.serversDisagree) {
    const said = dns.details.servers.map((s) => `${s.server} said ${s.ok ? s.addresses.join(', ') || 'nothing' : (s.reason ?? 'error')}`);
    warnings.push(`DNS servers disagree: ${said.join('; ')}`);
  }
  return warnings;
}

/**
 * A verified chain that rests on no public root was trusted only through a CA this machine or
 * run added (its CA store, NODE_EXTRA_CA_CERTS, --ca-file): what TLS inspection needs, and what
 * clients with their own CA bundles (pip, conda, Docker) do not have. Direct, the chain is the
 * TLS phase's; through a proxy, the one inside its tunnel.
 */
export function inspectionWarning(target: Target, chain: Pick<TlsDetails, 'trustAnchor'> | null): string | null {
  const anchor = chain?.trustAnchor ?? null;
  if (!anchor || anchor.publicRoot) return null;
  return `TLS to ${target.host} is re-signed by "${anchor.subject}", trusted only through a CA added to this machine (its CA store, NODE_EXTRA_CA_CERTS or --ca-file): TLS inspection; pip, conda and Docker on the compute may reject it`;
}

/** `over TLSv1.3, certificate issued by …`: what a reachable HTTPS target's detail says of its TLS. */
export function tlsSummary(tls: Pick<TlsDetails, 'protocol' | 'certificate'>): string {
  return ` over ${tls.protocol ?? 'TLS'}, certificate issued by ${tls.certificate?.issuer ?? 'unknown'}`;
}

export function urlFor(target: Pick<Target, 'probe' | 'host' | 'port' | 'path'>): string {
  const scheme = target.probe === 'https' ? 'https' : 'http';
  const defaultPort = scheme === 'https' ? 443 : 80;
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  return `${scheme}://${host}${target.port === defaultPort ? '' : `:${target.port}`}${target.path ?? '/'}`;
}
