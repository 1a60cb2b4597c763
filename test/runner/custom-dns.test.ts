/**
 * The custom DNS article's names, checked as `check` expands them from the shipped catalog: with
 * a workspace private endpoint, an online endpoint name (and the SSH name of a compute instance)
 * that resolves publicly is blocked at DNS, and the fix names the zone to forward and the
 * wildcard record. The DNS server and the TLS service are the test's own, on loopback.
 */
import t from 'tap';
import { expandCatalog } from '../../src/catalog/expand.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { defaultFacts } from '../../src/facts/facts.js';
import { runChecks, type RunOptions } from '../../src/runner/runner.js';
import { NO_PROXY_CONFIG } from '../../src/runner/proxy.js';
import { startDnsServer } from '../../src/simulate/dns-server.js';
import { createPki } from '../../src/simulate/pki.js';
import { fixOf } from '../helpers/fixes.js';
import { loopbackNet } from '../helpers/loopback.js';
import { loopbackRunOptions } from '../helpers/run-options.js';
import { respondWith, startHttpServer } from '../helpers/servers.js';

const NET = loopbackNet();
const WORKSPACE_ID = '0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11';
const ENDPOINT = 'ep1.westus2.inference.ml.azure.com';
const SSH = 'ci1-22.westus2.instances.azureml.ms';
// Loopback answers are not private: they stand for Azure's public ones, as in runner.test.ts.
const PUBLIC = { endpoint: `${NET}.6`, ssh: `${NET}.7` };

const pki = createPki();
const facts = { ...defaultFacts(), region: 'westus2', workspaceId: WORKSPACE_ID, privateEndpoint: true, computeInstances: ['ci1'], onlineEndpoints: ['ep1'] };

function options(dns: RunOptions['dnsServers'], overrides: Partial<RunOptions> = {}): RunOptions {
  return loopbackRunOptions(dns, pki.trusted.cert, { timeoutMs: 2000, deadlineMs: 20_000, ...overrides });
}

t.test('an online endpoint name that resolves publicly is blocked at DNS; the fix names the inference zone', async (t) => {
  const web = await startHttpServer(respondWith(401, '{}'), pki.issue({ names: [ENDPOINT] }), { address: `${NET}.2` });
  t.teardown(() => web.close());
  const resolver = await startDnsServer(
    {
      // Azure's public answer: the alias into the privatelink zone, which the DNS server did not forward.
      [ENDPOINT]: { cname: `ep1.${WORKSPACE_ID}.inference.westus2.privatelink.api.azureml.ms` },
      [`ep1.${WORKSPACE_ID}.inference.westus2.privatelink.api.azureml.ms`]: { a: [PUBLIC.endpoint] },
      [SSH]: { a: [PUBLIC.ssh] },
    },
    { address: `${NET}.1` },
  );
  t.teardown(() => resolver.close());

  const targets = expandCatalog(loadCatalog(), facts, { features: ['online-endpoint', 'compute-instance-ssh'] });
  t.same(
    targets.map((x) => `${x.host}:${x.port} ${x.probe} ${x.privateName ?? '-'} ${x.mustResolvePrivately} ${x.skipped === null ? 'checked' : 'skipped'}`).sort(),
    [`${SSH}:443 https compute-instance true checked`, `${ENDPOINT}:443 https online-endpoint true checked`],
    'check expands both names from the facts, each to resolve privately',
  );
  const results = await runChecks(targets, options([resolver.server], { dialPort: () => web.port }));
  const endpoint = results.find((r) => r.host === ENDPOINT);
  t.match(endpoint, { verdict: 'blocked', reason: 'dns-not-private', phase: 'dns' });
  t.match(endpoint?.detail, `resolves to public ${PUBLIC.endpoint} via ep1.${WORKSPACE_ID}.inference.westus2.privatelink.api.azureml.ms`);
  t.same(fixOf(endpoint, { proxy: NO_PROXY_CONFIG }), [
    `make ${ENDPOINT} resolve to its private endpoint: add the privatelink zone (or a conditional forwarder to 168.63.129.16) on the DNS server this VNet uses`,
    'forward inference.ml.azure.com to Azure DNS (168.63.129.16), or on a zone made by hand add *.westus2.inference.ml.azure.com A <the inference address of the workspace private endpoint>',
  ]);
  const ssh = results.find((r) => r.host === SSH);
  t.match(ssh, { verdict: 'blocked', reason: 'dns-not-private', phase: 'dns' });
  t.match(ssh?.detail, 'no privatelink zone answered');

  // The same service is healthy: the block is the DNS answer's, not the endpoint's.
  const served = await startDnsServer({ [ENDPOINT]: { a: [`${NET}.2`] } }, { address: `${NET}.3` });
  t.teardown(() => served.close());
  const publicWorkspace = targets.filter((x) => x.host === ENDPOINT).map((x) => ({ ...x, mustResolvePrivately: false }));
  const [reached] = await runChecks(publicWorkspace, options([served.server], { dialPort: () => web.port }));
  t.match(reached, { verdict: 'reachable' });
});

t.test('without their facts the names are skipped, saying which flag gives them', async (t) => {
  const targets = expandCatalog(loadCatalog(), { ...facts, onlineEndpoints: [], computeInstances: [] }, { features: ['online-endpoint', 'compute-instance-ssh'] });
  t.same(targets.map((x) => x.skipped?.flag ?? null).sort(), ['--compute-instance', '--online-endpoint']);
});
