/**
 * With a web proxy configured, a bare TCP port or UDP still goes direct: no web proxy carries
 * it. A failure there is the firewall's direct egress, and its detail and fix must say so
 * rather than read like a plain direct timeout. Real loopback sockets; the proxy is never
 * dialled for these targets, so it need not exist.
 */
import { pino } from 'pino';
import t from 'tap';
import { runChecks, type RunOptions } from '../../src/runner/runner.js';
import { NO_PROXY_CONFIG, resolveProxyConfig } from '../../src/runner/proxy.js';
import { startDnsServer, type Zone } from '../../src/simulate/dns-server.js';
import { started, startDroppingListener, startSilentServer, startUdpServer, type Cleanup } from '../helpers/servers.js';
import { makeTarget } from '../helpers/target.js';
import { fixOf } from '../helpers/fixes.js';
import { loopbackNet } from '../helpers/loopback.js';

const NET = loopbackNet();
const NET_RE = NET.replace(/\./g, '\\.');

const TIMEOUT_MS = 400;
const PROXY = resolveProxyConfig(`http://${NET}.9:3128`, { NO_PROXY: 'web.test' });
const HTTP_PROXY_ONLY = resolveProxyConfig(undefined, { HTTP_PROXY: `http://${NET}.9:3128` });
const DIRECT_445 = 'allow direct outbound TCP 445 to smb.test from this subnet — it cannot go through the proxy';

async function resolver(t: Cleanup, zone: Zone) {
  const server = await startDnsServer(zone, { address: `${NET}.1` });
  t.teardown(() => server.close());
  return server.server;
}

function options(dns: Awaited<ReturnType<typeof resolver>>, overrides: Partial<RunOptions> = {}): RunOptions {
  return { concurrency: 8, timeoutMs: TIMEOUT_MS, retries: 0, deadlineMs: 10_000, dnsServers: [dns], allowLoopbackAnswers: true, proxy: PROXY, inboundFromHere: false, logger: pino({ level: 'silent' }), ...overrides };
}

t.test('a dropped SMB port behind a proxy: the detail says it went direct because no web proxy carries it, the fix is a direct egress rule', async (t) => {
  const dropping = await started(t, startDroppingListener({ address: `${NET}.2` }));
  const dns = await resolver(t, { 'smb.test': { a: [`${NET}.2`] } });
  const [proxied] = await runChecks([makeTarget('smb.test', 445)], options(dns, { dialPort: () => dropping.port }));
  t.match(proxied, { verdict: 'blocked', reason: 'tcp-timeout', phase: 'tcp', via: 'direct' });
  t.equal(proxied?.detail, `connect to ${NET}.2:${dropping.port} timed out after ${TIMEOUT_MS} ms; a web proxy cannot carry port 445, so this needs direct egress through the firewall`);
  t.same(fixOf(proxied, { proxy: PROXY }), [DIRECT_445]);

  const [noProxy] = await runChecks([makeTarget('smb.test', 445)], options(dns, { proxy: NO_PROXY_CONFIG, dialPort: () => dropping.port }));
  t.equal(noProxy?.detail, `connect to ${NET}.2:${dropping.port} timed out after ${TIMEOUT_MS} ms`, 'without a proxy, a plain direct timeout');
  t.same(fixOf(noProxy, { proxy: NO_PROXY_CONFIG }), ['allow outbound TCP 445 to smb.test']);

  const [httpOnly] = await runChecks([makeTarget('smb.test', 445)], options(dns, { proxy: HTTP_PROXY_ONLY, dialPort: () => dropping.port }));
  t.same(fixOf(httpOnly, { proxy: HTTP_PROXY_ONLY }), [DIRECT_445], 'HTTP_PROXY alone is a web proxy too');
});

t.test('behind a proxy, a reachable SMB port says why it went direct; a web port in NO_PROXY gets no such note', async (t) => {
  const open = await started(t, startSilentServer({ address: `${NET}.3` }));
  const dns = await resolver(t, { 'smb.test': { a: [`${NET}.3`] }, 'web.test': { a: [`${NET}.4`] } });
  const [smb, web] = await runChecks([makeTarget('smb.test', 445), makeTarget('web.test', 443)], options(dns, { dialPort: () => open.port }));
  t.match(smb, { verdict: 'reachable', detail: new RegExp(String.raw`^TCP connect to ${NET_RE}\.3:445 in .* \(checked directly: a web proxy cannot carry port 445\)$`) });
  t.match(web, { verdict: 'blocked', reason: 'tcp-refused', via: 'direct' });
  t.equal(web?.detail, `connect to ${NET}.4:${open.port} refused (ECONNREFUSED)`, 'a web target goes direct by NO_PROXY, not because the proxy cannot carry it');
  t.same(fixOf(web, { proxy: PROXY }), ['allow outbound TCP 443 to web.test']);
});

t.test('UDP behind a proxy: a refused port and a silent one both say it needs direct egress', async (t) => {
  const silent = await started(t, startUdpServer('silent', { address: `${NET}.5` }));
  const dns = await resolver(t, { 'closed.relay.test': { a: [`${NET}.6`] }, 'silent.relay.test': { a: [`${NET}.5`] } });
  const port = silent.port;
  const [closed, quiet] = await runChecks([makeTarget('closed.relay.test', port, {}, 'udp'), makeTarget('silent.relay.test', port, {}, 'udp')], options(dns));
  t.match(closed, { verdict: 'blocked', reason: 'udp-port-unreachable', phase: 'udp' });
  t.equal(closed?.detail, `UDP to ${NET}.6:${port} drew ICMP port unreachable (ECONNREFUSED): nothing receives on that port, or a firewall rejects it; a web proxy cannot carry UDP, so this needs direct egress through the firewall`);
  t.same(fixOf(closed, { proxy: PROXY }), [`allow direct outbound UDP ${port} to closed.relay.test from this subnet — it cannot go through the proxy`]);
  t.match(quiet, { verdict: 'warning', reason: 'udp-unverified', detail: /; a web proxy cannot carry UDP, so this needs direct egress through the firewall$/ });
  t.same(fixOf(quiet, { proxy: PROXY }), [`no UDP answer proves it either way: confirm the firewall has the rule to allow direct outbound UDP ${port} to silent.relay.test from this subnet — it cannot go through the proxy`]);
});
