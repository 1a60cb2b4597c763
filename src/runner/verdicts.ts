import { isPrivateAddress } from '../probers/dns.js';
import type { DnsResult, PhaseFailure, TlsDetails } from '../model/phases.js';
import { EMPTY_PHASES, type TargetOutcome } from '../model/result.js';
import type { Target } from '../model/target.js';

// Pure judgements over what the probes saw: no I/O here, so each rule is tested on its own.

export function outcome(partial: Partial<TargetOutcome> & Pick<TargetOutcome, 'verdict' | 'detail'>): TargetOutcome {
  return {
    reason: null,
    phase: null,
    warnings: [],
    fix: [],
    via: 'direct',
    attempts: 1,
    timings: {},
    phases: EMPTY_PHASES,
    ...partial,
  };
}

/**
 * A failed phase decides the target. A cancelled check or a bug in one is no finding
 * about the network: its verdict is unknown, never blocked and never reachable.
 */
export function failedAt(failure: PhaseFailure<unknown>, rest: Partial<TargetOutcome>): TargetOutcome {
  const verdict = failure.reason === 'aborted' || failure.reason === 'internal-error' ? 'unknown' : 'blocked';
  return outcome({ ...rest, verdict, reason: failure.reason, phase: failure.phase, detail: failure.message });
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
  if (!dns.ok || !dns.details.serversDisagree) return [];
  const said = dns.details.servers.map((s) => `${s.server} said ${s.ok ? s.addresses.join(', ') || 'nothing' : (s.reason ?? 'error')}`);
  return [`DNS servers disagree: ${said.join('; ')}`];
}

/**
 * A handshake trusted only through this machine's store: TLS inspection that the compute's own
 * clients may reject. Direct, the chain is the TLS phase's; through a proxy, the one inside its tunnel.
 */
export function inspectionWarning(target: Target, chain: Pick<TlsDetails, 'certificate' | 'issuerChain'> | null, isVouchedIssuer: ((issuer: string) => boolean) | undefined): string | null {
  if (!isVouchedIssuer || chain === null) return null;
  const top = chain.issuerChain.at(-1) ?? chain.certificate?.issuer;
  if (top === undefined || isVouchedIssuer(top)) return null;
  return `TLS to ${target.host} is re-signed by "${top}", trusted only through this machine's CA store: TLS inspection; pip, conda and Docker on the compute may reject it`;
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
