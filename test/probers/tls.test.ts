import tls from 'node:tls';
import t from 'tap';
import { connectTcp } from '../../src/probers/tcp.js';
import { classifyTlsError } from '../../src/probers/classify/tls.js';
import { probeTls } from '../../src/probers/tls.js';
import { trustedCertificates } from '../../src/probers/tls-trust.js';
import { createPki, INTERCEPTION_CA_SUBJECT, TRUSTED_CA_SUBJECT } from '../../src/simulate/pki.js';
import { closesWithin, started, startHangUpServer, startPlainTextServer, startSilentServer, startTlsServer, startBannerServer, startSniFilter } from '../helpers/servers.js';
import { endedAtBudget, HEALTHY_BUDGET_MS } from '../helpers/timing.js';

const HOST = 'svc.test';
const TIMEOUT_MS = 300;

const pki = await createPki();
const ca = [pki.trusted.cert];

const target = (port: number, host = HOST) => ({ host, address: '127.0.0.1', port });

t.test('a trusted certificate for the right name passes, with its details recorded', async (t) => {
  const server = await started(t, startTlsServer(await pki.issue({ names: [HOST] })));
  const result = await probeTls(target(server.port), { timeoutMs: HEALTHY_BUDGET_MS, ca });
  t.equal(result.ok, true, !result.ok ? result.message : '');
  t.equal(result.phase, 'tls');
  const { details } = result;
  t.equal(details.servername, HOST);
  t.equal(details.protocol, 'TLSv1.3');
  t.equal(details.alpn, null);
  t.equal(details.verifyError, null);
  t.equal(details.certificate?.subject, `CN=${HOST}`);
  t.equal(details.certificate?.issuer, `CN=${TRUSTED_CA_SUBJECT}`);
  t.same(details.certificate?.subjectAltNames, [`DNS:${HOST}`]);
  t.match(details.certificate?.fingerprint256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  t.ok(Date.parse(details.certificate?.validTo ?? '') > Date.now());
  t.ok(Date.parse(details.certificate?.validFrom ?? '') <= Date.now());
  t.same(await server.handshakes(1), [HOST], 'SNI is the host name');
});

t.test('runs over a socket from connectTcp and closes it afterwards', async (t) => {
  const server = await started(t, startTlsServer(await pki.issue({ names: [HOST] })));
  const connection = await connectTcp({ address: '127.0.0.1', port: server.port }, { timeoutMs: HEALTHY_BUDGET_MS });
  if (!connection.result.ok || connection.socket === null) throw new Error('TCP connect failed');
  const result = await probeTls(target(server.port), { timeoutMs: HEALTHY_BUDGET_MS, ca, socket: connection.socket });
  t.equal(result.ok, true);
  t.equal(await closesWithin(connection.socket, 1000), true, 'the TCP socket is closed');
  t.same(await server.handshakes(1), [HOST]);
});

t.test('a certificate from an interception CA is untrusted, and the issuer is named', async (t) => {
  const server = await started(t, startTlsServer(await pki.issue({ names: [HOST], issuer: 'interception', withChain: true })));
  const result = await probeTls(target(server.port), { timeoutMs: HEALTHY_BUDGET_MS, ca });
  t.equal(result.ok, false);
  if (result.ok) return;
  t.equal(result.reason, 'tls-untrusted');
  t.equal(result.cause, 'SELF_SIGNED_CERT_IN_CHAIN');
  t.match(result.message, `127.0.0.1:${server.port}`);
  t.match(result.message, INTERCEPTION_CA_SUBJECT);
  t.match(result.details.certificate?.issuer, INTERCEPTION_CA_SUBJECT);
  t.equal(result.details.certificate?.subject, `CN=${HOST}`);
  t.equal(result.details.verifyError, 'SELF_SIGNED_CERT_IN_CHAIN');
  t.same(result.details.issuerChain, [`CN=${INTERCEPTION_CA_SUBJECT}, O=Contoso Firewall`]);
});

t.test('a leaf from an unknown issuer without its chain is untrusted', async (t) => {
  const server = await started(t, startTlsServer(await pki.issue({ names: [HOST], issuer: 'interception' })));
  const result = await probeTls(target(server.port), { timeoutMs: HEALTHY_BUDGET_MS, ca });
  t.match(result, { ok: false, reason: 'tls-untrusted', cause: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
});

t.test('a self-signed certificate is untrusted', async (t) => {
  const server = await started(t, startTlsServer(await pki.selfSigned(HOST)));
  const result = await probeTls(target(server.port), { timeoutMs: HEALTHY_BUDGET_MS, ca });
  t.match(result, { ok: false, reason: 'tls-untrusted', cause: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
});

t.test('without the extra CA, the default trust store does not accept the test CA', async (t) => {
  const server = await started(t, startTlsServer(await pki.issue({ names: [HOST] })));
  const result = await probeTls(target(server.port), { timeoutMs: HEALTHY_BUDGET_MS });
  t.match(result, { ok: false, reason: 'tls-untrusted', cause: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
});

t.test('extra CAs are added to the default store, not swapped for it', async (t) => {
  t.equal(trustedCertificates(undefined), undefined);
  t.equal(trustedCertificates([]), undefined);
  const combined = trustedCertificates(ca) ?? [];
  t.equal(combined.length, tls.rootCertificates.length + 1);
  t.equal(combined.at(-1), pki.trusted.cert);
});

t.test('a certificate for another name is a hostname mismatch', async (t) => {
  const server = await started(t, startTlsServer(await pki.issue({ names: ['other.test'] })));
  const result = await probeTls(target(server.port), { timeoutMs: HEALTHY_BUDGET_MS, ca });
  t.equal(result.ok, false);
  if (result.ok) return;
  t.equal(result.reason, 'tls-hostname-mismatch');
  t.equal(result.cause, 'ERR_TLS_CERT_ALTNAME_INVALID');
  t.match(result.message, 'DNS:other.test');
  t.equal(result.details.certificate?.subject, 'CN=other.test');
});

t.test('an expired certificate', async (t) => {
  const server = await started(t, startTlsServer(await pki.issue({ names: [HOST], expired: true })));
  const result = await probeTls(target(server.port), { timeoutMs: HEALTHY_BUDGET_MS, ca });
  t.equal(result.ok, false);
  if (result.ok) return;
  t.equal(result.reason, 'tls-expired');
  t.equal(result.cause, 'CERT_HAS_EXPIRED');
  t.match(result.message, 'expired on 2020-02-01T00:00:00.000Z');
  t.equal(result.details.certificate?.validTo, '2020-02-01T00:00:00.000Z');
});

t.test('an IP-literal host sends no SNI and is checked against IP SANs', async (t) => {
  const server = await started(t, startTlsServer(await pki.issue({ names: ['127.0.0.1'] })));
  const result = await probeTls(target(server.port, '127.0.0.1'), { timeoutMs: HEALTHY_BUDGET_MS, ca });
  t.equal(result.ok, true, !result.ok ? result.message : '');
  t.equal(result.details.servername, null);
  t.same(await server.handshakes(1), [null]);
});

t.test('a reset right after the ClientHello is tls-reset', async (t) => {
  const server = await started(t, startHangUpServer('reset'));
  const result = await probeTls(target(server.port), { timeoutMs: HEALTHY_BUDGET_MS, ca });
  t.equal(result.ok, false);
  if (result.ok) return;
  t.equal(result.reason, 'tls-reset');
  t.equal(result.cause, 'ECONNRESET');
  t.match(result.message, `127.0.0.1:${server.port}`);
  t.match(result.message, 'SNI');
  t.equal(result.details.certificate, null);
});

t.test('a clean close right after the ClientHello is also tls-reset', async (t) => {
  const server = await started(t, startHangUpServer('close'));
  const result = await probeTls(target(server.port), { timeoutMs: HEALTHY_BUDGET_MS, ca });
  t.match(result, { ok: false, reason: 'tls-reset' });
});

t.test('a server that never answers the ClientHello times out', async (t) => {
  const server = await started(t, startSilentServer());
  const startedAt = performance.now();
  const result = await probeTls(target(server.port), { timeoutMs: TIMEOUT_MS, ca });
  const took = performance.now() - startedAt;
  t.equal(result.ok, false);
  if (result.ok) return;
  t.equal(result.reason, 'tls-timeout');
  t.match(result.message, new RegExp(`^TLS handshake with 127\\.0\\.0\\.1:${server.port} for ${HOST} timed out after ${TIMEOUT_MS} ms: the connection opened but the server sent nothing back to the ClientHello`));
  t.match(result.message, /reads the name \(SNI\) and drops the connection/, 'names the SNI drop');
  t.match(result.message, /path-MTU black hole/, 'and the MTU black hole, which look the same from here');
  t.match(result.message, /openssl s_client -servername.*ping -M do -s 1372 127\.0\.0\.1/, 'and what to try next');
  t.equal(result.details.bytesReceived, 0);
  t.equal(result.details.servername, HOST, 'a timeout keeps what was sent');
  t.ok(endedAtBudget(took, TIMEOUT_MS), `took ${Math.round(took)} ms`);
});

t.test('a server that begins its answer and then stalls times out as a path-MTU black hole', async (t) => {
  // Sends the first bytes of a TLS record (a ServerHello's header) and nothing more, as when
  // the packets after a small first one are too big for the path.
  const server = await started(t, startBannerServer('\x16\x03\x03\x00\x7a\x02\x00\x00\x76\x03\x03'));
  const result = await probeTls(target(server.port), { timeoutMs: TIMEOUT_MS, ca });
  t.match(result, { ok: false, reason: 'tls-timeout', details: { bytesReceived: 11 } });
  t.match(result.ok ? '' : result.message, /timed out after 300 ms: the server began to answer \(11 bytes arrived\) and then stalled: the mark of a path-MTU black hole/);
  t.match(result.ok ? '' : result.message, /ping -M do -s 1372 127\.0\.0\.1\) and clamp the TCP MSS on the tunnel/);
  t.notMatch(result.ok ? '' : result.message, /SNI/, 'a server that answered did not drop on the name');
});

t.test('a server that answers in plain HTTP is tls-not-tls, quoting what it said, with no OpenSSL text', async (t) => {
  const server = await started(t, startPlainTextServer());
  const result = await probeTls(target(server.port), { timeoutMs: HEALTHY_BUDGET_MS, ca });
  t.equal(result.ok, false);
  if (result.ok) return;
  t.equal(result.reason, 'tls-not-tls');
  t.match(result.cause, /^ERR_SSL_/, 'OpenSSL’s code is kept as the cause');
  t.equal(result.message, `the server at 127.0.0.1:${server.port} answered in plain text, not TLS (it began "HTTP/1.1 400 Bad Request"): a proxy or a service other than ${HOST} answers there`);
  t.notMatch(result.message, /ssl3_|openssl|routines|\n/i);
  t.ok(result.details.bytesReceived > 0);
});

t.test('an SSH server on a TLS port is tls-not-tls, named by its banner', async (t) => {
  const server = await started(t, startBannerServer('SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n'));
  const result = await probeTls(target(server.port), { timeoutMs: HEALTHY_BUDGET_MS, ca });
  t.match(result, { ok: false, reason: 'tls-not-tls', cause: /^ERR_SSL_/ });
  t.match(result.ok ? '' : result.message, /answered in plain text, not TLS \(it began "SSH-2\.0-OpenSSH_9\.6p1 Ubuntu-3ubuntu13"\)/);
});

t.test('a firewall that resets on one SNI: that name is tls-reset, another name on the same address passes', async (t) => {
  const upstream = await started(t, startTlsServer(await pki.issue({ names: [HOST, 'other.test'] })));
  const filter = await started(t, startSniFilter(HOST, 'reset', upstream.port));
  const blocked = await probeTls(target(filter.port), { timeoutMs: HEALTHY_BUDGET_MS, ca });
  t.match(blocked, { ok: false, reason: 'tls-reset', cause: 'ECONNRESET', message: /reset during the TLS handshake for svc\.test.*filtering by SNI/ });
  const other = await probeTls(target(filter.port, 'other.test'), { timeoutMs: HEALTHY_BUDGET_MS, ca });
  t.equal(other.ok, true, other.ok ? '' : other.message);
  t.same(filter.seen, [HOST, 'other.test']);
});

t.test('a firewall that goes silent on one SNI: that name times out having received nothing, naming the SNI drop', async (t) => {
  const upstream = await started(t, startTlsServer(await pki.issue({ names: [HOST, 'other.test'] })));
  const filter = await started(t, startSniFilter(HOST, 'silent', upstream.port));
  const blocked = await probeTls(target(filter.port), { timeoutMs: TIMEOUT_MS, ca });
  t.match(blocked, { ok: false, reason: 'tls-timeout', details: { bytesReceived: 0, servername: HOST } });
  t.match(blocked.ok ? '' : blocked.message, /sent nothing back to the ClientHello: a firewall or proxy that reads the name \(SNI\)/);
  const other = await probeTls(target(filter.port, 'other.test'), { timeoutMs: HEALTHY_BUDGET_MS, ca });
  t.equal(other.ok, true, 'another name on the same address passes: the filter is by name');
});

t.test('aborting stops the handshake', async (t) => {
  const server = await started(t, startSilentServer());
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 50);
  const result = await probeTls(target(server.port), { timeoutMs: 5000, ca, signal: controller.signal });
  t.match(result, { ok: false, reason: 'aborted' });
  t.ok(result.ms < 1000);
});

t.test('dialling needs an IP address; a name is a programming error', async (t) => {
  await t.rejects(async () => probeTls({ host: HOST, address: HOST, port: 443 }, { timeoutMs: 100 }), TypeError);
});

t.test('classifyTlsError', async (t) => {
  const table: Array<[string | null, string]> = [
    ['ECONNRESET', 'tls-reset'],
    ['EPIPE', 'tls-reset'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls-untrusted'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'tls-untrusted'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls-untrusted'],
    ['UNABLE_TO_GET_ISSUER_CERT', 'tls-untrusted'],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'tls-untrusted'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls-hostname-mismatch'],
    ['CERT_HAS_EXPIRED', 'tls-expired'],
    ['CERT_NOT_YET_VALID', 'tls-expired'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'tls-not-tls'],
    ['ERR_SSL_PACKET_LENGTH_TOO_LONG', 'tls-not-tls'],
    ['ERR_SSL_HTTP_REQUEST', 'tls-not-tls'],
    ['ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', 'tls-failed'],
    [null, 'tls-failed'],
  ];
  for (const [code, reason] of table) t.equal(classifyTlsError(code), reason, String(code));
});
