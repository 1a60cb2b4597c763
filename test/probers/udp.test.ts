import dgram from 'node:dgram';
import t from 'tap';
import { classifyUdpError, udpVerdict } from '../../src/probers/classify/udp.js';
import { probeUdp } from '../../src/probers/udp.js';
import { endedAtBudget, FAR_BUDGET_MS, HEALTHY_BUDGET_MS, LOAD_SLACK_MS } from '../helpers/timing.js';

/** Client sockets and timers alive now: what a probe must give back when it ends. */
function openHandles(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'UDPWrap' || kind === 'Timeout').length;
}

async function handlesBackTo(before: number): Promise<boolean> {
  for (let waited = 0; waited < 2000; waited += 20) {
    if (openHandles() <= before) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return openHandles() <= before;
}

type Teardown = { teardown(fn: () => unknown): void };

/** A UDP server on loopback that echoes (or, when `echo` is false, only counts) what it gets. */
async function udpServer(t: Teardown, family: 'udp4' | 'udp6', echo: boolean): Promise<{ port: number; received: Buffer[] }> {
  const received: Buffer[] = [];
  const server = dgram.createSocket(family);
  server.on('message', (message, from) => {
    received.push(message);
    if (echo) server.send(message, from.port, from.address);
  });
  await new Promise<void>((resolve) => server.bind(0, family === 'udp4' ? '127.0.0.1' : '::1', () => resolve()));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: server.address().port, received };
}

/** A port that was just free: binding and closing it leaves it unused. */
async function closedUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

t.test('an answering port is reachable: the reply proves the path', async (t) => {
  const server = await udpServer(t, 'udp4', true);
  const before = openHandles();
  const result = await probeUdp({ address: '127.0.0.1', port: server.port }, { timeoutMs: HEALTHY_BUDGET_MS, payload: Buffer.from('ping') });
  t.equal(result.ok, true);
  t.equal(result.phase, 'udp');
  t.match(result.details, { address: '127.0.0.1', port: server.port, localAddress: '127.0.0.1', datagramsSent: 1, replyBytes: 4, icmpError: null });
  t.type(result.details.localPort, 'number');
  t.same(server.received.map(String), ['ping'], 'one datagram was enough');
  t.same(udpVerdict(result), { verdict: 'reachable', reason: null });
  t.ok(await handlesBackTo(before), 'socket and retry timers closed', { left: process.getActiveResourcesInfo() });
});

t.test('IPv6 loopback works the same', async (t) => {
  const server = await udpServer(t, 'udp6', true);
  const result = await probeUdp({ address: '::1', port: server.port }, { timeoutMs: HEALTHY_BUDGET_MS });
  t.equal(result.ok, true);
  t.equal(result.details.localAddress, '::1');
});

t.test('a closed port draws ICMP port unreachable from the kernel: blocked, udp-port-unreachable', async (t) => {
  const port = await closedUdpPort();
  const before = openHandles();
  const result = await probeUdp({ address: '127.0.0.1', port }, { timeoutMs: HEALTHY_BUDGET_MS });
  t.equal(result.ok, false);
  if (result.ok) return;
  t.equal(result.reason, 'udp-port-unreachable');
  t.equal(result.cause, 'ECONNREFUSED');
  t.equal(result.message, `UDP to 127.0.0.1:${port} drew ICMP port unreachable (ECONNREFUSED): nothing receives on that port, or a firewall rejects it`);
  t.match(result.details, { datagramsSent: 1, replyBytes: null, icmpError: 'ECONNREFUSED' });
  t.ok(result.ms < 1000, `the ICMP answer ends the probe at once, not at the deadline (${result.ms} ms)`);
  t.same(udpVerdict(result), { verdict: 'blocked', reason: 'udp-port-unreachable' });
  t.ok(await handlesBackTo(before), 'socket and retry timers closed', { left: process.getActiveResourcesInfo() });
});

t.test('a server that reads and never answers leaves the port unverified: a warning, never reachable', async (t) => {
  const server = await udpServer(t, 'udp4', false);
  const before = openHandles();
  const started = performance.now();
  const result = await probeUdp({ address: '127.0.0.1', port: server.port }, { timeoutMs: 450, tries: 3 });
  const took = performance.now() - started;
  t.equal(result.ok, false);
  if (result.ok) return;
  t.equal(result.reason, 'udp-unverified');
  t.equal(result.cause, null);
  t.equal(result.message, `no answer from UDP 127.0.0.1:${server.port} to 3 datagram(s) within 450 ms: silence proves neither an open port nor a firewall that drops it`);
  t.equal(server.received.length, 3, 'every try went out, spread within the budget');
  t.ok(endedAtBudget(took, 450), `ended at the budget (${Math.round(took)} ms)`);
  t.same(udpVerdict(result), { verdict: 'warning', reason: 'udp-unverified' });
  t.ok(await handlesBackTo(before), 'socket and retry timers closed', { left: process.getActiveResourcesInfo() });
});

t.test("the caller's abort stops a silent exchange as aborted, with no verdict", async (t) => {
  const server = await udpServer(t, 'udp4', false);
  const before = openHandles();
  const controller = new AbortController();
  const pending = probeUdp({ address: '127.0.0.1', port: server.port }, { timeoutMs: FAR_BUDGET_MS, signal: controller.signal });
  setTimeout(() => controller.abort(), 100);
  const started = performance.now();
  const result = await pending;
  t.ok(performance.now() - started < LOAD_SLACK_MS, 'ended at the abort, not the budget');
  t.equal(result.ok, false);
  if (result.ok) return;
  t.equal(result.reason, 'aborted');
  t.match(result.message, new RegExp(`^UDP exchange with 127\\.0\\.0\\.1:${server.port} aborted after \\d+ ms$`));
  t.same(udpVerdict(result), { verdict: 'unknown', reason: 'aborted' });
  t.ok(await handlesBackTo(before), 'socket and retry timers closed', { left: process.getActiveResourcesInfo() });
  const received = server.received.length;
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.equal(server.received.length, received, 'no try goes out after the abort');
});

t.test('an already aborted signal sends nothing', async (t) => {
  const server = await udpServer(t, 'udp4', true);
  const result = await probeUdp({ address: '127.0.0.1', port: server.port }, { timeoutMs: HEALTHY_BUDGET_MS, signal: AbortSignal.abort() });
  t.equal(result.ok ? null : result.reason, 'aborted');
  t.equal(server.received.length, 0);
});

t.test('names are refused: the runner resolves once and dials the address', async (t) => {
  await t.rejects(probeUdp({ address: 'localhost', port: 53 }, { timeoutMs: 100 }), /dials IP addresses, not names/);
  await t.rejects(probeUdp({ address: '127.0.0.1', port: 0 }, { timeoutMs: 100 }), /port must be an integer/);
  await t.rejects(probeUdp({ address: '127.0.0.1', port: 53 }, { timeoutMs: 100, tries: 0 }), /tries must be a positive integer/);
});

t.test('errno to reason: ICMP answers against errors that never left this machine', async (t) => {
  const cases: Array<[string | null, 'icmp' | 'local', string]> = [
    ['ECONNREFUSED', 'icmp', 'udp-port-unreachable'],
    ['EHOSTUNREACH', 'icmp', 'udp-prohibited'],
    ['ENETUNREACH', 'icmp', 'udp-prohibited'],
    ['EPERM', 'local', 'udp-prohibited'],
    ['ENETUNREACH', 'local', 'udp-unreachable'],
    ['EHOSTUNREACH', 'local', 'udp-unreachable'],
    ['EMSGSIZE', 'local', 'udp-failed'],
    [null, 'icmp', 'udp-failed'],
  ];
  for (const [code, origin, reason] of cases) t.equal(classifyUdpError(code, origin), reason, `${code} from ${origin}`);
});
