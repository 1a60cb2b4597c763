import net from 'node:net';

/** The layers a check passes through, in the order the runner chains them. */
export type Phase = 'dns' | 'tcp' | 'tls' | 'http';

/**
 * Why a phase failed. These strings are a public contract: reports, JSON output and
 * the README key off them, so add new codes rather than renaming existing ones.
 */
export type ReasonCode =
  | 'dns-nxdomain'
  | 'dns-no-data'
  | 'dns-servfail'
  | 'dns-refused'
  | 'dns-timeout'
  | 'dns-not-private'
  | 'dns-failed'
  | 'tcp-refused'
  | 'tcp-timeout'
  | 'tcp-unreachable'
  | 'tcp-failed'
  | 'tls-reset'
  | 'tls-untrusted'
  | 'tls-hostname-mismatch'
  | 'tls-expired'
  | 'tls-timeout'
  | 'tls-failed'
  | 'http-denied'
  | 'http-timeout'
  | 'http-failed'
  | 'proxy-unreachable'
  | 'proxy-auth-required'
  | 'proxy-denied'
  | 'aborted';

export const REASONS: Record<ReasonCode, string> = {
  'dns-nxdomain': 'The DNS server says the name does not exist (NXDOMAIN).',
  'dns-no-data': 'The name exists but the DNS server returned no IPv4 or IPv6 address for it.',
  'dns-servfail': 'The DNS server failed to resolve the name (SERVFAIL), often a broken forwarder.',
  'dns-refused': 'The DNS server refused to answer the query (REFUSED).',
  'dns-timeout': 'No DNS server answered within the time budget.',
  'dns-not-private':
    'The name resolves to a public address where a private endpoint address was expected.',
  'dns-failed': 'The DNS query failed for another reason (malformed answer, socket error, no servers).',
  'tcp-refused': 'The address actively refused the connection (nothing listening, or a firewall reject).',
  'tcp-timeout': 'The connection attempt got no answer in time, typical of a firewall that drops packets.',
  'tcp-unreachable': 'There is no route to the address from this machine.',
  'tcp-failed': 'The connection attempt failed for another reason.',
  'tls-reset':
    'The connection was reset or closed during the TLS handshake, typical of a firewall filtering by SNI.',
  'tls-untrusted':
    'The server certificate does not chain to a trusted CA, typical of TLS inspection by a firewall or proxy.',
  'tls-hostname-mismatch': 'The server certificate is not valid for the host name that was asked for.',
  'tls-expired': 'The server certificate has expired or is not valid yet.',
  'tls-timeout': 'The TLS handshake did not complete in time.',
  'tls-failed': 'The TLS handshake failed for another reason.',
  'http-denied': 'A firewall answered the HTTP request with a deny page instead of the service.',
  'http-timeout': 'The HTTP response did not arrive in time.',
  'http-failed': 'The HTTP exchange failed for another reason.',
  'proxy-unreachable': 'The configured HTTP proxy could not be reached.',
  'proxy-auth-required': 'The HTTP proxy requires authentication (407) that was missing or rejected.',
  'proxy-denied': 'The HTTP proxy refused to open a tunnel to the host.',
  aborted: 'The check was cancelled before it finished (run deadline or interrupt).',
};

export interface PhaseSuccess<D> {
  readonly ok: true;
  readonly phase: Phase;
  /** Wall time the phase took, in whole milliseconds. */
  readonly ms: number;
  readonly details: D;
}

export interface PhaseFailure<D> {
  readonly ok: false;
  readonly phase: Phase;
  readonly ms: number;
  readonly reason: ReasonCode;
  /** One line for humans: names the address, the time budget where one applies, and the cause. */
  readonly message: string;
  /** The low-level code behind the failure (ECONNREFUSED, SELF_SIGNED_CERT_IN_CHAIN, 470…), when there is one. */
  readonly cause: string | null;
  /** Whatever the phase learned before it failed; useful evidence (the presented certificate, the CNAME chain). */
  readonly details: D;
}

/** Every failure keeps its details so a report can show what was seen, not only what went wrong. */
export type PhaseResult<D> = PhaseSuccess<D> | PhaseFailure<D>;

/** Monotonic start mark; wall-clock time can jump while a probe runs. */
export function startClock(): () => number {
  const started = performance.now();
  return () => Math.round(performance.now() - started);
}

export function succeed<D>(phase: Phase, ms: number, details: D): PhaseSuccess<D> {
  return { ok: true, phase, ms, details };
}

export function fail<D>(
  phase: Phase,
  ms: number,
  reason: ReasonCode,
  message: string,
  cause: string | null,
  details: D,
): PhaseFailure<D> {
  return { ok: false, phase, ms, reason, message, cause, details };
}

/** `10.0.0.4:443` or `[fd00::4]:443`, the way people paste addresses into firewall rules. */
export function formatEndpoint(address: string, port: number): string {
  return net.isIPv6(address) ? `[${address}]:${port}` : `${address}:${port}`;
}

/** The code Node or undici attached to an error, if any. */
export function errorCode(error: unknown): string | null {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
  }
  return null;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
