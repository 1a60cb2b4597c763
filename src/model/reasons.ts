/**
 * What a failed phase's verdict is, when it is a finding about the network: `unknown` for a
 * check that was cut short or that aml-netcheck itself failed, never blocked and never reachable.
 */
export type FailureVerdict = 'blocked' | 'warning' | 'unknown';

/**
 * The change that fixes a code, by name. Which change fits a code is decided here, beside the
 * code, so a new code cannot come without one; what each name means (the firewall rules, DNS
 * records or proxy settings it names, which depend on the target, the cloud and the proxy) is
 * remedies/remedy.ts's, whose builders the compiler makes cover every name. The model stays
 * first in the pipeline: it names remedies and imports nothing of them.
 * - `none`: the code says nothing about the network (a cancelled check, a bug of ours); nothing to fix.
 * - `allow`: the target's firewall rules.
 * - `dns-resolve`: make the name resolve (its private zone, or forwarding of public names).
 * - `dns-private`: make the name resolve to its private endpoint instead of a public address.
 * - `confirm-udp`: nothing proves a block; confirm the rules exist.
 * - `proxy-allow`, `proxy-egress`, `device-egress`: the proxy, or a device on the path, must let it through or out.
 */
export type ReasonRemedy =
  'none' | 'allow' | 'dns-resolve' | 'dns-private' | 'dns-server-repair' | 'dns-filter-allow' | 'tls-inspection' | 'tls-foreign-certificate' | 'not-tls' | 'proxy-reach' | 'proxy-credentials' | 'proxy-allow' | 'proxy-egress' | 'device-egress' | 'confirm-udp';

/** Everything known of a reason code: its sentence for people, the verdict it gives and what fixes it. */
export interface Reason {
  readonly summary: string;
  readonly verdict: FailureVerdict;
  readonly remedy: ReasonRemedy;
}

/**
 * Why a phase failed, one record per code: the codes are this table's keys, so a new code is
 * one entry, and the compiler refuses it without a summary, a verdict and a remedy. The codes
 * are a public contract: reports, JSON output, the report schema and the README key off them,
 * so add new codes rather than renaming existing ones.
 */
const TABLE = {
  'dns-nxdomain': {
    summary: 'The DNS server says the name does not exist (NXDOMAIN).',
    verdict: 'blocked',
    remedy: 'dns-resolve',
  },
  'dns-no-data': {
    summary: 'The name exists but the DNS server returned no IPv4 or IPv6 address for it.',
    verdict: 'blocked',
    remedy: 'dns-resolve',
  },
  'dns-servfail': {
    summary: 'The DNS server failed to resolve the name (SERVFAIL), often a broken forwarder.',
    verdict: 'blocked',
    remedy: 'dns-server-repair',
  },
  'dns-refused': {
    summary: 'The DNS server refused to answer the query (REFUSED).',
    verdict: 'blocked',
    remedy: 'dns-server-repair',
  },
  'dns-timeout': {
    summary: 'No DNS server answered within the time budget.',
    verdict: 'blocked',
    remedy: 'dns-server-repair',
  },
  'dns-not-private': {
    summary: 'The name resolves to a public address where a private endpoint address was expected.',
    verdict: 'blocked',
    remedy: 'dns-private',
  },
  'dns-sinkholed': {
    summary: 'The DNS answer holds only addresses no service can have (0.0.0.0, loopback, link-local, documentation and other special-use ranges): a DNS filter or sinkhole answered.',
    verdict: 'blocked',
    remedy: 'dns-filter-allow',
  },
  'dns-failed': {
    summary: 'The DNS query failed for another reason: a malformed answer (cut off, garbled, wrong record length, a compression loop), only answers that do not match the query, a socket error, no servers.',
    verdict: 'blocked',
    remedy: 'dns-server-repair',
  },
  'tcp-refused': {
    summary: 'The address actively refused the connection (nothing listening, or a firewall reject).',
    verdict: 'blocked',
    remedy: 'allow',
  },
  'tcp-timeout': {
    summary: 'The connection attempt got no answer in time, typical of a firewall that drops packets.',
    verdict: 'blocked',
    remedy: 'allow',
  },
  'tcp-unreachable': {
    summary: 'There is no route to the address from this machine.',
    verdict: 'blocked',
    remedy: 'allow',
  },
  'tcp-failed': {
    summary: 'The connection attempt failed for another reason.',
    verdict: 'blocked',
    remedy: 'allow',
  },
  'udp-port-unreachable': {
    summary: 'A UDP datagram drew ICMP port unreachable: nothing receives on that port, or a firewall rejects it that way.',
    verdict: 'blocked',
    remedy: 'allow',
  },
  'udp-prohibited': {
    summary: 'A UDP datagram drew ICMP administratively prohibited (or a local firewall refused to send it).',
    verdict: 'blocked',
    remedy: 'allow',
  },
  'udp-unreachable': {
    summary: 'There is no route to the address for UDP from this machine.',
    verdict: 'blocked',
    remedy: 'allow',
  },
  'udp-unverified': {
    summary: 'UDP datagrams got no answer in time; silence proves neither an open port nor a firewall drop (a warning, never reachable).',
    verdict: 'warning',
    remedy: 'confirm-udp',
  },
  'udp-failed': {
    summary: 'Sending the UDP datagram failed for another reason.',
    verdict: 'blocked',
    remedy: 'allow',
  },
  'tls-reset': {
    summary: 'The connection was reset or closed during the TLS handshake, typical of a firewall filtering by SNI.',
    verdict: 'blocked',
    remedy: 'allow',
  },
  'tls-untrusted': {
    summary: 'The server certificate does not chain to a trusted CA, typical of TLS inspection by a firewall or proxy.',
    verdict: 'blocked',
    remedy: 'tls-inspection',
  },
  'tls-hostname-mismatch': {
    summary: 'The server certificate is not valid for the host name that was asked for.',
    verdict: 'blocked',
    remedy: 'tls-foreign-certificate',
  },
  'tls-expired': {
    summary: 'The server certificate has expired or is not valid yet.',
    verdict: 'blocked',
    remedy: 'tls-foreign-certificate',
  },
  'tls-timeout': {
    summary: 'The TCP connection opened but the TLS handshake did not complete in time: a middlebox that drops after reading the SNI, or a path-MTU black hole (VPN, ExpressRoute).',
    verdict: 'blocked',
    remedy: 'allow',
  },
  'tls-not-tls': {
    summary: 'The server answered the TLS handshake in plain text or another protocol: a proxy or another service answers at that address.',
    verdict: 'blocked',
    remedy: 'not-tls',
  },
  'tls-failed': {
    summary: 'The TLS handshake failed for another reason.',
    verdict: 'blocked',
    remedy: 'allow',
  },
  'http-denied': {
    summary: 'A firewall, or another device on the path, answered the HTTP request with its deny or block page instead of the service.',
    verdict: 'blocked',
    remedy: 'allow',
  },
  'http-gateway-error': {
    summary: 'A device on the path (a transparent proxy, an inspecting firewall) answered that it could not reach the host: a 502, 503 or 504 carrying its markers.',
    verdict: 'blocked',
    remedy: 'device-egress',
  },
  'http-timeout': {
    summary: 'The HTTP response did not arrive in time.',
    verdict: 'blocked',
    remedy: 'allow',
  },
  'http-failed': {
    summary: 'The HTTP exchange failed for another reason.',
    verdict: 'blocked',
    remedy: 'allow',
  },
  'proxy-unreachable': {
    summary: 'The configured HTTP proxy could not be reached.',
    verdict: 'blocked',
    remedy: 'proxy-reach',
  },
  'proxy-auth-required': {
    summary: 'The HTTP proxy requires authentication (407) that was missing or rejected.',
    verdict: 'blocked',
    remedy: 'proxy-credentials',
  },
  'proxy-denied': {
    summary: 'The HTTP proxy refused to open a tunnel to the host, or answered the request itself with its deny page.',
    verdict: 'blocked',
    remedy: 'proxy-allow',
  },
  'proxy-gateway-error': {
    summary: 'The HTTP proxy could not reach the host: it answered 502, 503 or 504 itself (to the CONNECT, or with its own error page).',
    verdict: 'blocked',
    remedy: 'proxy-egress',
  },
  aborted: {
    summary: 'The check was cancelled before it finished (run deadline or interrupt).',
    verdict: 'unknown',
    remedy: 'none',
  },
  'internal-error': {
    summary: 'aml-netcheck itself failed on this target (a bug: the log has the details); the rest of the run goes on.',
    verdict: 'unknown',
    remedy: 'none',
  },
} satisfies Record<string, Reason>;

export type ReasonCode = keyof typeof TABLE;

export const REASONS: Readonly<Record<ReasonCode, Reason>> = TABLE;

/** Every reason code, in the table's order. */
export const REASON_CODES = Object.keys(TABLE) as readonly ReasonCode[];
