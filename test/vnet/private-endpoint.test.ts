/**
 * A workspace behind a private endpoint, configured as Azure documents it: its private-link
 * names resolve through privatelink CNAMEs to the endpoint's address, every other name
 * (another compute instance domain, the regional API, Microsoft Graph) resolves publicly.
 * aml-netcheck must see nothing wrong there, and must still tell each real fault apart.
 */
import t from 'tap';
import { REGION, STORAGE, WORKSPACE_API, WORKSPACE_CERT, WORKSPACE_ID, REGION_API, featureOutcomes, host, outcomes, reportOf, requireRoot, startVnet, targetOf } from '../helpers/vnet.js';
import type { SimulatedHost } from '../../src/simulate/azure.js';

const NOTEBOOK = `ml-ws1-${REGION}-${WORKSPACE_ID}.${REGION}.notebooks.azure.net`;
const CI = `ci1.${REGION}.instances.azureml.ms`;
const CI_NET = `ci1.${REGION}.instances.azureml.net`;
const STORAGE_HOSTS = ['blob', 'dfs', 'file'].map((service) => `${STORAGE}.${service}.core.windows.net`);

/** The workspace private endpoint: API, its cert twin and the compute instance name share it. */
const WORKSPACE_PE = '10.99.5.5';
const NOTEBOOK_PE = '10.99.5.6';

const FACTS = ['--region', REGION, '--workspace-id', WORKSPACE_ID, '--workspace-name', 'ws1', '--storage-account', STORAGE, '--compute-instance', 'ci1', '--private-endpoint', '--features', 'workspace-api,compute-instance,integrated-notebook,workspace-storage'];

function privatelink(name: string): string {
  return name.replace(/^([^.]+\.(?:workspace\.[^.]+\.)?)/, '$1privatelink.');
}

interface Layout {
  /** Where the storage names resolve: through their own private endpoint, or publicly (a service endpoint). */
  readonly storage: 'private-endpoint' | 'public';
  /** Where the compute instance private name points. */
  readonly computeInstance: string;
}

function hosts(layout: Layout): SimulatedHost[] {
  const storage = STORAGE_HOSTS.map((name, i) => {
    const ports: Record<string, 'ok'> = name.includes('.file.') ? { 443: 'ok', 445: 'ok' } : { 443: 'ok' };
    return layout.storage === 'public' ? host(name, ports, { address: `20.60.100.${10 + i}` }) : host(name, ports, { address: `10.99.6.${10 + i}`, cname: privatelink(name) });
  });
  const ci: SimulatedHost[] = layout.computeInstance === WORKSPACE_PE ? [host(CI, {}, { address: WORKSPACE_PE })] : [host(CI, { 443: 'ok', 8787: 'ok', 18881: 'ok' }, { address: layout.computeInstance })];
  return [
    host(WORKSPACE_API, layout.computeInstance === WORKSPACE_PE ? { 443: 'ok', 8787: 'ok', 18881: 'ok' } : { 443: 'ok' }, { address: WORKSPACE_PE, cname: `${WORKSPACE_ID}.workspace.${REGION}.privatelink.api.azureml.ms` }),
    host(WORKSPACE_CERT, {}, { address: WORKSPACE_PE }),
    host(NOTEBOOK, { 443: 'ok' }, { address: NOTEBOOK_PE, cname: `ml-ws1-${REGION}-${WORKSPACE_ID}.${REGION}.privatelink.notebooks.azure.net` }),
    ...ci,
    // Public names: not behind the workspace's private endpoint, and fine as they are. The
    // addresses exist only inside the namespace; a documentation range would be a sinkhole's answer.
    host(CI_NET, { 443: 'ok' }, { address: '20.60.100.20' }),
    host(REGION_API, { 443: 'ok' }, { address: '20.60.100.21' }),
    host('graph.microsoft.com', { 443: 'ok' }, { address: '20.60.100.22' }),
    host('graph.windows.net', { 80: 'ok', 443: 'ok' }, { address: '20.60.100.23' }),
    ...storage,
  ];
}

t.test('a correctly configured private-endpoint VNet: no false alarm', async (t) => {
  if (!requireRoot(t)) return;
  const vnet = await startVnet(t, { hosts: hosts({ storage: 'private-endpoint', computeInstance: WORKSPACE_PE }) });
  const report = reportOf(t, await vnet.check([...FACTS, '--private-resources', 'storage']), 0);
  const verdicts = new Set(Object.values(outcomes(report)).filter((o) => !o.startsWith('skipped')));
  t.same([...verdicts], ['reachable -'], 'every checked target reachable, no warning, no dns-not-private');
  t.same(
    Object.values(featureOutcomes(report)).map((f) => f.status),
    ['ok', 'ok', 'ok', 'ok'],
  );
  t.match(targetOf(report, `${CI_NET}:443`).phases.dns?.details, { addresses: ['20.60.100.20'] }, 'the .net compute instance name resolved publicly, and that is fine');
  t.match(targetOf(report, `${CI}:8787`).phases.dns?.details, { addresses: [WORKSPACE_PE] });
  t.match(targetOf(report, `${NOTEBOOK}:443`), { verdict: 'reachable' });
});

t.test('storage without a private endpoint of its own (a service endpoint): fine unless declared', async (t) => {
  if (!requireRoot(t)) return;
  const vnet = await startVnet(t, { hosts: hosts({ storage: 'public', computeInstance: WORKSPACE_PE }) });
  const report = reportOf(t, await vnet.check(FACTS), 0);
  for (const name of STORAGE_HOSTS) t.equal(targetOf(report, `${name}:443`).verdict, 'reachable', `${name} resolves publicly and is reachable`);

  const declared = reportOf(t, await vnet.check([...FACTS, '--private-resources', 'storage']), 1);
  for (const name of STORAGE_HOSTS) t.match(targetOf(declared, `${name}:443`), { verdict: 'blocked', reason: 'dns-not-private', detail: /no privatelink zone answered/ });
  t.same(featureOutcomes(declared)['workspace-storage']?.status, 'broken', 'declared private, resolving publicly: the feature breaks');
  t.same(featureOutcomes(declared)['workspace-api']?.status, 'ok');
});

t.test('a compute instance name that points away from the workspace private endpoint: a warning with both addresses', async (t) => {
  if (!requireRoot(t)) return;
  const own = '10.99.5.9';
  const vnet = await startVnet(t, { hosts: hosts({ storage: 'private-endpoint', computeInstance: own }) });
  const report = reportOf(t, await vnet.check([...FACTS, '--private-resources', 'storage']), 0);
  for (const port of [443, 8787, 18881]) {
    const target = targetOf(report, `${CI}:${port}`);
    t.match(target, { verdict: 'warning', phase: 'dns' }, `${CI}:${port}`);
    t.match(target.warnings, [`${CI} resolves to ${own}, but the workspace private endpoint (${WORKSPACE_API}) is ${WORKSPACE_PE}: a compute instance name must point at the workspace private endpoint's address`]);
  }
  t.same(featureOutcomes(report)['compute-instance']?.status, 'degraded');
});
