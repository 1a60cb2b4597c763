/**
 * `check` on a user catalog with UDP requirements, against real UDP sockets on loopback: an
 * echo server answers, a bound socket that never replies stays silent, and an address where
 * nothing is bound draws ICMP port unreachable from the kernel.
 */
import dgram from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { startSimulatedAzure } from '../../src/simulate/azure.js';
import { spawnCli } from '../helpers/cli.js';
import { reportSchemaErrors } from '../helpers/schema.js';
import { loopbackNet } from '../helpers/loopback.js';

const NET = loopbackNet();
const DNS = `${NET}.1`;
const ECHO = `${NET}.2`;
const SILENT = `${NET}.3`;
const CLOSED = `${NET}.4`;

interface Report {
  summary: { exitCode: number };
  targets: Array<{
    id: string;
    protocol: string;
    probe: string;
    verdict: string;
    reason: string | null;
    phase: string | null;
    detail: string;
    via: string;
    fix: string[];
    rules: Array<{ protocol: string }>;
    phases: { tcp: unknown[]; udp?: Array<{ ok: boolean; details: { address: string } }> };
    timings: Record<string, number>;
  }>;
  features: Array<{ id: string; status: string; blockedBy: string[] }>;
}

function bind(address: string, answers: boolean, port = 0): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.on('message', (message, from) => {
      if (answers) socket.send(message, from.port, from.address);
    });
    socket.once('error', reject);
    socket.bind(port, address, () => resolve(socket));
  });
}

async function setup(t: { teardown(fn: () => unknown): void }) {
  const echo = await bind(ECHO, true);
  const port = echo.address().port;
  // The same port on every address, so the catalog can name one port for all three hosts.
  const silent = await bind(SILENT, false, port);
  t.teardown(() => {
    echo.close();
    silent.close();
  });
  const azure = await startSimulatedAzure({
    dns: { address: DNS, port: 0 },
    hosts: [
      { name: 'echo.relay.test', address: ECHO, ports: {} },
      { name: 'silent.relay.test', address: SILENT, ports: {} },
      { name: 'closed.relay.test', address: CLOSED, ports: {} },
    ],
  });
  t.teardown(() => azure.close());
  const dir = mkdtempSync(join(tmpdir(), 'amlnc-udp-'));
  const catalog = join(dir, 'relay.yaml');
  const entry = (host: string, feature: string, ports: string): string[] => [`  - pattern: ${host}`, `    ports: [${ports}]`, '    clouds: [public]', `    features: [${feature}]`, `    purpose: Relay ${feature}.`];
  writeFileSync(
    catalog,
    [
      'section: relay',
      'title: UDP relays',
      'features:',
      ...['relay-echo', 'relay-silent', 'relay-closed'].flatMap((id) => [`  - id: ${id}`, `    name: Relay ${id.slice(6)}`]),
      'entries:',
      ...entry('echo.relay.test', 'relay-echo', `"udp:${port}"`),
      ...entry('silent.relay.test', 'relay-silent', `"udp:${port}"`),
      ...entry('closed.relay.test', 'relay-closed', `"udp:${port}"`),
      '',
    ].join('\n'),
  );
  const check = (features: string, ...more: string[]) =>
    spawnCli(['check', '--catalog', catalog, '--features', features, '--dns-server', `${azure.dnsServer.address}:${azure.dnsServer.port}`, '--allow-loopback-answers', '--timeout', '2s', '--retries', '0', '--no-progress', ...more], {
      env: { HTTPS_PROXY: '', HTTP_PROXY: '', https_proxy: '', http_proxy: '', NO_PROXY: '', no_proxy: '' },
    });
  return { port, check };
}

t.test('an answering UDP port is reachable, a closed one blocked: exit 1, the closed relay breaks its feature', async (t) => {
  const { port, check } = await setup(t);
  const run = await check('relay-echo,relay-closed', '-o', 'json');
  t.equal(run.code, 1, run.stderr);
  const report = JSON.parse(run.stdout) as Report;
  t.same(reportSchemaErrors(report), []);
  t.same(
    report.targets.map((x) => [x.id, x.protocol, x.probe, x.verdict, x.reason, x.phase]),
    [
      [`closed.relay.test:${port}/udp`, 'udp', 'udp', 'blocked', 'udp-port-unreachable', 'udp'],
      [`echo.relay.test:${port}/udp`, 'udp', 'udp', 'reachable', null, null],
    ],
  );
  const [closed, echo] = report.targets;
  t.match(echo?.detail, new RegExp(`^UDP reply of 23 bytes from ${ECHO.replace(/\./g, '\\.')}:${port} in \\d+ms$`));
  t.same([echo?.phases.tcp, echo?.phases.udp?.map((r) => [r.ok, r.details.address]), typeof echo?.timings.udp], [[], [[true, ECHO]], 'number'], 'the UDP phase is recorded per address, no TCP phase');
  t.equal(closed?.detail, `UDP to ${CLOSED}:${port} drew ICMP port unreachable (ECONNREFUSED): nothing receives on that port, or a firewall rejects it`);
  t.same(closed?.fix, [`allow outbound UDP ${port} to closed.relay.test`], 'the fix is a UDP allow rule');
  t.same(
    report.features.map((f) => [f.id, f.status, f.blockedBy]),
    [
      ['relay-echo', 'ok', []],
      ['relay-closed', 'broken', [`closed.relay.test:${port}/udp`]],
    ],
  );

  const table = await check('relay-echo,relay-closed');
  t.equal(table.code, 1);
  t.match(table.stdout, new RegExp(`BLOCKED\\s+closed\\.relay\\.test:${port}/udp\\s+udp-port-unreachable`), 'the table marks the target UDP');
  t.match(table.stdout, new RegExp(`fix:\\s+allow outbound UDP ${port} to closed\\.relay\\.test`));
});

t.test('a silent UDP port is a warning, never reachable nor blocked: exit 0, its feature degraded, the report says what to confirm', async (t) => {
  const { port, check } = await setup(t);
  const run = await check('relay-echo,relay-silent', '-o', 'json');
  t.equal(run.code, 0, 'an unverified UDP port alone does not fail the run');
  const report = JSON.parse(run.stdout) as Report;
  t.same(reportSchemaErrors(report), []);
  const silent = report.targets.find((x) => x.id === `silent.relay.test:${port}/udp`);
  t.match(silent, { verdict: 'warning', reason: 'udp-unverified', phase: 'udp' });
  t.equal(silent?.detail, `no answer from UDP ${SILENT}:${port} to 3 datagram(s) within 2000 ms: silence proves neither an open port nor a firewall that drops it`);
  t.same(silent?.fix, [`no UDP answer proves it either way: confirm the firewall has the rule to allow outbound UDP ${port} to silent.relay.test`]);
  t.same(
    report.features.find((f) => f.id === 'relay-silent'),
    { id: 'relay-silent', name: 'Relay silent', status: 'degraded', impact: null, blockedBy: [`silent.relay.test:${port}/udp`], targets: 1 },
    'degraded: not proven ok, not proven broken',
  );

  const table = await check('relay-silent');
  t.equal(table.code, 0);
  t.match(table.stdout, new RegExp(`warning\\s+silent\\.relay\\.test:${port}/udp\\s+udp-unverified`));
  t.match(table.stdout, /check: no UDP answer proves it either way: confirm the firewall has the rule/);
  const markdown = await check('relay-silent', '-o', 'markdown');
  t.match(markdown.stdout, new RegExp(`\\| \`silent\\.relay\\.test:${port}/udp\` \\| no answer from UDP`), 'the markdown warnings table says why');
  const junit = await check('relay-silent', '-o', 'junit');
  t.match(junit.stdout, new RegExp(`<testcase name="silent\\.relay\\.test:${port}/udp" [^>]*>\\n\\s+<system-out>warning: no answer from UDP`), 'JUnit: passed, with the warning in system-out');
  const html = await check('relay-silent', '-o', 'html');
  t.match(html.stdout, /<th[^>]*>UDP<\/th>/, 'HTML: a UDP timing column when the report has UDP targets');
});

t.test('with a web proxy configured, UDP is still checked directly, and the detail says why', async (t) => {
  const { port, check } = await setup(t);
  // Nothing listens at the proxy address: a UDP check that tried it would fail.
  const run = await check('relay-echo', '-o', 'json', '--proxy', `http://${NET}.9:3128`);
  t.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as Report;
  t.match(report.targets[0], { id: `echo.relay.test:${port}/udp`, verdict: 'reachable', via: 'direct' });
  t.match(report.targets[0]?.detail, / \(checked directly: a web proxy cannot carry UDP\)$/);
});
