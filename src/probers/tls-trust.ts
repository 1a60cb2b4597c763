import { X509Certificate } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { caIdentity, certificateName } from '../model/certificate-names.js';

// Which CAs a handshake trusts and what name it asks for; shared by the TLS and HTTP probers.

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

/** A set of CAs, to find a certificate's issuer among them and to tell whether a CA is one of them. */
export interface CaIndex {
  /** By subject, as certificateName writes it. */
  readonly bySubject: ReadonlyMap<string, readonly X509Certificate[]>;
  /** caIdentity of each. */
  readonly identities: ReadonlySet<string>;
}

let bundledRoots: CaIndex | undefined;
const indexes = new WeakMap<readonly string[], CaIndex>();
const publicIndexes = new WeakMap<readonly string[], CaIndex>();
const NO_CAS: readonly string[] = Object.freeze([]);

/**
 * The public roots: the ones Node ships, and the roots a simulated Azure signs with when it
 * stands in for them. Built on the first handshake that asks (Node's 144 roots take some 10 ms),
 * then kept for the run.
 */
export function publicRoots(simulated: readonly string[] = NO_CAS): CaIndex {
  bundledRoots ??= buildIndex(tls.rootCertificates);
  if (simulated.length === 0) return bundledRoots;
  let index = publicIndexes.get(simulated);
  if (!index) {
    index = buildIndex([...tls.rootCertificates, ...simulated]);
    publicIndexes.set(simulated, index);
  }
  return index;
}

/** The CAs a run added to Node's (the machine's store, NODE_EXTRA_CA_CERTS, --ca-file), indexed once per run. */
export function addedCas(extra: readonly string[] = NO_CAS): CaIndex {
  let index = indexes.get(extra);
  if (!index) {
    index = buildIndex(extra);
    indexes.set(extra, index);
  }
  return index;
}

function buildIndex(pems: readonly string[]): CaIndex {
  const bySubject = new Map<string, X509Certificate[]>();
  const identities = new Set<string>();
  for (const pem of pems) {
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(pem);
    } catch {
      // A certificate Node cannot parse can vouch for nothing.
      continue;
    }
    const subject = certificateName(certificate.subject);
    bySubject.set(subject, [...(bySubject.get(subject) ?? []), certificate]);
    identities.add(caIdentity(certificate));
  }
  return { bySubject, identities };
}
