import dgram from 'node:dgram';
import t from 'tap';
import { isPrivateAddress, parseServerSpec, resolveHost } from '../../src/probers/dns.js';
import { startDnsServer, type Zone } from '../../src/simulate/dns-server.js';
import type { Cleanup } from '../helpers/servers.js';
import { endedAtBudget, FAR_BUDGET_MS, HEALTHY_BUDGET_MS, LOAD_SLACK_MS } from '../helpers/timing.js';

const TIMEOUT_MS = 300;

async function dnsServer(t: Cleanup, zone: Zone) {
  const started = await startDnsServer(zone);
  t.teardown(() => started.close());
  return started;
}

function endpoint(server: { address: string; port: number }): string {
  return `${server.address}:${server.port}`;
}

t.test('returns A and AAAA addresses and the server that answered', async (t) => {
  const dns = await dnsServer(t, { 'svc.test': { a: ['10.1.2.3', '10.1.2.4'], aaaa: ['fd00::5'] } });
  const result = await resolveHost({ host: 'svc.test' }, { servers: [dns.server], timeoutMs: HEALTHY_BUDGET_MS });
  t.equal(result.ok, true);
  t.equal(result.phase, 'dns');
  t.same(result.details.addresses, ['10.1.2.3', '10.1.2.4', 'fd00::5']);
  t.equal(result.details.answeredBy, endpoint(dns.server));
  t.equal(result.details.ipLiteral, false);
  t.equal(result.details.serversDisagree, false);
  t.same(result.details.cnameChain, []);
  t.equal(result.details.servers.length, 1);
  t.match(result.details.servers[0], { ok: true, rcode: 'NOERROR', transport: 'udp', reason: null });
  t.same(dns.queries.map((query) => `${query.type} ${query.name} ${query.transport}`).sort(), ['A svc.test udp', 'AAAA svc.test udp']);
});

t.test('records the CNAME chain a recursive server returns', async (t) => {
  const dns = await dnsServer(t, {
    'ws.blob.core.windows.net': { cname: 'ws.privatelink.blob.core.windows.net' },
    'ws.privatelink.blob.core.windows.net': { cname: 'blob.abc.store.core.windows.net' },
    'blob.abc.store.core.windows.net': { a: ['20.60.1.2'] },
  });
  const result = await resolveHost({ host: 'ws.blob.core.windows.net' }, { servers: [dns.server], timeoutMs: HEALTHY_BUDGET_MS });
  t.equal(result.ok, true);
  t.same(result.details.cnameChain, ['ws.privatelink.blob.core.windows.net', 'blob.abc.store.core.windows.net']);
  t.same(result.details.addresses, ['20.60.1.2']);
  // The server resolved the whole chain for A, so one A query was enough.
  t.equal(dns.queries.filter((query) => query.type === 'A').length, 1);
});

t.test('follows a CNAME the server did not resolve itself', async (t) => {
  const dns = await dnsServer(t, {
    'alias.test': { cname: 'target.test', chase: false },
    'target.test': { a: ['10.9.9.9'] },
  });
  const result = await resolveHost({ host: 'alias.test' }, { servers: [dns.server], timeoutMs: HEALTHY_BUDGET_MS });
  t.equal(result.ok, true);
  t.same(result.details.cnameChain, ['target.test']);
  t.same(result.details.addresses, ['10.9.9.9']);
  t.ok(dns.queries.some((query) => query.name === 'target.test' && query.type === 'A'));
});

t.test('NXDOMAIN', async (t) => {
  const dns = await dnsServer(t, {});
  const result = await resolveHost({ host: 'missing.test' }, { servers: [dns.server], timeoutMs: HEALTHY_BUDGET_MS });
  t.equal(result.ok, false);
  if (result.ok) return;
  t.equal(result.reason, 'dns-nxdomain');
  t.equal(result.cause, 'NXDOMAIN');
  t.match(result.message, endpoint(dns.server));
  t.match(result.message, 'missing.test does not exist');
  t.equal(result.details.answeredBy, endpoint(dns.server));
});

t.test('NXDOMAIN at the end of a CNAME chain keeps the chain (missing private DNS zone record)', async (t) => {
  const dns = await dnsServer(t, {
    'ws.blob.core.windows.net': { cname: 'ws.privatelink.blob.core.windows.net' },
    'ws.privatelink.blob.core.windows.net': { rcode: 'NXDOMAIN' },
  });
  const result = await resolveHost({ host: 'ws.blob.core.windows.net' }, { servers: [dns.server], timeoutMs: HEALTHY_BUDGET_MS });
  t.equal(result.ok, false);
  if (result.ok) return;
  t.equal(result.reason, 'dns-nxdomain');
  t.same(result.details.cnameChain, ['ws.privatelink.blob.core.windows.net']);
  t.match(result.message, 'alias of ws.privatelink.blob.core.windows.net');
});

t.test('NOERROR without any address is no-data', async (t) => {
  const dns = await dnsServer(t, { 'empty.test': {} });
  const result = await resolveHost({ host: 'empty.test' }, { servers: [dns.server], timeoutMs: HEALTHY_BUDGET_MS });
  t.equal(result.ok, false);
  if (result.ok) return;
  t.equal(result.reason, 'dns-no-data');
  t.equal(result.cause, 'NOERROR');
  t.match(result.message, 'no A or AAAA record for empty.test');
});

t.test('an IPv6-only name resolves', async (t) => {
  const dns = await dnsServer(t, { 'six.test': { aaaa: ['fd12::1'] } });
  const result = await resolveHost({ host: 'six.test' }, { servers: [dns.server], timeoutMs: HEALTHY_BUDGET_MS });
  t.equal(result.ok, true);
  t.same(result.details.addresses, ['fd12::1']);
});

t.test('SERVFAIL and REFUSED', async (t) => {
  const dns = await dnsServer(t, { 'broken.test': { rcode: 'SERVFAIL' }, 'private.test': { rcode: 'REFUSED' } });
  const broken = await resolveHost({ host: 'broken.test' }, { servers: [dns.server], timeoutMs: HEALTHY_BUDGET_MS });
  t.match(broken, { ok: false, reason: 'dns-servfail', cause: 'SERVFAIL' });
  const refused = await resolveHost({ host: 'private.test' }, { servers: [dns.server], timeoutMs: HEALTHY_BUDGET_MS });
  t.match(refused, { ok: false, reason: 'dns-refused', cause: 'REFUSED' });
  t.match(!refused.ok && refused.message, `${endpoint(dns.server)} refused to resolve private.test`);
});

t.test('a server that never answers times out within the budget', async (t) => {
  const dns = await dnsServer(t, { 'silent.test': { drop: true } });
  // Long enough that a busy machine does not stall the halfway resend past the deadline.
  const budgetMs = 1_000;
  const started = performance.now();
  const result = await resolveHost({ host: 'silent.test' }, { servers: [dns.server], timeoutMs: budgetMs });
  const took = performance.now() - started;
  t.equal(result.ok, false);
  if (result.ok) return;
  t.equal(result.reason, 'dns-timeout');
  t.equal(result.message, `no answer from ${endpoint(dns.server)} for silent.test within ${budgetMs} ms`);
  t.ok(endedAtBudget(took, budgetMs), `took ${Math.round(took)} ms`);
  t.equal(result.details.answeredBy, null);
  // The UDP query is resent once within the budget.
  t.ok(dns.queries.filter((query) => query.type === 'A').length >= 2);
});

t.test('a truncated UDP answer is fetched again over TCP', async (t) => {
  const dns = await dnsServer(t, { 'big.test': { truncate: true, a: ['10.0.0.1', '10.0.0.2'] } });
  const result = await resolveHost({ host: 'big.test' }, { servers: [dns.server], timeoutMs: HEALTHY_BUDGET_MS });
  t.equal(result.ok, true);
  t.same(result.details.addresses, ['10.0.0.1', '10.0.0.2']);
  t.equal(result.details.servers[0]?.transport, 'tcp');
  t.ok(dns.queries.some((query) => query.transport === 'tcp' && query.type === 'A'));
});

t.test('ignores answers whose id does not match the query', async (t) => {
  const dns = await dnsServer(t, { 'decoy.test': { a: ['10.4.4.4'], decoyFirst: true } });
  const result = await resolveHost({ host: 'decoy.test' }, { servers: [dns.server], timeoutMs: HEALTHY_BUDGET_MS });
  t.equal(result.ok, true);
  t.same(result.details.addresses, ['10.4.4.4']);
});

t.test('servers that disagree are flagged, and the first one wins', async (t) => {
  const custom = await dnsServer(t, { 'ws.api.azureml.ms': { a: ['10.0.0.7'] } });
  const publicDns = await dnsServer(t, { 'ws.api.azureml.ms': { a: ['20.43.1.1'] } });
  const result = await resolveHost({ host: 'ws.api.azureml.ms' }, { servers: [custom.server, publicDns.server], timeoutMs: HEALTHY_BUDGET_MS });
  t.equal(result.ok, true);
  t.equal(result.details.serversDisagree, true);
  t.equal(result.details.answeredBy, endpoint(custom.server));
  t.same(result.details.addresses, ['10.0.0.7']);
  t.same(
    result.details.servers.map((answer) => [answer.server, answer.addresses]),
    [
      [endpoint(custom.server), ['10.0.0.7']],
      [endpoint(publicDns.server), ['20.43.1.1']],
    ],
  );
});

t.test('one server with the name and one with NXDOMAIN also disagree', async (t) => {
  const withZone = await dnsServer(t, { 'ws.api.azureml.ms': { a: ['10.0.0.7'] } });
  const withoutZone = await dnsServer(t, {});
  const result = await resolveHost({ host: 'ws.api.azureml.ms' }, { servers: [withoutZone.server, withZone.server], timeoutMs: HEALTHY_BUDGET_MS });
  t.equal(result.ok, false);
  if (result.ok) return;
  t.equal(result.reason, 'dns-nxdomain');
  t.equal(result.details.serversDisagree, true);
  t.equal(result.details.answeredBy, endpoint(withoutZone.server));
  t.same(result.details.servers[1]?.addresses, ['10.0.0.7']);
});

t.test('servers that agree are not flagged, whatever the order of addresses', async (t) => {
  const one = await dnsServer(t, { 'svc.test': { a: ['10.0.0.1', '10.0.0.2'] } });
  const two = await dnsServer(t, { 'svc.test': { a: ['10.0.0.2', '10.0.0.1'] } });
  const result = await resolveHost({ host: 'svc.test' }, { servers: [one.server, two.server], timeoutMs: HEALTHY_BUDGET_MS });
  t.equal(result.ok, true);
  t.equal(result.details.serversDisagree, false);
});

t.test('a failing first server falls through to the next, as a stub resolver does', async (t) => {
  const broken = await dnsServer(t, { 'svc.test': { rcode: 'SERVFAIL' } });
  const good = await dnsServer(t, { 'svc.test': { a: ['10.0.0.9'] } });
  const result = await resolveHost({ host: 'svc.test' }, { servers: [broken.server, good.server], timeoutMs: HEALTHY_BUDGET_MS });
  t.equal(result.ok, true);
  t.equal(result.details.answeredBy, endpoint(good.server));
  t.equal(result.details.serversDisagree, false);
  t.match(result.details.servers[0], { ok: false, reason: 'dns-servfail' });
});

t.test('when every server fails, the first one decides the reason and all are named', async (t) => {
  const silent = await dnsServer(t, { 'svc.test': { drop: true } });
  const refusing = await dnsServer(t, { 'svc.test': { rcode: 'REFUSED' } });
  const result = await resolveHost({ host: 'svc.test' }, { servers: [silent.server, refusing.server], timeoutMs: TIMEOUT_MS });
  t.equal(result.ok, false);
  if (result.ok) return;
  t.equal(result.reason, 'dns-timeout');
  t.match(result.message, endpoint(silent.server));
  t.match(result.message, endpoint(refusing.server));
  t.equal(result.details.answeredBy, null);
});

t.test('an IP literal is returned without asking any server', async (t) => {
  const dns = await dnsServer(t, {});
  const v4 = await resolveHost({ host: '10.1.1.1' }, { servers: [dns.server], timeoutMs: HEALTHY_BUDGET_MS });
  t.match(v4, { ok: true, details: { ipLiteral: true, addresses: ['10.1.1.1'], servers: [] } });
  const v6 = await resolveHost({ host: '[fd00::1]' }, { servers: [dns.server], timeoutMs: HEALTHY_BUDGET_MS });
  t.match(v6, { ok: true, details: { ipLiteral: true, addresses: ['fd00::1'] } });
  t.equal(dns.queries.length, 0);
});

t.test('aborting stops the lookup promptly', async (t) => {
  const dns = await dnsServer(t, { 'silent.test': { drop: true } });
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 50);
  const started = performance.now();
  const result = await resolveHost({ host: 'silent.test' }, { servers: [dns.server], timeoutMs: FAR_BUDGET_MS, signal: controller.signal });
  t.ok(performance.now() - started < LOAD_SLACK_MS, 'ended at the abort, not the budget');
  t.match(result, { ok: false, reason: 'aborted' });

  const already = await resolveHost({ host: 'silent.test' }, { servers: [dns.server], timeoutMs: 5000, signal: AbortSignal.abort() });
  t.match(already, { ok: false, reason: 'aborted' });
});

t.test('a closed DNS port fails fast or times out, never throws', async (t) => {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const port = socket.address().port;
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  const result = await resolveHost({ host: 'svc.test' }, { servers: [{ address: '127.0.0.1', port }], timeoutMs: TIMEOUT_MS });
  t.equal(result.ok, false);
  if (result.ok) return;
  t.equal(result.reason, 'dns-failed');
  t.equal(result.cause, 'ECONNREFUSED');
  t.match(result.message, `127.0.0.1:${port}`);
});

t.test('no servers at all is a dns-failed result, not a throw', async (t) => {
  const result = await resolveHost({ host: 'svc.test' }, { servers: [], timeoutMs: TIMEOUT_MS });
  t.match(result, { ok: false, reason: 'dns-failed' });
});

t.test('parseServerSpec reads the forms dns.getServers() returns', async (t) => {
  t.same(parseServerSpec('10.0.0.2'), { address: '10.0.0.2', port: 53 });
  t.same(parseServerSpec('10.0.0.2:5353'), { address: '10.0.0.2', port: 5353 });
  t.same(parseServerSpec('fd00::53'), { address: 'fd00::53', port: 53 });
  t.same(parseServerSpec('[fd00::53]:1053'), { address: 'fd00::53', port: 1053 });
  t.same(parseServerSpec('[fd00::53]'), { address: 'fd00::53', port: 53 });
  t.equal(parseServerSpec('dns.example'), null);
  t.equal(parseServerSpec('[10.0.0.1]:53'), null);
});

t.test('isPrivateAddress', async (t) => {
  const privateOnes = ['10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.1.1', '100.64.0.1', '100.127.255.254', 'fd00::1', 'fc00::1', '::ffff:10.1.2.3'];
  const publicOnes = ['172.32.0.1', '172.15.255.255', '100.128.0.1', '8.8.8.8', '20.60.1.2', '127.0.0.1', 'fe80::1', '2001:db8::1', 'not-an-ip', ''];
  for (const ip of privateOnes) t.equal(isPrivateAddress(ip), true, ip);
  for (const ip of publicOnes) t.equal(isPrivateAddress(ip), false, ip);
});

/** What DNS filters and sinkholes answer, one of each class, A and AAAA. */
const SINKHOLE_ANSWERS: Array<[string, { a?: string[]; aaaa?: string[] }, string]> = [
  ['unspecified', { a: ['0.0.0.0'], aaaa: ['::'] }, '0.0.0.0 (this network), :: (unspecified)'],
  ['loopback', { a: ['127.0.0.1'], aaaa: ['::1'] }, '127.0.0.1 (loopback), ::1 (loopback)'],
  ['link-local', { a: ['169.254.169.254'], aaaa: ['fe80::1'] }, '169.254.169.254 (link-local), fe80::1 (link-local)'],
  ['broadcast and multicast', { a: ['255.255.255.255', '224.0.0.1'], aaaa: ['ff02::1'] }, '255.255.255.255 (limited broadcast), 224.0.0.1 (multicast), ff02::1 (multicast)'],
  ['reserved', { a: ['240.0.0.1'] }, '240.0.0.1 (reserved)'],
  ['documentation', { a: ['192.0.2.1', '198.51.100.1', '203.0.113.1'], aaaa: ['2001:db8::1'] }, '192.0.2.1 (documentation (TEST-NET-1)), 198.51.100.1 (documentation (TEST-NET-2)), 203.0.113.1 (documentation (TEST-NET-3)), 2001:db8::1 (documentation)'],
  ['benchmarking', { a: ['198.18.0.1'], aaaa: ['2001:2::1'] }, '198.18.0.1 (benchmarking), 2001:2::1 (benchmarking)'],
  ['IPv4-mapped', { aaaa: ['::ffff:0.0.0.0', '::ffff:127.0.0.1'] }, '::ffff:0.0.0.0 (this network), ::ffff:127.0.0.1 (loopback)'],
  ['AAAA only', { aaaa: ['::'] }, ':: (unspecified)'],
];

t.test('an answer of special-use addresses only is dns-sinkholed, whatever their class', async (t) => {
  const zone: Zone = Object.fromEntries(SINKHOLE_ANSWERS.map(([label, records], i) => [`s${i}.test`, records]));
  const dns = await dnsServer(t, zone);
  for (const [i, [label, , named]] of SINKHOLE_ANSWERS.entries()) {
    const result = await resolveHost({ host: `s${i}.test` }, { servers: [dns.server], timeoutMs: HEALTHY_BUDGET_MS });
    t.match(result, { ok: false, reason: 'dns-sinkholed', phase: 'dns', cause: 'NOERROR' }, label);
    if (!result.ok) t.equal(result.message, `${endpoint(dns.server)} answered s${i}.test with ${named}: a DNS filter or sinkhole, not the service`, `${label}: names the server and the addresses`);
    t.same(result.details.addresses, [], `${label}: nothing to dial`);
  }
});

t.test('loopback answers are the service only with the allowance, and only from a resolver on loopback', async (t) => {
  const dns = await dnsServer(t, { 'served.test': { a: ['127.0.80.40'], aaaa: ['::1'] }, 'zero.test': { a: ['0.0.0.0'] } });
  const allowed = await resolveHost({ host: 'served.test' }, { servers: [dns.server], timeoutMs: HEALTHY_BUDGET_MS, allowLoopbackAnswers: true });
  t.match(allowed, { ok: true, details: { addresses: ['127.0.80.40', '::1'], sinkholed: [] } });
  const zero = await resolveHost({ host: 'zero.test' }, { servers: [dns.server], timeoutMs: HEALTHY_BUDGET_MS, allowLoopbackAnswers: true });
  t.match(zero, { ok: false, reason: 'dns-sinkholed' }, '0.0.0.0 stays a sinkhole');
});

t.test('a mixed answer keeps the plausible addresses to dial and the others apart', async (t) => {
  const dns = await dnsServer(t, { 'mixed.test': { a: ['10.1.1.1', '0.0.0.0'], aaaa: ['::', 'fd00::1'] } });
  const result = await resolveHost({ host: 'mixed.test' }, { servers: [dns.server], timeoutMs: HEALTHY_BUDGET_MS });
  t.match(result, { ok: true, details: { addresses: ['10.1.1.1', 'fd00::1'], sinkholed: ['0.0.0.0', '::'] } });
  t.match(result.details.servers[0], { addresses: ['10.1.1.1', '0.0.0.0', '::', 'fd00::1'], sinkholed: ['0.0.0.0', '::'] }, 'the server answer keeps everything it said');
});
