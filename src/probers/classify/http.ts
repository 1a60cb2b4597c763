import type { TunnelTlsDetails } from '../../model/phases.js';
import type { ReasonCode } from '../../model/reasons.js';
import { kindByStatus, MIDDLEBOX_MARKERS, type DeviceAnswerKind, type DeviceRole, type MarkerMatch, type MiddleboxMarker } from '../../model/middleboxes.js';
import { errorCode } from '../errors.js';
import { classifyTcpError } from './tcp.js';
import { classifyTlsError, classifyVerifyError, describeNotTls, describeTlsStall, describeVerifyFailure, handshakeFailureWords } from './tls.js';

// What a failed HTTP exchange or an answer in the service's place means: the stage it reached, a proxy, a device's deny page.
// Free of I/O, like every file of classify/: a finding is checked without a socket and the probers keep only the dialling.

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
  const timedOut = input.interruption === 'timeout' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT';

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
        return failure('http-timeout', `proxy ${proxy} did not answer CONNECT ${host}:${port} within ${budget} ms; it may be unable to reach the host`, code);
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
  const found = (evidence: MiddleboxMarker['evidence']): MiddleboxMarker | undefined => MIDDLEBOX_MARKERS.find((marker) => marker.evidence === evidence && markerCounts(marker, status) && markerFound(marker.match, status, headers, text));
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
