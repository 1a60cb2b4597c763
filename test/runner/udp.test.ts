/**
 * How the runner judges a UDP target over every address its name resolves to, on real
 * loopback sockets: an echo server answers, a bound socket that never replies is silent, and an
 * address where nothing is bound draws ICMP port unreachable.
 */
import dgram from 'node:dgram';
import { pino } from 'pino';
import t from 'tap';
import { runChecks, type RunOptions } from '../../src/runner/runner.js';
import { NO_PROXY_CONFIG } from '../../src/runner/proxy.js';
import { startDnsServer, type Zone } from '../../src/simulate/dns-server.js';
import type { Target } from '../../src/model/target.js';
import { makeTarget } from '../helpers/target.js';
import { fixOf } from '../helpers/fixes.js';
import type { Cleanup } from '../helpers/servers.js';

const ECHO = '127.0.86.21';
const SILENT = '127.0.86.22';
const CLOSED = '127.0.86.23';
const CLOSED_TOO = '127.0.86.24';

function udpTarget(host: string, port: number, overrides: Partial<Target> = {}): Target {
  return makeTarget(host, port, overrides, 'udp');
}

function bind(t: Cleanup, address: string, answers: boolean, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.on('message', (message, from) => {
      if (answers) socket.send(message, from.port, from.address);
    });
    socket.once('error', reject);
    socket.bind(port, address, () => {
      t.teardown(() => socket.close());
      resolve(socket.address().port);
    });
  });
}

async function resolver(t: Cleanup, zone: Zone) {
  const server = await startDnsServer(zone, { address: '127.0.86.20' });
  t.teardown(() => server.close());
  return server.server;
}

function options(dnsServer: Awaited<ReturnType<typeof resolver>>, overrides: Partial<RunOptions> = {}): RunOptions {
  return { concurrency: 8, timeoutMs: 400, retries: 0, deadlineMs: 10_000, dnsServers: [dnsServer], allowLoopbackAnswers: true, proxy: NO_PROXY_CONFIG, inboundFromHere: false, logger: pino({ level: 'silent' }), ...overrides };
}

t.test('a reply from one address of two is reachable with a warning naming the other, as for TCP', async (t) => {
  const port = await bind(t, ECHO, true);
  const dns = await resolver(t, { 'relay.test': { a: [ECHO, CLOSED] } });
  const [result] = await runChecks([udpTarget('relay.test', port)], options(dns));
  t.match(result, { verdict: 'warning', reason: null, phase: 'udp', detail: new RegExp(`^UDP reply of 23 bytes from ${ECHO.replace(/\./g, '\\.')}:${port} in `) });
  t.same(result?.warnings, [`1 of 2 addresses failed: UDP to ${CLOSED}:${port} drew ICMP port unreachable (ECONNREFUSED): nothing receives on that port, or a firewall rejects it`]);
  t.same(
    result?.phases.udp?.map((r) => [r.details.address, r.ok]),
    [
      [ECHO, true],
      [CLOSED, false],
    ],
  );
  t.same(fixOf(result, { proxy: NO_PROXY_CONFIG }), [], 'reachable somewhere: nothing to fix');
});

t.test('blocked only when every address proves it; one silent address leaves the target unverified', async (t) => {
  const port = await bind(t, SILENT, false);
  const dns = await resolver(t, { 'mixed.test': { a: [CLOSED, SILENT] }, 'closed.test': { a: [CLOSED, CLOSED_TOO] } });
  const [mixed, closed] = await runChecks([udpTarget('mixed.test', port), udpTarget('closed.test', port)], options(dns));
  t.match(mixed, { verdict: 'warning', reason: 'udp-unverified', phase: 'udp', detail: new RegExp(`^no answer from UDP ${SILENT.replace(/\./g, '\\.')}:${port} to 3 datagram`) });
  t.match(mixed?.warnings, [new RegExp(`^1 of 2 addresses refused UDP: UDP to ${CLOSED.replace(/\./g, '\\.')}:${port} drew ICMP port unreachable`)]);
  t.match(closed, { verdict: 'blocked', reason: 'udp-port-unreachable', phase: 'udp', detail: new RegExp(`^UDP to ${CLOSED.replace(/\./g, '\\.')}:${port} drew ICMP port unreachable`) });
  t.same(fixOf(closed, { proxy: NO_PROXY_CONFIG }), [`allow outbound UDP ${port} to closed.test`]);
});

t.test('an inbound UDP port is exchanged with from outside the node, like an inbound TCP port', async (t) => {
  const port = await bind(t, ECHO, true);
  const dns = await resolver(t, {});
  const inbound = udpTarget(ECHO, port, { direction: 'inbound', id: `inbound:${ECHO}:${port}/udp` });
  const [skipped] = await runChecks([inbound], options(dns));
  t.match(skipped, { verdict: 'skipped' }, 'not without --inbound-from-here');
  const [open] = await runChecks([inbound], options(dns, { inboundFromHere: true }));
  t.match(open, { verdict: 'reachable', detail: new RegExp(`^inbound UDP port ${port} on ${ECHO.replace(/\./g, '\\.')} answered from here in `) });
});
