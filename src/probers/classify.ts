import net from 'node:net';
import type { CertificateSummary, DnsServerAnswer, PhaseResult, TunnelTlsDetails } from '../model/phases.js';
import type { Verdict } from '../model/result.js';
import type { ReasonCode } from '../model/reasons.js';
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

/** Maps a TLS-level error code, from a handshake or a verification, to a reason. */
export function classifyTlsError(code: string | null): ReasonCode {
  if (code === null) return 'tls-failed';
  if (EXPIRY_CODES.has(code)) return 'tls-expired';
  if (HOSTNAME_CODES.has(code)) return 'tls-hostname-mismatch';
  if (UNTRUSTED_CODES.has(code)) return 'tls-untrusted';
  if (RESET_CODES.has(code)) return 'tls-reset';
  return 'tls-failed';
}

/** A failed certificate check is a trust problem unless it is specifically about dates or names. */
export function classifyVerifyError(code: string): 'tls-expired' | 'tls-hostname-mismatch' | 'tls-untrusted' {
  const classified = classifyTlsError(code);
  return classified === 'tls-expired' || classified === 'tls-hostname-mismatch' ? classified : 'tls-untrusted';
}

/** What is wrong with the certificate, to follow "certificate presented by … for …". */
export function describeVerifyFailure(reason: ReasonCode, code: string, certificate: CertificateSummary | null): string {
  if (reason === 'tls-expired') {
    if (code === 'CERT_NOT_YET_VALID') return `is not valid until ${certificate?.validFrom ?? 'a later date'} (${code})`;
    return `expired on ${certificate?.validTo ?? 'an earlier date'} (${code})`;
  }
  if (reason === 'tls-hostname-mismatch') {
    const names = certificate?.subjectAltNames.join(', ') || certificate?.subject || 'no names';
    return `does not cover that name; it is for ${names} (${code})`;
  }
  const issuer = certificate?.issuer ?? 'an unknown issuer';
  return `is not trusted (${code}); it was issued by "${issuer}", which points to TLS inspection or a missing CA`;
}

/** The reason and message for a handshake that failed with an error. */
export function describeHandshakeError(endpoint: string, host: string, code: string | null, text: string): { reason: ReasonCode; message: string } {
  const reason = classifyTlsError(code);
  const suffix = code === null ? '' : ` (${code})`;
  const message =
    reason === 'tls-reset'
      ? `connection to ${endpoint} was reset during the TLS handshake for ${host}${suffix}; typical of a firewall filtering by SNI`
      : `TLS handshake with ${endpoint} for ${host} failed: ${text}${suffix}`;
  return { reason, message };
}

// ---- DNS ----------------------------------------------------------------------------------

const PRIVATE_RANGES = (() => {
  const list = new net.BlockList();
  list.addSubnet('10.0.0.0', 8, 'ipv4');
  list.addSubnet('172.16.0.0', 12, 'ipv4');
  list.addSubnet('192.168.0.0', 16, 'ipv4');
  list.addSubnet('100.64.0.0', 10, 'ipv4');
  list.addSubnet('fc00::', 7, 'ipv6');
  return list;
})();

/**
 * True for addresses a private endpoint can have: RFC 1918, shared address space
 * (100.64.0.0/10) and IPv6 unique local (fc00::/7), including IPv4-mapped IPv6 forms.
 */
export function isPrivateAddress(ip: string): boolean {
  const family = net.isIP(ip);
  if (family === 0) return false;
  return PRIVATE_RANGES.check(ip, family === 6 ? 'ipv6' : 'ipv4');
}

/** How one query for one record type ended. */
export type LookupOutcome =
  | { readonly kind: 'answer'; readonly rcode: 'NOERROR' }
  | { readonly kind: 'no-data'; readonly rcode: 'NOERROR' }
  | { readonly kind: 'rcode'; readonly rcode: string }
  | { readonly kind: 'interrupted' }
  | { readonly kind: 'error'; readonly code: string | null; readonly message: string };

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
}

/** What one server's A and AAAA answers add up to. */
export function judgeServerAnswer(input: ServerVerdictInput): DnsServerAnswer {
  const { host, endpoint, v4, v6, ms } = input;
  const addresses = [...v4.addresses, ...v6.addresses];
  const cnameChain = v4.cnameChain.length >= v6.cnameChain.length ? v4.cnameChain : v6.cnameChain;
  const transport = v4.transport === 'tcp' || v6.transport === 'tcp' ? 'tcp' : 'udp';
  const base = { server: endpoint, addresses, cnameChain, transport, ms } as const;
  const named = cnameChain.length === 0 ? host : `${host} (alias of ${cnameChain.join(' → ')})`;
  const failure = (reason: ReasonCode, rcode: string | null, message: string): DnsServerAnswer => ({
    ...base,
    ok: false,
    reason,
    rcode,
    message,
  });

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
    default:
      return failure('dns-failed', null, `DNS lookup of ${named} at ${endpoint} failed`);
  }
}

/** An answer a stub resolver would accept and stop at, rather than try the next server. */
export function isDefinite(answer: DnsServerAnswer): boolean {
  return answer.ok || answer.reason === 'dns-nxdomain' || answer.reason === 'dns-no-data';
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
      if (timedOut) return failure('tls-timeout', `TLS handshake for ${display} ${where} timed out after ${budget} ms`, code);
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
      return failure(reason, `TLS handshake for ${display} ${where} failed: ${withCode}`, code);
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
 * A UDP check's verdict: only an answer proves the path, only an ICMP error (or a local
 * refusal) proves a block, and silence is a warning, never reachable. A port-unreachable is
 * blocked although it proves the host is there: the required service does not receive, which
 * breaks the feature as surely as a firewall does.
 */
export function udpVerdict(result: PhaseResult<unknown>): { readonly verdict: Verdict; readonly reason: ReasonCode | null } {
  if (result.ok) return { verdict: 'reachable', reason: null };
  const { reason } = result;
  if (reason === 'udp-unverified') return { verdict: 'warning', reason };
  if (reason === 'aborted' || reason === 'internal-error') return { verdict: 'unknown', reason };
  return { verdict: 'blocked', reason };
}
