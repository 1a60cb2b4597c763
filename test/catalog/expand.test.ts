import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadCatalog } from '../../src/catalog/load.js';
import { expandCatalog } from '../../src/catalog/expand.js';
import { CLOUDS, type Cloud } from '../../src/model/clouds.js';
import { defaultFacts } from '../../src/facts/facts.js';
import { hasPlaceholder } from '../../src/catalog/host-pattern.js';
import { InputError } from '../../src/model/errors.js';
import type { Target } from '../../src/model/target.js';
import type { WorkspaceFacts } from '../../src/model/facts.js';

const catalog = loadCatalog({ revision: '2021-11' });
const WS_ID = '0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11';
const REGION: Record<Cloud, string> = { public: 'westus2', usgov: 'usgovvirginia', china: 'chinaeast2' };
// Each cloud's own domains, as the catalog writes them.
const DOMAIN = {
  public: { api: 'api.azureml.ms', notebooks: 'notebooks.azure.net', storage: 'core.windows.net', vault: 'vault.azure.net', acr: 'azurecr.io', instances: 'instances.azureml.net' },
  usgov: { api: 'api.ml.azure.us', notebooks: 'notebooks.usgovcloudapi.net', storage: 'core.usgovcloudapi.net', vault: 'vault.usgovcloudapi.net', acr: 'azurecr.us', instances: 'instances.azureml.us' },
  china: { api: 'api.ml.azure.cn', notebooks: 'notebooks.chinacloudapi.cn', storage: 'core.chinacloudapi.cn', vault: 'vault.azure.cn', acr: 'azurecr.cn', instances: 'instances.azureml.cn' },
} as const;

function facts(cloud: Cloud, overrides: Partial<WorkspaceFacts> = {}): WorkspaceFacts {
  return { ...defaultFacts(), cloud, region: REGION[cloud], ...overrides };
}

function full(cloud: Cloud, overrides: Partial<WorkspaceFacts> = {}): WorkspaceFacts {
  return facts(cloud, {
    workspaceId: WS_ID,
    workspaceName: 'ws1',
    storageAccount: 'st1',
    keyVault: 'kv1',
    containerRegistry: 'acr1',
    computeInstances: ['ci1'],
    nodeAddress: '10.0.0.4',
    ...overrides,
  });
}

function find(targets: Target[], host: string, port: number): Target | undefined {
  return targets.find((x) => x.host === host && x.port === port && x.direction === 'outbound');
}

function active(targets: Target[]): Target[] {
  return targets.filter((x) => x.skipped === null);
}

for (const cloud of CLOUDS) {
  const d = DOMAIN[cloud];
  const region = REGION[cloud];

  t.test(`${cloud}: placeholders come from the facts, in the cloud's own domains`, async (t) => {
    const targets = expandCatalog(catalog, full(cloud));
    for (const service of ['file', 'blob', 'dfs']) {
      const target = find(targets, `st1.${service}.${d.storage}`, 443);
      t.ok(target && target.skipped === null, `st1.${service}.${d.storage}:443`);
      t.equal(target?.representative, false);
    }
    t.same(find(targets, `st1.file.${d.storage}`, 445)?.features, ['integrated-notebook', 'workspace-storage'], 'SMB serves notebooks and workspace storage');
    t.equal(find(targets, `st1.file.${d.storage}`, 445)?.probe, 'tcp', '445 is checked with a TCP connect');
  });

  t.test(`${cloud}: only the workspace's private-link names must resolve privately, and dependent resources only when they have private endpoints`, async (t) => {
    const targets = expandCatalog(catalog, full(cloud, { hbi: true, customImages: true, privateEndpoint: true }));
    const privateLink: Record<string, string> = {
      [`${WS_ID}.workspace.${region}.${d.api}`]: 'workspace-api',
      [`${WS_ID}.workspace.${region}.cert.${d.api}`]: 'workspace-api',
      [`ml-ws1-${region}-${WS_ID}.${region}.${d.notebooks}`]: 'notebooks',
    };
    // The compute instance private name is on the cloud's own instances domain.
    if (cloud !== 'public') privateLink[`ci1.${region}.${d.instances}`] = 'compute-instance';
    else privateLink[`ci1.${region}.instances.azureml.ms`] = 'compute-instance';
    for (const [host, kind] of Object.entries(privateLink)) {
      t.match(find(targets, host, 443), { privateName: kind, mustResolvePrivately: true }, `${host} is a private-link name`);
    }
    for (const [host, kind] of [
      [`st1.file.${d.storage}`, 'storage'],
      [`st1.blob.${d.storage}`, 'storage'],
      [`kv1.${d.vault}`, 'key-vault'],
      [`acr1.${d.acr}`, 'container-registry'],
    ] as const) {
      t.match(find(targets, host, 443), { privateName: kind, mustResolvePrivately: false }, `${host} may resolve publicly: its own private endpoint is not declared`);
    }
    const notPrivate = [`${region}.${d.api}`, 'pypi.org', `ci1.${region}.instances.azureml.net`];
    if (cloud !== 'public') notPrivate.push(`ci1.${region}.instances.azureml.ms`);
    for (const host of notPrivate) {
      const target = find(targets, host, 443);
      if (target) t.match(target, { privateName: null, mustResolvePrivately: false }, `${host} is no private-link name`);
    }
    t.ok(find(targets, `ci1.${region}.instances.azureml.ms`, 443), 'the catalog does list the .ms instance host');
    const declared = expandCatalog(catalog, full(cloud, { hbi: true, customImages: true, privateEndpoint: true, privateResources: ['storage', 'key-vault'] }));
    t.equal(find(declared, `st1.file.${d.storage}`, 445)?.mustResolvePrivately, true, 'storage with its own private endpoint');
    t.equal(find(declared, `kv1.${d.vault}`, 443)?.mustResolvePrivately, true, 'key vault with its own private endpoint');
    t.equal(find(declared, `acr1.${d.acr}`, 443)?.mustResolvePrivately, false, 'registry without one');
    const withoutPe = expandCatalog(catalog, full(cloud, { privateResources: ['storage'] }));
    t.equal(find(withoutPe, `${WS_ID}.workspace.${region}.${d.api}`, 443)?.mustResolvePrivately, false, 'no workspace private endpoint, no private workspace names');
    t.equal(find(withoutPe, `st1.blob.${d.storage}`, 443)?.mustResolvePrivately, true, 'storage private endpoints stand on their own');
  });

  t.test(`${cloud}: the workspace API wildcard becomes its documented names`, async (t) => {
    const targets = expandCatalog(catalog, full(cloud));
    for (const host of [`${WS_ID}.workspace.${region}.${d.api}`, `${WS_ID}.workspace.${region}.cert.${d.api}`, `${region}.${d.api}`]) {
      const target = find(targets, host, 443);
      t.ok(target && target.skipped === null, host);
      t.ok(target?.features.includes('workspace-api'));
      t.equal(target?.representative, false, 'a documented name is not a representative');
      t.equal(target?.probe, 'https');
    }
  });

  t.test(`${cloud}: the notebook host comes from notebookInfo.fqdn, else from Azure's naming rule`, async (t) => {
    const derived = `ml-ws1-${region}-${WS_ID}.${region}.${d.notebooks}`;
    t.ok(find(expandCatalog(catalog, full(cloud)), derived, 443), derived);
    const given = `ml-ws1-${region}-abc.${region}.${d.notebooks}`;
    const targets = expandCatalog(catalog, full(cloud, { notebookFqdn: given }));
    t.ok(find(targets, given, 443), 'the FQDN Azure reported wins');
    t.notOk(find(targets, derived, 443), 'and replaces the derived name');
    const foreign = expandCatalog(catalog, full(cloud, { notebookFqdn: 'ml-x.westus2.notebooks.example.org' }));
    t.ok(find(foreign, derived, 443), 'an FQDN outside the cloud’s notebook domain falls back to the rule');
    const missing = expandCatalog(catalog, facts(cloud)).find((x) => x.pattern === `*.${d.notebooks}`);
    t.match(missing?.skipped?.flag, /--notebook-fqdn or --workspace-name --workspace-id/);
  });

  t.test(`${cloud}: compute instances get their hosts; 8787 and 18881 only with a private endpoint`, async (t) => {
    const without = expandCatalog(catalog, full(cloud, { computeInstances: ['ci1', 'GPU-box'] }));
    for (const name of ['ci1', 'gpu-box']) {
      t.ok(find(without, `${name}.${region}.instances.azureml.ms`, 443)?.skipped === null, `${name} on instances.azureml.ms:443`);
      t.ok(find(without, `${name}.${region}.${d.instances}`, 443)?.skipped === null, `${name} on ${d.instances}:443`);
      for (const port of [8787, 18881]) {
        const target = find(without, `${name}.${region}.instances.azureml.ms`, port);
        t.equal(target?.skipped?.flag, '--private-endpoint', `${name}:${port} waits for --private-endpoint`);
        t.match(target?.skipped?.reason, /private endpoint/);
      }
    }
    const withPe = expandCatalog(catalog, full(cloud, { privateEndpoint: true }));
    for (const port of [8787, 18881]) {
      const target = find(withPe, `ci1.${region}.instances.azureml.ms`, port);
      t.equal(target?.skipped, null, `ci1:${port} checked with a private endpoint`);
      t.equal(target?.condition, 'private-endpoint');
      t.equal(target?.required, true);
    }
    const none = expandCatalog(catalog, facts(cloud)).filter((x) => x.pattern === '*.instances.azureml.ms');
    t.ok(
      none.every((x) => x.skipped?.flag?.includes('--compute-instance')),
      'no instance given: skipped, naming the flag',
    );
  });

  t.test(`${cloud}: Key Vault only for high business impact workspaces`, async (t) => {
    const host = `kv1.${d.vault}`;
    t.equal(find(expandCatalog(catalog, full(cloud)), host, 443)?.skipped?.flag, '--hbi');
    const hbi = find(expandCatalog(catalog, full(cloud, { hbi: true })), host, 443);
    t.equal(hbi?.skipped, null);
    t.same(hbi?.features, ['key-vault']);
    t.ok(
      hbi?.rules.some((r) => r.type === 'service-tag' && r.destination === `AzureKeyVault.${region}`),
      'names the service tag Azure Firewall knows',
    );
    const noName = expandCatalog(catalog, facts(cloud, { hbi: true })).find((x) => x.pattern === `*.${d.vault}`);
    t.equal(noName?.skipped?.flag, '--key-vault');
  });

  t.test(`${cloud}: the workspace registry only with custom images; MCR only with user-managed dependencies`, async (t) => {
    const plain = expandCatalog(catalog, full(cloud));
    t.equal(find(plain, `acr1.${d.acr}`, 443)?.skipped?.flag, '--custom-images');
    t.equal(find(plain, 'mcr.microsoft.com', 443)?.skipped?.flag, '--user-managed-deps');
    t.equal(find(plain, 'viennaglobal.azurecr.io', 443)?.skipped, null, 'prebuilt images are always needed');
    const custom = expandCatalog(catalog, full(cloud, { customImages: true, userManagedDependencies: true }));
    t.same(find(custom, `acr1.${d.acr}`, 443)?.features, ['container-registry']);
    t.equal(find(custom, 'mcr.microsoft.com', 443)?.skipped, null);
    t.ok(find(custom, 'mcr.microsoft.com', 443)?.rules.some((r) => r.destination === `MicrosoftContainerRegistry.${region}`));
  });

  t.test(`${cloud}: wildcards for public services use a representative host, and say so`, async (t) => {
    const targets = expandCatalog(catalog, full(cloud, { customPackageIndex: true }));
    for (const [host, pattern] of [
      ['repo.anaconda.com', '*.anaconda.com'],
      ['conda.anaconda.org', '*.anaconda.org'],
      ['files.pythonhosted.org', '*.pythonhosted.org'],
      ['download.pytorch.org', '*pytorch.org'],
      ['az764295.vo.msecnd.net', '*.vo.msecnd.net'],
    ] as const) {
      const target = find(targets, host, 443);
      t.equal(target?.representative, true, `${host} stands for ${pattern}`);
      t.equal(target?.pattern, pattern);
      t.equal(target?.skipped, null);
    }
    t.equal(find(expandCatalog(catalog, full(cloud)), 'files.pythonhosted.org', 443)?.skipped?.flag, '--custom-package-index');
    t.equal(find(targets, 'download.pytorch.org', 443)?.required, false, 'samples-only hosts are advisory');
    t.equal(find(targets, 'pypi.org', 80)?.protocol, 'http', 'application rules allow http');
    t.equal(find(targets, 'pypi.org', 443)?.protocol, 'https', 'and https');
  });

  t.test(`${cloud}: Microsoft's Batch storage is represented by the workspace account`, async (t) => {
    const targets = expandCatalog(catalog, full(cloud));
    for (const service of ['table', 'queue']) {
      const target = find(targets, `st1.${service}.${d.storage}`, 443);
      t.equal(target?.representative, true, `st1.${service} stands for *.${service}.${d.storage}`);
      t.same(target?.features, ['microsoft-storage']);
    }
    const blob = find(targets, `st1.blob.${d.storage}`, 443);
    t.equal(blob?.representative, false, 'the blob host is also the workspace account itself');
    t.same(blob?.features, ['integrated-notebook', 'microsoft-storage', 'workspace-storage'], 'merged, keeping every feature');
    t.ok(blob?.rules.some((r) => r.type === 'service-tag' && r.destination === `Storage.${region}`));
  });

  t.test(`${cloud}: full facts leave no placeholder in any host`, async (t) => {
    const targets = expandCatalog(catalog, full(cloud, { privateEndpoint: true, hbi: true }));
    const left = targets.filter((x) => hasPlaceholder(x.host)).map((x) => x.host);
    t.same(left, [], 'no <placeholder> left');
    const keys = targets.map((x) => `${x.direction} ${x.host}:${x.port}`);
    t.equal(new Set(keys).size, keys.length, 'one target per host and port');
  });

  t.test(`${cloud}: inbound management ports target the compute node`, async (t) => {
    const inbound = expandCatalog(catalog, full(cloud)).filter((x) => x.direction === 'inbound');
    t.same(inbound.map((x) => `${x.host}:${x.port}`).sort(), ['10.0.0.4:29876', '10.0.0.4:29877', '10.0.0.4:44224']);
    t.ok(inbound.every((x) => x.features.includes('inbound-management')));
    t.ok(inbound.find((x) => x.port === 44224)?.rules.some((r) => r.type === 'service-tag' && r.destination === 'AzureMachineLearning' && r.direction === 'inbound'));
  });

  t.test(`${cloud}: opt-in cluster features are listed as skipped until --features names them`, async (t) => {
    const plain = expandCatalog(catalog, full(cloud));
    const gcr = find(plain, 'gcr.io', 443);
    t.equal(gcr?.skipped?.flag, '--features arc-extension');
    const selected = expandCatalog(catalog, full(cloud), { features: ['arc-extension'] });
    t.equal(find(selected, 'gcr.io', 443)?.skipped, null);
    t.ok(
      selected.every((x) => x.features.every((f) => f === 'arc-extension')),
      '--features narrows the run to what it names',
    );
    t.notOk(find(selected, 'pypi.org', 443), 'features not named are left out');
    const aks = find(expandCatalog(catalog, full(cloud), { features: ['aks-inference'] }), 'mcr.microsoft.com', 443);
    t.equal(aks?.skipped, null, 'AKS needs MCR whatever the image setup');
  });
}

t.test('Azure Front Door is not needed in Azure China', async (t) => {
  const tagged = (cloud: Cloud): boolean => expandCatalog(catalog, full(cloud)).some((x) => x.rules.some((r) => r.destination === 'AzureFrontDoor.FrontEnd'));
  t.ok(tagged('public'));
  t.ok(tagged('usgov'));
  t.notOk(tagged('china'));
});

t.test('Arc training hosts also serve training and inference; the inference hosts only that', async (t) => {
  const training = expandCatalog(catalog, full('public'), { features: ['arc-training'] });
  t.ok(find(training, 'archive.ubuntu.com', 80));
  t.notOk(find(training, 'westus2.experiments.azureml.net', 443));
  const inference = expandCatalog(catalog, full('public'), { features: ['arc-inference'] });
  for (const host of ['archive.ubuntu.com:80', 'pypi.org:443', 'westus2.experiments.azureml.net:443', `${WS_ID}.workspace.westus2.api.azureml.ms:443`, 'acr1.azurecr.io:443']) {
    const [name, port] = host.split(':') as [string, string];
    t.equal(find(inference, name, Number(port))?.skipped, null, host);
  }
});

t.test('a wildcard with no documented name stays, skipped, and a user catalog can name it', async (t) => {
  const plain = expandCatalog(catalog, full('public')).find((x) => x.host === '*.aznbcontent.net');
  t.equal(plain?.skipped?.flag, '--catalog');
  const extended = loadCatalog({ extraFiles: ['test/fixtures/catalog/valid/corp.yaml'] });
  const targets = expandCatalog(extended, full('public'), { features: ['integrated-notebook', 'corp-gateway'] });
  t.equal(find(targets, 'westus2.aznbcontent.net', 443)?.representative, true);
  t.equal(find(targets, 'westus2.gw.corp.example.com', 8443)?.skipped, null);
  t.notOk(
    expandCatalog(extended, full('china')).some((x) => x.host.includes('gw.corp')),
    'a user entry keeps to its clouds',
  );
});

t.test('a derived host that is not a valid DNS name is skipped, not dialled', async (t) => {
  const notebook = expandCatalog(catalog, full('public', { workspaceName: 'ws_1' })).find((x) => x.pattern === '*.notebooks.azure.net');
  t.match(notebook?.skipped?.reason, /not a valid host name/);
});

t.test('the notebook label is cut to 63 characters the way Azure cuts the workspace name', async (t) => {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456';
  for (const region of ['westus2', 'australiacentral2', 'germanywestcentral']) {
    for (let length = 3; length <= 33; length++) {
      const name = `W${alphabet.slice(0, length - 1)}`;
      const whole = `ml-${name.toLowerCase()}-${region}-${WS_ID}`;
      const notebooks = expandCatalog(catalog, full('public', { region, workspaceName: name })).filter((x) => x.pattern === '*.notebooks.azure.net');
      t.equal(notebooks.length, 1, `${length} characters in ${region}: one notebook target`);
      const target = notebooks[0] as Target;
      t.equal(target.skipped, null, `${length} characters in ${region}: checked, not skipped`);
      const label = target.host.split('.')[0] as string;
      t.ok(label.length <= 63, `${label} is at most 63 characters`);
      if (whole.length <= 63) t.equal(label, whole, 'a label that fits is not cut');
      else t.equal(label.length, 63, 'a label that does not fit is cut to exactly 63');
      t.ok(label.startsWith(`ml-${name.toLowerCase().slice(0, 3)}`) && label.endsWith(`-${region}-${WS_ID}`), 'only the name is cut');
      t.equal(target.host, `${label}.${region}.notebooks.azure.net`);
    }
  }
});

t.test('without --inbound-from-here the inbound ports are listed as skipped, naming the flag', async (t) => {
  for (const cloud of CLOUDS) {
    const inbound = expandCatalog(catalog, full(cloud, { nodeAddress: undefined })).filter((x) => x.direction === 'inbound');
    t.same(inbound.map((x) => x.port).sort(), [29876, 29877, 44224], `${cloud}: every inbound port is still listed`);
    for (const target of inbound) {
      t.equal(target.host, '<node>', 'no host is made up for the node');
      t.equal(target.skipped?.flag, '--inbound-from-here');
      t.match(target.skipped?.reason, /needs <node> \(the compute node; inbound ports are checked from outside it\)/);
    }
  }
});

t.test('unknown feature ids are bad input', async (t) => {
  t.throws(() => expandCatalog(catalog, full('public'), { features: ['notebooks'] }), InputError);
});

t.test('targets are sorted: checked first, outbound before inbound, then host and port', async (t) => {
  const targets = expandCatalog(catalog, full('public'));
  const firstSkipped = targets.findIndex((x) => x.skipped !== null);
  t.ok(targets.slice(firstSkipped).every((x) => x.skipped !== null));
  t.ok(active(targets).length > 40);
});

t.test('udp and any: a UDP target stays apart from the TCP one on its port; any is probed like tcp and ruled as Any', async (t) => {
  const udpCatalog = loadCatalog({ extraFiles: ['test/fixtures/catalog/valid/udp-any.yaml'] });
  const targets = expandCatalog(udpCatalog, full('public'), { features: ['relay'] });
  const relay = targets.filter((x) => x.host === 'westus2.tundra.corp.example.com');
  t.same(
    relay.map((x) => [x.id, x.protocol, x.probe]),
    [
      ['westus2.tundra.corp.example.com:5831', 'tcp', 'tcp'],
      ['westus2.tundra.corp.example.com:5831/udp', 'udp', 'udp'],
    ],
    'one TCP and one UDP target, TCP first, the UDP id marked',
  );
  const udp = relay[1] as Target;
  t.same(
    udp.rules,
    [
      { type: 'fqdn', destination: 'westus2.tundra.corp.example.com', protocol: 'UDP', port: 5831, direction: 'outbound' },
      { type: 'service-tag', destination: 'AzureMachineLearning', protocol: 'UDP', port: 5831, direction: 'outbound' },
    ],
    'the host and the service tag requirement merge into the UDP target, both UDP rules',
  );
  t.same(
    udp.sources.map((s) => s.keyPath),
    ['entries[0]', 'entries[1]'],
  );
  t.same(
    (relay[0] as Target).rules.map((r) => r.protocol),
    ['TCP'],
    'the TCP target keeps its TCP rule only',
  );

  const batch = targets.filter((x) => x.host === 'westus2.batch.corp.example.com');
  t.equal(batch.length, 1, 'any and tcp on the same host and port are one target, probed once');
  t.match(batch[0], { id: 'westus2.batch.corp.example.com:443', protocol: 'any', probe: 'https' }, 'any ranks above tcp; 443 is probed as the glossary says');
  t.same(
    batch[0]?.rules,
    [
      { type: 'fqdn', destination: 'westus2.batch.corp.example.com', protocol: 'Any', port: 443, direction: 'outbound' },
      { type: 'service-tag', destination: 'BatchNodeManagement.westus2', protocol: 'Any', port: 443, direction: 'outbound' },
    ],
    'the Any rule wins over the TCP one for the same destination',
  );
  t.match(
    targets.find((x) => x.host === 'queue.corp.example.com'),
    { id: 'queue.corp.example.com:5671', protocol: 'any', probe: 'tcp' },
  );
});

t.test('an https requirement keeps its depth when merged with any on the same port', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'amlnc-any-'));
  const file = join(dir, 'any.yaml');
  writeFileSync(
    file,
    [
      'section: any-https',
      'title: Any and https',
      'entries:',
      '  - pattern: api.any.example.com',
      '    ports: ["any:8443", "udp:8443"]',
      '    clouds: [public]',
      '    features: [workspace-api]',
      '    purpose: Any.',
      '  - pattern: api.any.example.com',
      '    ports: ["https:8443"]',
      '    clouds: [public]',
      '    features: [workspace-api]',
      '    purpose: Web.',
    ].join('\n'),
  );
  const targets = expandCatalog(loadCatalog({ extraFiles: [file] }), full('public')).filter((x) => x.host === 'api.any.example.com');
  t.same(
    targets.map((x) => [x.id, x.protocol, x.probe, x.rules.map((r) => r.protocol).join(' ')]),
    [
      ['api.any.example.com:8443', 'any', 'https', 'Any'],
      ['api.any.example.com:8443/udp', 'udp', 'udp', 'UDP'],
    ],
  );
});
