import t from 'tap';
import {
  classifyHttpAnswer,
  classifyHttpError,
  classifyVerifyError,
  describeHandshakeError,
  describeTcpError,
  describeVerifyFailure,
  innermostCode,
  isDefinite,
  judgeServerAnswer,
  proxyStatusIn,
  type HttpFailureInput,
  type TypeLookup,
} from '../../src/probers/classify.js';

// The tables on their own: no socket, no server.

t.test('describeTcpError names the endpoint and the code', async (t) => {
  t.same(describeTcpError('10.0.0.4:443', 'ECONNREFUSED', 'x'), { reason: 'tcp-refused', message: 'connect to 10.0.0.4:443 refused (ECONNREFUSED)' });
  t.same(describeTcpError('10.0.0.4:443', 'ENETUNREACH', 'x'), { reason: 'tcp-unreachable', message: 'no route to 10.0.0.4:443 (ENETUNREACH)' });
  t.same(describeTcpError('10.0.0.4:443', 'ETIMEDOUT', 'x'), { reason: 'tcp-timeout', message: 'connect to 10.0.0.4:443 timed out in the kernel (ETIMEDOUT)' });
  t.same(describeTcpError('10.0.0.4:443', null, 'odd'), { reason: 'tcp-failed', message: 'connect to 10.0.0.4:443 failed: odd' });
});

t.test('TLS: verification codes and handshake errors', async (t) => {
  t.equal(classifyVerifyError('CERT_HAS_EXPIRED'), 'tls-expired');
  t.equal(classifyVerifyError('ERR_TLS_CERT_ALTNAME_INVALID'), 'tls-hostname-mismatch');
  t.equal(classifyVerifyError('SOMETHING_NEW'), 'tls-untrusted', 'an unknown verification failure is a trust problem');
  t.match(describeHandshakeError('10.0.0.4:443', 'svc', 'ECONNRESET', 'x'), { reason: 'tls-reset', message: /reset during the TLS handshake for svc \(ECONNRESET\).*SNI/ });
  t.match(describeHandshakeError('10.0.0.4:443', 'svc', 'ERR_SSL_WRONG_VERSION_NUMBER', 'wrong'), { reason: 'tls-failed', message: 'TLS handshake with 10.0.0.4:443 for svc failed: wrong (ERR_SSL_WRONG_VERSION_NUMBER)' });
});

const lookup = (outcome: TypeLookup['outcome'], addresses: string[] = [], cnameChain: string[] = []): TypeLookup => ({ outcome, addresses, cnameChain, transport: 'udp' });
const NODATA = lookup({ kind: 'no-data', rcode: 'NOERROR' });
const judge = (v4: TypeLookup, v6: TypeLookup, interruption: 'timeout' | 'aborted' | null = null) =>
  judgeServerAnswer({ host: 'svc.test', endpoint: '10.0.0.53:53', v4, v6, ms: 5, interruption, timeoutMs: 300 });

t.test('DNS: what one server’s A and AAAA answers add up to', async (t) => {
  t.match(judge(lookup({ kind: 'answer', rcode: 'NOERROR' }, ['10.1.1.1']), NODATA), { ok: true, addresses: ['10.1.1.1'], rcode: 'NOERROR' });
  t.match(judge(lookup({ kind: 'rcode', rcode: 'NXDOMAIN' }, [], ['a.privatelink.test']), NODATA), {
    ok: false,
    reason: 'dns-nxdomain',
    message: '10.0.0.53:53 says svc.test (alias of a.privatelink.test) does not exist (NXDOMAIN)',
  });
  t.match(judge(NODATA, NODATA), { reason: 'dns-no-data', rcode: 'NOERROR' });
  t.match(judge(lookup({ kind: 'rcode', rcode: 'SERVFAIL' }), NODATA), { reason: 'dns-servfail' });
  t.match(judge(lookup({ kind: 'rcode', rcode: 'REFUSED' }), NODATA), { reason: 'dns-refused' });
  t.match(judge(lookup({ kind: 'rcode', rcode: 'NOTIMP' }), NODATA), { reason: 'dns-failed', rcode: 'NOTIMP' });
  t.match(judge(lookup({ kind: 'interrupted' }), NODATA), { reason: 'dns-timeout', message: 'no answer from 10.0.0.53:53 for svc.test within 300 ms' });
  t.match(judge(lookup({ kind: 'interrupted' }), NODATA, 'aborted'), { reason: 'aborted' });
  t.match(judge(lookup({ kind: 'error', code: 'ECONNREFUSED', message: 'refused' }), NODATA), { reason: 'dns-failed', rcode: 'ECONNREFUSED' });
  t.equal(isDefinite(judge(NODATA, NODATA)), true, 'no data is an answer a stub resolver stops at');
  t.equal(isDefinite(judge(lookup({ kind: 'rcode', rcode: 'SERVFAIL' }), NODATA)), false);
});

const direct: HttpFailureInput = {
  stage: 'tcp',
  tunnelStatus: null,
  interruption: null,
  timeoutMs: 300,
  display: 'https://svc.test/',
  where: 'at 10.0.0.4:443',
  endpoint: '10.0.0.4:443',
  host: 'svc.test',
  port: 443,
  proxy: null,
};
const proxied: HttpFailureInput = { ...direct, stage: 'proxy', where: 'via proxy http://p:3128', endpoint: null, proxy: 'http://p:3128' };
const coded = (code: string, message = 'x') => Object.assign(new Error(message), { code });

t.test('HTTP: a failure is pinned on the stage it reached', async (t) => {
  t.match(classifyHttpError(coded('ECONNREFUSED'), direct), { reason: 'tcp-refused', cause: 'ECONNREFUSED' });
  t.match(classifyHttpError(new Error('x'), { ...direct, interruption: 'timeout' }), { reason: 'tcp-timeout' });
  t.match(classifyHttpError(new Error('x'), { ...direct, interruption: 'aborted' }), { reason: 'aborted' });
  t.match(classifyHttpError(coded('ECONNRESET'), { ...direct, stage: 'tls' }), { reason: 'tls-reset' });
  t.match(classifyHttpError(coded('UND_ERR_HEADERS_TIMEOUT'), { ...direct, stage: 'response' }), { reason: 'http-timeout' });
  t.match(classifyHttpError(coded('UND_ERR_SOCKET'), { ...direct, stage: 'response' }), { reason: 'http-failed' });
  t.match(classifyHttpError(coded('ECONNREFUSED'), proxied), { reason: 'proxy-unreachable', message: /proxy http:\/\/p:3128 is unreachable/ });
  t.match(classifyHttpError(new Error('x'), { ...proxied, stage: 'tunnel', tunnelStatus: 407 }), { reason: 'proxy-auth-required', cause: '407' });
  t.match(classifyHttpError(new Error('Proxy response (403) !== 200 when HTTP Tunneling'), { ...proxied, stage: 'tunnel' }), { reason: 'proxy-denied', cause: '403' });
  t.match(classifyHttpError(new Error('x'), { ...proxied, stage: 'tunnel', interruption: 'timeout' }), { reason: 'http-timeout', message: /did not answer CONNECT svc.test:443 within 300 ms/ });
  t.match(classifyHttpError(new Error('Proxy Authentication Required (407)'), { ...proxied, stage: 'response' }), { reason: 'proxy-auth-required' });
});

t.test('HTTP through a proxy: a refused chain inside the tunnel is worded as a direct handshake words it', async (t) => {
  const certificate = {
    subject: 'CN=svc.test',
    issuer: 'CN=Contoso Squid Inspection CA, O=Contoso Proxy',
    subjectAltNames: ['DNS:svc.test'],
    validFrom: null,
    validTo: null,
    fingerprint256: 'AA',
    serialNumber: '01',
  };
  const tunnelTls = { protocol: 'TLSv1.3', certificate, issuerChain: [certificate.issuer], verifyError: 'SELF_SIGNED_CERT_IN_CHAIN' };
  const refused = classifyHttpError(coded('SELF_SIGNED_CERT_IN_CHAIN', 'certificate not accepted'), { ...proxied, stage: 'tls', tunnelTls });
  t.match(refused, { reason: 'tls-untrusted', cause: 'SELF_SIGNED_CERT_IN_CHAIN' });
  t.equal(refused.message, `certificate presented via proxy http://p:3128 for svc.test ${describeVerifyFailure('tls-untrusted', 'SELF_SIGNED_CERT_IN_CHAIN', certificate)}`);
  const expired = classifyHttpError(coded('CERT_HAS_EXPIRED'), { ...proxied, stage: 'tls', tunnelTls: { ...tunnelTls, verifyError: 'CERT_HAS_EXPIRED' } });
  t.match(expired, { reason: 'tls-expired', cause: 'CERT_HAS_EXPIRED' });
  t.match(classifyHttpError(coded('ECONNRESET'), { ...proxied, stage: 'tls', tunnelTls: null }), { reason: 'tls-reset' }, 'no chain: the handshake error decides');
});

t.test('HTTP: an answer from someone in the way', async (t) => {
  const answer = { headers: {}, body: Buffer.from(''), arrival: 'direct', display: 'http://svc.test/', authority: 'svc.test:80', where: 'at 10.0.0.4:80', proxy: null } as const;
  t.equal(classifyHttpAnswer({ ...answer, status: 404 }), null, 'any status from the service is reachable');
  t.equal(classifyHttpAnswer({ ...answer, status: 503 }), null, 'a bare 503 is the service answering: only a device marker makes a gateway error');
  t.match(classifyHttpAnswer({ ...answer, status: 470, body: Buffer.from('Action: Deny. Reason: No rule matched.') }), {
    reason: 'http-denied',
    cause: '470',
    message: 'blocked by Azure Firewall (block page) for http://svc.test/ at 10.0.0.4:80 (HTTP 470): "Action: Deny. Reason: No rule matched."',
  });
  t.match(classifyHttpAnswer({ ...answer, status: 407, headers: { 'proxy-authenticate': 'Basic' } }), { reason: 'http-denied', message: 'a proxy on the path requires authentication before it lets GET http://svc.test/ through at 10.0.0.4:80 (HTTP 407)' }, 'a transparent proxy asking for credentials');
  const viaProxy = { ...answer, arrival: 'proxied', proxy: 'http://p:3128', where: 'via proxy http://p:3128' } as const;
  t.match(classifyHttpAnswer({ ...viaProxy, status: 503, headers: { server: 'squid' } }), { reason: 'proxy-gateway-error', message: 'proxy http://p:3128 (Squid) could not reach svc.test:80: it answered GET http://svc.test/ itself (HTTP 503)' });
  t.match(classifyHttpAnswer({ ...viaProxy, status: 403, headers: { 'x-squid-error': 'ERR_ACCESS_DENIED 0' } }), { reason: 'proxy-denied', message: 'proxy http://p:3128 (Squid) denied GET http://svc.test/ itself (HTTP 403, ERR_ACCESS_DENIED)' });
  t.match(classifyHttpAnswer({ ...viaProxy, status: 407, headers: {} }), { reason: 'proxy-auth-required', message: 'proxy http://p:3128 requires authentication for http://svc.test/ (HTTP 407)' });
  t.match(classifyHttpAnswer({ ...viaProxy, status: 502, headers: { 'proxy-agent': 'corp-gw' } }), { reason: 'proxy-gateway-error' });
  t.equal(classifyHttpAnswer({ ...viaProxy, status: 502, headers: { via: '1.1 p (squid/6.10)' } }), null, 'an unmarked 502 through the proxy is the service\'s: Via is on forwarded answers too');
});

t.test('proxyStatusIn and innermostCode read what undici hides', async (t) => {
  t.equal(proxyStatusIn('Proxy response (407) !== 200 when HTTP Tunneling'), 407);
  t.equal(proxyStatusIn('socket hang up'), null);
  const wrapped = Object.assign(new Error('proxy tls'), { code: 'UND_ERR_PRX_TLS', cause: coded('SELF_SIGNED_CERT_IN_CHAIN') });
  t.equal(innermostCode(wrapped), 'SELF_SIGNED_CERT_IN_CHAIN');
  t.equal(innermostCode('text'), null);
});
