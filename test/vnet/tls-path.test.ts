/**
 * A TLS handshake that stalls on the path, inside a simulated VNet: a path-MTU black hole
 * (nftables drops the server's packets longer than the path allows, with no ICMP error) in
 * front of a server that sends its whole flight at once, and in front of one whose first answer
 * is small (a HelloRetryRequest) so that it arrives before the big packets vanish.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { createPki } from '../../src/simulate/pki.js';
import { BLOB, FILE, ID, PHASE_TIMEOUT_MS, REGION, STORAGE, addressOf, host, outcomes, reportOf, requireRoot, startVnet, targetOf } from '../helpers/vnet.js';

const TLS_SERVER = path.join(path.dirname(fileURLToPath(import.meta.url)), '../helpers/tls-in-vnet.mjs');
/** A tunnel's path MTU well under the server's certificate flight, well over its SYN-ACK and ACKs. */
const PATH_MTU = 1000;

t.test('a path-MTU black hole: a flight lost whole reads as silence and names both causes; a server that began to answer and stalled names the MTU', async (t) => {
  if (!requireRoot(t)) return;
  const vnet = await startVnet(t, { hosts: [host(BLOB, {}), host(FILE, { 443: 'ok', 445: 'ok' })] });
  const credentials = createPki().issue({ names: [BLOB] });
  // Accepts only P-384, so Node's first ClientHello (an X25519 key share) draws a HelloRetryRequest.
  await vnet.serveNode(TLS_SERVER, [JSON.stringify({ address: addressOf(BLOB), port: 443, ...credentials, groups: 'P-384' })]);
  await vnet.blackHole(addressOf(FILE), 443, PATH_MTU);
  await vnet.blackHole(addressOf(BLOB), 443, PATH_MTU);

  // The run itself takes one phase timeout; the limit leaves a busy two-core machine room to start it.
  const run = await vnet.check(['--region', REGION, '--storage-account', STORAGE, '--features', 'workspace-storage'], { timeoutMs: 60_000 });
  const report = reportOf(t, run, 1);
  t.same(
    outcomes(report),
    {
      [ID.blob443]: 'blocked tls-timeout',
      [ID.file443]: 'blocked tls-timeout',
      [ID.file445]: 'reachable -',
    },
    'only the black-holed handshakes fail, and as timeouts: TCP got through',
  );

  const lostWhole = targetOf(report, ID.file443);
  t.equal(lostWhole.phases.tcp[0]?.ok, true, 'TCP itself connected');
  t.equal(lostWhole.phases.tls?.details.bytesReceived, 0, 'the whole flight left as one big packet and was lost');
  t.match(lostWhole.detail, `TLS handshake with ${addressOf(FILE)}:443 for ${FILE} timed out after ${PHASE_TIMEOUT_MS} ms: the connection opened but the server sent nothing back to the ClientHello`);
  t.match(lostWhole.detail, /reads the name \(SNI\) and drops the connection, or a path-MTU black hole/, 'from here that is the same as an SNI drop: both are named');
  t.match(lostWhole.detail, `ping -M do -s 1372 ${addressOf(FILE)}`);

  const stalled = targetOf(report, ID.blob443);
  const received = stalled.phases.tls?.details.bytesReceived ?? 0;
  t.ok(received > 0 && received < PATH_MTU, `the small HelloRetryRequest arrived (${received} bytes)`);
  t.match(stalled.detail, `TLS handshake with ${addressOf(BLOB)}:443 for ${BLOB} timed out after ${PHASE_TIMEOUT_MS} ms: the server began to answer (${received} bytes arrived) and then stalled: the mark of a path-MTU black hole`);
  t.match(stalled.detail, /VPN or ExpressRoute tunnel.*clamp the TCP MSS on the tunnel/);
  t.notMatch(stalled.detail, /SNI/, 'a server that answered did not drop the connection on its name');
  t.not(stalled.detail, lostWhole.detail.replace(addressOf(FILE), addressOf(BLOB)).replace(FILE, BLOB), 'the two details differ');
});
