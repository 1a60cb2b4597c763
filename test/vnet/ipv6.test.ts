/**
 * `aml-netcheck check` in a dual-stack VNet: the file share's name has an A and an AAAA
 * record (a ULA address inside the namespace), and nftables drops one family, then both.
 * One dead family is a warning naming it (exit 0: clients fall back), both dead is blocked.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { AD_AND_STORAGE, BLOB, FILE, ID, LOGIN, PHASE_TIMEOUT_MS, addressOf, featureOutcomes, host, outcomes, reportOf, requireRoot, startVnet, targetOf } from '../helpers/vnet.js';

const FILE_V4 = addressOf(FILE);
const FILE_V6 = 'fd00:99::1:3';

t.test('a dual-stack name with one family dropped is a warning naming it; both dropped is blocked', async (t) => {
  if (!requireRoot(t)) return;
  const vnet = await startVnet(t, {
    hosts: [host(LOGIN, { 80: 'ok', 443: 'ok' }), host(BLOB, { 443: 'ok' }), host(FILE, { 443: 'ok', 445: 'ok' }), host(FILE, { 443: 'ok', 445: 'ok' }, { address: FILE_V6 })],
  });

  await t.test('both families open: reachable, each address dialled', async (t) => {
    const report = reportOf(t, await vnet.check(AD_AND_STORAGE), 0);
    const smb = targetOf(report, ID.file445);
    t.same(
      smb.phases.tcp.map((r) => [r.details['address'], r.ok]),
      [
        [FILE_V4, true],
        [FILE_V6, true],
      ],
      'the A and the AAAA address both connected',
    );
    t.match(targetOf(report, ID.file443), { verdict: 'reachable', detail: new RegExp(`^HTTP 401 from ${FILE_V4.replace(/\./g, '\\.')}:443 over TLS`) });
  });

  await t.test('IPv6 dropped on 445, IPv4 dropped on 443: each a warning naming the dead family, exit 0', async (t) => {
    await vnet.firewall({ address: FILE_V6, port: 445, action: 'drop' }, { address: FILE_V4, port: 443, action: 'drop' });
    const table = path.join(vnet.dir, 'one-family.txt');
    const report = reportOf(t, await vnet.check([...AD_AND_STORAGE, '--out', table]), 0);
    t.same(outcomes(report), { [ID.login80]: 'reachable -', [ID.login443]: 'reachable -', [ID.blob443]: 'reachable -', [ID.file443]: 'warning -', [ID.file445]: 'warning -' }, 'verdict and reason of every target');
    t.same(featureOutcomes(report)['workspace-storage'], { status: 'degraded', blockedBy: [ID.file443, ID.file445] });
    t.same(targetOf(report, ID.file445).warnings, [`IPv6 is blocked: connect to [${FILE_V6}]:445 timed out after ${PHASE_TIMEOUT_MS} ms; IPv4 ${FILE_V4}:445 works — clients that try IPv6 first wait for the timeout before falling back`]);
    t.same(targetOf(report, ID.file443).warnings, [`IPv4 is blocked: connect to ${FILE_V4}:443 timed out after ${PHASE_TIMEOUT_MS} ms; IPv6 [${FILE_V6}]:443 works — clients that try IPv4 first wait for the timeout before falling back`]);
    t.match(targetOf(report, ID.file443).detail, new RegExp(`^HTTP 401 from \\[${FILE_V6}\\]:443 over TLS`), 'TLS and HTTP over the IPv6 address that works');
    const text = await readFile(table, 'utf8');
    t.match(text, `addresses: ${FILE_V4}:445 connected in `, 'the table shows each address');
    t.match(text, `[${FILE_V6}]:445 tcp-timeout`);
  });

  await t.test('both families dropped on 445: blocked, exit 1', async (t) => {
    await vnet.firewall({ address: FILE_V4, port: 445, action: 'drop' });
    const report = reportOf(t, await vnet.check(AD_AND_STORAGE), 1);
    t.match(targetOf(report, ID.file445), { verdict: 'blocked', reason: 'tcp-timeout', phase: 'tcp' });
    t.equal(targetOf(report, ID.file445).detail, `connect to ${FILE_V4}:445 timed out after ${PHASE_TIMEOUT_MS} ms; the same for [${FILE_V6}]:445`);
    t.same(targetOf(report, ID.file445).fix, [`allow outbound TCP 445 to ${FILE}`]);
    t.same(report.summary.featuresBroken, ['workspace-storage']);
  });
});
