import { generateKeyPairSync, randomBytes } from 'node:crypto';
import net from 'node:net';
import forge from 'node-forge';

/** A server's key and certificate chain, PEM: the leaf first, then what the server sends with it. */
export interface Credentials {
  readonly cert: string;
  readonly key: string;
}

export interface Authority {
  readonly cert: string;
  readonly subject: string;
}

export interface LeafRequest {
  /** DNS names or IP addresses for the SAN; the first is also the CN. */
  readonly names: readonly string[];
  readonly issuer?: 'trusted' | 'interception';
  /** Valid only in January 2020. */
  readonly expired?: boolean;
  /** Append the issuing CA to the chain the server presents. */
  readonly withChain?: boolean;
}

/**
 * A throwaway PKI, made fresh for each run: the CA a simulated Azure signs with,
 * and a second CA nobody trusts, like the one a TLS-inspecting firewall signs with.
 */
export interface Pki {
  readonly trusted: Authority;
  readonly interception: Authority;
  issue(request: LeafRequest): Credentials;
  selfSigned(name: string): Credentials;
}

export const TRUSTED_CA_SUBJECT = 'aml-netcheck Simulated Azure Root CA';
export const INTERCEPTION_CA_SUBJECT = 'Contoso Egress Inspection CA';

interface KeyPair {
  readonly privateKey: forge.pki.rsa.PrivateKey;
  readonly publicKey: forge.pki.rsa.PublicKey;
  readonly pem: string;
}

// Node makes the keys (fast, native); forge only assembles and signs certificates.
function newKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKey: forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey, publicKey: forge.pki.publicKeyFromPem(publicKey) as forge.pki.rsa.PublicKey, pem: privateKey };
}

function serial(): string {
  // Positive, 16 bytes: what browsers and OpenSSL expect of a serial number.
  return `01${randomBytes(15).toString('hex')}`;
}

function validity(certificate: forge.pki.Certificate, expired: boolean): void {
  const now = Date.now();
  certificate.validity.notBefore = expired ? new Date('2020-01-01T00:00:00Z') : new Date(now - 3_600_000);
  certificate.validity.notAfter = expired ? new Date('2020-02-01T00:00:00Z') : new Date(now + 2 * 86_400_000);
}

/** A self-signed CA, with its key pair and name for signing leaves under it. */
export function makeAuthority(commonName: string, organization?: string): { authority: Authority; keys: KeyPair; name: forge.pki.CertificateField[] } {
  const keys = newKeyPair();
  const certificate = forge.pki.createCertificate();
  const name = [{ name: 'commonName', value: commonName }, ...(organization ? [{ name: 'organizationName', value: organization }] : [])];
  certificate.publicKey = keys.publicKey;
  certificate.serialNumber = serial();
  validity(certificate, false);
  certificate.setSubject(name);
  certificate.setIssuer(name);
  certificate.setExtensions([{ name: 'basicConstraints', cA: true, critical: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }, { name: 'subjectKeyIdentifier' }]);
  certificate.sign(keys.privateKey, forge.md.sha256.create());
  return { authority: { cert: forge.pki.certificateToPem(certificate), subject: commonName }, keys, name };
}

export function createPki(): Pki {
  const trusted = makeAuthority(TRUSTED_CA_SUBJECT);
  const interception = makeAuthority(INTERCEPTION_CA_SUBJECT, 'Contoso Firewall');
  // One key for every leaf: the tests are about certificates, not keys, and keys cost time.
  const leafKeys = newKeyPair();

  const sign = (names: readonly string[], issuerKeys: KeyPair, issuerName: forge.pki.CertificateField[], expired: boolean): string => {
    const certificate = forge.pki.createCertificate();
    certificate.publicKey = leafKeys.publicKey;
    certificate.serialNumber = serial();
    validity(certificate, expired);
    certificate.setSubject([{ name: 'commonName', value: names[0] ?? 'localhost' }]);
    certificate.setIssuer(issuerName);
    certificate.setExtensions([
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: names.map((n) => (net.isIP(n) ? { type: 7, ip: n } : { type: 2, value: n })) },
    ]);
    certificate.sign(issuerKeys.privateKey, forge.md.sha256.create());
    return forge.pki.certificateToPem(certificate);
  };

  return {
    trusted: trusted.authority,
    interception: interception.authority,
    issue(request) {
      const ca = request.issuer === 'interception' ? interception : trusted;
      const leaf = sign(request.names, ca.keys, ca.name, request.expired ?? false);
      return { cert: request.withChain ? leaf + ca.authority.cert : leaf, key: leafKeys.pem };
    },
    selfSigned(name) {
      const own = [{ name: 'commonName', value: name }];
      return { cert: sign([name], leafKeys, own, false), key: leafKeys.pem };
    },
  };
}
