import t from 'tap';
import { succeed, type DnsResult } from '../../src/model/phases.js';
import type { Target } from '../../src/model/target.js';
import { computeInstanceAddressWarning, failedAt, privateNameProblem } from '../../src/runner/verdicts.js';
import { fail } from '../../src/model/phases.js';
import { REASON_CODES } from '../../src/model/reasons.js';
import { udpVerdict } from '../../src/probers/classify/udp.js';
import { sampleTarget } from '../helpers/targets.js';

// Pure judgements: addresses here are data, nothing is dialled.

function resolved(host: string, addresses: string[], cnameChain: string[] = [], sinkholed: string[] = []): DnsResult {
  return succeed('dns', 1, { host, ipLiteral: false, addresses, sinkholed, cnameChain, answeredBy: '127.0.0.53:53', servers: [], serversDisagree: false });
}

function target(host: string, overrides: Partial<Target> = {}): Target {
  return sampleTarget(`${host}:443`, { protocol: 'https', probe: 'https', features: ['compute-instance'], ...overrides });
}

const API = '0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11.workspace.westus2.api.azureml.ms';
const ci = target('ci1.westus2.instances.azureml.ms', { privateName: 'compute-instance', mustResolvePrivately: true });

t.test('a compute instance name pointing elsewhere than the workspace private endpoint is named with both addresses', async (t) => {
  const api = { host: API, dns: resolved(API, ['10.1.0.5']) };
  t.equal(computeInstanceAddressWarning(ci, resolved(ci.host, ['10.1.0.9']), api), `ci1.westus2.instances.azureml.ms resolves to 10.1.0.9, but the workspace private endpoint (${API}) is 10.1.0.5: a compute instance name must point at the workspace private endpoint's address`);
  t.equal(computeInstanceAddressWarning(ci, resolved(ci.host, ['10.1.0.5']), api), null, 'the same address');
  t.equal(computeInstanceAddressWarning(ci, resolved(ci.host, ['20.1.0.9']), api), null, 'a public answer is the private-name check’s business');
  t.equal(computeInstanceAddressWarning(ci, resolved(ci.host, ['10.1.0.9']), { host: API, dns: resolved(API, ['20.0.0.1']) }), null, 'no private workspace address to compare with');
  t.equal(computeInstanceAddressWarning({ ...ci, mustResolvePrivately: false }, resolved(ci.host, ['10.1.0.9']), api), null, 'no private endpoint');
  t.equal(computeInstanceAddressWarning(ci, resolved(ci.host, ['10.1.0.9']), null), null, 'no workspace API name known');
});

t.test('only names that must resolve privately are held to it', async (t) => {
  const storage = target('st1.blob.core.windows.net', { privateName: 'storage' });
  t.equal(privateNameProblem(storage, resolved(storage.host, ['20.60.1.1'])), null, 'a service endpoint: public is fine');
  t.match(privateNameProblem({ ...storage, mustResolvePrivately: true }, resolved(storage.host, ['20.60.1.1'])), /resolves to public 20\.60\.1\.1 .*no privatelink zone answered/);
  t.equal(privateNameProblem({ ...storage, mustResolvePrivately: true }, resolved(storage.host, ['10.0.0.7', 'fd00::7'])), null);
});

t.test('a cancelled or crashed phase is unknown, never blocked', async (t) => {
  t.equal(failedAt(fail('tcp', 1, 'internal-error', 'bug', null, {}), {}).verdict, 'unknown');
  t.equal(failedAt(fail('tcp', 1, 'aborted', 'stop', null, {}), {}).verdict, 'unknown');
  t.equal(failedAt(fail('tcp', 1, 'tcp-timeout', 'dropped', null, {}), {}).verdict, 'blocked');
});

t.test("a failed phase and a UDP exchange give every code the same verdict, the reason table's", async (t) => {
  for (const code of REASON_CODES) {
    const failure = fail(code.startsWith('udp-') ? 'udp' : 'tcp', 1, code, 'failed', null, {});
    t.equal(failedAt(failure, {}).verdict, udpVerdict(failure).verdict, code);
  }
  t.equal(failedAt(fail('udp', 1, 'udp-unverified', 'silence', null, {}), {}).verdict, 'warning', 'silence is a warning wherever it is judged');
  t.equal(failedAt(fail('udp', 1, 'udp-port-unreachable', 'refused', null, {}), {}).verdict, 'blocked');
});
