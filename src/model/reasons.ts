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
  | 'udp-port-unreachable'
  | 'udp-prohibited'
  | 'udp-unreachable'
  | 'udp-unverified'
  | 'udp-failed'
  | 'tls-reset'
  | 'tls-untrusted'
  | 'tls-hostname-mismatch'
  | 'tls-expired'
  | 'tls-timeout'
  | 'tls-failed'
  | 'http-denied'
  | 'http-gateway-error'
  | 'http-timeout'
  | 'http-failed'
  | 'proxy-unreachable'
  | 'proxy-auth-required'
  | 'proxy-denied'
  | 'proxy-gateway-error'
  | 'aborted'
  | 'internal-error';

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
  'udp-port-unreachable':
    'A UDP datagram drew ICMP port unreachable: nothing receives on that port, or a firewall rejects it that way.',
  'udp-prohibited': 'A UDP datagram drew ICMP administratively prohibited (or a local firewall refused to send it).',
  'udp-unreachable': 'There is no route to the address for UDP from this machine.',
  'udp-unverified':
    'UDP datagrams got no answer in time; silence proves neither an open port nor a firewall drop (a warning, never reachable).',
  'udp-failed': 'Sending the UDP datagram failed for another reason.',
  'tls-reset':
    'The connection was reset or closed during the TLS handshake, typical of a firewall filtering by SNI.',
  'tls-untrusted':
    'The server certificate does not chain to a trusted CA, typical of TLS inspection by a firewall or proxy.',
  'tls-hostname-mismatch': 'The server certificate is not valid for the host name that was asked for.',
  'tls-expired': 'The server certificate has expired or is not valid yet.',
  'tls-timeout': 'The TLS handshake did not complete in time.',
  'tls-failed': 'The TLS handshake failed for another reason.',
  'http-denied': 'A firewall, or another device on the path, answered the HTTP request with its deny or block page instead of the service.',
  'http-gateway-error':
    'A device on the path (a transparent proxy, an inspecting firewall) answered that it could not reach the host: a 502, 503 or 504 carrying its markers.',
  'http-timeout': 'The HTTP response did not arrive in time.',
  'http-failed': 'The HTTP exchange failed for another reason.',
  'proxy-unreachable': 'The configured HTTP proxy could not be reached.',
  'proxy-auth-required': 'The HTTP proxy requires authentication (407) that was missing or rejected.',
  'proxy-denied': 'The HTTP proxy refused to open a tunnel to the host, or answered the request itself with its deny page.',
  'proxy-gateway-error': 'The HTTP proxy could not reach the host: it answered 502, 503 or 504 itself (to the CONNECT, or with its own error page).',
  aborted: 'The check was cancelled before it finished (run deadline or interrupt).',
  'internal-error': 'aml-netcheck itself failed on this target (a bug: the log has the details); the rest of the run goes on.',
};

