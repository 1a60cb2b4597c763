import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import forge from 'node-forge';
import t from 'tap';
import { certificateName } from '../../src/model/certificate-names.js';
import { succeed } from '../../src/model/phases.js';
import { probeTls } from '../../src/probers/tls.js';
import { describeChain, trustAnchorOf } from '../../src/probers/tls-certificate.js';
import { addedCas, publicRoots } from '../../src/probers/tls-trust.js';
import { inspectionWarning } from '../../src/runner/verdicts.js';
import { started, startTlsServer } from '../helpers/servers.js';
import { makeTarget } from '../helpers/target.js';

// Whether a chain rests on a public root is decided by the certificates, never by comparing
// two renderings of a name: 25 of Node's roots have a comma in a value or two OUs, and were
// once taken for inspecting CAs because the prober and the trust check wrote them differently.

const roots = tls.rootCertificates.map((pem) => new X509Certificate(pem));
const byCommonName = (cn: string): X509Certificate => {
  const found = roots.find((root) => root.subject.split('\n').includes(`CN=${cn}`));
  if (!found) throw new Error(`Node ships no root named ${cn}`);
  return found;
};
/** The roots that were once reported as TLS inspection. */
const ONCE_MISTAKEN = [
  'Go Daddy Root Certificate Authority - G2',
  'Starfield Root Certificate Authority - G2',
  'Starfield Services Root Certificate Authority - G2',
  'Entrust Root Certification Authority',
  'Entrust Root Certification Authority - G2',
  'Entrust Root Certification Authority - EC1',
  'DigiCert TLS RSA4096 Root G5',
];

const tlsTarget = makeTarget('svc.test', 443);
const handshakeWith = (chain: ReturnType<typeof describeChain>) =>
  succeed('tls', 1, {
    host: 'svc.test',
    address: '10.0.0.4',
    port: 443,
    servername: 'svc.test',
    protocol: 'TLSv1.3',
    cipher: null,
    alpn: null,
    certificate: chain.certificate,
    issuerChain: chain.issuerChain,
    verifyError: null,
    trustAnchor: trustAnchorOf(chain, publicRoots(), addedCas()),
    bytesReceived: 4000,
  });

t.test('a chain ending at any root Node ships is vouched, never taken for an inspecting CA', async (t) => {
  t.equal(roots.length, tls.rootCertificates.length);
  const mistaken = roots.filter((root) => {
    const result = handshakeWith(describeChain([root]));
    return !result.details.trustAnchor?.publicRoot || inspectionWarning(tlsTarget, result.details) !== null;
  });
  t.same(
    mistaken.map((root) => certificateName(root.subject)),
    [],
    `all ${roots.length} roots are public`,
  );
});

t.test('the name a report shows for a root is the one the trust store knows it by, commas and all', async (t) => {
  const known = new Set(publicRoots().bySubject.keys());
  for (const root of roots) t.ok(known.has(describeChain([root]).certificate?.subject ?? ''), certificateName(root.subject));
  for (const cn of ONCE_MISTAKEN) {
    const chain = describeChain([byCommonName(cn)]);
    t.equal(chain.certificate?.subject, chain.certificate?.issuer, `${cn}: one formatter for subject and issuer`);
    t.match(handshakeWith(chain).details.trustAnchor, { publicRoot: true, subject: chain.certificate?.subject }, cn);
  }
  t.equal(describeChain([byCommonName('Go Daddy Root Certificate Authority - G2')]).certificate?.subject, 'C=US, ST=Arizona, L=Scottsdale, O=GoDaddy.com\\, Inc., CN=Go Daddy Root Certificate Authority - G2', 'a comma inside a value is escaped, never a separator');
  t.match(describeChain([byCommonName('Entrust Root Certification Authority')]).certificate?.subject, /^C=US, O=Entrust\\, Inc\., OU=www\.entrust\.net\/CPS is incorporated by reference, OU=\(c\) 2006 Entrust\\, Inc\., CN=/, 'two OUs stay two');
});

/** A CA certificate with the given subject (forge attributes) and key, signed by `signer`. */
function caCertificate(subject: forge.pki.CertificateField[], publicKey: forge.pki.PublicKey, signer: { key: forge.pki.rsa.PrivateKey; subject: forge.pki.CertificateField[] }): string {
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = publicKey;
  certificate.serialNumber = '01' + forge.util.bytesToHex(forge.random.getBytesSync(15));
  certificate.validity.notBefore = new Date(Date.now() - 3_600_000);
  certificate.validity.notAfter = new Date(Date.now() + 86_400_000);
  certificate.setSubject(subject);
  certificate.setIssuer(signer.subject);
  certificate.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, critical: true },
  ]);
  certificate.sign(signer.key, forge.md.sha256.create());
  return forge.pki.certificateToPem(certificate);
}

t.test('a cross-signed copy of a public root (same subject and key, another signer) is that root', async (t) => {
  const root = byCommonName('Go Daddy Root Certificate Authority - G2');
  const other = forge.pki.rsa.generateKeyPair(1024);
  const otherSubject = [{ name: 'commonName', value: 'Some Older Root' }];
  const goDaddySubject = root.subject.split('\n').map((part) => {
    const [type, ...value] = part.split('=');
    return { shortName: type as string, value: value.join('=').replace(/\\,/g, ',') };
  });
  const rootKey = forge.pki.publicKeyFromPem(root.publicKey.export({ type: 'spki', format: 'pem' }) as string);
  const crossSigned = new X509Certificate(caCertificate(goDaddySubject, rootKey, { key: other.privateKey, subject: otherSubject }));
  t.not(crossSigned.fingerprint256, root.fingerprint256, 'another certificate');
  t.equal(certificateName(crossSigned.subject), certificateName(root.subject), 'with the same name');
  t.match(trustAnchorOf(describeChain([crossSigned]), publicRoots(), addedCas()), { publicRoot: true, fingerprint256: crossSigned.fingerprint256 });
  const impostorKey = forge.pki.rsa.generateKeyPair(1024);
  const impostor = new X509Certificate(caCertificate(goDaddySubject, impostorKey.publicKey, { key: impostorKey.privateKey, subject: goDaddySubject }));
  t.match(trustAnchorOf(describeChain([impostor]), publicRoots(), addedCas()), { publicRoot: false }, 'the name alone vouches for nothing');
});

t.test('over a real handshake: a root with a comma in its name, public or only added, is named the same way in the certificate and the anchor', async (t) => {
  // A root of our own under GoDaddy's name: signs a leaf the server presents without the root.
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const subject = [
    { shortName: 'C', value: 'US' },
    { shortName: 'O', value: 'Contoso, Ltd.' },
    { shortName: 'OU', value: 'Egress' },
    { shortName: 'OU', value: '(c) 2026 Contoso, Ltd.' },
    { shortName: 'CN', value: 'Contoso Root' },
  ];
  const rootPem = caCertificate(subject, keys.publicKey, { key: keys.privateKey, subject });
  const leaf = forge.pki.createCertificate();
  const leafKeys = forge.pki.rsa.generateKeyPair(2048);
  leaf.publicKey = leafKeys.publicKey;
  leaf.serialNumber = '02';
  leaf.validity.notBefore = new Date(Date.now() - 3_600_000);
  leaf.validity.notAfter = new Date(Date.now() + 86_400_000);
  leaf.setSubject([{ name: 'commonName', value: 'svc.test' }]);
  leaf.setIssuer(subject);
  leaf.setExtensions([{ name: 'subjectAltName', altNames: [{ type: 2, value: 'svc.test' }] }]);
  leaf.sign(keys.privateKey, forge.md.sha256.create());
  const server = await started(t, startTlsServer({ cert: forge.pki.certificateToPem(leaf), key: forge.pki.privateKeyToPem(leafKeys.privateKey) }));
  const name = 'C=US, O=Contoso\\, Ltd., OU=Egress, OU=(c) 2026 Contoso\\, Ltd., CN=Contoso Root';

  const asPublic = await probeTls({ host: 'svc.test', address: '127.0.0.1', port: server.port }, { timeoutMs: 5000, ca: [rootPem], publicRoots: [rootPem] });
  t.equal(asPublic.ok, true, asPublic.ok ? '' : asPublic.message);
  t.equal(asPublic.details.certificate?.issuer, name);
  t.same(asPublic.details.trustAnchor, { subject: name, fingerprint256: new X509Certificate(rootPem).fingerprint256, publicRoot: true });
  t.equal(inspectionWarning(tlsTarget, asPublic.details), null, 'no false inspection warning');

  const added = await probeTls({ host: 'svc.test', address: '127.0.0.1', port: server.port }, { timeoutMs: 5000, ca: [rootPem] });
  t.match(added.details.trustAnchor, { subject: name, publicRoot: false });
  t.equal(inspectionWarning(tlsTarget, added.details), `TLS to svc.test is re-signed by "${name}", trusted only through a CA added to this machine (its CA store, NODE_EXTRA_CA_CERTS or --ca-file): TLS inspection; pip, conda and Docker on the compute may reject it`);
});
