/**
 * Answers written by proxies, firewalls and inspection devices, wherever they arrive: straight
 * from a transparent device, from the proxy for plain http, and inside a CONNECT tunnel the
 * proxy inspects with a CA this machine trusts. Real servers on loopback, certificates per run.
 */
import t from 'tap';
import { probeHttp } from '../../src/probers/http.js';
import { createPki } from '../../src/simulate/pki.js';
import { started, startHttpServer, type Cleanup } from '../helpers/servers.js';
import { BLOCK_PAGES, GATEWAY_ERRORS, SERVICE_ANSWERS, startInspectingProxy, type DeviceCase } from '../helpers/middleboxes.js';

const HOST = 'svc.test';
const LOOPBACK = '127.0.0.1';
const TIMEOUT_MS = 2000;

const pki = await createPki();
// Both CAs trusted, as with --ca-file naming the inspecting CA: the inspected answer gets through TLS.
const ca = [pki.trusted.cert, pki.interception.cert];
const inspected = () => pki.issue({ names: [HOST], issuer: 'interception', withChain: true });

/** A device answering directly, as a transparent device does, over http and https. */
async function direct(t: Cleanup, handler: DeviceCase['handler']) {
  const https = await started(t, startHttpServer(handler, await inspected()));
  const http = await started(t, startHttpServer(handler));
  return {
    https: { url: `https://${HOST}:${https.port}/simple/pip/`, where: `at ${LOOPBACK}:${https.port}`, authority: `${HOST}:${https.port}` },
    http: { url: `http://${HOST}:${http.port}/simple/pip/`, where: `at ${LOOPBACK}:${http.port}`, authority: `${HOST}:${http.port}` },
  };
}

t.test('direct: every block page is http-denied and names its device, over http and https', async (t) => {
  for (const [name, device] of Object.entries(BLOCK_PAGES)) {
    const { https, http } = await direct(t, device.handler);
    for (const endpoint of [https, http]) {
      const result = await probeHttp({ url: endpoint.url, address: LOOPBACK }, { timeoutMs: TIMEOUT_MS, ca });
      t.match(result, { ok: false, phase: 'http', reason: 'http-denied', cause: String(device.status) }, `${name} ${endpoint.url}`);
      t.match(result.ok ? '' : result.message, `blocked by ${device.product} (block page) for ${endpoint.url} ${endpoint.where} (HTTP ${device.status}`, `${name}: names the device, the URL and the address`);
    }
  }
});

t.test('direct: a Squid deny names its error', async (t) => {
  const { https } = await direct(t, BLOCK_PAGES.squid!.handler);
  const result = await probeHttp({ url: https.url, address: LOOPBACK }, { timeoutMs: TIMEOUT_MS, ca });
  t.match(result, { ok: false, reason: 'http-denied', message: `blocked by Squid (block page) for ${https.url} ${https.where} (HTTP 403, ERR_ACCESS_DENIED)` });
});

t.test('direct: a gateway error with a device’s markers is http-gateway-error: the device could not reach the host', async (t) => {
  for (const [name, device] of Object.entries(GATEWAY_ERRORS)) {
    const { https } = await direct(t, device.handler);
    const result = await probeHttp({ url: https.url, address: LOOPBACK }, { timeoutMs: TIMEOUT_MS, ca });
    t.match(result, { ok: false, reason: 'http-gateway-error', cause: String(device.status) }, name);
    t.match(result.ok ? '' : result.message, `${device.product} could not reach ${https.authority}: it answered GET ${https.url} ${https.where} itself (HTTP ${device.status}`, name);
  }
});

t.test('direct: the service’s own 403, 404 and 503, and a 200 that mentions a vendor, are reachable', async (t) => {
  for (const [name, answer] of Object.entries(SERVICE_ANSWERS)) {
    const { https, http } = await direct(t, answer.handler);
    for (const endpoint of [https, http]) {
      const result = await probeHttp({ url: endpoint.url, address: LOOPBACK }, { timeoutMs: TIMEOUT_MS, ca });
      t.match(result, { ok: true, details: { status: answer.status } }, `${name} ${endpoint.url}`);
    }
  }
});

/** An inspecting proxy that answers for HOST with `handler`, plain or inside the tunnel. */
async function inspectingProxy(t: Cleanup, handler: DeviceCase['handler'], refuseConnect: Record<string, string> = {}) {
  const proxy = await started(
    t,
    startInspectingProxy(() => pki.issue({ names: [HOST], issuer: 'interception', withChain: true }), { [HOST]: handler }, refuseConnect),
  );
  return { proxy, url: `http://127.0.0.1:${proxy.port}` };
}

t.test('inside an inspected tunnel: the proxy’s own Squid deny is proxy-denied, not the service answering 403', async (t) => {
  const { proxy, url } = await inspectingProxy(t, BLOCK_PAGES.squid!.handler);
  const result = await probeHttp({ url: `https://${HOST}/` }, { timeoutMs: TIMEOUT_MS, ca, proxy: { url } });
  t.match(result, { ok: false, phase: 'http', reason: 'proxy-denied', cause: '403' });
  t.equal(result.ok ? '' : result.message, `proxy ${url} (Squid) denied GET https://${HOST}/ itself inside the TLS it inspects (HTTP 403, ERR_ACCESS_DENIED)`);
  t.same(proxy.seen, [`CONNECT ${HOST}`, `GET ${HOST} tls`], 'the answer came from inside the tunnel');

  const untrusted = await probeHttp({ url: `https://${HOST}/` }, { timeoutMs: TIMEOUT_MS, ca: [pki.trusted.cert], proxy: { url } });
  t.match(untrusted, { ok: false, reason: 'tls-untrusted' }, 'without its CA, the inspection itself is what fails');
});

t.test('inside an inspected tunnel: the proxy could not reach the host', async (t) => {
  const { url } = await inspectingProxy(t, GATEWAY_ERRORS['squid-connect-fail']!.handler);
  const result = await probeHttp({ url: `https://${HOST}/` }, { timeoutMs: TIMEOUT_MS, ca, proxy: { url } });
  t.match(result, { ok: false, reason: 'proxy-gateway-error', cause: '503' });
  t.equal(result.ok ? '' : result.message, `proxy ${url} (Squid) could not reach ${HOST}:443: it answered GET https://${HOST}/ itself inside the TLS it inspects (HTTP 503, ERR_CONNECT_FAIL)`);
});

t.test('through the proxy: every device is found, a proxy’s answer is the proxy’s, a firewall’s stays the firewall’s', async (t) => {
  for (const [name, device] of Object.entries(BLOCK_PAGES)) {
    const { url } = await inspectingProxy(t, device.handler);
    for (const target of [`https://${HOST}/`, `http://${HOST}/`]) {
      const result = await probeHttp({ url: target }, { timeoutMs: TIMEOUT_MS, ca, proxy: { url } });
      if (device.role === 'proxy') {
        t.match(result, { ok: false, reason: 'proxy-denied', message: new RegExp(`^proxy ${url.replace(/\./g, '\\.')} \\(${device.product.replace(/[()]/g, '\\$&')}\\) denied GET ${target.replace(/\./g, '\\.')} itself`) }, `${name} ${target}`);
      } else {
        // A firewall behind the proxy (or the proxy product's firewall side): its allow rule is the fix.
        t.match(result, { ok: false, reason: 'http-denied', message: `blocked by ${device.product} (block page) for ${target} via proxy ${url}` }, `${name} ${target}`);
      }
    }
  }
});

t.test('through the proxy, plain http: its gateway errors are proxy-gateway-error; the service’s answers through it are reachable', async (t) => {
  for (const [name, device] of Object.entries(GATEWAY_ERRORS)) {
    const { url } = await inspectingProxy(t, device.handler);
    const result = await probeHttp({ url: `http://${HOST}/` }, { timeoutMs: TIMEOUT_MS, ca, proxy: { url } });
    t.match(result, { ok: false, reason: 'proxy-gateway-error', cause: String(device.status), message: new RegExp(`could not reach ${HOST}:80: it answered GET http://${HOST}/ itself \\(HTTP ${device.status}`) }, name);
  }
  for (const [name, answer] of Object.entries(SERVICE_ANSWERS)) {
    const { url } = await inspectingProxy(t, answer.handler);
    for (const target of [`https://${HOST}/`, `http://${HOST}/`]) {
      const result = await probeHttp({ url: target }, { timeoutMs: TIMEOUT_MS, ca, proxy: { url } });
      t.match(result, { ok: true, details: { status: answer.status } }, `${name} ${target}`);
    }
  }
});

t.test('a CONNECT refused with Squid’s headers names Squid and its error; a 503 to the CONNECT is the proxy failing to reach the host', async (t) => {
  const { url } = await inspectingProxy(t, BLOCK_PAGES.squid!.handler, {
    [HOST]: 'HTTP/1.1 403 Forbidden\r\nServer: squid/6.10\r\nX-Squid-Error: ERR_ACCESS_DENIED 0',
    'down.test': 'HTTP/1.1 503 Service Unavailable\r\nServer: squid/6.10\r\nX-Squid-Error: ERR_CONNECT_FAIL 111',
    'login.test': 'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="corp"\r\nVia: 1.1 egress (squid/6.10)',
  });
  const denied = await probeHttp({ url: `https://${HOST}/` }, { timeoutMs: TIMEOUT_MS, ca, proxy: { url } });
  t.match(denied, { ok: false, reason: 'proxy-denied', cause: '403', message: `proxy ${url} (Squid) refused to tunnel to ${HOST}:443 (HTTP 403, ERR_ACCESS_DENIED)` });
  const down = await probeHttp({ url: 'https://down.test/' }, { timeoutMs: TIMEOUT_MS, ca, proxy: { url } });
  t.match(down, { ok: false, reason: 'proxy-gateway-error', cause: '503', message: `proxy ${url} (Squid) could not reach down.test:443: it answered the CONNECT (HTTP 503, ERR_CONNECT_FAIL)` });
  const login = await probeHttp({ url: 'https://login.test/' }, { timeoutMs: TIMEOUT_MS, ca, proxy: { url } });
  t.match(login, { ok: false, reason: 'proxy-auth-required', cause: '407', message: `proxy ${url} (Squid) requires authentication for login.test:443 (HTTP 407)` });
});
