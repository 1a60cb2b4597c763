import net from 'node:net';
import type { CertificateSummary, DnsServerAnswer, PhaseResult, TunnelTlsDetails } from '../model/phases.js';
import type { Verdict } from '../model/result.js';
import { REASONS, type ReasonCode } from '../model/reasons.js';
import { kindByStatus, MIDDLEBOX_MARKERS, type DeviceAnswerKind, type DeviceRole, type MarkerMatch, type MiddleboxMarker } from '../model/middleboxes.js';
import { errorCode } from './errors.js';

// Every table that turns what the network said into a reason code, in one place and free of
// I/O, so a finding can be checked without a socket and the probers keep only the dialling.

// ---- TCP ----------------------------------------------------------------------------------

const UNREACHABLE_CODES = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'EHOSTDOWN', 'ENETDOWN']);

export function classifyTcpError(code: string | null): ReasonCode {
  if (code === 'ECONNREFUSED') return 'tcp-refused';
  // The kernel gives up on unanswered SYNs with ETIMEDOUT; same finding as our own timer.
  if (code === 'ETIMEDOUT') return 'tcp-timeout';
  if (code !== null && UNREACHABLE_CODES.has(code)) return 'tcp-unreachable';
  return 'tcp-failed';
}

/** The reason and message for a failed connect to `endpoint`. */
export function describeTcpError(endpoint: string, code: string | null, text: string): { reason: ReasonCode; message: string } {
  const reason = classifyTcpError(code);
  const suffix = code === null ? text : code;
  switch (reason) {
    case 'tcp-refused':
      return { reason, message: `connect to ${endpoint} refused (${suffix})` };
    case 'tcp-timeout':
      return { reason, message: `connect to ${endpoint} timed out in the kernel (${suffix})` };
    case 'tcp-unreachable':
      return { reason, message: `no route to ${endpoint} (${suffix})` };
    default:
      return { reason, message: `connect to ${endpoint} failed: ${text}` };
  }
}

// ---- TLS ----------------------------------------------------------------------------------

/** What a firewall doing TLS inspection produces: a chain that ends in a CA we do not trust. */
const UNTRUSTED_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
  'CERT_SIGNATURE_FAILURE',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_CHAIN_TOO_LONG',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'CERT_REVOKED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
]);
const EXPIRY_CODES = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);
const HOSTNAME_CODES = new Set(['ERR_TLS_CERT_ALTNAME_INVALID', 'HOSTNAME_MISMATCH']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET']);
/**
 * OpenSSL's words for a first record that is no TLS record: plain text ("HTTP/1.1 400",
 * "SSH-2.0-") reads as a wrong version or an absurd length; the http ones are a plain HTTP
 * request or proxy request where TLS was due.
 */
const NOT_TLS_CODES = new Set([
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
  'ERR_SSL_RECORD_LENGTH_MISMATCH',
  'ERR_SSL_UNKNOWN_PROTOCOL',
  'ERR_SSL_HTTP_REQUEST',
  'ERR_SSL_HTTPS_PROXY_REQUEST',
]);

/** Maps a TLS-level error code, from a handshake or a verification, to a reason. */
export function classifyTlsError(code: string | null): ReasonCode {
  if (code === null) return 'tls-failed';
  if (EXPIRY_CODES.has(code)) return 'tls-expired';
  if (HOSTNAME_CODES.has(code)) return 'tls-hostname-mismatch';
  if (UNTRUSTED_CODES.has(code)) return 'tls-untrusted';
  if (RESET_CODES.has(code)) return 'tls-reset';
  if (NOT_TLS_CODES.has(code)) return 'tls-not-tls';
  return 'tls-failed';
}

/** A failed certificate check is a trust problem unless it is specifically about dates or names. */
export function classifyVerifyError(code: string): 'tls-expired' | 'tls-hostname-mismatch' | 'tls-untrusted' {
  const classified = classifyTlsError(code);
  return classified === 'tls-expired' || classified === 'tls-hostname-mismatch' ? classified : 'tls-untrusted';
}

/**
 * What is wrong with the certificate, to follow "certificate presented by … for …"; the one
 * place that words an untrusted or re-signed chain, for the direct handshake and the proxy's
 * alike. `reason` and `code` are the verification's (classifyVerifyError); `certificate` is
 * the leaf as presented; `issuerChain`, when known, the subjects above it (nearest first), whose
 * last is named as the root the re-signing CA rests on.
 */
export function describeVerifyFailure(reason: ReasonCode, code: string, certificate: CertificateSummary | null, issuerChain: readonly string[] = []): string {
  if (reason === 'tls-expired') {
    if (code === 'CERT_NOT_YET_VALID') return `is not valid until ${certificate?.validFrom ?? 'a later date'} (${code})`;
    return `expired on ${certificate?.validTo ?? 'an earlier date'} (${code})`;
  }
  if (reason === 'tls-hostname-mismatch') {
    const names = certificate?.subjectAltNames.join(', ') || certificate?.subject || 'no names';
    return `does not cover that name; it is for ${names} (${code})`;
  }
  const why = '(the TLS inspection of a firewall or proxy, or a CA this machine lacks)';
  if (certificate === null) return `is not trusted (${code}): it was re-signed by an unknown issuer ${why}`;
  if (certificate.issuer === certificate.subject) return `is not trusted (${code}): it is self-signed ("${certificate.subject}") ${why}`;
  const root = issuerChain.at(-1);
  const under = root !== undefined && root !== certificate.issuer ? ` under "${root}"` : '';
  return `is not trusted (${code}): it was re-signed by "${certificate.issuer}"${under} ${why}`;
}

/** The first bytes a server sent, when they cannot be the start of a TLS record. */
export function nonTlsGreeting(firstBytes: Buffer | null): Buffer | null {
  if (firstBytes === null || firstBytes.length === 0) return null;
  // A TLS record starts with its content type (20-24) and major version 3.
  const contentType = firstBytes[0] as number;
  const looksLikeTls = contentType >= 20 && contentType <= 24 && (firstBytes.length < 2 || firstBytes[1] === 3);
  return looksLikeTls ? null : firstBytes;
}

/** The server's first line, printable, as a message quotes it: `HTTP/1.1 400 Bad Request`, `SSH-2.0-OpenSSH_9.6`. */
function greetingExcerpt(greeting: Buffer): string | null {
  const line = greeting.toString('latin1').split(/\r?\n/)[0] ?? '';
  const printable = line.replace(/[^\x20-\x7e]/g, '');
  // Mostly binary: quoting it would say nothing.
  if (printable.length < 3 || printable.length < line.length / 2) return null;
  return printable.length > 40 ? `${printable.slice(0, 37)}...` : printable;
}

/** Our words for a handshake that failed with this code; the code itself goes in `cause`. */
function handshakeFailureWords(code: string | null): string {
  switch (code) {
    case 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION':
    case 'ERR_SSL_UNSUPPORTED_PROTOCOL':
    case 'ERR_SSL_NO_PROTOCOLS_AVAILABLE':
      return 'the server and this client share no TLS version';
    case 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE':
    case 'ERR_SSL_NO_SHARED_CIPHER':
      return 'the server refused the handshake (no shared cipher or version, or the name is not served there)';
    case 'ERR_SSL_TLSV1_UNRECOGNIZED_NAME':
      return 'the server does not serve that name';
    case 'ERR_SSL_TLSV1_ALERT_ACCESS_DENIED':
      return 'the server or a device on the path denied access';
    case 'ERR_SSL_UNEXPECTED_EOF_WHILE_READING':
      return 'the connection ended in the middle of a TLS record';
    case 'ECONNREFUSED':
      return 'the connection was refused';
    case null:
      return 'the handshake broke off';
    default:
      return code.startsWith('ERR_SSL_') ? 'the server or a device on the path broke off the handshake with a TLS error' : 'the connection failed';
  }
}

/**
 * The reason and message for a handshake that failed with an error, in our words: OpenSSL's
 * own text (multi-line, with source paths) never reaches a report. `firstBytes` are the first
 * bytes the server sent, when known: a greeting that is not TLS names what answers instead.
 */
export function describeHandshakeError(endpoint: string, host: string, code: string | null, firstBytes: Buffer | null = null): { reason: ReasonCode; message: string } {
  const greeting = code !== null && code.startsWith('ERR_SSL_') ? nonTlsGreeting(firstBytes) : null;
  const reason = greeting !== null ? 'tls-not-tls' : classifyTlsError(code);
  const suffix = code === null ? '' : ` (${code})`;
  switch (reason) {
    case 'tls-reset':
      return { reason, message: `connection to ${endpoint} was reset during the TLS handshake for ${host}${suffix}; typical of a firewall filtering by SNI` };
    case 'tls-not-tls':
      return { reason, message: describeNotTls(endpoint, host, greeting) };
    default:
      return { reason, message: `TLS handshake with ${endpoint} for ${host} failed: ${handshakeFailureWords(code)}${suffix}` };
  }
}

/** A server that answered a ClientHello with something other than TLS. */
export function describeNotTls(endpoint: string, host: string, greeting: Buffer | null): string {
  const excerpt = greeting === null ? null : greetingExcerpt(greeting);
  const answered = excerpt !== null ? `answered in plain text, not TLS (it began "${excerpt}")` : 'answered with something other than TLS';
  return `the server at ${endpoint} ${answered}: a proxy or a service other than ${host} answers there`;
}

/**
 * Why a handshake over an open connection can stall, and what to try next, after "timed out
 * after N ms": `bytesReceived` tells a server that never answered the ClientHello from one that
 * began to and then went quiet; null when it is not known.
 */
export function describeTlsStall(address: string, bytesReceived: number | null): string {
  const mtu = `test the path MTU (ping -M do -s 1372 ${address}) and clamp the TCP MSS on the tunnel`;
  if (bytesReceived !== null && bytesReceived > 0) {
    return (
      `the server began to answer (${bytesReceived} bytes arrived) and then stalled: the mark of a path-MTU black hole, ` +
      `where packets larger than the path allows (a VPN or ExpressRoute tunnel with broken path-MTU discovery) are dropped without an ICMP error; ${mtu}`
    );
  }
  const nothing = bytesReceived === 0 ? 'the connection opened but the server sent nothing back to the ClientHello' : 'the handshake got no answer';
  return (
    `${nothing}: a firewall or proxy that reads the name (SNI) and drops the connection, or a path-MTU black hole ` +
    `(the server's first packets larger than a VPN or ExpressRoute tunnel lets through, dropped without an ICMP error); ` +
    `try another name on the same address (openssl s_client -servername) and check the firewall's TLS policy, then ${mtu}`
  );
}

// ---- DNS ----------------------------------------------------------------------------------

/**
 * What an address in a DNS answer can be. `private`: a private endpoint, or anything else in a
 * VNet or on premises. `loopback`: this machine (a sinkhole, unless the run says its services
 * are simulated on loopback). `special`: an address no service can have, the answer of a DNS
 * filter or sinkhole. `global`: anything else.
 */
export type AddressUse = 'private' | 'loopback' | 'special' | 'global';

export interface AddressRange {
  readonly cidr: string;
  readonly use: AddressUse;
  /** As the IANA registry names it. */
  readonly name: string;
  readonly rfc: string;
}

/**
 * The IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 and its updates), as far
 * as they matter for where a name may point, plus IPv4 multicast and the reserved 240/4.
 * Ranges the registries mark globally reachable (AS112, AMT, Teredo, 6to4, NAT64's 64:ff9b::/96
 * that DNS64 synthesizes) are real destinations and are left out. First match wins, so an
 * exception comes before the block that holds it. IPv4-mapped IPv6 forms (::ffff:127.0.0.1)
 * match the IPv4 rows.
 */
export const ADDRESS_RANGES: readonly AddressRange[] = [
  { cidr: '10.0.0.0/8', use: 'private', name: 'private-use', rfc: 'RFC 1918' },
  { cidr: '172.16.0.0/12', use: 'private', name: 'private-use', rfc: 'RFC 1918' },
  { cidr: '192.168.0.0/16', use: 'private', name: 'private-use', rfc: 'RFC 1918' },
  { cidr: '100.64.0.0/10', use: 'private', name: 'shared address space', rfc: 'RFC 6598' },
  { cidr: 'fc00::/7', use: 'private', name: 'unique-local', rfc: 'RFC 4193' },
  { cidr: '127.0.0.0/8', use: 'loopback', name: 'loopback', rfc: 'RFC 1122' },
  { cidr: '::1/128', use: 'loopback', name: 'loopback', rfc: 'RFC 4291' },
  { cidr: '0.0.0.0/8', use: 'special', name: 'this network', rfc: 'RFC 791' },
  { cidr: '::/128', use: 'special', name: 'unspecified', rfc: 'RFC 4291' },
  { cidr: '169.254.0.0/16', use: 'special', name: 'link-local', rfc: 'RFC 3927' },
  { cidr: 'fe80::/10', use: 'special', name: 'link-local', rfc: 'RFC 4291' },
  // Port Control Protocol and TURN anycast: globally reachable inside the protocol block.
  { cidr: '192.0.0.9/32', use: 'global', name: 'Port Control Protocol anycast', rfc: 'RFC 7723' },
  { cidr: '192.0.0.10/32', use: 'global', name: 'TURN anycast', rfc: 'RFC 8155' },
  { cidr: '192.0.0.0/24', use: 'special', name: 'IETF protocol assignments', rfc: 'RFC 6890' },
  { cidr: '192.0.2.0/24', use: 'special', name: 'documentation (TEST-NET-1)', rfc: 'RFC 5737' },
  { cidr: '198.51.100.0/24', use: 'special', name: 'documentation (TEST-NET-2)', rfc: 'RFC 5737' },
  { cidr: '203.0.113.0/24', use: 'special', name: 'documentation (TEST-NET-3)', rfc: 'RFC 5737' },
  { cidr: '2001:db8::/32', use: 'special', name: 'documentation', rfc: 'RFC 3849' },
  { cidr: '3fff::/20', use: 'special', name: 'documentation', rfc: 'RFC 9637' },
  { cidr: '192.88.99.0/24', use: 'special', name: 'deprecated 6to4 relay anycast', rfc: 'RFC 7526' },
  { cidr: '198.18.0.0/15', use: 'special', name: 'benchmarking', rfc: 'RFC 2544' },
  { cidr: '2001:2::/48', use: 'special', name: 'benchmarking', rfc: 'RFC 5180' },
  { cidr: '100::/64', use: 'special', name: 'discard-only', rfc: 'RFC 6666' },
  { cidr: '224.0.0.0/4', use: 'special', name: 'multicast', rfc: 'RFC 5771' },
  { cidr: 'ff00::/8', use: 'special', name: 'multicast', rfc: 'RFC 4291' },
  { cidr: '255.255.255.255/32', use: 'special', name: 'limited broadcast', rfc: 'RFC 919' },
  { cidr: '240.0.0.0/4', use: 'special', name: 'reserved', rfc: 'RFC 1112' },
];

const COMPILED_RANGES = ADDRESS_RANGES.map((range) => {
  const [network = '', bits = ''] = range.cidr.split('/');
  const list = new net.BlockList();
  list.addSubnet(network, Number(bits), net.isIPv6(network) ? 'ipv6' : 'ipv4');
  return { range, list };
});

/** The special-purpose range an address is in; null for an ordinary global address or no address at all. */
export function addressRange(ip: string): AddressRange | null {
  const family = net.isIP(ip);
  if (family === 0) return null;
  const type = family === 6 ? 'ipv6' : 'ipv4';
  return COMPILED_RANGES.find(({ list }) => list.check(ip, type))?.range ?? null;
}

/**
 * True for addresses a private endpoint can have: RFC 1918, shared address space
 * (100.64.0.0/10) and IPv6 unique local (fc00::/7), including IPv4-mapped IPv6 forms.
 */
export function isPrivateAddress(ip: string): boolean {
  return addressRange(ip)?.use === 'private';
}

/**
 * True for an answer no service can have: the mark of a DNS filter or sinkhole. Loopback
 * counts as the service only where the run serves it there (the demo, the tests).
 */
export function cannotBeService(ip: string, loopbackIsService: boolean): boolean {
  const use = addressRange(ip)?.use;
  return use === 'special' || (use === 'loopback' && !loopbackIsService);
}

/** How one query for one record type ended. */
export type LookupOutcome =
  | { readonly kind: 'answer'; readonly rcode: 'NOERROR' }
  | { readonly kind: 'no-data'; readonly rcode: 'NOERROR' }
  | { readonly kind: 'rcode'; readonly rcode: string }
  | { readonly kind: 'interrupted' }
  | { readonly kind: 'error'; readonly code: string | null; readonly message: string }
  /** The server's answer to our query does not parse: what is wrong with it. */
  | { readonly kind: 'malformed'; readonly problem: string }
  /** The budget ran out with only datagrams that were no answer to our query: the first of them. */
  | { readonly kind: 'unmatched'; readonly problem: string };

/** A record type's lookup at one server, CNAMEs followed. */
export interface TypeLookup {
  readonly outcome: LookupOutcome;
  readonly addresses: readonly string[];
  readonly cnameChain: readonly string[];
  readonly transport: 'udp' | 'tcp';
}

export interface ServerVerdictInput {
  readonly host: string;
  /** `address:port` of the server. */
  readonly endpoint: string;
  readonly v4: TypeLookup;
  readonly v6: TypeLookup;
  readonly ms: number;
  /** Why the lookup was cut short, if it was. */
  readonly interruption: 'timeout' | 'aborted' | null;
  readonly timeoutMs: number;
  /** Loopback answers are the service: only a run that serves on loopback, asking a resolver on loopback. */
  readonly loopbackIsService: boolean;
}

/** What one server's A and AAAA answers add up to. */
export function judgeServerAnswer(input: ServerVerdictInput): DnsServerAnswer {
  const { host, endpoint, v4, v6, ms } = input;
  const addresses = [...v4.addresses, ...v6.addresses];
  const sinkholed = addresses.filter((address) => cannotBeService(address, input.loopbackIsService));
  const cnameChain = v4.cnameChain.length >= v6.cnameChain.length ? v4.cnameChain : v6.cnameChain;
  const transport = v4.transport === 'tcp' || v6.transport === 'tcp' ? 'tcp' : 'udp';
  const base = { server: endpoint, addresses, sinkholed, cnameChain, transport, ms } as const;
  const named = cnameChain.length === 0 ? host : `${host} (alias of ${cnameChain.join(' → ')})`;
  const failure = (reason: ReasonCode, rcode: string | null, message: string): DnsServerAnswer => ({
    ...base,
    ok: false,
    reason,
    rcode,
    message,
  });

  if (addresses.length > 0 && sinkholed.length === addresses.length) {
    return failure('dns-sinkholed', 'NOERROR', `${endpoint} answered ${named} with ${describeSinkholed(sinkholed)}: a DNS filter or sinkhole, not the service`);
  }
  if (addresses.length > 0) return { ...base, ok: true, reason: null, rcode: 'NOERROR', message: null };

  const nxdomain = [v4, v6].find((lookup) => lookup.outcome.kind === 'rcode' && lookup.outcome.rcode === 'NXDOMAIN');
  if (nxdomain !== undefined) {
    return failure('dns-nxdomain', 'NXDOMAIN', `${endpoint} says ${named} does not exist (NXDOMAIN)`);
  }
  // The A answer matters most; AAAA problems only decide when A had nothing to say.
  const broken = [v4, v6].find((lookup) => lookup.outcome.kind !== 'answer' && lookup.outcome.kind !== 'no-data');
  if (broken === undefined) {
    return failure('dns-no-data', 'NOERROR', `${endpoint} has no A or AAAA record for ${named} (NOERROR, no data)`);
  }
  const outcome = broken.outcome;
  switch (outcome.kind) {
    case 'interrupted':
      return input.interruption === 'aborted'
        ? failure('aborted', null, `DNS lookup of ${host} at ${endpoint} aborted after ${ms} ms`)
        : failure('dns-timeout', null, `no answer from ${endpoint} for ${named} within ${input.timeoutMs} ms`);
    case 'rcode':
      if (outcome.rcode === 'SERVFAIL') {
        return failure('dns-servfail', outcome.rcode, `${endpoint} failed to resolve ${named} (SERVFAIL)`);
      }
      if (outcome.rcode === 'REFUSED') {
        return failure('dns-refused', outcome.rcode, `${endpoint} refused to resolve ${named} (REFUSED)`);
      }
      return failure('dns-failed', outcome.rcode, `${endpoint} answered ${outcome.rcode} for ${named}`);
    case 'error':
      return failure('dns-failed', outcome.code, `DNS lookup of ${named} at ${endpoint} failed: ${outcome.message}`);
    case 'malformed':
      return failure('dns-failed', null, `${endpoint} sent a malformed answer for ${named}: ${outcome.problem}`);
    case 'unmatched':
      return failure('dns-failed', null, `${endpoint} sent no answer to the query for ${named} within ${input.timeoutMs} ms, only ${outcome.problem}`);
    default:
      return failure('dns-failed', null, `DNS lookup of ${named} at ${endpoint} failed`);
  }
}

/** `0.0.0.0 (this network), :: (unspecified)`: each address with the range that rules it out. */
export function describeSinkholed(addresses: readonly string[]): string {
  return addresses
    .map((address) => {
      const range = addressRange(address);
      return range === null ? address : `${address} (${range.name})`;
    })
    .join(', ');
}

/** An answer a stub resolver would accept and stop at, rather than try the next server. */
export function isDefinite(answer: DnsServerAnswer): boolean {
  return answer.ok || answer.reason === 'dns-nxdomain' || answer.reason === 'dns-no-data' || answer.reason === 'dns-sinkholed';
}

// ---- HTTP and proxies ---------------------------------------------------------------------

/** How far an HTTP exchange got; decides what a failure means. */
export type HttpStage = 'tcp' | 'tls' | 'proxy' | 'tunnel' | 'response' | 'body';

export interface HttpFailureInput {
  readonly stage: HttpStage;
  /** Status the proxy answered a CONNECT with, when tunnelling. */
  readonly tunnelStatus: number | null;
  /** Headers of that answer: who the proxy is and what it says went wrong (Squid's X-Squid-Error). */
  readonly tunnelHeaders?: Record<string, string | string[] | undefined> | null;
  /** The host's handshake inside the tunnel, once it completed. */
  readonly tunnelTls?: TunnelTlsDetails | null;
  readonly interruption: 'timeout' | 'aborted' | null;
  readonly timeoutMs: number;
  /** The URL, as shown. */
  readonly display: string;
  /** `at 10.0.0.4:443` or `via proxy http://…`. */
  readonly where: string;
  readonly endpoint: string | null;
  readonly host: string;
  readonly port: number;
  /** The proxy, credentials masked; null when direct. */
  readonly proxy: string | null;
}

export interface Classified {
  readonly reason: ReasonCode;
  readonly message: string;
  readonly cause: string | null;
}

/** Pins a failed HTTP exchange on the stage it reached: the connect, the proxy, its CONNECT answer, TLS, or the response. */
export function classifyHttpError(error: unknown, input: HttpFailureInput): Classified {
  const { display, where, endpoint, host, port, proxy, timeoutMs: budget } = input;
  const failure = (reason: ReasonCode, message: string, cause: string | null): Classified => ({ reason, message, cause });
  if (input.interruption === 'aborted') return failure('aborted', `HTTP request to ${display} aborted`, null);

  const code = innermostCode(error);
  const text = error instanceof Error ? error.message : String(error);
  const withCode = code === null ? text : `${text} (${code})`;
  const timedOut =
    input.interruption === 'timeout' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'UND_ERR_CONNECT_TIMEOUT';

  switch (input.stage) {
    case 'tcp':
      if (timedOut) return failure('tcp-timeout', `connect to ${endpoint} for ${display} timed out after ${budget} ms`, code);
      return failure(classifyTcpError(code), `connect to ${endpoint} for ${display} failed: ${withCode}`, code);
    case 'proxy':
      if (timedOut) return failure('proxy-unreachable', `proxy ${proxy} did not accept a connection within ${budget} ms`, code);
      return failure('proxy-unreachable', `proxy ${proxy} is unreachable: ${withCode}`, code);
    case 'tunnel': {
      const status = input.tunnelStatus ?? proxyStatusIn(text);
      if (status !== null && status !== 200) {
        // A CONNECT is addressed to the proxy, so its answer is the proxy's own, markers or not:
        // even a 401 (tinyproxy's answer to a wrong password), and a 502-504 says it could not reach the host.
        const headers = input.tunnelHeaders ?? {};
        const device = recogniseDevice(status, headers, Buffer.alloc(0));
        const named = proxyNamed(proxy, device?.product ?? devicePathName(headers));
        const answered = statusWith(status, device);
        switch (device?.kind ?? kindByStatus(status)) {
          case 'auth':
            return failure('proxy-auth-required', `${named} requires authentication for ${host}:${port} ${answered}`, String(status));
          case 'gateway-error':
            return failure('proxy-gateway-error', `${named} could not reach ${host}:${port}: it answered the CONNECT ${answered}`, String(status));
          case 'deny':
            return failure('proxy-denied', `${named} refused to tunnel to ${host}:${port} ${answered}`, String(status));
        }
      }
      // Proxies usually hold the CONNECT answer while they try the host, so silence here
      // mostly means the host is unreachable from the proxy.
      if (timedOut) {
        return failure(
          'http-timeout',
          `proxy ${proxy} did not answer CONNECT ${host}:${port} within ${budget} ms; it may be unable to reach the host`,
          code,
        );
      }
      return failure('proxy-denied', `proxy ${proxy} closed the connection when asked to tunnel to ${host}:${port}: ${withCode}`, code);
    }
    case 'tls': {
      if (timedOut) return failure('tls-timeout', `TLS handshake for ${display} ${where} timed out after ${budget} ms: ${describeTlsStall(host, null)}`, code);
      // Inside a proxy's tunnel the chain was kept and judged as a direct handshake's is, and is worded the same.
      const rejected = input.tunnelTls?.verifyError ?? null;
      if (rejected !== null) {
        const reason = classifyVerifyError(rejected);
        return failure(reason, `certificate presented ${where} for ${host} ${describeVerifyFailure(reason, rejected, input.tunnelTls?.certificate ?? null)}`, rejected);
      }
      const reason = classifyTlsError(code);
      if (reason === 'tls-reset') {
        return failure(reason, `connection ${where} was reset during the TLS handshake for ${host} (${code}); typical of a firewall filtering by SNI`, code);
      }
      if (reason === 'tls-not-tls') return failure(reason, describeNotTls(endpoint ?? `${host}:${port} (${where})`, host, null), code);
      if (reason === 'tls-untrusted' || reason === 'tls-expired' || reason === 'tls-hostname-mismatch') {
        return failure(reason, `certificate presented for ${display} ${where} ${describeVerifyFailure(reason, code ?? '', null)}`, code);
      }
      return failure(reason, `TLS handshake for ${display} ${where} failed: ${handshakeFailureWords(code)}${code === null ? '' : ` (${code})`}`, code);
    }
    default: {
      // Non-tunnelled proxy requests report a 407 as an error, not a response.
      if (proxy !== null && proxyStatusIn(text) === 407) {
        return failure('proxy-auth-required', `proxy ${proxy} requires authentication for ${display} (HTTP 407)`, '407');
      }
      if (timedOut) return failure('http-timeout', `no HTTP response from ${display} ${where} within ${budget} ms`, code);
      return failure('http-failed', `HTTP request to ${display} ${where} failed: ${withCode}`, code);
    }
  }
}

/** How an answer reached us: straight from the address, as a proxy's answer to plain http, or inside a CONNECT tunnel. */
export type HttpArrival = 'direct' | 'proxied' | 'tunnelled';

export interface HttpAnswerInput {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
  /**
   * Plain http through a proxy is not tunnelled, so the proxy can answer in the service's
   * place; inside a tunnel it can too, when it inspects the TLS with a CA this machine trusts;
   * and direct, a transparent device can.
   */
  readonly arrival: HttpArrival;
  readonly display: string;
  /** `host:port` of the URL, for "could not reach". */
  readonly authority: string;
  readonly where: string;
  /** The proxy, credentials masked; null when direct. */
  readonly proxy: string | null;
}

/** A device, not the service, wrote the answer: which one, if it says, and what it answered. */
export interface DeviceAnswer {
  readonly product: string | null;
  readonly role: DeviceRole;
  readonly kind: DeviceAnswerKind;
  /** What the device says happened: its error name (`ERR_ACCESS_DENIED`) or an excerpt of its page. */
  readonly detail: string | null;
}

type Headers = Record<string, string | string[] | undefined>;

function markerCounts(marker: MiddleboxMarker, status: number): boolean {
  // A by-status marker on a success would make every proxied 200 a denial.
  if (marker.kind === 'by-status' && status < 300) return false;
  if (marker.onStatus !== undefined && !marker.onStatus.includes(status)) return false;
  if (marker.on === 'error') return status >= 400;
  if (marker.on === 'redirect') return status >= 300 && status < 400;
  return true;
}

function markerFound(match: MarkerMatch, status: number, headers: Headers, text: string): boolean {
  if ('status' in match) return status === match.status;
  if ('body' in match) return match.body.every((pattern) => pattern.test(text));
  if ('headerPrefix' in match) return Object.keys(headers).some((name) => name.toLowerCase().startsWith(match.headerPrefix));
  const value = headerText(headers[match.header]);
  if (value === null) return false;
  return match.value === undefined || match.value.test(value);
}

/**
 * Whether an answer was written by a proxy, firewall or inspection device rather than the
 * service, from the markers of src/model/middleboxes.ts. Null when nothing a device writes is on
 * it: any status from the service itself (a 403, a 503) is the service answering.
 */
export function recogniseDevice(status: number, headers: Headers, body: Buffer): DeviceAnswer | null {
  const text = body.toString('utf8');
  const found = (evidence: MiddleboxMarker['evidence']): MiddleboxMarker | undefined =>
    MIDDLEBOX_MARKERS.find((marker) => marker.evidence === evidence && markerCounts(marker, status) && markerFound(marker.match, status, headers, text));
  const author = found('author');
  if (author === undefined) return null;
  const detailHeader = author.detailHeader === undefined ? null : headerText(headers[author.detailHeader]);
  return {
    product: author.product ?? devicePathName(headers),
    role: author.role,
    kind: author.kind === 'by-status' ? kindByStatus(status) : author.kind,
    detail: detailHeader !== null ? (detailHeader.split(/\s+/)[0] ?? null) : author.showsPage ? excerpt(text) : null,
  };
}

/** The device a path marker (Via and the like) names, for an answer whose author did not say. */
function devicePathName(headers: Headers): string | null {
  const named = MIDDLEBOX_MARKERS.find((marker) => marker.evidence === 'path' && marker.product !== null && markerFound(marker.match, 0, headers, ''));
  return named?.product ?? null;
}

/** `proxy http://p:3128 (Squid)`. */
function proxyNamed(proxy: string | null, product: string | null): string {
  return `proxy ${proxy ?? 'on the path'}${product === null ? '' : ` (${product})`}`;
}

/** `(HTTP 403, ERR_ACCESS_DENIED)` or `(HTTP 470): "Action: Deny. …"`. */
function statusWith(status: number, device: DeviceAnswer | null): string {
  const detail = device?.detail ?? null;
  if (detail === null || detail === '') return `(HTTP ${status})`;
  return /^[A-Z][A-Z0-9_]+$/.test(detail) ? `(HTTP ${status}, ${detail})` : `(HTTP ${status}): "${detail}"`;
}

/** Whether a response that arrived is the service (null) or someone in the way answering for it. */
export function classifyHttpAnswer(input: HttpAnswerInput): Classified | null {
  const { status, display, authority, where, proxy, arrival } = input;
  const device = recogniseDevice(status, input.headers, input.body);
  if (device === null) return null;
  const cause = String(status);
  const answered = statusWith(status, device);
  // The configured proxy answers for itself; a firewall behind it (or any device on a direct
  // path) is fixed by a firewall rule, not on the proxy.
  if (proxy !== null && device.role === 'proxy') {
    const named = proxyNamed(proxy, device.product);
    const inspected = arrival === 'tunnelled' ? ' inside the TLS it inspects' : '';
    switch (device.kind) {
      case 'auth':
        return { reason: 'proxy-auth-required', message: `${named} requires authentication for ${display}${inspected} ${answered}`, cause };
      case 'gateway-error':
        return { reason: 'proxy-gateway-error', message: `${named} could not reach ${authority}: it answered GET ${display} itself${inspected} ${answered}`, cause };
      case 'deny':
        return { reason: 'proxy-denied', message: `${named} denied GET ${display} itself${inspected} ${answered}`, cause };
    }
  }
  const named = device.product ?? (device.role === 'proxy' ? 'a proxy on the path' : 'a device on the path');
  switch (device.kind) {
    case 'gateway-error':
      return { reason: 'http-gateway-error', message: `${named} could not reach ${authority}: it answered GET ${display} ${where} itself ${answered}`, cause };
    case 'auth':
      return { reason: 'http-denied', message: `${named} requires authentication before it lets GET ${display} through ${where} ${answered}`, cause };
    case 'deny':
      return { reason: 'http-denied', message: `blocked by ${named} (block page) for ${display} ${where} ${answered}`, cause };
  }
}

function excerpt(text: string): string {
  const plain = text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length > 200 ? `${plain.slice(0, 197)}...` : plain;
}

/** undici reports a refused CONNECT only in its message: "Proxy response (403) !== 200 …". */
export function proxyStatusIn(message: string): number | null {
  const match = /Proxy (?:response|Authentication Required) \((\d{3})\)/i.exec(message);
  return match?.[1] === undefined ? null : Number(match[1]);
}

/** Wrapping errors (undici's proxy TLS error, fetch-style causes) hide the code that matters. */
export function innermostCode(error: unknown): string | null {
  let current: unknown = error;
  let code: string | null = null;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    const found = errorCode(current);
    if (found !== null && found !== 'UND_ERR_PRX_TLS') code = found;
    current = (current as { cause?: unknown }).cause;
  }
  return code;
}

function headerText(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}

// ---- UDP ----------------------------------------------------------------------------------

/**
 * Where an error on a connected UDP socket came from. Linux reports an ICMP error to a
 * connected socket as the errno of a later recvmsg, and only the ICMP types it deems fatal
 * (port unreachable, the prohibited codes): a plain host or network unreachable is not
 * reported at all without IP_RECVERR, so it looks like silence. Errors of connect and send
 * are this machine's own: no route, or a local firewall.
 */
export type UdpErrorOrigin = 'icmp' | 'local';

/** Maps an error of a connected UDP socket to a reason; see UdpErrorOrigin for how Linux surfaces each ICMP type. */
export function classifyUdpError(code: string | null, origin: UdpErrorOrigin): ReasonCode {
  if (origin === 'icmp') {
    // Port unreachable: the host itself, or a firewall's plain `reject` (nftables and iptables answer UDP that way).
    if (code === 'ECONNREFUSED') return 'udp-port-unreachable';
    // Admin-, host- and net-prohibited (ICMP codes 13, 10, 9): the errors a rejecting firewall sends.
    if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'udp-prohibited';
    return 'udp-failed';
  }
  // An OUTPUT rule on this machine: the datagram never left.
  if (code === 'EPERM' || code === 'EACCES') return 'udp-prohibited';
  if (code !== null && UNREACHABLE_CODES.has(code)) return 'udp-unreachable';
  return 'udp-failed';
}

/** The reason and message for an error of a connected UDP socket to `endpoint`. */
export function describeUdpError(endpoint: string, code: string | null, origin: UdpErrorOrigin, text: string): { reason: ReasonCode; message: string } {
  const reason = classifyUdpError(code, origin);
  const suffix = code === null ? text : code;
  switch (reason) {
    case 'udp-port-unreachable':
      return { reason, message: `UDP to ${endpoint} drew ICMP port unreachable (${suffix}): nothing receives on that port, or a firewall rejects it` };
    case 'udp-prohibited':
      return origin === 'icmp'
        ? { reason, message: `UDP to ${endpoint} drew ICMP administratively prohibited (${suffix}): a firewall rejects it` }
        : { reason, message: `a firewall on this machine refused to send UDP to ${endpoint} (${suffix})` };
    case 'udp-unreachable':
      return { reason, message: `no route to ${endpoint} for UDP (${suffix})` };
    default:
      return { reason, message: `UDP to ${endpoint} failed: ${text}` };
  }
}

/** The message for a port that stayed silent for the whole budget. */
export function describeUdpSilence(endpoint: string, datagrams: number, timeoutMs: number): string {
  return `no answer from UDP ${endpoint} to ${datagrams} datagram(s) within ${timeoutMs} ms: silence proves neither an open port nor a firewall that drops it`;
}

/**
 * A UDP check's verdict: only an answer proves the path; a failure's verdict is its code's in
 * the reason table (an ICMP error or local refusal blocked, silence a warning, never reachable).
 * A port-unreachable is blocked although it proves the host is there: the required service does
 * not receive, which breaks the feature as surely as a firewall does.
 */
export function udpVerdict(result: PhaseResult<unknown>): { readonly verdict: Verdict; readonly reason: ReasonCode | null } {
  if (result.ok) return { verdict: 'reachable', reason: null };
  return { verdict: REASONS[result.reason].verdict, reason: result.reason };
}
