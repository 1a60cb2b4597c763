import t from 'tap';
import { runChecks, type RunOptions } from '../../src/runner/runner.js';
import { NO_PROXY_CONFIG } from '../../src/runner/proxy.js';
import { startDnsServer, type Zone } from '../../src/simulate/dns-server.js';
import { createPki } from '../../src/simulate/pki.js';
import { startDroppingListener, startHttpServer, startSilentServer, respondWith, type Cleanup, type RunningServer } from '../helpers/servers.js';
import type { Target } from '../../src/model/target.js';
import { makeTarget } from '../helpers/target.js';
import { endedAtBudget, FAR_BUDGET_MS } from '../helpers/timing.js';
import { fixOf } from '../helpers/fixes.js';
import { loopbackNet } from '../helpers/loopback.js';
import { loopbackRunOptions } from '../helpers/run-options.js';

const NET = loopbackNet();
const NET_RE = NET.replace(/\./g, '\\.');

const pki = createPki();

function target(host: string, port: number, overrides: Partial<Target> = {}): Target {
  return makeTarget(host, port, overrides);
}

async function dns(t: Cleanup, zone: Zone, address = '127.0.0.1') {
  const server = await startDnsServer(zone, { address });
  t.teardown(() => server.close());
  return server;
}

async function keep<T extends RunningServer>(t: Cleanup, server: Promise<T>): Promise<T> {
  const running = await server;
  t.teardown(() => running.close());
  return running;
}

function options(servers: RunOptions['dnsServers'], overrides: Partial<RunOptions> = {}): RunOptions {
  return loopbackRunOptions(servers, pki.trusted.cert, overrides);
}

t.test('each host is resolved once per run, whatever the number of its ports', async (t) => {
  const server = await keep(t, startSilentServer({ address: `${NET}.1` }));
  const resolver = await dns(t, { 'svc.test': { a: [`${NET}.1`] } });
  const dial = (): number => server.port;
  const results = await runChecks([target('svc.test', 445), target('svc.test', 8787), target('svc.test', 18881)], options([resolver.server], { dialPort: dial }));
  t.same(
    results.map((r) => r.verdict),
    ['reachable', 'reachable', 'reachable'],
  );
  t.same(resolver.queries.map((q) => q.type).sort(), ['A', 'AAAA'], 'one A and one AAAA query in all');
});

t.test('a dropped port times out and is retried once before it counts as blocked', async (t) => {
  const dropping = await keep(t, startDroppingListener({ address: `${NET}.2` }));
  const resolver = await dns(t, { 'drop.test': { a: [`${NET}.2`] } });
  const [once] = await runChecks([target('drop.test', 445)], options([resolver.server], { dialPort: () => dropping.port }));
  t.match(once, { verdict: 'blocked', reason: 'tcp-timeout', phase: 'tcp', attempts: 1 });
  const [twice] = await runChecks([target('drop.test', 445)], options([resolver.server], { dialPort: () => dropping.port, retries: 1 }));
  t.match(twice, { verdict: 'blocked', reason: 'tcp-timeout', attempts: 2 });
  t.ok((twice?.timings.tcp ?? 0) >= 700, 'both tries waited out their budget');
  t.same(fixOf(twice, { proxy: NO_PROXY_CONFIG }), ['allow outbound TCP 445 to drop.test'], 'a drop is fixed by an allow rule');
});

t.test('the deadline ends the run on time and marks what did not finish', async (t) => {
  const dropping = await keep(t, startDroppingListener({ address: `${NET}.3` }));
  const web = await keep(t, startHttpServer(respondWith(200, 'ok'), pki.issue({ names: ['ok.test'] }), { address: `${NET}.4` }));
  const resolver = await dns(t, { 'slow.test': { a: [`${NET}.3`] }, 'ok.test': { a: [`${NET}.4`] } });
  const started = performance.now();
  const results = await runChecks(
    [target('ok.test', 443), target('slow.test', 445)],
    // The deadline leaves a healthy HTTPS check (DNS, TCP, TLS, HTTP) time to finish on a loaded
    // two-core machine; 300 ms did not always, nor 2 s at load 26. The dropped port would take the far phase timeout.
    options([resolver.server], { timeoutMs: FAR_BUDGET_MS, deadlineMs: 5000, dialPort: (p) => (p === 445 ? dropping.port : web.port) }),
  );
  const elapsed = performance.now() - started;
  t.ok(endedAtBudget(elapsed, 5000), `returned ${Math.round(elapsed)} ms after a 5 s deadline`);
  t.match(results[0], { verdict: 'reachable' });
  t.match(results[1], { verdict: 'unknown', reason: 'aborted', detail: 'not finished: the 5s deadline came first' });
});

t.test('an interrupt ends the run early and the same way', async (t) => {
  const dropping = await keep(t, startDroppingListener({ address: `${NET}.5` }));
  const resolver = await dns(t, { 'slow.test': { a: [`${NET}.5`] } });
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 200);
  const [result] = await runChecks([target('slow.test', 445)], options([resolver.server], { timeoutMs: 5000, signal: controller.signal, dialPort: () => dropping.port }));
  t.match(result, { verdict: 'unknown', reason: 'aborted', detail: 'not finished: the run was interrupted' });
});

t.test('a name whose resource has a private endpoint must resolve privately; other names may resolve publicly', async (t) => {
  const resolver = await dns(t, {
    'st1.blob.core.windows.net': { cname: 'st1.privatelink.blob.core.windows.net' },
    'st1.privatelink.blob.core.windows.net': { a: [`${NET}.6`] },
    'pypi.org': { a: [`${NET}.7`] },
  });
  const own = target('st1.blob.core.windows.net', 445, { privateName: 'storage', mustResolvePrivately: true });
  const [result] = await runChecks([own], options([resolver.server]));
  t.match(result, { verdict: 'blocked', reason: 'dns-not-private', phase: 'dns' });
  t.match(result?.detail, new RegExp(String.raw`resolves to public ${NET_RE}\.6 via st1\.privatelink\.blob\.core\.windows\.net`));
  t.match(result?.detail, /privatelink zone answers with a public record/);
  t.match(fixOf(result, { proxy: NO_PROXY_CONFIG })?.[0], /privatelink zone/);
  const [publicHost] = await runChecks([target('pypi.org', 445)], options([resolver.server], { dialPort: () => 1 }));
  t.not(publicHost?.reason, 'dns-not-private', 'public services may resolve publicly');
  const [serviceEndpoint] = await runChecks([{ ...own, mustResolvePrivately: false }], options([resolver.server], { dialPort: () => 1 }));
  t.not(serviceEndpoint?.reason, 'dns-not-private', 'storage reached over a service endpoint may resolve publicly');
});

t.test('a name a DNS filter answers with addresses no service can have is blocked dns-sinkholed at DNS, with a DNS fix and nothing dialled', async (t) => {
  const resolver = await dns(t, {
    'pypi.org': { a: ['0.0.0.0'], aaaa: ['::'] },
    'files.pythonhosted.org': { a: ['127.0.0.1'] },
    'docs.test': { a: ['192.0.2.1'], aaaa: ['2001:db8::1'] },
  });
  const events: string[] = [];
  const trace = (subject: string, phase: string): void => {
    events.push(`${subject} ${phase}`);
  };
  const targets = [target('pypi.org', 443), target('files.pythonhosted.org', 443), target('docs.test', 445)];
  // No loopback allowance: this run is a real check, where a loopback answer is a sinkhole's.
  const [pypi, files, docs] = await runChecks(targets, options([resolver.server], { allowLoopbackAnswers: false, trace, dialPort: () => 1 }));
  t.match(pypi, { verdict: 'blocked', reason: 'dns-sinkholed', phase: 'dns' });
  t.match(pypi?.detail, /^127\.0\.0\.1:\d+ answered pypi\.org with 0\.0\.0\.0 \(this network\), :: \(unspecified\): a DNS filter or sinkhole, not the service$/);
  t.same(
    fixOf(pypi, { proxy: NO_PROXY_CONFIG }),
    ["allow pypi.org on the DNS filter that answered for it (the resolver's block list, a DNS security policy or DNS firewall), or use a resolver that does not filter it; a firewall rule cannot fix a DNS answer"],
    'a DNS fix, no allow rule',
  );
  t.match(pypi?.phases.dns?.details, { addresses: [], sinkholed: ['0.0.0.0', '::'] });
  t.match(files, { verdict: 'blocked', reason: 'dns-sinkholed', detail: /with 127\.0\.0\.1 \(loopback\)/ });
  t.match(docs, { verdict: 'blocked', reason: 'dns-sinkholed', detail: /with 192\.0\.2\.1 \(documentation \(TEST-NET-1\)\), 2001:db8::1 \(documentation\)/ });
  for (const result of [pypi, files, docs]) t.same(result?.phases.tcp, [], `${result?.host}: no TCP phase`);
  t.same(
    events.filter((e) => !e.endsWith(' dns')),
    [],
    'nothing but DNS happened',
  );
});

t.test('a loopback address asked for by itself, and loopback where the run serves on loopback, are no sinkhole', async (t) => {
  const server = await keep(t, startSilentServer({ address: `${NET}.17` }));
  const resolver = await dns(t, { 'served.test': { a: [`${NET}.17`] }, 'zero.test': { a: ['0.0.0.0'] } });
  const [literal] = await runChecks([target(`${NET}.17`, 445)], options([resolver.server], { allowLoopbackAnswers: false, dialPort: () => server.port }));
  t.match(literal, { verdict: 'reachable' }, 'an IP literal is what the user asked for');
  const [served, zero] = await runChecks([target('served.test', 445), target('zero.test', 445)], options([resolver.server], { dialPort: () => server.port }));
  t.match(served, { verdict: 'reachable' }, 'loopback from a loopback resolver, with the allowance');
  t.match(zero, { verdict: 'blocked', reason: 'dns-sinkholed' }, 'the allowance covers loopback only');
});

t.test('an answer that mixes service and sinkhole addresses: only the plausible ones are dialled, the others named in a warning', async (t) => {
  const server = await keep(t, startSilentServer({ address: `${NET}.18` }));
  const resolver = await dns(t, { 'mixed.test': { a: [`${NET}.18`, '0.0.0.0'], aaaa: ['fe80::1'] } });
  const [mixed] = await runChecks([target('mixed.test', 445)], options([resolver.server], { dialPort: () => server.port }));
  t.match(mixed, { verdict: 'warning', phase: 'dns', reason: null });
  t.same(
    mixed?.phases.tcp.map((r) => r.details.address),
    [`${NET}.18`],
    'only the plausible address is dialled',
  );
  t.match(mixed?.warnings, [new RegExp(String.raw`^127\.0\.0\.1:\d+ also answered mixed\.test with 0\.0\.0\.0 \(this network\), fe80::1 \(link-local\): addresses no service can have, from a DNS filter or sinkhole; only ${NET_RE}\.18 was dialled$`)]);
});

t.test('with a private endpoint, a loopback answer is a sinkhole, not a public address', async (t) => {
  const resolver = await dns(t, { 'st1.blob.core.windows.net': { cname: 'st1.privatelink.blob.core.windows.net' }, 'st1.privatelink.blob.core.windows.net': { a: ['127.0.0.1'] } });
  const own = target('st1.blob.core.windows.net', 445, { privateName: 'storage', mustResolvePrivately: true });
  const [result] = await runChecks([own], options([resolver.server], { allowLoopbackAnswers: false }));
  t.match(result, { verdict: 'blocked', reason: 'dns-sinkholed', phase: 'dns' });
  t.match(result?.detail, /answered st1\.blob\.core\.windows\.net \(alias of st1\.privatelink\.blob\.core\.windows\.net\) with 127\.0\.0\.1 \(loopback\): a DNS filter or sinkhole/);
  t.match(fixOf(result, { proxy: NO_PROXY_CONFIG }), [/^allow st1\.blob\.core\.windows\.net on the DNS filter/]);
});

t.test('a bug inside a check is contained to its target: unknown, never reachable, and the run goes on', async (t) => {
  const server = await keep(t, startSilentServer({ address: `${NET}.31` }));
  const resolver = await dns(t, { 'bug.test': { a: [`${NET}.31`] }, 'fine.test': { a: [`${NET}.31`] } });
  const dialPort = (port: number): number => {
    if (port === 1111) throw new Error('injected fault');
    return server.port;
  };
  const results = await runChecks([target('bug.test', 1111), target('fine.test', 445)], options([resolver.server], { dialPort }));
  t.match(results[0], { verdict: 'unknown', reason: 'internal-error', detail: /injected fault/ });
  t.match(results[1], { verdict: 'reachable' });
});

t.test('resolvers that disagree make a warning, naming what each said', async (t) => {
  const server = await keep(t, startSilentServer({ address: `${NET}.8` }));
  const first = await dns(t, { 'svc.test': { a: [`${NET}.8`] } }, `${NET}.9`);
  const second = await dns(t, { 'svc.test': { rcode: 'NXDOMAIN' } }, `${NET}.10`);
  const [result] = await runChecks([target('svc.test', 445)], options([first.server, second.server], { dialPort: () => server.port }));
  t.match(result, { verdict: 'warning', phase: 'dns' });
  t.match(result?.warnings[0], /DNS servers disagree/);
  t.match(result?.warnings[0], new RegExp(String.raw`${NET_RE}\.10:\d+ said dns-nxdomain`));
});

t.test('every address is tried; one dead address of two is a warning, all dead is blocked', async (t) => {
  const server = await keep(t, startSilentServer({ address: `${NET}.11` }));
  const resolver = await dns(t, { 'two.test': { a: [`${NET}.11`, `${NET}.12`] }, 'dead.test': { a: [`${NET}.12`, `${NET}.13`] } });
  const [two, dead] = await runChecks([target('two.test', 445), target('dead.test', 445)], options([resolver.server], { dialPort: () => server.port }));
  t.equal(two?.phases.tcp.length, 2);
  t.match(two, { verdict: 'warning' });
  t.match(two?.warnings[0], new RegExp(String.raw`1 of 2 addresses failed: connect to ${NET_RE}\.12:\d+ refused`));
  t.match(dead, { verdict: 'blocked', reason: 'tcp-refused' });
  t.equal(dead?.phases.tcp.length, 2);
});

t.test('https targets go DNS, TCP, TLS, HTTP and record every phase', async (t) => {
  const web = await keep(t, startHttpServer(respondWith(404, 'nope'), pki.issue({ names: ['web.test'] }), { address: `${NET}.14` }));
  const resolver = await dns(t, { 'web.test': { a: [`${NET}.14`] } });
  const [result] = await runChecks([target('web.test', 443, { path: '/x/y/' })], options([resolver.server], { dialPort: () => web.port }));
  t.match(result, { verdict: 'reachable', reason: null, via: 'direct' });
  t.ok(result?.phases.dns?.ok && result.phases.tls?.ok && result.phases.http?.ok);
  t.equal(result?.phases.http?.details.status, 404, 'any status from the service counts as reachable');
  t.equal(web.requests[0]?.url, '/x/y/', 'the catalog path is requested');
  t.equal(web.requests[0]?.servername, 'web.test', 'SNI is the host, though we dial the address');
  t.ok(['dns', 'tcp', 'tls', 'http', 'total'].every((k) => typeof (result?.timings as Record<string, number>)[k] === 'number'));
});

t.test('skipped and inbound targets are reported without a single packet', async (t) => {
  const resolver = await dns(t, {});
  const skipped = target('gcr.io', 443, { skipped: { reason: 'arc-extension is opt-in', flag: '--features arc-extension' } });
  const inbound = target(`${NET}.15`, 29876, { direction: 'inbound' });
  const results = await runChecks([skipped, inbound], options([resolver.server]));
  t.match(results[0], { verdict: 'skipped', detail: 'arc-extension is opt-in (add --features arc-extension)' });
  t.match(results[1], { verdict: 'skipped', detail: /inbound ports are checked from outside the node/ });
  t.equal(resolver.queries.length, 0);
});

t.test('inbound ports are dialled when checking from outside the node', async (t) => {
  const node = await keep(t, startSilentServer({ address: `${NET}.16` }));
  const resolver = await dns(t, {});
  const inbound = target(`${NET}.16`, 29876, { direction: 'inbound', features: ['inbound-management'] });
  const [open] = await runChecks([inbound], options([resolver.server], { inboundFromHere: true, dialPort: () => node.port }));
  t.match(open, { verdict: 'reachable', detail: new RegExp(String.raw`inbound port 29876 on ${NET_RE}\.16 accepted a connection from here`) });
  const [closed] = await runChecks([inbound], options([resolver.server], { inboundFromHere: true, dialPort: () => 1 }));
  t.match(closed, { verdict: 'blocked', reason: 'tcp-refused' });
  t.equal(resolver.queries.length, 0, 'an address needs no DNS');
  const byName = await dns(t, { 'node.test': { a: [`${NET}.16`] } });
  const [named] = await runChecks([target('node.test', 29876, { direction: 'inbound' })], options([byName.server], { inboundFromHere: true, dialPort: () => node.port }));
  t.match(named, { verdict: 'reachable' }, 'a node given by name is resolved first');
});

t.test('a chain trusted only through a CA this run added is reported as TLS inspection, one resting on a public root is not', async (t) => {
  const web = await keep(t, startHttpServer(respondWith(200, 'ok'), pki.issue({ names: ['inspected.test'] }), { address: `${NET}.17` }));
  const resolver = await dns(t, { 'inspected.test': { a: [`${NET}.17`] } });
  const run = (publicRoots: string[]) => runChecks([target('inspected.test', 443)], options([resolver.server], { dialPort: () => web.port, publicRoots }));
  const [inspected] = await run([]);
  t.match(inspected, { verdict: 'warning', phase: 'tls' });
  t.match(inspected?.warnings[0], /re-signed by "CN=aml-netcheck Simulated Azure Root CA", trusted only through a CA added to this machine/);
  t.match(inspected?.phases.tls?.details, { trustAnchor: { subject: 'CN=aml-netcheck Simulated Azure Root CA', publicRoot: false } });
  const [vouched] = await run([pki.trusted.cert]);
  t.match(vouched, { verdict: 'reachable', warnings: [] }, 'a chain resting on a public root is no inspection');
  t.match(vouched?.phases.tls?.details, { trustAnchor: { publicRoot: true } });
});

t.test('connection attempts that only wait do not queue behind --concurrency', async (t) => {
  const dropping = await keep(t, startDroppingListener({ address: `${NET}.18` }));
  const zone: Zone = {};
  const targets = Array.from({ length: 6 }, (_, i) => {
    zone[`drop-${i}.test`] = { a: [`${NET}.18`] };
    return target(`drop-${i}.test`, 445);
  });
  const resolver = await dns(t, zone);
  const started = performance.now();
  const results = await runChecks(targets, options([resolver.server], { concurrency: 1, timeoutMs: 1500, dialPort: () => dropping.port }));
  const elapsed = performance.now() - started;
  t.ok(results.every((r) => r.reason === 'tcp-timeout'));
  // Queued one at a time they would take six timeouts (9 s); waiting together, about one, and a
  // loaded machine's slack still tells them apart.
  t.ok(endedAtBudget(elapsed, 1500), `six dropped ports with --concurrency 1 took ${Math.round(elapsed)} ms`);
});

t.test('a throw or a rejection inside a prober’s event handler is that target’s internal-error; the run and the other targets go on', async (t) => {
  const web = await keep(t, startHttpServer(respondWith(200, 'ok'), pki.issue({ names: ['web.test', 'web2.test'] }), { address: `${NET}.32` }));
  const resolver = await dns(t, { 'web.test': { a: [`${NET}.32`] }, 'web2.test': { a: [`${NET}.32`] }, 'named.test': { a: [`${NET}.32`] } });
  const seen: string[] = [];
  const trace = (subject: string, phase: string, event: string): void | Promise<void> => {
    seen.push(`${subject} ${phase} ${event}`);
    if (subject === 'web.test:443' && phase === 'tcp' && event === 'connect') throw new Error('handler bug');
    if (subject === 'web2.test:443' && phase === 'tls' && event === 'secureConnect') return Promise.reject(new Error('async bug'));
    if (subject === 'named.test' && phase === 'dns') throw new Error('dns bug');
  };
  const targets = [target('web.test', 443), target('web2.test', 443), target('named.test', 443), target('named.test', 8443), target('web.test', 80)];
  const plain = await keep(t, startHttpServer(respondWith(200, 'ok'), undefined, { address: `${NET}.32` }));
  const results = await runChecks(targets, options([resolver.server], { trace, dialPort: (port) => (port === 80 ? plain.port : web.port) }));
  t.match(results[0], { verdict: 'unknown', reason: 'internal-error', phase: 'tcp', detail: /handler bug/ });
  t.match(results[1], { verdict: 'unknown', reason: 'internal-error', phase: 'tls', detail: /async bug/ });
  t.match(results[2], { verdict: 'unknown', reason: 'internal-error', phase: 'dns', detail: /dns bug/ });
  t.match(results[3], { verdict: 'unknown', reason: 'internal-error', phase: 'dns' }, 'every target of the host shares its resolution, and its verdict');
  t.match(results[4], { verdict: 'reachable' }, 'another port of the same host is unaffected');
  t.ok(
    seen.some((line) => line.startsWith('web.test:80 http ')),
    'the trace sees HTTP events too',
  );
});

t.test('a bug on one of several addresses is the target’s internal-error, not a note beside the working one', async (t) => {
  const server = await keep(t, startSilentServer({ address: `${NET}.33` }));
  const resolver = await dns(t, { 'two.test': { a: [`${NET}.33`, `${NET}.34`] } });
  const trace = (_subject: string, phase: string, event: string): void => {
    if (phase === 'tcp' && event === 'dial' && seen++ === 1) throw new Error('bug on the second address');
  };
  let seen = 0;
  const [result] = await runChecks([target('two.test', 445)], options([resolver.server], { trace, dialPort: () => server.port }));
  t.match(result, { verdict: 'unknown', reason: 'internal-error', detail: /bug on the second address/ });
});
