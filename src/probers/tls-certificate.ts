import type { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import { caIdentity, certificateName } from '../model/certificate-names.js';
import type { CertificateSummary, TrustAnchor } from '../model/phases.js';
import type { CaIndex } from './tls-trust.js';
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
  /** The leaf and each issuer above it, nearest first, as CAs: where the chain could end. */
  readonly anchors: readonly TrustAnchorCandidate[];
  /** The last certificate of the chain Node built, whose signer may be in a trust store. */
  readonly top: X509Certificate | null;
  /** The two fields tls.checkServerIdentity reads. */
  readonly identity: tls.PeerCertificate;
}

interface TrustAnchorCandidate {
  readonly caIdentity: string;
  readonly subject: string;
  readonly fingerprint256: string;
}

/**
 * The CA a chain rests on: the first certificate, from the leaf up, that is a public root
 * (by subject and key, so a cross-signed copy counts); else the CA that signed the top of the
 * chain, found among the public roots, then among the CAs this run added (servers rarely send
 * the root, and Node's chain stops at what they sent); else the top itself. Null when nothing
 * was presented.
 */
export function trustAnchorOf(chain: PresentedChain, publicRoots: CaIndex, added: CaIndex): TrustAnchor | null {
  const anchors = chain.anchors;
  const publicOne = anchors.find((candidate) => publicRoots.identities.has(candidate.caIdentity));
  if (publicOne !== undefined) return { subject: publicOne.subject, fingerprint256: publicOne.fingerprint256, publicRoot: true };
  const top = chain.top;
  if (top === null) return null;
  const signer = signerIn(top, publicRoots);
  if (signer !== null) return { subject: certificateName(signer.subject), fingerprint256: signer.fingerprint256, publicRoot: true };
  const addedSigner = signerIn(top, added);
  if (addedSigner !== null) return { subject: certificateName(addedSigner.subject), fingerprint256: addedSigner.fingerprint256, publicRoot: false };
  return { subject: certificateName(top.subject), fingerprint256: top.fingerprint256, publicRoot: false };
}

/** The CA of the set whose name and key signed the certificate. */
function signerIn(certificate: X509Certificate, cas: CaIndex): X509Certificate | null {
  if (certificate.checkIssued(certificate)) return null;
  for (const ca of cas.bySubject.get(certificateName(certificate.issuer)) ?? []) {
    if (certificate.checkIssued(ca) && certificate.verify(ca.publicKey)) return ca;
  }
  return null;
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
  const chain = describeChain(chainOf(leaf));
  if (presentedChains.size >= PRESENTED_CHAINS_KEPT) presentedChains.clear();
  presentedChains.set(leaf.fingerprint256, chain);
  return chain;
}

/** A chain (the leaf first, then its issuers) as the report shows it and the trust check reads it. */
export function describeChain(certificates: readonly [X509Certificate, ...X509Certificate[]]): PresentedChain {
  const leaf = certificates[0];
  const legacy = leaf.toLegacyObject();
  const certificate = summarizeCertificate(leaf, legacy);
  return Object.freeze({
    certificate: certificate && Object.freeze({ ...certificate, subjectAltNames: Object.freeze(certificate.subjectAltNames) }),
    issuerChain: Object.freeze(certificates.slice(1).map((issuer) => certificateName(issuer.subject))),
    anchors: Object.freeze(certificates.map((ca) => Object.freeze({ caIdentity: caIdentity(ca), subject: certificateName(ca.subject), fingerprint256: ca.fingerprint256 }))),
    top: certificates.at(-1) ?? null,
    identity: { subject: legacy.subject, subjectaltname: legacy.subjectaltname } as tls.PeerCertificate,
  });
}

const NOTHING_PRESENTED: PresentedChain = Object.freeze({ certificate: null, issuerChain: Object.freeze([]), anchors: Object.freeze([]), top: null, identity: {} as tls.PeerCertificate });

function summarizeCertificate(leaf: X509Certificate, peer: tls.PeerCertificate): CertificateSummary | null {
  // Node returns an empty object when the server sent no certificate.
  if (peer === null || typeof peer !== 'object' || peer.fingerprint256 === undefined) return null;
  return {
    subject: certificateName(leaf.subject),
    issuer: certificateName(leaf.issuer),
    subjectAltNames: peer.subjectaltname ? peer.subjectaltname.split(', ') : [],
    validFrom: toIsoDate(peer.valid_from),
    validTo: toIsoDate(peer.valid_to),
    fingerprint256: peer.fingerprint256,
    serialNumber: peer.serialNumber,
  };
}

/** The leaf, then its issuers as Node found them (sent by the server, or from the trust store). */
function chainOf(leaf: X509Certificate): [X509Certificate, ...X509Certificate[]] {
  const chain: [X509Certificate, ...X509Certificate[]] = [leaf];
  let current = leaf;
  // A self-signed root is its own issuer; the bound guards against odd chains.
  while (chain.length < 11) {
    const issuer = current.issuerCertificate;
    if (issuer === undefined || issuer === null || issuer.fingerprint256 === current.fingerprint256) break;
    chain.push(issuer);
    current = issuer;
  }
  return chain;
}

function toIsoDate(text: string | undefined): string | null {
  if (text === undefined) return null;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
