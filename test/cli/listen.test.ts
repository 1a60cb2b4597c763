import net from 'node:net';
import t from 'tap';
import { CLI } from '../helpers/cli.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loopbackNet } from '../helpers/loopback.js';

/** The ports below are fixed, so the addresses are this run's own. */
const NET = loopbackNet();

function listen(args: string[]): { child: ChildProcess; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [CLI, 'listen', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return { child, done: new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr }))) };
}

async function connectSoon(port: number, address: string): Promise<void> {
  // Polls until the command listens: it prints nothing before its report. The bound is generous for a loaded machine.
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ port, host: address });
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing listened on ${address}:${port}`);
}

t.test('listen records who connected to each port and exits 1 when a port saw nobody', async (t) => {
  const run = listen(['--ports', '39871,39872', '--address', `${NET}.1`, '--duration', '3s', '-o', 'json']);
  await connectSoon(39871, `${NET}.1`);
  const { code, stdout } = await run.done;
  const report = JSON.parse(stdout) as { ports: Array<{ port: number; listening: boolean; connections: Array<{ from: string }> }>; exitCode: number };
  t.equal(code, 1);
  t.equal(report.exitCode, 1);
  t.match(report.ports[0], { port: 39871, listening: true });
  t.ok((report.ports[0]?.connections.length ?? 0) >= 1);
  t.match(report.ports[0]?.connections[0]?.from, /^127\.0\.0\.1:\d+$/);
  t.match(report.ports[1], { port: 39872, listening: true, connections: [] });
});

t.test('a port already taken is reported, not fatal', async (t) => {
  const holder = net.createServer().listen(39873, `${NET}.2`);
  await new Promise((resolve) => holder.once('listening', resolve));
  t.teardown(() => holder.close());
  const { code, stdout } = await listen(['--ports', '39873', '--address', `${NET}.2`, '--duration', '200ms']).done;
  t.equal(code, 1);
  t.match(stdout, /39873\s+not opened: port 39873 is already in use here/);
});

t.test('bad listen flags are bad input', async (t) => {
  for (const args of [
    ['--ports', '70000'],
    ['--address', 'nope'],
    ['--duration', 'soon'],
  ]) {
    const child = spawn(process.execPath, [CLI, 'listen', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const code = await new Promise((resolve) => child.on('close', resolve));
    t.equal(code, 2, args.join(' '));
    t.match(stderr, /^aml-netcheck: --(ports|address|duration): /);
  }
});

for (const [signal, exitCode, port] of [
  ['SIGTERM', 143, 39874],
  ['SIGINT', 130, 39876],
] as const) {
  t.test(`${signal} ends the watch: the report is printed and saved, says it was cut short, exit ${exitCode}`, async (t) => {
    const out = join(mkdtempSync(join(tmpdir(), 'amlnc-listen-')), 'listen.json');
    const run = listen(['--ports', `${port},${port}`, '--address', `${NET}.3`, '--duration', '10m', '--out', out]);
    await connectSoon(port, `${NET}.3`);
    const sentAt = Date.now();
    run.child.kill(signal);
    const { code, stdout, stderr } = await run.done;
    t.ok(Date.now() - sentAt < 10_000, 'stopped promptly');
    t.equal(code, exitCode, stderr);
    t.match(stdout, new RegExp(`cut short by ${signal}`));
    t.match(stdout, new RegExp(`${port}\\s+listened\\s+1`));
    t.notMatch(stdout, /already in use/, 'a port named twice is opened once');
    const saved = JSON.parse(readFileSync(out, 'utf8')) as { stoppedBy: string; exitCode: number; ports: Array<{ port: number; connections: unknown[] }> };
    t.same([saved.stoppedBy, saved.exitCode, saved.ports.length, saved.ports[0]?.connections.length], [signal, exitCode, 1, 1]);
  });
}

t.test('an --address that is not on this machine exits 2 at once', async (t) => {
  const started = Date.now();
  // 192.0.2.0/24 is TEST-NET-1: never assigned to a real interface.
  const { code, stdout, stderr } = await listen(['--ports', '39875', '--address', '192.0.2.77', '--duration', '10m']).done;
  t.equal(code, 2);
  t.equal(stderr, "aml-netcheck: --address: '192.0.2.77' is not an address of this machine (EADDRNOTAVAIL)\n");
  t.equal(stdout, '');
  t.ok(Date.now() - started < 10_000, 'without waiting for the duration');
});

t.test("without --ports it listens on the inbound ports of the revision, and its advice names that revision's rules", async (t) => {
  const older = await listen(['--address', `${NET}.4`, '--duration', '300ms', '--revision', '2021-11', '-o', 'json']).done;
  t.equal(older.code, 1, older.stderr);
  const report = JSON.parse(older.stdout) as { revision: string; ports: Array<{ port: number }>; inbound: Array<{ serviceTag: string; ports: number[] }> };
  t.equal(report.revision, '2021-11');
  t.same(
    report.ports.map((p) => p.port),
    [29876, 29877, 44224],
  );
  t.same(
    report.inbound.map((r) => [r.serviceTag, r.ports]),
    [
      ['BatchNodeManagement', [29876, 29877]],
      ['AzureMachineLearning', [44224]],
    ],
  );
  const table = await listen(['--address', `${NET}.4`, '--duration', '300ms', '--revision', '2021-11', '--ports', '0']).done;
  t.match(table.stderr, /--ports: '0' is not a port/, 'a bad port is still refused');
  const text = await listen(['--address', `${NET}.4`, '--duration', '200ms', '--revision', '2021-11']).done;
  t.match(text.stdout, /allow inbound TCP from service tags BatchNodeManagement \(29876-29877\) and AzureMachineLearning \(44224\) in the NSG \(requirements of 2021-11\)/);
  const unknown = await listen(['--address', `${NET}.4`, '--duration', '200ms', '--revision', '1999-01']).done;
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, /^aml-netcheck: --revision: unknown revision '1999-01'/);
});
