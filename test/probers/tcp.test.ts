import net from 'node:net';
import t from 'tap';
import { classifyTcpError } from '../../src/probers/classify/tcp.js';
import { connectTcp, probeTcp } from '../../src/probers/tcp.js';
import { closedPort, closesWithin, started, startDroppingListener } from '../helpers/servers.js';
import { endedAtBudget, HEALTHY_BUDGET_MS } from '../helpers/timing.js';

const TIMEOUT_MS = 300;

/** An echo server that remembers when its client went away. */
async function echoServer(t: { teardown(fn: () => unknown): void }) {
  const closed: boolean[] = [];
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.pipe(socket);
    socket.on('close', () => closed.push(true));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.address() as net.AddressInfo).port, closed };
}

t.test('connects and hands over a live socket', async (t) => {
  const server = await echoServer(t);
  const connection = await connectTcp({ address: '127.0.0.1', port: server.port }, { timeoutMs: HEALTHY_BUDGET_MS });
  t.equal(connection.result.ok, true);
  t.equal(connection.result.phase, 'tcp');
  t.match(connection.result.details, { address: '127.0.0.1', port: server.port, localAddress: '127.0.0.1' });
  t.type(connection.result.details.localPort, 'number');
  const socket = connection.socket;
  if (socket === null) throw new Error('expected a socket');
  t.teardown(() => socket.destroy());
  const echoed = new Promise<string>((resolve) => socket.once('data', (data: Buffer) => resolve(data.toString())));
  socket.write('ping');
  t.equal(await echoed, 'ping');
});

t.test('probeTcp closes the connection it opened', async (t) => {
  const server = await echoServer(t);
  const result = await probeTcp({ address: '127.0.0.1', port: server.port }, { timeoutMs: HEALTHY_BUDGET_MS });
  t.equal(result.ok, true);
  for (let waited = 0; server.closed.length === 0 && waited < 5000; waited += 10) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  t.same(server.closed, [true], 'the server saw the client hang up');
});

t.test('a port nobody listens on is refused', async (t) => {
  const port = await closedPort();
  const connection = await connectTcp({ address: '127.0.0.1', port }, { timeoutMs: HEALTHY_BUDGET_MS });
  t.equal(connection.socket, null);
  const { result } = connection;
  t.equal(result.ok, false);
  if (result.ok) return;
  t.equal(result.reason, 'tcp-refused');
  t.equal(result.cause, 'ECONNREFUSED');
  t.equal(result.message, `connect to 127.0.0.1:${port} refused (ECONNREFUSED)`);
  t.same(result.details, { address: '127.0.0.1', port, localAddress: null, localPort: null });
});

t.test('a listener that drops SYNs times out within the budget', async (t) => {
  const server = await started(t, startDroppingListener());
  const startedAt = performance.now();
  const result = await probeTcp({ address: '127.0.0.1', port: server.port }, { timeoutMs: TIMEOUT_MS });
  const took = performance.now() - startedAt;
  t.equal(result.ok, false);
  if (result.ok) return;
  t.equal(result.reason, 'tcp-timeout');
  t.equal(result.cause, null);
  t.equal(result.message, `connect to 127.0.0.1:${server.port} timed out after ${TIMEOUT_MS} ms`);
  t.ok(endedAtBudget(took, TIMEOUT_MS), `took ${Math.round(took)} ms`);
  t.ok(result.ms >= TIMEOUT_MS - 20);
});

t.test('IPv6 loopback works and is named in brackets', async (t) => {
  const port = await closedPort();
  const result = await probeTcp({ address: '::1', port }, { timeoutMs: HEALTHY_BUDGET_MS });
  t.equal(result.ok, false);
  if (result.ok) return;
  // Where IPv6 is disabled the kernel says the address is not available instead.
  t.ok(['tcp-refused', 'tcp-unreachable'].includes(result.reason), result.reason);
  t.match(result.message, `[::1]:${port}`);
});

t.test('aborting stops a pending connect and frees the socket', async (t) => {
  const server = await started(t, startDroppingListener());
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 50);
  const connection = await connectTcp({ address: '127.0.0.1', port: server.port }, { timeoutMs: 5000, signal: controller.signal });
  t.equal(connection.socket, null);
  t.match(connection.result, { ok: false, reason: 'aborted' });
  t.ok(connection.result.ms < 1000);

  const already = await connectTcp({ address: '127.0.0.1', port: server.port }, { timeoutMs: 5000, signal: AbortSignal.abort() });
  t.match(already.result, { ok: false, reason: 'aborted' });
});

t.test('a socket reset after the hand-over does not crash the process', async (t) => {
  const server = net.createServer((socket) => {
    setTimeout(() => socket.resetAndDestroy(), 100);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const connection = await connectTcp({ address: '127.0.0.1', port: (server.address() as net.AddressInfo).port }, { timeoutMs: HEALTHY_BUDGET_MS });
  t.equal(connection.result.ok, true);
  const socket = connection.socket;
  if (socket === null) throw new Error('expected a socket');
  // Nobody listens for errors here on purpose; the reset must not become an uncaught exception.
  t.equal(await closesWithin(socket, 2000), true);
});

t.test('no timers are left behind', async (t) => {
  const server = await echoServer(t);
  const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
  const before = timers();
  await probeTcp({ address: '127.0.0.1', port: server.port }, { timeoutMs: 60_000 });
  await probeTcp({ address: '127.0.0.1', port: await closedPort() }, { timeoutMs: 60_000 });
  t.equal(timers(), before);
});

t.test('names are rejected: resolving is the DNS phase’s job', async (t) => {
  await t.rejects(async () => connectTcp({ address: 'localhost', port: 80 }, { timeoutMs: 100 }), TypeError);
  await t.rejects(async () => connectTcp({ address: '127.0.0.1', port: 0 }, { timeoutMs: 100 }), TypeError);
  await t.rejects(async () => connectTcp({ address: '127.0.0.1', port: 80 }, { timeoutMs: 0 }), RangeError);
});

t.test('classifyTcpError', async (t) => {
  const table: Array<[string | null, string]> = [
    ['ECONNREFUSED', 'tcp-refused'],
    ['ETIMEDOUT', 'tcp-timeout'],
    ['EHOSTUNREACH', 'tcp-unreachable'],
    ['ENETUNREACH', 'tcp-unreachable'],
    ['EADDRNOTAVAIL', 'tcp-unreachable'],
    ['ECONNRESET', 'tcp-failed'],
    ['EACCES', 'tcp-failed'],
    [null, 'tcp-failed'],
  ];
  for (const [code, reason] of table) t.equal(classifyTcpError(code), reason, String(code));
});
