import t from 'tap';
import { recogniseDevice } from '../../src/probers/classify/http.js';
import { probeHttp } from '../../src/probers/http.js';
import { createPki, INTERCEPTION_CA_SUBJECT, TRUSTED_CA_SUBJECT } from '../../src/simulate/pki.js';
import { AZURE_FIREWALL_DENY_BODY, azureFirewallDeny, closedPort, hugeBody, HUGE_BODY_BYTES, respondWith, stalledBody, started, startHangUpServer, startHttpServer, startProxy, startSilentServer } from '../helpers/servers.js';
import { endedAtBudget, FAR_BUDGET_MS, HEALTHY_BUDGET_MS, LOAD_SLACK_MS } from '../helpers/timing.js';

const HOST = 'svc.test';
const TIMEOUT_MS = 300;
const LOOPBACK = '127.0.0.1';

const pki = await createPki();
const ca = [pki.trusted.cert];
const serverCredentials = await pki.issue({ names: [HOST] });

t.test('https: any status from the service counts as reachable', async (t) => {
  const server = await started(t, startHttpServer(respondWith(404, 'no such thing', { server: 'test-server', via: '1.1 edge' }), serverCredentials));
  const before = Date.now();
  const result = await probeHttp({ url: `https://${HOST}:${server.port}/health?x=1`, address: LOOPBACK }, { timeoutMs: HEALTHY_BUDGET_MS, ca });
  const took = Date.now() - before;
  t.equal(result.ok, true, !result.ok ? result.message : '');
  t.equal(result.phase, 'http');
  const { date, ...headers } = result.details.headers;
  t.same(
    { ...result.details, headers, clockOffsetMs: 0 },
    {
      url: `https://${HOST}:${server.port}/health?x=1`,
      address: LOOPBACK,
      proxy: null,
      status: 404,
      headers: { server: 'test-server', via: '1.1 edge', contentType: 'text/plain', location: null },
      clockOffsetMs: 0,
      bytesRead: 'no such thing'.length,
      bodyComplete: true,
    },
  );
  t.match(date, /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/, "the server's Date header");
  // The Date header drops the milliseconds, and the answer took `took` to arrive: on the same
  // clock the offset lies between minus (one second plus the round trip) and zero.
  const offset = result.details.clockOffsetMs ?? Infinity;
  t.ok(offset > -(1000 + took) && offset <= 0, `same clock: offset within the header's one-second grain and the ${took} ms round trip (${offset} ms)`);
  t.same(server.requests, [{ method: 'GET', url: '/health?x=1', host: `${HOST}:${server.port}`, servername: HOST }]);
});

t.test("the clock offset against the server's Date header", async (t) => {
  const before = Date.now();
  const date = new Date(before + 300_000).toUTCString();
  const ahead = await started(t, startHttpServer(respondWith(200, 'ok', { date })));
  const skewed = await probeHttp({ url: `http://${HOST}:${ahead.port}/`, address: LOOPBACK }, { timeoutMs: HEALTHY_BUDGET_MS });
  const after = Date.now();
  // The header is fixed when the server starts; the answer arrives some time between then and now.
  const offset = skewed.details.clockOffsetMs ?? 0;
  t.ok(offset >= Date.parse(date) - after && offset <= Date.parse(date) - before, `five minutes ahead, less the ${after - before} ms the exchange took (${offset} ms)`);
  const garbled = await started(t, startHttpServer(respondWith(200, 'ok', { date: 'yesterday-ish' })));
  const unusable = await probeHttp({ url: `http://${HOST}:${garbled.port}/`, address: LOOPBACK }, { timeoutMs: HEALTHY_BUDGET_MS });
  t.equal(unusable.details.headers.date, 'yesterday-ish');
  t.equal(unusable.details.clockOffsetMs, null, 'a Date that is not a date gives no offset');
});

t.test('plain http to the resolved address, with the host in the Host header', async (t) => {
  const server = await started(t, startHttpServer(respondWith(401, 'login first')));
  const result = await probeHttp({ url: `http://${HOST}:${server.port}/`, address: LOOPBACK }, { timeoutMs: HEALTHY_BUDGET_MS });
  t.equal(result.ok, true);
  t.equal(result.details.status, 401);
  t.equal(server.requests[0]?.host, `${HOST}:${server.port}`);
});

t.test('an Azure Firewall 470 deny page is http-denied, with the firewall text in the message', async (t) => {
  const server = await started(t, startHttpServer(azureFirewallDeny));
  const result = await probeHttp({ url: `http://${HOST}:${server.port}/`, address: LOOPBACK }, { timeoutMs: HEALTHY_BUDGET_MS });
  t.equal(result.ok, false);
  if (result.ok) return;
  t.equal(result.reason, 'http-denied');
  t.equal(result.cause, '470');
  t.match(result.message, 'HTTP 470');
  t.match(result.message, 'Action: Deny. No rule matched.');
  t.match(result.message, `127.0.0.1:${server.port}`);
  t.equal(result.details.status, 470);
});

t.test('a deny page behind TLS inspection with another status is still http-denied', async (t) => {
  const server = await started(t, startHttpServer(respondWith(403, AZURE_FIREWALL_DENY_BODY), serverCredentials));
  const result = await probeHttp({ url: `https://${HOST}:${server.port}/`, address: LOOPBACK }, { timeoutMs: HEALTHY_BUDGET_MS, ca });
  t.match(result, { ok: false, reason: 'http-denied', cause: '403' });
});

t.test('a page that merely mentions Azure Firewall on a 200 is not a denial', async (t) => {
  const server = await started(t, startHttpServer(respondWith(200, 'Docs: configure Azure Firewall rules')));
  const result = await probeHttp({ url: `http://${HOST}:${server.port}/`, address: LOOPBACK }, { timeoutMs: HEALTHY_BUDGET_MS });
  t.equal(result.ok, true);
});

t.test('a huge body is not downloaded: at most 4 KiB is read, then the connection is dropped', async (t) => {
  const server = await started(t, startHttpServer(hugeBody));
  const startedAt = performance.now();
  const result = await probeHttp({ url: `http://${HOST}:${server.port}/big`, address: LOOPBACK }, { timeoutMs: FAR_BUDGET_MS });
  t.equal(result.ok, true);
  t.equal(result.details.bytesRead, 4096);
  t.equal(result.details.bodyComplete, false);
  t.ok(performance.now() - startedAt < LOAD_SLACK_MS, 'done at the cap, not at the timeout');
  // Give the server a moment to notice the hang-up, then check it stopped early.
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.ok(server.written.bytes < HUGE_BODY_BYTES / 16, `server wrote ${server.written.bytes} bytes`);
});

t.test('the body cap is configurable', async (t) => {
  const server = await started(t, startHttpServer(hugeBody));
  const result = await probeHttp({ url: `http://${HOST}:${server.port}/`, address: LOOPBACK }, { timeoutMs: 5000, maxBodyBytes: 10 });
  t.equal(result.details.bytesRead, 10);
});

t.test('a stalled body after the status line still counts as reachable', async (t) => {
  const server = await started(t, startHttpServer(stalledBody));
  const result = await probeHttp({ url: `http://${HOST}:${server.port}/`, address: LOOPBACK }, { timeoutMs: TIMEOUT_MS });
  t.equal(result.ok, true);
  t.equal(result.details.status, 200);
  t.equal(result.details.bodyComplete, false);
  t.equal(result.details.bytesRead, 'partial'.length);
});

t.test('no response headers in time is http-timeout', async (t) => {
  const server = await started(t, startSilentServer());
  const startedAt = performance.now();
  const result = await probeHttp({ url: `http://${HOST}:${server.port}/`, address: LOOPBACK }, { timeoutMs: TIMEOUT_MS });
  const took = performance.now() - startedAt;
  t.equal(result.ok, false);
  if (result.ok) return;
  t.equal(result.reason, 'http-timeout');
  t.equal(result.message, `no HTTP response from http://${HOST}:${server.port}/ at 127.0.0.1:${server.port} within ${TIMEOUT_MS} ms`);
  t.ok(endedAtBudget(took, TIMEOUT_MS), `took ${Math.round(took)} ms`);
});

t.test('a TLS handshake that never completes is tls-timeout in the http phase', async (t) => {
  const server = await started(t, startSilentServer());
  const result = await probeHttp({ url: `https://${HOST}:${server.port}/`, address: LOOPBACK }, { timeoutMs: TIMEOUT_MS, ca });
  t.match(result, { ok: false, phase: 'http', reason: 'tls-timeout' });
});

t.test('TLS problems keep their reason codes', async (t) => {
  const intercepted = await started(t, startHttpServer(respondWith(200, 'ok'), await pki.issue({ names: [HOST], issuer: 'interception', withChain: true })));
  const untrusted = await probeHttp({ url: `https://${HOST}:${intercepted.port}/`, address: LOOPBACK }, { timeoutMs: HEALTHY_BUDGET_MS, ca });
  t.match(untrusted, { ok: false, reason: 'tls-untrusted', cause: 'SELF_SIGNED_CERT_IN_CHAIN' });

  const wrongName = await started(t, startHttpServer(respondWith(200, 'ok'), await pki.issue({ names: ['other.test'] })));
  const mismatch = await probeHttp({ url: `https://${HOST}:${wrongName.port}/`, address: LOOPBACK }, { timeoutMs: HEALTHY_BUDGET_MS, ca });
  t.match(mismatch, { ok: false, reason: 'tls-hostname-mismatch', cause: 'ERR_TLS_CERT_ALTNAME_INVALID' });

  const reset = await started(t, startHangUpServer('reset'));
  const resetResult = await probeHttp({ url: `https://${HOST}:${reset.port}/`, address: LOOPBACK }, { timeoutMs: HEALTHY_BUDGET_MS, ca });
  t.match(resetResult, { ok: false, reason: 'tls-reset', cause: 'ECONNRESET' });
  t.equal(intercepted.requests.length + wrongName.requests.length, 0, 'no request was sent over a rejected TLS session');
});

t.test('a refused connection is tcp-refused', async (t) => {
  const port = await closedPort();
  const result = await probeHttp({ url: `https://${HOST}:${port}/`, address: LOOPBACK }, { timeoutMs: HEALTHY_BUDGET_MS, ca });
  t.equal(result.ok, false);
  if (result.ok) return;
  t.equal(result.reason, 'tcp-refused');
  t.equal(result.cause, 'ECONNREFUSED');
  t.match(result.message, `connect to 127.0.0.1:${port}`);
});

t.test('a server that answers and then hangs up mid-response is http-failed', async (t) => {
  const server = await started(
    t,
    startHttpServer((_request, response) => {
      response.socket?.destroy();
    }),
  );
  const result = await probeHttp({ url: `http://${HOST}:${server.port}/`, address: LOOPBACK }, { timeoutMs: HEALTHY_BUDGET_MS });
  t.match(result, { ok: false, reason: 'http-failed' });
});

t.test('aborting stops the request', async (t) => {
  const server = await started(t, startSilentServer());
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 50);
  const result = await probeHttp({ url: `http://${HOST}:${server.port}/`, address: LOOPBACK }, { timeoutMs: 5000, signal: controller.signal });
  t.match(result, { ok: false, reason: 'aborted' });
  t.ok(result.ms < 1000);
  const already = await probeHttp({ url: `http://${HOST}:${server.port}/`, address: LOOPBACK }, { timeoutMs: 5000, signal: AbortSignal.abort() });
  t.match(already, { ok: false, reason: 'aborted' });
});

t.test('without a proxy the address is required; names and odd URLs are programming errors', async (t) => {
  await t.rejects(async () => probeHttp({ url: `https://${HOST}/` }, { timeoutMs: 100 }), TypeError);
  await t.rejects(async () => probeHttp({ url: `https://${HOST}/`, address: HOST }, { timeoutMs: 100 }), TypeError);
  await t.rejects(async () => probeHttp({ url: `ftp://${HOST}/`, address: LOOPBACK }, { timeoutMs: 100 }), TypeError);
});

t.test('through a CONNECT proxy', async (t) => {
  const service = await started(t, startHttpServer(respondWith(403, 'forbidden by the service'), serverCredentials));
  const proxy = await started(t, startProxy({ routes: { [`${HOST}:${service.port}`]: service.port } }));
  const result = await probeHttp({ url: `https://${HOST}:${service.port}/` }, { timeoutMs: HEALTHY_BUDGET_MS, ca, proxy: { url: `http://127.0.0.1:${proxy.port}` } });
  t.equal(result.ok, true, !result.ok ? result.message : '');
  t.equal(result.details.status, 403);
  t.equal(result.details.proxy, `http://127.0.0.1:${proxy.port}`);
  t.equal(result.details.address, null);
  t.same(
    proxy.seen.map((entry) => `${entry.method} ${entry.target}`),
    [`CONNECT ${HOST}:${service.port}`],
  );
  t.equal(service.requests[0]?.servername, HOST, 'SNI through the tunnel is the host');
});

t.test('proxy authentication: missing, wrong and right credentials; the password never shows', async (t) => {
  const password = 'S3cret-proxy-pw';
  const service = await started(t, startHttpServer(respondWith(200, 'ok'), serverCredentials));
  const proxy = await started(t, startProxy({ routes: { [`${HOST}:${service.port}`]: service.port }, credentials: { username: 'alice', password } }));
  const url = `https://${HOST}:${service.port}/`;

  const anonymous = await probeHttp({ url }, { timeoutMs: HEALTHY_BUDGET_MS, ca, proxy: { url: `http://127.0.0.1:${proxy.port}` } });
  t.match(anonymous, { ok: false, reason: 'proxy-auth-required', cause: '407' });

  const wrong = await probeHttp({ url }, { timeoutMs: HEALTHY_BUDGET_MS, ca, proxy: { url: `http://alice:nope-nope@127.0.0.1:${proxy.port}` } });
  t.match(wrong, { ok: false, reason: 'proxy-auth-required' });
  t.notMatch(JSON.stringify(wrong), 'nope-nope');

  const right = await probeHttp({ url }, { timeoutMs: HEALTHY_BUDGET_MS, ca, proxy: { url: `http://alice:${password}@127.0.0.1:${proxy.port}` } });
  t.equal(right.ok, true, !right.ok ? right.message : '');
  t.equal(right.details.proxy, `http://alice:***@127.0.0.1:${proxy.port}`, 'the user shown, the password masked, as the report shows the proxy everywhere');
  t.notMatch(JSON.stringify(right), password);
  t.notMatch(JSON.stringify(right), Buffer.from(`alice:${password}`).toString('base64'));
  t.equal(proxy.seen.at(-1)?.authorization, `Basic ${Buffer.from(`alice:${password}`).toString('base64')}`);
});

t.test('a proxy that refuses the CONNECT is proxy-denied, with its status', async (t) => {
  const proxy = await started(t, startProxy({ routes: {}, refuse: { [`${HOST}:443`]: 403 } }));
  const refused = await probeHttp({ url: `https://${HOST}/` }, { timeoutMs: HEALTHY_BUDGET_MS, ca, proxy: { url: `http://127.0.0.1:${proxy.port}` } });
  t.equal(refused.ok, false);
  if (refused.ok) return;
  t.equal(refused.reason, 'proxy-denied');
  t.equal(refused.cause, '403');
  t.match(refused.message, `refused to tunnel to ${HOST}:443 (HTTP 403)`);

  // The test proxy answers 502 for hosts it cannot reach: its answer to a CONNECT is its own, marked or not.
  const unreachable = await probeHttp({ url: `https://unknown.test/` }, { timeoutMs: HEALTHY_BUDGET_MS, ca, proxy: { url: `http://127.0.0.1:${proxy.port}` } });
  t.match(unreachable, { ok: false, reason: 'proxy-gateway-error', cause: '502', message: `proxy http://127.0.0.1:${proxy.port} could not reach unknown.test:443: it answered the CONNECT (HTTP 502)` });
});

t.test('a proxy nobody listens on is proxy-unreachable', async (t) => {
  const port = await closedPort();
  const result = await probeHttp({ url: `https://${HOST}/` }, { timeoutMs: HEALTHY_BUDGET_MS, ca, proxy: { url: `http://bob:hunter22@127.0.0.1:${port}` } });
  t.equal(result.ok, false);
  if (result.ok) return;
  t.equal(result.reason, 'proxy-unreachable');
  t.equal(result.cause, 'ECONNREFUSED');
  t.match(result.message, `proxy http://bob:***@127.0.0.1:${port} is unreachable`);
  t.notMatch(JSON.stringify(result), 'hunter22');
});

t.test('a proxy that never answers the CONNECT times out within the budget', async (t) => {
  const silent = await started(t, startSilentServer());
  const result = await probeHttp({ url: `https://${HOST}/` }, { timeoutMs: TIMEOUT_MS, ca, proxy: { url: `http://127.0.0.1:${silent.port}` } });
  t.equal(result.ok, false);
  if (result.ok) return;
  t.equal(result.reason, 'http-timeout');
  t.equal(result.message, `proxy http://127.0.0.1:${silent.port} did not answer CONNECT ${HOST}:443 within ${TIMEOUT_MS} ms; it may be unable to reach the host`);
  t.ok(result.ms >= TIMEOUT_MS - 20 && result.ms < TIMEOUT_MS + 500, `took ${result.ms} ms`);
});

t.test('plain http through the proxy uses an absolute-form request, not CONNECT', async (t) => {
  const service = await started(t, startHttpServer(respondWith(204, '')));
  const proxy = await started(t, startProxy({ routes: { [`${HOST}:${service.port}`]: service.port } }));
  const result = await probeHttp({ url: `http://${HOST}:${service.port}/ping` }, { timeoutMs: HEALTHY_BUDGET_MS, proxy: { url: `http://127.0.0.1:${proxy.port}` } });
  t.equal(result.ok, true, !result.ok ? result.message : '');
  t.equal(result.details.status, 204);
  t.equal(result.details.headers.via, '1.1 test-proxy');
  t.same(
    proxy.seen.map((entry) => `${entry.method} ${entry.target}`),
    [`GET http://${HOST}:${service.port}/ping`],
  );
});

t.test('plain http through a proxy that wants credentials is proxy-auth-required', async (t) => {
  const proxy = await started(t, startProxy({ routes: {}, credentials: { username: 'alice', password: 'pw-pw-pw' } }));
  const result = await probeHttp({ url: `http://${HOST}/` }, { timeoutMs: HEALTHY_BUDGET_MS, proxy: { url: `http://127.0.0.1:${proxy.port}` } });
  t.match(result, { ok: false, reason: 'proxy-auth-required', cause: '407' });
});

t.test('TLS inspection by the proxy is tls-untrusted, naming the issuer as a direct handshake does', async (t) => {
  const inspected = await started(t, startHttpServer(respondWith(200, 'ok'), await pki.issue({ names: [HOST], issuer: 'interception', withChain: true })));
  const proxy = await started(t, startProxy({ routes: { [`${HOST}:443`]: inspected.port } }));
  const result = await probeHttp({ url: `https://${HOST}/` }, { timeoutMs: HEALTHY_BUDGET_MS, ca, proxy: { url: `http://127.0.0.1:${proxy.port}` } });
  t.match(result, { ok: false, reason: 'tls-untrusted', cause: 'SELF_SIGNED_CERT_IN_CHAIN' });
  const issuer = `CN=${INTERCEPTION_CA_SUBJECT}, O=Contoso Firewall`;
  t.match(result.ok ? '' : result.message, new RegExp(`^certificate presented via proxy http://127\\.0\\.0\\.1:${proxy.port} for ${HOST.replace('.', '\\.')} is not trusted \\(SELF_SIGNED_CERT_IN_CHAIN\\)`));
  t.match(result.ok ? '' : result.message, `"${issuer}"`, 'names the re-signing CA');
  t.match(result.details.tls, { certificate: { issuer, subject: `CN=${HOST}` }, issuerChain: [issuer], verifyError: 'SELF_SIGNED_CERT_IN_CHAIN' }, 'the presented chain is the evidence');
});

t.test('through a proxy, the certificate inside the tunnel is checked against the host name too', async (t) => {
  const elsewhere = await started(t, startHttpServer(respondWith(200, 'ok'), await pki.issue({ names: ['other.test'] })));
  const proxy = await started(t, startProxy({ routes: { [`${HOST}:443`]: elsewhere.port } }));
  const result = await probeHttp({ url: `https://${HOST}/` }, { timeoutMs: HEALTHY_BUDGET_MS, ca, proxy: { url: `http://127.0.0.1:${proxy.port}` } });
  t.match(result, { ok: false, reason: 'tls-hostname-mismatch', cause: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  t.match(result.ok ? '' : result.message, /does not cover that name; it is for DNS:other\.test/);
  t.equal(elsewhere.requests.length, 0, 'no request is sent over a rejected handshake');
});

t.test('through a proxy, a trusted chain inside the tunnel is kept in the details', async (t) => {
  const service = await started(t, startHttpServer(respondWith(204, ''), serverCredentials));
  const proxy = await started(t, startProxy({ routes: { [`${HOST}:443`]: service.port } }));
  const result = await probeHttp({ url: `https://${HOST}/` }, { timeoutMs: HEALTHY_BUDGET_MS, ca, proxy: { url: `http://127.0.0.1:${proxy.port}` } });
  t.equal(result.ok, true, !result.ok ? result.message : '');
  t.match(result.details.tls, { protocol: /^TLSv1\.[23]$/, certificate: { issuer: `CN=${TRUSTED_CA_SUBJECT}`, subject: `CN=${HOST}` }, verifyError: null });
});

t.test('no timers are left behind', async (t) => {
  const server = await started(t, startHttpServer(respondWith(200, 'ok')));
  const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
  const before = timers();
  await probeHttp({ url: `http://${HOST}:${server.port}/`, address: LOOPBACK }, { timeoutMs: 60_000 });
  await probeHttp({ url: `http://${HOST}:${await closedPort()}/`, address: LOOPBACK }, { timeoutMs: 60_000 });
  t.ok(timers() <= before, `timers before ${before}, after ${timers()}`);
});

t.test('Azure Firewall: a 470, or its "Action: Deny" text on an error page; never on a success', async (t) => {
  const azure = (status: number, body: string) => recogniseDevice(status, {}, Buffer.from(body));
  t.match(azure(470, ''), { product: 'Azure Firewall', role: 'firewall', kind: 'deny', detail: '' });
  t.match(azure(470, AZURE_FIREWALL_DENY_BODY), { detail: AZURE_FIREWALL_DENY_BODY.replace(/\s+/g, ' ') });
  t.match(azure(403, '<html><body><p>Action:   Deny</p></body></html>'), { kind: 'deny', detail: 'Action: Deny' });
  t.equal(azure(200, '<html><body><p>Action:   Deny</p></body></html>'), null, 'a page about deny rules is not a denial');
  t.match(azure(403, 'Blocked by Azure Firewall'), { product: 'Azure Firewall', detail: 'Blocked by Azure Firewall' });
  t.equal(azure(200, 'Blocked by Azure Firewall'), null);
  t.equal(azure(403, 'Forbidden'), null);
  t.equal(azure(404, ''), null);
});

t.test('a proxy signs its own answers; the service’s answers through it stay the service’s', async (t) => {
  t.match(recogniseDevice(500, { server: 'tinyproxy/1.11.1' }, Buffer.alloc(0)), { product: 'tinyproxy', role: 'proxy', kind: 'gateway-error' }, "tinyproxy's 500 Unable to connect");
  t.match(recogniseDevice(403, { server: 'tinyproxy/1.11.1' }, Buffer.alloc(0)), { product: 'tinyproxy', kind: 'deny' }, "tinyproxy's 403 Access violation");
  t.match(recogniseDevice(503, { 'x-squid-error': 'ERR_CONNECT_FAIL 111', server: 'squid' }, Buffer.alloc(0)), { product: 'Squid', kind: 'gateway-error', detail: 'ERR_CONNECT_FAIL' });
  t.match(recogniseDevice(401, { server: 'tinyproxy/1.11.1' }, Buffer.alloc(0)), { kind: 'auth' }, "tinyproxy's answer to a wrong password");
  t.match(recogniseDevice(407, { via: '1.1 p (squid/6.10)' }, Buffer.alloc(0)), { product: 'Squid', kind: 'auth' }, 'a bare 407 named by the Via of the proxy');
  t.equal(recogniseDevice(404, { server: 'nginx' }, Buffer.alloc(0)), null, "the service's own 404 counts as reachable");
  t.equal(recogniseDevice(200, { server: 'squid' }, Buffer.alloc(0)), null, 'a success is never the proxy refusing');
  t.equal(recogniseDevice(403, { server: 'nginx', via: '1.1 p (squid/6.10)', 'x-bluecoat-via': 'a1b2' }, Buffer.alloc(0)), null, 'Via and X-BlueCoat-Via are on forwarded answers too: they never decide');
});
