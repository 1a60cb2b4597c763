import net from 'node:net';
import tls from 'node:tls';

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
