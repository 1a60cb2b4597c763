/**
 * IPv6 through the whole runner, on real loopback sockets: AAAA answers from a DNS server of
 * the test, TCP, TLS and HTTP over `::1`, and names with one live family and one dead one.
 * `::1` is shared with the machine, so its side always binds a free port first; the IPv4
 * side then takes the same port on an address only this file uses (127.0.66.0/24).
 */
import t from 'tap';
import { runChecks, type RunOptions } from '../../src/runner/runner.js';
import { NO_PROXY_CONFIG, resolveProxyConfig } from '../../src/runner/proxy.js';
import { startDnsServer, type Zone } from '../../src/simulate/dns-server.js';
import { createPki } from '../../src/simulate/pki.js';
import { respondWith, started, startDroppingListener, startHttpServer, startProxy, type Cleanup } from '../helpers/servers.js';
import { makeTarget } from '../helpers/target.js';
import { fixOf } from '../helpers/fixes.js';
import { loopbackRunOptions } from '../helpers/run-options.js';

const pki = createPki();
const V6 = '::1';
const TIMEOUT_MS = 400;

async function resolver(t: Cleanup, zone: Zone) {
  const server = await startDnsServer(zone, { address: '127.0.66.1' });
  t.teardown(() => server.close());
  return server.server;
}

function options(dns: Awaited<ReturnType<typeof resolver>> | null, overrides: Partial<RunOptions> = {}): RunOptions {
  return loopbackRunOptions(dns === null ? [] : [dns], pki.trusted.cert, { timeoutMs: TIMEOUT_MS, ...overrides });
}

/** An HTTPS server for `name`, answering 404 as a real service without credentials might. */
function web(t: Cleanup, name: string, address: string, port?: number) {
  return started(t, startHttpServer(respondWith(404, 'nope'), pki.issue({ names: [name] }), { address, ...(port === undefined ? {} : { port }) }));
}

t.test('an AAAA-only name is checked over IPv6 like an A name: TCP, TLS with SNI, HTTP with the Host header', async (t) => {
  const server = await web(t, 'v6.test', V6);
  const dns = await resolver(t, { 'v6.test': { aaaa: [V6] } });
  const [result] = await runChecks([makeTarget('v6.test', 443, { path: '/x' })], options(dns, { dialPort: () => server.port }));
  t.match(result, { verdict: 'reachable', reason: null, warnings: [] });
  t.same(result?.phases.dns?.ok && result.phases.dns.details.addresses, [V6], 'the AAAA answer is the address');
  t.same(
    result?.phases.tcp.map((r) => [r.ok, r.details.address]),
    [[true, V6]],
  );
  t.match(result?.detail, /^HTTP 404 from \[::1\]:443 over TLSv1\.3, certificate issued by /);
  t.same(
    server.requests.map((r) => [r.servername, r.host, r.url]),
    [['v6.test', `v6.test:${server.port}`, '/x']],
    'SNI and Host name the host, never the address',
  );
});

t.test('a dual-stack name is dialled on both families', async (t) => {
  const v6 = await web(t, 'dual.test', V6);
  await web(t, 'dual.test', '127.0.66.2', v6.port);
  const dns = await resolver(t, { 'dual.test': { a: ['127.0.66.2'], aaaa: [V6] } });
  const [result] = await runChecks([makeTarget('dual.test', 443)], options(dns, { dialPort: () => v6.port }));
  t.match(result, { verdict: 'reachable', warnings: [] });
  t.same(
    result?.phases.tcp.map((r) => [r.ok, r.details.address]),
    [
      [true, '127.0.66.2'],
      [true, V6],
    ],
    'both addresses connected, A first',
  );
});

t.test('IPv4 dead, IPv6 alive: a warning naming the dead family, not blocked', async (t) => {
  const v6 = await web(t, 'v4dead.test', V6);
  // Nothing listens on 127.0.66.3: the IPv4 address refuses.
  const dns = await resolver(t, { 'v4dead.test': { a: ['127.0.66.3'], aaaa: [V6] } });
  const [result] = await runChecks([makeTarget('v4dead.test', 443)], options(dns, { dialPort: () => v6.port }));
  t.match(result, { verdict: 'warning', reason: null, phase: 'tcp' });
  t.same(fixOf(result, { proxy: NO_PROXY_CONFIG }), [], 'a warning with no reason has nothing to fix');
  t.match(result?.detail, /^HTTP 404 from \[::1\]:443 over TLS/, 'TLS and HTTP went over the address that works');
  t.same(result?.warnings, [`IPv4 is blocked: connect to 127.0.66.3:${v6.port} refused (ECONNREFUSED); IPv6 [::1]:${v6.port} works — clients that try IPv4 first are turned away and fall back at once`]);
  t.same(
    result?.phases.tcp.map((r) => [r.details.address, r.ok ? 'ok' : r.reason]),
    [
      ['127.0.66.3', 'tcp-refused'],
      [V6, 'ok'],
    ],
  );
});

t.test('IPv6 dropped, IPv4 alive: a warning that clients preferring IPv6 wait for the timeout', async (t) => {
  const dropping = await started(t, startDroppingListener({ address: V6 }));
  await web(t, 'v6dead.test', '127.0.66.4', dropping.port);
  const dns = await resolver(t, { 'v6dead.test': { a: ['127.0.66.4'], aaaa: [V6] } });
  const [result] = await runChecks([makeTarget('v6dead.test', 443)], options(dns, { dialPort: () => dropping.port }));
  t.match(result, { verdict: 'warning', reason: null, phase: 'tcp' });
  t.same(fixOf(result, { proxy: NO_PROXY_CONFIG }), []);
  t.match(result?.detail, /^HTTP 404 from 127\.0\.66\.4:443 over TLS/);
  t.same(result?.warnings, [`IPv6 is blocked: connect to [::1]:${dropping.port} timed out after ${TIMEOUT_MS} ms; IPv4 127.0.66.4:${dropping.port} works — clients that try IPv6 first wait for the timeout before falling back`]);
});

t.test('both families dead: blocked, the detail naming each address’s own failure', async (t) => {
  const dropping = await started(t, startDroppingListener({ address: V6 }));
  const dns = await resolver(t, { 'dead.test': { a: ['127.0.66.5'], aaaa: [V6] }, 'same.test': { a: ['127.0.66.5', '127.0.66.6'] } });
  const [dead, same] = await runChecks([makeTarget('dead.test', 443), makeTarget('same.test', 445)], options(dns, { dialPort: () => dropping.port }));
  t.match(dead, { verdict: 'blocked', reason: 'tcp-refused', phase: 'tcp', warnings: [] });
  t.equal(dead?.detail, `connect to 127.0.66.5:${dropping.port} refused (ECONNREFUSED); connect to [::1]:${dropping.port} timed out after ${TIMEOUT_MS} ms`);
  t.same(fixOf(dead, { proxy: NO_PROXY_CONFIG }), ['allow outbound TCP 443 to dead.test']);
  t.equal(same?.detail, `connect to 127.0.66.5:${dropping.port} refused (ECONNREFUSED); the same for 127.0.66.6:${dropping.port}`, 'the same failure everywhere is said once');
});

t.test('an IPv6 literal through a proxy is asked for in brackets', async (t) => {
  const server = await web(t, '::1', '127.0.0.1');
  const proxy = await started(t, startProxy({ routes: { '[::1]:443': server.port } }));
  const target = makeTarget(V6, 443, { id: '[::1]:443' });
  const [result] = await runChecks([target], options(null, { proxy: resolveProxyConfig(`http://127.0.0.1:${proxy.port}`, {}) }));
  t.same(
    proxy.seen.map((s) => `${s.method} ${s.target}`),
    ['CONNECT [::1]:443'],
  );
  t.match(result, { verdict: 'reachable', via: 'proxy', detail: /^HTTP 404 from ::1 through proxy / });
});
