/**
 * The UDP prober, and `check` with a UDP catalog, inside a simulated VNet whose nftables
 * firewall rejects, prohibits or drops datagrams: only an answer is reachable, only an ICMP
 * error is blocked, silence is a warning.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import type { UdpDetails } from '../../src/model/phases.js';
import { featureOutcomes, outcomes, reportOf, requireRoot, startVnet, targetOf } from '../helpers/vnet.js';

const PROBE = path.join(path.dirname(fileURLToPath(import.meta.url)), '../helpers/udp-in-vnet.mjs');
const ECHO = path.join(path.dirname(fileURLToPath(import.meta.url)), '../helpers/udp-echo.mjs');
const TIMEOUT_MS = 1500;
const OPEN = '10.99.0.81';
const PROHIBITED = '10.99.0.82';
const DROPPED = '10.99.0.83';
const REJECTED = '10.99.0.84';
const CLOSED = '10.99.0.85';
const PORT = 3478;

interface Outcome {
  verdict: string;
  reason: string | null;
  result: { ok: boolean; phase: string; reason?: string; cause?: string | null; message?: string; ms: number; details: UdpDetails };
}

t.test('answered, prohibited, dropped, rejected and closed UDP ports each get their own verdict', async (t) => {
  if (!requireRoot(t)) return;
  const vnet = await startVnet(t, { hosts: [], idleAddresses: [OPEN, PROHIBITED, DROPPED, REJECTED, CLOSED] });
  await vnet.firewall({ address: PROHIBITED, port: PORT, protocol: 'udp', action: 'prohibit' }, { address: DROPPED, port: PORT, protocol: 'udp', action: 'drop' }, { address: REJECTED, port: PORT, protocol: 'udp', action: 'reject' });
  // Every firewalled address has a server that would answer: only the rule stands in the way.
  const servers = [OPEN, PROHIBITED, DROPPED, REJECTED].map((address) => ({ address, port: PORT, answers: true }));
  const targets = [OPEN, PROHIBITED, DROPPED, REJECTED, CLOSED].map((address) => ({ address, port: PORT }));
  const started = Date.now();
  const stdout = await vnet.runNode(PROBE, [JSON.stringify({ servers, targets, timeoutMs: TIMEOUT_MS })]);
  const took = Date.now() - started;
  const [open, prohibited, dropped, rejected, closed] = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Outcome);
  if (open === undefined || prohibited === undefined || dropped === undefined || rejected === undefined || closed === undefined) {
    throw new Error(`expected five results, got: ${stdout}`);
  }

  t.same([open.verdict, open.reason, open.result.ok, open.result.details.replyBytes !== null], ['reachable', null, true, true], 'an answer proves the path');

  t.same([prohibited.verdict, prohibited.reason, prohibited.result.cause], ['blocked', 'udp-prohibited', 'EHOSTUNREACH'], 'Linux surfaces admin-prohibited as EHOSTUNREACH');
  t.equal(prohibited.result.message, `UDP to ${PROHIBITED}:${PORT} drew ICMP administratively prohibited (EHOSTUNREACH): a firewall rejects it`);
  t.ok(prohibited.result.ms < TIMEOUT_MS, `the ICMP answer ends the probe before the budget (${prohibited.result.ms} ms)`);

  t.same([dropped.verdict, dropped.reason, dropped.result.ok], ['warning', 'udp-unverified', false], 'a drop is silence: a warning, never reachable');
  t.equal(dropped.result.message, `no answer from UDP ${DROPPED}:${PORT} to 3 datagram(s) within ${TIMEOUT_MS} ms: silence proves neither an open port nor a firewall that drops it`);
  t.match(dropped.result.details, { address: DROPPED, port: PORT, datagramsSent: 3, replyBytes: null, icmpError: null }, 'every try went out and nothing came back');

  t.same([rejected.verdict, rejected.reason, rejected.result.cause], ['blocked', 'udp-port-unreachable', 'ECONNREFUSED'], 'a plain reject looks like a closed port');
  t.same([closed.verdict, closed.reason, closed.result.cause], ['blocked', 'udp-port-unreachable', 'ECONNREFUSED'], 'nothing listening: the host says port unreachable');

  t.ok(took < TIMEOUT_MS + 5000, `the probes ran side by side within the budget (${took} ms)`);
});

t.test('check with a UDP catalog in the VNet: a drop is a warning (exit 0), a reject or prohibit blocks (exit 1)', async (t) => {
  if (!requireRoot(t)) return;
  const relay = (name: string, address: string) => ({ name: `${name}.relay.test`, address, ports: {} });
  const vnet = await startVnet(t, { hosts: [relay('open', OPEN), relay('prohibited', PROHIBITED), relay('dropped', DROPPED), relay('rejected', REJECTED)] });
  await vnet.firewall({ address: PROHIBITED, port: PORT, protocol: 'udp', action: 'prohibit' }, { address: DROPPED, port: PORT, protocol: 'udp', action: 'drop' }, { address: REJECTED, port: PORT, protocol: 'udp', action: 'reject' });
  // A server behind every rule: what the check finds is the firewall's doing.
  await vnet.serveNode(ECHO, [JSON.stringify([OPEN, PROHIBITED, DROPPED, REJECTED].map((address) => ({ address, port: PORT })))]);
  const catalog = path.join(vnet.dir, 'relay.yaml');
  const names = ['open', 'prohibited', 'dropped', 'rejected'];
  await writeFile(
    catalog,
    [
      'section: relay',
      'title: UDP relays',
      'features:',
      ...names.flatMap((name) => [`  - id: relay-${name}`, `    name: Relay ${name}`]),
      'entries:',
      ...names.flatMap((name) => [`  - pattern: ${name}.relay.test`, `    ports: ["udp:${PORT}"]`, '    clouds: [public]', `    features: [relay-${name}]`, '    purpose: A relay.']),
      '',
    ].join('\n'),
  );

  const dropped = reportOf(t, await vnet.check(['--catalog', catalog, '--features', 'relay-open,relay-dropped']), 0);
  t.same(outcomes(dropped), { [`dropped.relay.test:${PORT}/udp`]: 'warning udp-unverified', [`open.relay.test:${PORT}/udp`]: 'reachable -' }, 'silence alone does not fail the run');

  const all = reportOf(t, await vnet.check(['--catalog', catalog, '--features', names.map((n) => `relay-${n}`).join(',')]), 1);
  t.same(outcomes(all), {
    [`dropped.relay.test:${PORT}/udp`]: 'warning udp-unverified',
    [`open.relay.test:${PORT}/udp`]: 'reachable -',
    [`prohibited.relay.test:${PORT}/udp`]: 'blocked udp-prohibited',
    [`rejected.relay.test:${PORT}/udp`]: 'blocked udp-port-unreachable',
  });
  t.same(featureOutcomes(all), {
    'relay-open': { status: 'ok', blockedBy: [] },
    'relay-prohibited': { status: 'broken', blockedBy: [`prohibited.relay.test:${PORT}/udp`] },
    'relay-dropped': { status: 'degraded', blockedBy: [`dropped.relay.test:${PORT}/udp`] },
    'relay-rejected': { status: 'broken', blockedBy: [`rejected.relay.test:${PORT}/udp`] },
  });
  t.same(
    targetOf(all, `prohibited.relay.test:${PORT}/udp`).phases.udp?.map((r) => r.cause),
    ['EHOSTUNREACH'],
  );
  t.same(targetOf(all, `rejected.relay.test:${PORT}/udp`).fix, [`allow outbound UDP ${PORT} to rejected.relay.test`]);
});
