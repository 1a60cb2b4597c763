import { createHash, type X509Certificate } from 'node:crypto';

// How a certificate's names and identity are written, in one place. Node has two renderings
// of a name (the legacy object of getPeerCertificate, and X509Certificate's RFC 4514 text),
// and they differ for every name with a comma in a value (`O=GoDaddy.com\, Inc.`) or two
// values of one type (Entrust's two OUs): text from one never equals text from the other.
// Everything here reads X509Certificate only.

/**
 * A subject or issuer as reports show it: `CN=x, O=y`, in the certificate's order, with
 * RFC 4514 escapes kept (`O=Entrust\, Inc.`), so a comma inside a value is never taken for a
 * separator and the same name always gives the same text.
 */
export function certificateName(x509Name: string): string {
  return x509Name
    .split('\n')
    .filter((part) => part !== '')
    .join(', ');
}

/**
 * Who a CA is, whichever certificate carries it: its subject and public key. A cross-signed
 * copy of a root (the server sends it, signed by an older root) is the same CA as the
 * self-signed root in a trust store, though the two certificates' fingerprints differ.
 */
export function caIdentity(certificate: X509Certificate): string {
  const key = createHash('sha256')
    .update(certificate.publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
  return `${key} ${certificateName(certificate.subject)}`;
}
