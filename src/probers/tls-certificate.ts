import type { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import type { CertificateSummary } from '../model/phases.js';
import { errorCode, errorMessage } from './errors.js';

// The certificate a server presented, described for the report, and our verdict on it.

export interface VerifyError {
  readonly code: string;
}

/** Our own verdict on the chain and the name, made after the handshake so the certificate can be shown either way. */
export function verificationError(socket: tls.TLSSocket, host: string, peer: tls.PeerCertificate): VerifyError | null {
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

/** What a server presented, as the report shows it; shared by every handshake that got the same certificate. */
export interface PresentedChain {
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

export function presentedChain(socket: tls.TLSSocket): PresentedChain {
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
