/**
 * What the 2026-03 revision's conditions and service tags do once expanded: which targets a
 * fact brings in or leaves out (and the flag a skip names), and which rule fixes a target.
 */
import t from 'tap';
import { loadCatalog } from '../../src/catalog/load.js';
import { expandCatalog } from '../../src/catalog/expand.js';
import { defaultFacts } from '../../src/facts/facts.js';
import type { Cloud } from '../../src/model/clouds.js';
import type { WorkspaceFacts } from '../../src/model/facts.js';
import type { Target } from '../../src/model/target.js';

const catalog = loadCatalog({ revision: '2026-03' });
const WS_ID = '0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11';
const REGION: Record<Cloud, string> = { public: 'westus2', usgov: 'usgovvirginia', china: 'chinaeast2' };

function facts(cloud: Cloud, overrides: Partial<WorkspaceFacts> = {}): WorkspaceFacts {
  return {
    ...defaultFacts(),
    cloud,
    region: REGION[cloud],
    workspaceId: WS_ID,
    storageAccount: 'st1',
    containerRegistry: 'acr1',
    computeInstances: ['ci1'],
    nodeAddress: '10.0.0.4',
    ...overrides,
  };
}

function find(targets: readonly Target[], host: string, port: number, direction = 'outbound'): Target {
  const target = targets.find((x) => x.host === host && x.port === port && x.direction === direction);
  if (!target) throw new Error(`no target ${host}:${port} (${direction})`);
  return target;
}

function ruleText(target: Target): string[] {
  return target.rules.map((r) => `${r.type} ${r.destination} ${r.protocol} ${r.port}`);
}

t.test('Azure Monitor hosts are checked unless Azure Monitor is private, and the skip names the flag that brings them back', async (t) => {
  const open = find(expandCatalog(catalog, facts('public')), 'dc.services.visualstudio.com', 443);
  t.equal(open.skipped, null);
  t.ok(ruleText(open).includes('service-tag AzureMonitor TCP 443'), 'the AzureMonitor tag fixes it');
  const closed = find(expandCatalog(catalog, facts('public', { privateAzureMonitor: true })), 'dc.services.visualstudio.com', 443);
  t.match(closed.skipped, { reason: /Azure Monitor is not secured with a private link/, flag: '--no-private-azure-monitor' });
});

t.test('inbound 44224 only for compute with a public IP; no Batch inbound ports any more', async (t) => {
  const without = expandCatalog(catalog, facts('usgov'));
  t.match(find(without, '10.0.0.4', 44224, 'inbound').skipped, { flag: '--public-ip-compute' });
  const withIp = expandCatalog(catalog, facts('usgov', { publicIpCompute: true }));
  const inbound = withIp.filter((x) => x.direction === 'inbound');
  t.same(
    inbound.map((x) => `${x.host}:${x.port}`),
    ['10.0.0.4:44224'],
  );
  t.equal(inbound[0]?.skipped, null);
  t.same(ruleText(inbound[0] as Target), ['service-tag AzureMachineLearning TCP 44224']);
});

t.test('the workspace and Microsoft registries are needed with no condition', async (t) => {
  for (const cloud of ['public', 'usgov', 'china'] as const) {
    const targets = expandCatalog(catalog, facts(cloud));
    const acr = find(targets, `acr1.${{ public: 'azurecr.io', usgov: 'azurecr.us', china: 'azurecr.cn' }[cloud]}`, 443);
    t.equal(acr.skipped, null, `${cloud}: workspace registry`);
    const mcr = find(targets, 'mcr.microsoft.com', 443);
    t.equal(mcr.skipped, null, `${cloud}: mcr.microsoft.com`);
    t.ok(ruleText(mcr).includes('service-tag MicrosoftContainerRegistry TCP 443'), `${cloud}: MCR's tag has no region`);
    const data = find(targets, `${REGION[cloud]}.data.mcr.microsoft.com`, 443);
    t.ok(ruleText(data).includes('service-tag AzureFrontDoor.FirstParty TCP 443'), `${cloud}: MCR's data endpoints sit behind AzureFrontDoor.FirstParty`);
  }
});

t.test('a firewall in front of storage adds Storage.<region> on 445 to the file share', async (t) => {
  const plain = find(expandCatalog(catalog, facts('china')), 'st1.file.core.chinacloudapi.cn', 445);
  t.notOk(
    ruleText(plain).some((r) => r.startsWith('service-tag')),
    'no tag without the firewall',
  );
  const behind = find(expandCatalog(catalog, facts('china', { storageFirewall: true })), 'st1.file.core.chinacloudapi.cn', 445);
  t.ok(ruleText(behind).includes('service-tag Storage.chinaeast2 TCP 445'));
});

t.test('with a private endpoint, the workspace API also names VirtualNetwork and the compute instance opens 8787 and 18881', async (t) => {
  const host = `${WS_ID}.workspace.westus2.api.azureml.ms`;
  t.notOk(ruleText(find(expandCatalog(catalog, facts('public')), host, 443)).includes('service-tag VirtualNetwork TCP 443'));
  const targets = expandCatalog(catalog, facts('public', { privateEndpoint: true }));
  t.ok(ruleText(find(targets, host, 443)).includes('service-tag VirtualNetwork TCP 443'));
  for (const port of [8787, 18881]) {
    const ci = find(targets, 'ci1.westus2.instances.azureml.ms', port);
    t.equal(ci.skipped, null);
    t.ok(ruleText(ci).includes(`service-tag AzureMachineLearning TCP ${port}`), `${port}: the AzureMachineLearning tag covers it`);
  }
});

t.test('RStudio image hosts only with --rstudio; CRAN always', async (t) => {
  const targets = expandCatalog(catalog, facts('public'));
  t.match(find(targets, 'ghcr.io', 443).skipped, { flag: '--rstudio' });
  t.equal(find(targets, 'cloud.r-project.org', 443).skipped, null);
  t.equal(find(expandCatalog(catalog, facts('public', { rstudio: true })), 'ghcr.io', 443).skipped, null);
});

t.test('compute management over UDP 5831 goes to the tundra host of each cloud, fixed by the AzureMachineLearning tag', async (t) => {
  for (const [cloud, host] of [
    ['public', 'westus2.tundra.azureml.ms'],
    ['usgov', 'usgovvirginia.tundra.azureml.us'],
    ['china', 'chinaeast2.tundra.azureml.cn'],
  ] as const) {
    const target = find(expandCatalog(catalog, facts(cloud)), host, 5831);
    t.equal(target.protocol, 'udp', `${cloud}: over UDP`);
    t.equal(target.skipped, null, `${cloud}: with no condition`);
    t.ok(ruleText(target).includes('service-tag AzureMachineLearning UDP 5831'), `${cloud}: the tag's UDP rule`);
  }
});

t.test('portless host rows are checked on 443 only', async (t) => {
  const targets = expandCatalog(catalog, facts('public'));
  for (const host of ['pypi.org', 'cloud.r-project.org', 'update.code.visualstudio.com', 'dc.applicationinsights.azure.com']) {
    t.same(
      targets.filter((x) => x.host === host).map((x) => `${x.port}/${x.protocol}`),
      ['443/https'],
      host,
    );
  }
});

t.test('Kubernetes hosts are opt-in; training adds the pip and Ubuntu hosts, inference does not', async (t) => {
  const plain = expandCatalog(catalog, facts('public'));
  t.match(find(plain, 'archive.ubuntu.com', 80).skipped, { flag: '--features kubernetes-training' });
  const inference = expandCatalog(catalog, facts('public'), { features: ['kubernetes-inference'] });
  t.notOk(
    inference.some((x) => x.host === 'archive.ubuntu.com'),
    'no Ubuntu hosts for inference',
  );
  t.equal(find(inference, 'acr1.westus2.data.azurecr.io', 443).skipped, null);
  const training = expandCatalog(catalog, facts('public'), { features: ['kubernetes-training'] });
  t.equal(find(training, 'archive.ubuntu.com', 80).skipped, null);
  t.equal(find(training, 'pypi.org', 443).skipped, null);
});
