import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import t, { type Test } from 'tap';
import type { Phase, PhaseResult } from '../../src/model/phases.js';
import { internalErrorOf, type Trace } from '../../src/probers/contract.js';
import { DNS_TRACE_EVENTS, resolveHost } from '../../src/probers/dns.js';
import { HTTP_TRACE_EVENTS, probeHttp } from '../../src/probers/http.js';
import { probeTcp, TCP_TRACE_EVENTS } from '../../src/probers/tcp.js';
import { probeTls, TLS_TRACE_EVENTS } from '../../src/probers/tls.js';
import { startDnsServer } from '../../src/simulate/dns-server.js';
import { createPki } from '../../src/simulate/pki.js';
import { closedPort, closesWithin, respondWith, started, startDroppingListener, startHangUpServer, startHttpServer, startProxy, startTlsServer, type Cleanup } from '../helpers/servers.js';
import { HEALTHY_BUDGET_MS } from '../helpers/timing.js';

// A bug in a prober must end as an internal-error result of its phase, never as a crash, a
// hang or a success. Every trace event is a place where our code runs; each one is made to
// throw, then to reject, against real servers on loopback.

const HOST = 'svc.test';
const SHORT_MS = 200;
const pki = await createPki();
const ca = [pki.trusted.cert];
const credentials = await pki.issue({ names: [HOST] });

const escaped: unknown[] = [];
const onEscape = (error: unknown): void => {
  escaped.push(error);
};
process.on('uncaughtException', onEscape);
process.on('unhandledRejection', onEscape);
t.teardown(() => {
  process.off('uncaughtException', onEscape);
  process.off('unhandledRejection', onEscape);
});

/** Client sockets and timers alive now: what a probe must give back when it ends. */
function openHandles(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'TCPSocketWrap' || kind === 'UDPWrap' || kind === 'Timeout').length;
}

async function handlesBackTo(before: number): Promise<boolean> {
  for (let waited = 0; waited < 2000; waited += 20) {
    if (openHandles() <= before) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return openHandles() <= before;
}

function recording(events: string[]): Trace {
  return (event) => {
    events.push(event);
  };
}

/** Fails at the first occurrence of `at`: a throw, or a rejected promise. */
function faultAt(at: string, how: 'throw' | 'reject'): Trace {
  let fired = false;
  return (event) => {
    if (event !== at || fired) return;
    fired = true;
    const error = new Error(`injected fault at ${event}`);
    if (how === 'throw') throw error;
    return Promise.reject(error);
  };
}

interface Scenario {
  readonly name: string;
  readonly phase: Phase;
  /** What the messages must name: the address or URL probed. */
  readonly target: string;
  readonly run: (trace?: Trace) => Promise<PhaseResult<unknown>>;
  /** The outcome without a fault: ok, or the reason. */
  readonly expected: true | string;
}

/**
 * Never answers, but reads, so it sees the client hang up and lets go of its side: the handle
 * count then shows the probe's own sockets only.
 */
async function quietServer(t: Cleanup): Promise<{ port: number }> {
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.address() as net.AddressInfo).port };
}

const outcome = (result: PhaseResult<unknown>): true | string => (result.ok ? true : result.reason);

/** Runs the scenario clean, then with a fault at each event it emitted; returns the events. */
async function injectFaults(t: Test, scenario: Scenario): Promise<string[]> {
  const events: string[] = [];
  const clean = await scenario.run(recording(events));
  t.equal(outcome(clean), scenario.expected, `${scenario.name}: clean run`);
  t.ok(events.length > 0, `${scenario.name}: traced ${events.join(', ')}`);
  await handlesBackTo(openHandles());
  const before = openHandles();

  for (const event of new Set(events)) {
    for (const how of ['throw', 'reject'] as const) {
      const label = `${scenario.name}: ${how} at ${event}`;
      const t0 = performance.now();
      const result = await scenario.run(faultAt(event, how));
      const t1 = performance.now();
      t.match(result, { ok: false, reason: 'internal-error', phase: scenario.phase }, label);
      if (!result.ok) {
        t.match(result.message, `in the ${scenario.phase} phase`, `${label}: names the phase`);
        t.match(result.message, scenario.target, `${label}: names the target`);
        t.match(result.message, `injected fault at ${event}`, `${label}: names the error`);
        t.equal(result.cause, 'Error', `${label}: keeps the kind of error`);
        t.match(internalErrorOf(result), { message: `injected fault at ${event}` }, `${label}: keeps the error`);
        t.notMatch(JSON.stringify(result), 'stack', `${label}: the report shape is unchanged`);
      }
      t.ok(await handlesBackTo(before), `${label}: sockets and timers closed`, { left: process.getActiveResourcesInfo(), before });
      if (process.env.FAULT_TIMING) t.comment(`${label}: ${Math.round(t1 - t0)} ms, closed after ${Math.round(performance.now() - t1)} ms`);
    }
  }
  t.equal(outcome(await scenario.run()), scenario.expected, `${scenario.name}: still works afterwards`);
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.same(escaped, [], `${scenario.name}: nothing escaped as uncaught`);
  return events;
}

/**
 * The scenarios emit exactly the events the prober declares, so a new handler cannot skip
 * the hook unnoticed; `unreached` names declared events no loopback server can provoke.
 */
async function declaredEvents(t: Test, declared: readonly string[], scenarios: Scenario[], unreached: readonly string[] = []): Promise<void> {
  const seen = new Set<string>(unreached);
  for (const scenario of scenarios) for (const event of await injectFaults(t, scenario)) seen.add(event);
  t.same([...seen].sort(), [...declared].sort(), 'every declared event is emitted, and only those');
}

t.test('tcp', async (t) => {
  const listening = await started(t, startHttpServer(respondWith(200, 'ok')));
  const dropping = await started(t, startDroppingListener());
  const refused = await closedPort();
  const tcp = (name: string, port: number, expected: true | string, timeoutMs = 2000): Scenario => ({
    name,
    phase: 'tcp',
    target: `127.0.0.1:${port}`,
    expected,
    run: (trace) => probeTcp({ address: '127.0.0.1', port }, { timeoutMs, trace }),
  });
  await declaredEvents(t, TCP_TRACE_EVENTS, [tcp('connects', listening.port, true), tcp('refused', refused, 'tcp-refused'), tcp('dropped', dropping.port, 'tcp-timeout', SHORT_MS)]);
});

t.test('tls', async (t) => {
  const good = await started(t, startTlsServer(credentials));
  const reset = await started(t, startHangUpServer('reset'));
  const closing = await started(t, startHangUpServer('close'));
  const silent = await quietServer(t);
  const handshake = (name: string, port: number, expected: true | string, timeoutMs = 2000): Scenario => ({
    name,
    phase: 'tls',
    target: `127.0.0.1:${port}`,
    expected,
    run: (trace) => probeTls({ host: HOST, address: '127.0.0.1', port }, { timeoutMs, ca, trace }),
  });
  await declaredEvents(
    t,
    TLS_TRACE_EVENTS,
    [
      handshake('verified', good.port, true),
      handshake('reset', reset.port, 'tls-reset'),
      handshake('closed', closing.port, 'tls-reset'),
      handshake('silent', silent.port, 'tls-timeout', SHORT_MS),
      // Node reports a peer hanging up mid-handshake as an error before the close.
    ],
    ['close'],
  );
});

/** A DNS server whose UDP answers are all truncated, and whose TCP side refuses or hangs up. */
async function truncatingServer(t: Cleanup, tcp: 'refuse' | 'hang-up'): Promise<{ address: string; port: number }> {
  const udp = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', () => resolve()));
  const port = udp.address().port;
  udp.on('message', (message, peer) => {
    const query = dnsPacket.decode(message);
    const answer = dnsPacket.encode({ type: 'response', id: query.id, flags: dnsPacket.TRUNCATED_RESPONSE, questions: query.questions });
    udp.send(answer, peer.port, peer.address);
  });
  t.teardown(() => new Promise<void>((resolve) => udp.close(() => resolve())));
  if (tcp === 'hang-up') {
    const server = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
    t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  }
  return { address: '127.0.0.1', port };
}

t.test('dns', async (t) => {
  const zone = await startDnsServer({ 'svc.test': { a: ['10.0.0.1'] }, 'big.test': { truncate: true, a: ['10.0.0.2'] }, 'silent.test': { drop: true } });
  t.teardown(() => zone.close());
  const refusedUdp = await closedUdpPort();
  const refusing = await truncatingServer(t, 'refuse');
  const hangingUp = await truncatingServer(t, 'hang-up');
  const lookup = (name: string, host: string, server: { address: string; port: number }, expected: true | string, timeoutMs = 2000): Scenario => ({
    name,
    phase: 'dns',
    target: host,
    expected,
    run: (trace) => resolveHost({ host }, { servers: [server], timeoutMs, trace }),
  });
  await declaredEvents(t, DNS_TRACE_EVENTS, [
    lookup('answers', 'svc.test', zone.server, true),
    lookup('truncated, then TCP', 'big.test', zone.server, true),
    lookup('truncated, TCP refused', 'svc.test', refusing, 'dns-failed'),
    lookup('truncated, TCP hung up', 'svc.test', hangingUp, 'dns-failed'),
    lookup('closed UDP port', 'svc.test', { address: '127.0.0.1', port: refusedUdp }, 'dns-failed'),
    lookup('silent', 'silent.test', zone.server, 'dns-timeout', SHORT_MS),
  ]);
});

async function closedUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const port = socket.address().port;
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

t.test('http, direct', async (t) => {
  const plain = await started(t, startHttpServer(respondWith(200, 'ok')));
  const secure = await started(t, startHttpServer(respondWith(404, 'no such thing'), credentials));
  const hangUp = await started(t, startHangUpServer('reset'));
  const silent = await quietServer(t);
  const refused = await closedPort();
  const request = (name: string, url: string, expected: true | string, timeoutMs = 2000): Scenario => ({
    name,
    phase: 'http',
    target: url,
    expected,
    run: (trace) => probeHttp({ url, address: '127.0.0.1' }, { timeoutMs, ca, trace }),
  });
  await declaredEvents(t, HTTP_TRACE_EVENTS.direct, [
    request('plain http', `http://${HOST}:${plain.port}/`, true),
    request('https', `https://${HOST}:${secure.port}/`, true),
    request('refused', `http://${HOST}:${refused}/`, 'tcp-refused'),
    request('reset in the handshake', `https://${HOST}:${hangUp.port}/`, 'tls-reset'),
    request('silent', `http://${HOST}:${silent.port}/`, 'http-timeout', SHORT_MS),
  ]);
});

t.test('http, through a proxy', async (t) => {
  const service = await started(t, startHttpServer(respondWith(200, 'ok'), credentials));
  const proxy = await started(t, startProxy({ routes: { [`${HOST}:${service.port}`]: service.port } }));
  const silent = await quietServer(t);
  const viaProxy = (name: string, proxyPort: number, expected: true | string, timeoutMs = 2000): Scenario => ({
    name,
    phase: 'http',
    target: `https://${HOST}:${service.port}/`,
    expected,
    run: (trace) => probeHttp({ url: `https://${HOST}:${service.port}/` }, { timeoutMs, ca, proxy: { url: `http://127.0.0.1:${proxyPort}` }, trace }),
  });
  await declaredEvents(t, HTTP_TRACE_EVENTS.proxy, [viaProxy('tunnelled', proxy.port, true), viaProxy('proxy never answers CONNECT', silent.port, 'http-timeout', SHORT_MS)]);
});

t.test('the ctx.socket handed in is closed when a fault ends the phase', async (t) => {
  const good = await started(t, startTlsServer(credentials));
  const socket = net.connect({ host: '127.0.0.1', port: good.port });
  await new Promise((resolve) => socket.once('connect', resolve));
  const result = await probeTls({ host: HOST, address: '127.0.0.1', port: good.port }, { timeoutMs: HEALTHY_BUDGET_MS, ca, socket, trace: faultAt('handshake', 'throw') });
  t.match(result, { ok: false, reason: 'internal-error', phase: 'tls' });
  t.equal(await closesWithin(socket, 1000), true);
});
