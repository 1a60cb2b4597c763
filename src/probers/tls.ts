import type { X509Certificate } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import type { CertificateSummary, TlsDetails, TlsResult } from '../model/phases.js';
import { Deadline } from './deadline.js';
import { fail, startClock, succeed } from '../model/phases.js';
import { assertDialable } from './tcp.js';
import { errorCode, errorMessage } from './errors.js';
import { formatEndpoint } from '../model/hosts.js';
import type { ReasonCode } from '../model/reasons.js';

export interface TlsTarget {
  /** The name the client asks for: sent as SNI and checked against the certificate. */
  readonly host: string;
  /** The resolved IP to dial when no socket is given; also named in messages. */
  readonly address: string;
  readonly port: number;
}

export interface TlsOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Extra trusted CA certificates (PEM), in addition to the default trust store. */
  readonly ca?: readonly string[];
  /**
   * An already connected socket (from connectTcp) to run the handshake over. The prober
   * takes ownership and destroys it, unless it hands the verified socket to keepOpen.
   */
  readonly socket?: net.Socket;
  /** Receives the socket after a verified handshake, to send the HTTP check over it. */
  readonly keepOpen?: (socket: tls.TLSSocket) => void;
}


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

/** Maps a TLS-level error code, from a handshake or a verification, to a reason. Shared with the HTTP prober. */
export function classifyTlsError(code: string | null): ReasonCode {
  if (code === null) return 'tls-failed';
  if (EXPIRY_CODES.has(code)) return 'tls-expired';
  if (HOSTNAME_CODES.has(code)) return 'tls-hostname-mismatch';
  if (UNTRUSTED_CODES.has(code)) return 'tls-untrusted';
  if (RESET_CODES.has(code)) return 'tls-reset';
  return 'tls-failed';
}

/**
 * The CAs to trust, or undefined for Node's default store. Passing `ca` to Node replaces the
 * default store, so extra CAs are appended to it rather than given alone.
 */
export function trustedCertificates(extra: readonly string[] | undefined): string[] | undefined {
  if (extra === undefined || extra.length === 0) return undefined;
  // Newer Node versions expose the effective default store (system CAs, NODE_EXTRA_CA_CERTS);
  // Node 20 only has the bundled Mozilla roots.
  const getCACertificates = (tls as { getCACertificates?: (type: string) => string[] }).getCACertificates;
  const defaults = typeof getCACertificates === 'function' ? getCACertificates('default') : tls.rootCertificates;
  return [...defaults, ...extra];
}

const contexts = new WeakMap<readonly string[], tls.SecureContext>();

/** The native half of a SecureContext; Node has no public way to add a CA to its default store. */
interface NativeContext {
  addCACert?: (pem: string) => void;
}

/**
 * The TLS context for a set of extra CAs, built once per set. Undefined means Node's
 * default context. Adding the extra CAs to a default context keeps the store Node already
 * parsed (natively, in about a millisecond); handing every root to the `ca` option
 * instead parses them one by one from PEM, some 50 ms of a run's start.
 */
export function secureContextFor(extra: readonly string[] | undefined): tls.SecureContext | undefined {
  if (extra === undefined || extra.length === 0) return undefined;
  let context = contexts.get(extra);
  if (!context) {
    const fresh = tls.createSecureContext();
    const native = (fresh as { context?: NativeContext }).context;
    if (typeof native?.addCACert === 'function') {
      for (const pem of extra) native.addCACert(pem);
      context = fresh;
    } else {
      context = tls.createSecureContext({ ca: trustedCertificates(extra) });
    }
    contexts.set(extra, context);
  }
  return context;
}

/** SNI must not carry an IP address (RFC 6066), and Node warns if it does. */
export function serverNameFor(host: string): string | null {
  return net.isIP(host) === 0 ? host : null;
}

/**
 * Runs a TLS handshake and judges the certificate ourselves, so the report can show the
 * certificate that was presented even when it is rejected.
 */
export function probeTls(target: TlsTarget, options: TlsOptions): Promise<TlsResult> {
  const { host, address, port } = target;
  if (options.socket === undefined) assertDialable(address, port, 'probeTls');
  const elapsed = startClock();
  const endpoint = formatEndpoint(address, port);
  const servername = serverNameFor(host);
  const deadline = new Deadline(options.timeoutMs, options.signal);
  const emptyDetails: TlsDetails = {
    host,
    address,
    port,
    servername,
    protocol: null,
    cipher: null,
    alpn: null,
    certificate: null,
    issuerChain: [],
    verifyError: null,
  };

  if (deadline.interruption !== null) {
    deadline.dispose();
    options.socket?.destroy();
    return Promise.resolve(
      fail('tls', elapsed(), 'aborted', `TLS handshake with ${endpoint} aborted before it started`, null, emptyDetails),
    );
  }

  return new Promise((resolve) => {
    const socket = tls.connect({
      socket: options.socket,
      host: address,
      port,
      servername: servername ?? undefined,
      secureContext: secureContextFor(options.ca),
      ALPNProtocols: ['http/1.1'],
      // Verification is done after the handshake so the presented certificate can be reported.
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
    });
    socket.on('error', ignoreError);
    let settled = false;

    const settle = (result: TlsResult, handshakeDone = false): void => {
      if (settled) return;
      settled = true;
      deadline.signal.removeEventListener('abort', onInterrupt);
      deadline.dispose();
      if (handshakeDone && result.ok && options.keepOpen) {
        options.keepOpen(socket);
      } else if (handshakeDone) {
        // Let our last handshake message and close_notify reach the server, so it sees a
        // completed handshake rather than a client that vanished mid-way.
        socket.end(() => socket.destroy());
      } else {
        socket.destroy();
      }
      resolve(result);
    };

    const onInterrupt = (): void => {
      if (deadline.interruption === 'timeout') {
        settle(
          fail(
            'tls',
            elapsed(),
            'tls-timeout',
            `TLS handshake with ${endpoint} for ${host} timed out after ${options.timeoutMs} ms`,
            null,
            emptyDetails,
          ),
        );
      } else {
        settle(fail('tls', elapsed(), 'aborted', `TLS handshake with ${endpoint} aborted after ${elapsed()} ms`, null, emptyDetails));
      }
    };

    const onError = (error: Error): void => {
      const code = errorCode(error);
      const reason = classifyTlsError(code);
      const suffix = code === null ? '' : ` (${code})`;
      const message =
        reason === 'tls-reset'
          ? `connection to ${endpoint} was reset during the TLS handshake for ${host}${suffix}; typical of a firewall filtering by SNI`
          : `TLS handshake with ${endpoint} for ${host} failed: ${errorMessage(error)}${suffix}`;
      settle(fail('tls', elapsed(), reason, message, code, emptyDetails));
    };

    const onClose = (): void => {
      settle(
        fail(
          'tls',
          elapsed(),
          'tls-reset',
          `connection to ${endpoint} was closed during the TLS handshake for ${host}; typical of a firewall filtering by SNI`,
          null,
          emptyDetails,
        ),
      );
    };

    const onSecureConnect = (): void => {
      socket.off('close', onClose);
      const ms = elapsed();
      const { certificate, issuerChain, identity } = presentedChain(socket);
      const verifyError = verificationError(socket, host, identity);
      const cipher = socket.getCipher() as tls.CipherNameAndProtocol | undefined;
      const details: TlsDetails = {
        ...emptyDetails,
        protocol: socket.getProtocol(),
        cipher: cipher?.name ?? null,
        alpn: typeof socket.alpnProtocol === 'string' ? socket.alpnProtocol : null,
        certificate,
        issuerChain,
        verifyError: verifyError?.code ?? null,
      };
      if (verifyError === null) {
        settle(succeed('tls', ms, details), true);
        return;
      }
      // Any verification failure is a trust problem unless it is specifically about dates or names.
      const classified = classifyTlsError(verifyError.code);
      const reason = classified === 'tls-expired' || classified === 'tls-hostname-mismatch' ? classified : 'tls-untrusted';
      const verdict = describeVerifyFailure(reason, verifyError.code, certificate);
      settle(fail('tls', ms, reason, `certificate presented by ${endpoint} for ${host} ${verdict}`, verifyError.code, details), true);
    };

    deadline.signal.addEventListener('abort', onInterrupt, { once: true });
    socket.once('secureConnect', onSecureConnect);
    socket.once('error', onError);
    socket.once('close', onClose);
  });
}

interface VerifyError {
  readonly code: string;
}

function verificationError(socket: tls.TLSSocket, host: string, peer: tls.PeerCertificate): VerifyError | null {
  if (!socket.authorized) {
    // Typed as Error, but Node stores the OpenSSL code string here.
    const raw: unknown = socket.authorizationError;
    const code = typeof raw === 'string' ? raw : (errorCode(raw) ?? errorMessage(raw));
    return { code };
  }
  const identityError = tls.checkServerIdentity(host, peer);
  if (identityError !== undefined) {
    return { code: errorCode(identityError) ?? 'ERR_TLS_CERT_ALTNAME_INVALID' };
  }
  return null;
}

function describeVerifyFailure(reason: ReasonCode, code: string, certificate: CertificateSummary | null): string {
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

/** What a server presented, as the report shows it; shared by every handshake that got the same certificate. */
interface PresentedChain {
  readonly certificate: CertificateSummary | null;
  readonly issuerChain: readonly string[];
  /** The two fields tls.checkServerIdentity reads. */
  readonly identity: tls.PeerCertificate;
}

/**
 * Many hosts share a certificate (one wildcard for every storage account, one for every
 * regional API), and Node's full description of a chain is large: describing it once per
 * certificate keeps a run of thousands of targets small and fast.
 */
const presentedChains = new Map<string, PresentedChain>();
const PRESENTED_CHAINS_KEPT = 512;

function presentedChain(socket: tls.TLSSocket): PresentedChain {
  // The X509Certificate is cheap to get; Node's legacy description (what checkServerIdentity
  // reads) is built only for a certificate not seen before. After getPeerX509Certificate,
  // getPeerCertificate returns an empty object on Node 20, so the chain is walked here.
  const leaf = socket.getPeerX509Certificate();
  if (leaf === undefined) return NOTHING_PRESENTED;
  const known = presentedChains.get(leaf.fingerprint256);
  if (known) return known;
  const legacy = leaf.toLegacyObject();
  const certificate = summarizeCertificate(legacy);
  const chain: PresentedChain = Object.freeze({
    certificate: certificate && Object.freeze({ ...certificate, subjectAltNames: Object.freeze(certificate.subjectAltNames) }),
    issuerChain: Object.freeze(issuerChain(leaf)),
    identity: { subject: legacy.subject, subjectaltname: legacy.subjectaltname } as tls.PeerCertificate,
  });
  if (presentedChains.size >= PRESENTED_CHAINS_KEPT) presentedChains.clear();
  presentedChains.set(leaf.fingerprint256, chain);
  return chain;
}

const NOTHING_PRESENTED: PresentedChain = Object.freeze({ certificate: null, issuerChain: Object.freeze([]), identity: {} as tls.PeerCertificate });

function summarizeCertificate(peer: tls.PeerCertificate): CertificateSummary | null {
  // Node returns an empty object when the server sent no certificate.
  if (peer === null || typeof peer !== 'object' || peer.fingerprint256 === undefined) return null;
  return {
    subject: formatName(peer.subject),
    issuer: formatName(peer.issuer),
    subjectAltNames: peer.subjectaltname ? peer.subjectaltname.split(', ') : [],
    validFrom: toIsoDate(peer.valid_from),
    validTo: toIsoDate(peer.valid_to),
    fingerprint256: peer.fingerprint256,
    serialNumber: peer.serialNumber,
  };
}

function issuerChain(leaf: X509Certificate): string[] {
  const subjects: string[] = [];
  let current = leaf;
  // A self-signed root is its own issuer; the bound guards against odd chains.
  while (subjects.length < 10) {
    const issuer = current.issuerCertificate;
    if (issuer === undefined || issuer === null || issuer.fingerprint256 === current.fingerprint256) break;
    subjects.push(formatName(issuer.toLegacyObject().subject));
    current = issuer;
  }
  return subjects;
}

function formatName(name: tls.Certificate | undefined): string {
  if (name === undefined || name === null) return '';
  return Object.entries(name as unknown as Record<string, string | string[]>)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join('+') : value}`)
    .join(', ');
}

function toIsoDate(text: string | undefined): string | null {
  if (text === undefined) return null;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function ignoreError(): void {}
