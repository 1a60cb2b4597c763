import t from 'tap';
import { addressRange, cannotBeService, isDefinite, isPrivateAddress, judgeServerAnswer, type TypeLookup } from '../../src/probers/classify/dns.js';
import { classifyHttpAnswer, classifyHttpError, innermostCode, proxyStatusIn, type HttpFailureInput } from '../../src/probers/classify/http.js';
import { describeTcpError } from '../../src/probers/classify/tcp.js';
import { classifyVerifyError, describeHandshakeError, describeVerifyFailure } from '../../src/probers/classify/tls.js';

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
  t.match(describeHandshakeError('10.0.0.4:443', 'svc', 'ECONNRESET'), { reason: 'tls-reset', message: /reset during the TLS handshake for svc \(ECONNRESET\).*SNI/ });
  t.same(describeHandshakeError('10.0.0.4:443', 'svc', 'ERR_SSL_WRONG_VERSION_NUMBER', Buffer.from('HTTP/1.1 400 Bad Request\r\nServer: x\r\n')), {
    reason: 'tls-not-tls',
    message: 'the server at 10.0.0.4:443 answered in plain text, not TLS (it began "HTTP/1.1 400 Bad Request"): a proxy or a service other than svc answers there',
  });
  t.match(describeHandshakeError('10.0.0.4:443', 'svc', 'ERR_SSL_PACKET_LENGTH_TOO_LONG'), { reason: 'tls-not-tls', message: /answered with something other than TLS: a proxy or a service other than svc/ }, 'OpenSSL’s code alone is enough');
  t.match(describeHandshakeError('10.0.0.4:443', 'svc', 'ERR_SSL_DECODE_ERROR', Buffer.from('SSH-2.0-OpenSSH_9.6\r\n')), { reason: 'tls-not-tls', message: /it began "SSH-2\.0-OpenSSH_9\.6"/ }, 'the first bytes decide, whatever OpenSSL calls it');
  t.match(
    describeHandshakeError('10.0.0.4:443', 'svc', 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', Buffer.from([22, 3, 3, 0, 2])),
    { reason: 'tls-failed', message: /^TLS handshake with 10\.0\.0\.4:443 for svc failed: the server refused the handshake .*\(ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE\)$/ },
    'a TLS answer is no plain-text one',
  );
  t.match(describeHandshakeError('10.0.0.4:443', 'svc', 'ERR_SSL_SOMETHING_NEW'), { reason: 'tls-failed', message: /for svc failed: the server or a device on the path broke off the handshake with a TLS error \(ERR_SSL_SOMETHING_NEW\)$/ });
});

const lookup = (outcome: TypeLookup['outcome'], addresses: string[] = [], cnameChain: string[] = []): TypeLookup => ({ outcome, addresses, cnameChain, transport: 'udp' });
const NODATA = lookup({ kind: 'no-data', rcode: 'NOERROR' });
const judge = (v4: TypeLookup, v6: TypeLookup, interruption: 'timeout' | 'aborted' | null = null, loopbackIsService = false) => judgeServerAnswer({ host: 'svc.test', endpoint: '10.0.0.53:53', v4, v6, ms: 5, interruption, timeoutMs: 300, loopbackIsService });

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
  t.match(judge(lookup({ kind: 'malformed', problem: 'record 1 (A) has 5 bytes of data where 4 belong' }), NODATA), {
    reason: 'dns-failed',
    message: '10.0.0.53:53 sent a malformed answer for svc.test: record 1 (A) has 5 bytes of data where 4 belong',
  });
  t.match(judge(lookup({ kind: 'unmatched', problem: 'an answer with id 7 to the query with id 8' }), NODATA), {
    reason: 'dns-failed',
    message: '10.0.0.53:53 sent no answer to the query for svc.test within 300 ms, only an answer with id 7 to the query with id 8',
  });
});

/** Each range at its edges: the first and last address in it, and the neighbours just outside. */
const RANGE_EDGES: Array<[string, 'private' | 'loopback' | 'special' | 'global' | null]> = [
  ['9.255.255.255', null],
  ['10.0.0.0', 'private'],
  ['10.255.255.255', 'private'],
  ['11.0.0.0', null],
  ['172.15.255.255', null],
  ['172.16.0.0', 'private'],
  ['172.31.255.255', 'private'],
  ['172.32.0.0', null],
  ['192.167.255.255', null],
  ['192.168.0.0', 'private'],
  ['192.168.255.255', 'private'],
  ['192.169.0.0', null],
  ['100.63.255.255', null],
  ['100.64.0.0', 'private'],
  ['100.127.255.255', 'private'],
  ['100.128.0.0', null],
  ['fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', null],
  ['fc00::', 'private'],
  ['fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'private'],
  ['fe00::', null],
  ['0.0.0.0', 'special'],
  ['0.255.255.255', 'special'],
  ['1.0.0.0', null],
  ['126.255.255.255', null],
  ['127.0.0.0', 'loopback'],
  ['127.255.255.255', 'loopback'],
  ['128.0.0.0', null],
  ['::', 'special'],
  ['::1', 'loopback'],
  ['::2', null],
  ['169.253.255.255', null],
  ['169.254.0.0', 'special'],
  ['169.254.255.255', 'special'],
  ['169.255.0.0', null],
  ['fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff', null],
  ['fe80::', 'special'],
  ['febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'special'],
  ['fec0::', null],
  ['191.255.255.255', null],
  ['192.0.0.0', 'special'],
  ['192.0.0.8', 'special'],
  ['192.0.0.9', 'global'],
  ['192.0.0.10', 'global'],
  ['192.0.0.11', 'special'],
  ['192.0.0.255', 'special'],
  ['192.0.1.255', null],
  ['192.0.2.0', 'special'],
  ['192.0.2.255', 'special'],
  ['192.0.3.0', null],
  ['198.51.99.255', null],
  ['198.51.100.0', 'special'],
  ['198.51.100.255', 'special'],
  ['198.51.101.0', null],
  ['203.0.112.255', null],
  ['203.0.113.0', 'special'],
  ['203.0.113.255', 'special'],
  ['203.0.114.0', null],
  ['2001:db7:ffff:ffff:ffff:ffff:ffff:ffff', null],
  ['2001:db8::', 'special'],
  ['2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', 'special'],
  ['2001:db9::', null],
  ['3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff', null],
  ['3fff::', 'special'],
  ['3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff', 'special'],
  ['3fff:1000::', null],
  ['192.88.98.255', null],
  ['192.88.99.0', 'special'],
  ['192.88.99.255', 'special'],
  ['192.88.100.0', null],
  ['198.17.255.255', null],
  ['198.18.0.0', 'special'],
  ['198.19.255.255', 'special'],
  ['198.20.0.0', null],
  ['2001:1:ffff:ffff:ffff:ffff:ffff:ffff', null],
  ['2001:2::', 'special'],
  ['2001:2:0:ffff:ffff:ffff:ffff:ffff', 'special'],
  ['2001:2:1::', null],
  ['ff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', null],
  ['100::', 'special'],
  ['100::ffff:ffff:ffff:ffff', 'special'],
  ['100:0:0:1::', null],
  ['223.255.255.255', null],
  ['224.0.0.0', 'special'],
  ['239.255.255.255', 'special'],
  ['240.0.0.0', 'special'],
  ['255.255.255.254', 'special'],
  ['255.255.255.255', 'special'],
  ['feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', null],
  ['ff00::', 'special'],
  ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'special'],
  // IPv4-mapped forms are judged as the IPv4 address they carry.
  ['::ffff:0.0.0.0', 'special'],
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:169.254.1.1', 'special'],
  ['::ffff:10.1.2.3', 'private'],
  ['::ffff:20.60.1.2', null],
  // Globally reachable special ranges are real destinations; NAT64 (DNS64 answers) included.
  ['64:ff9b::1402:304', null],
  ['2001::1', null],
  ['2002:c000:204::1', null],
  ['192.31.196.1', null],
  ['192.175.48.1', null],
  ['8.8.8.8', null],
  ['20.60.1.2', null],
  ['2603:1030::1', null],
  ['not-an-ip', null],
  ['', null],
];

t.test('DNS: the special-purpose address table, at each range boundary', async (t) => {
  for (const [ip, use] of RANGE_EDGES) t.equal(addressRange(ip)?.use ?? null, use, ip);
  t.match(addressRange('0.0.0.0'), { name: 'this network', rfc: 'RFC 791' });
  t.match(addressRange('2001:db8::1'), { name: 'documentation', rfc: 'RFC 3849' });
  for (const [ip, use] of RANGE_EDGES) t.equal(isPrivateAddress(ip), use === 'private', `${ip} is ${use === 'private' ? '' : 'not '}private`);
  for (const [ip, use] of RANGE_EDGES) {
    t.equal(cannotBeService(ip, false), use === 'special' || use === 'loopback', `${ip}: ${use ?? 'global'}, loopback not served here`);
    t.equal(cannotBeService(ip, true), use === 'special', `${ip}: ${use ?? 'global'}, loopback served here`);
  }
});

t.test('DNS: an answer of only special-use addresses is a sinkhole; a mixed one keeps the plausible addresses', async (t) => {
  const answer = (addresses: string[]) => lookup({ kind: 'answer', rcode: 'NOERROR' }, addresses);
  t.match(judge(answer(['0.0.0.0']), answer(['::'])), {
    ok: false,
    reason: 'dns-sinkholed',
    rcode: 'NOERROR',
    addresses: ['0.0.0.0', '::'],
    sinkholed: ['0.0.0.0', '::'],
    message: '10.0.0.53:53 answered svc.test with 0.0.0.0 (this network), :: (unspecified): a DNS filter or sinkhole, not the service',
  });
  t.match(judge(answer(['127.0.0.1']), NODATA), { reason: 'dns-sinkholed', message: /with 127\.0\.0\.1 \(loopback\)/ });
  t.match(judge(answer(['127.0.0.1']), NODATA, null, true), { ok: true, sinkholed: [] }, 'loopback where the run serves on loopback');
  t.match(judge(answer(['0.0.0.0']), NODATA, null, true), { reason: 'dns-sinkholed' }, 'the allowance covers loopback only');
  t.match(judge(answer(['20.60.1.2', '0.0.0.0']), answer(['::1'])), { ok: true, addresses: ['20.60.1.2', '0.0.0.0', '::1'], sinkholed: ['0.0.0.0', '::1'] });
  t.equal(isDefinite(judge(answer(['0.0.0.0']), NODATA)), true, 'a stub resolver takes a sinkhole answer and stops');
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
  const tunnelTls = { protocol: 'TLSv1.3', certificate, issuerChain: [certificate.issuer], verifyError: 'SELF_SIGNED_CERT_IN_CHAIN', trustAnchor: null };
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
  t.match(
    classifyHttpAnswer({ ...answer, status: 407, headers: { 'proxy-authenticate': 'Basic' } }),
    { reason: 'http-denied', message: 'a proxy on the path requires authentication before it lets GET http://svc.test/ through at 10.0.0.4:80 (HTTP 407)' },
    'a transparent proxy asking for credentials',
  );
  const viaProxy = { ...answer, arrival: 'proxied', proxy: 'http://p:3128', where: 'via proxy http://p:3128' } as const;
  t.match(classifyHttpAnswer({ ...viaProxy, status: 503, headers: { server: 'squid' } }), { reason: 'proxy-gateway-error', message: 'proxy http://p:3128 (Squid) could not reach svc.test:80: it answered GET http://svc.test/ itself (HTTP 503)' });
  t.match(classifyHttpAnswer({ ...viaProxy, status: 403, headers: { 'x-squid-error': 'ERR_ACCESS_DENIED 0' } }), { reason: 'proxy-denied', message: 'proxy http://p:3128 (Squid) denied GET http://svc.test/ itself (HTTP 403, ERR_ACCESS_DENIED)' });
  t.match(classifyHttpAnswer({ ...viaProxy, status: 407, headers: {} }), { reason: 'proxy-auth-required', message: 'proxy http://p:3128 requires authentication for http://svc.test/ (HTTP 407)' });
  t.match(classifyHttpAnswer({ ...viaProxy, status: 502, headers: { 'proxy-agent': 'corp-gw' } }), { reason: 'proxy-gateway-error' });
  t.equal(classifyHttpAnswer({ ...viaProxy, status: 502, headers: { via: '1.1 p (squid/6.10)' } }), null, "an unmarked 502 through the proxy is the service's: Via is on forwarded answers too");
});

t.test('proxyStatusIn and innermostCode read what undici hides', async (t) => {
  t.equal(proxyStatusIn('Proxy response (407) !== 200 when HTTP Tunneling'), 407);
  t.equal(proxyStatusIn('socket hang up'), null);
  const wrapped = Object.assign(new Error('proxy tls'), { code: 'UND_ERR_PRX_TLS', cause: coded('SELF_SIGNED_CERT_IN_CHAIN') });
  t.equal(innermostCode(wrapped), 'SELF_SIGNED_CERT_IN_CHAIN');
  t.equal(innermostCode('text'), null);
});
