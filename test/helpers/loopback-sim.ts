import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SIMULATED_ROOT_VARIABLE } from '../../src/runner/trust.js';
import { startSimulatedAzure } from '../../src/simulate/azure.js';
import { loopbackNet } from './loopback.js';

/** Endpoints on unprivileged ports: web.sim.test:18443 (HTTPS) and share.sim.test:18445 (TCP), feature sim-test. */
export const LOOPBACK_CATALOG = 'test/fixtures/catalog/sim/loopback.yaml';

/**
 * The simulated Azure of LOOPBACK_CATALOG on a loopback /24 of its own: web.sim.test healthy,
 * share.sim.test's port dropped. Its root plays the public roots' part for every run this process
 * starts from now on. `args` are the flags of `check` that point a run at it.
 */
export async function startLoopbackSim(t: { teardown(fn: () => unknown): void }): Promise<{ dir: string; net: string; args: string[] }> {
  const net = loopbackNet();
  const azure = await startSimulatedAzure({
    dns: { address: `${net}.1`, port: 0 },
    hosts: [
      { name: 'web.sim.test', address: `${net}.2`, ports: { 18443: 'ok' } },
      { name: 'share.sim.test', address: `${net}.3`, ports: { 18445: 'drop' } },
    ],
    schemes: { 18443: 'https' },
  });
  t.teardown(() => azure.close());
  const dir = mkdtempSync(join(tmpdir(), 'amlnc-check-'));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, azure.caPem);
  process.env[SIMULATED_ROOT_VARIABLE] = caFile;
  const args = ['--catalog', LOOPBACK_CATALOG, '--features', 'sim-test', '--dns-server', `${azure.dnsServer.address}:${azure.dnsServer.port}`, '--allow-loopback-answers', '--ca-file', caFile, '--retries', '0'];
  return { dir, net, args };
}
