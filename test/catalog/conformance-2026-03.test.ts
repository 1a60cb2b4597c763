/**
 * The 2026-03 revision of the catalog against the article (ms.date 2026-03-19, MicrosoftDocs/
 * azure-ai-docs at 00bb5540, articles/machine-learning/how-to-access-azureml-behind-firewall.md).
 * The article is not shipped, so its rows are written out here, one string per requirement
 * (`host-or-tag protocol:port direction`), grouped by catalog section and the article anchor it
 * cites, per cloud. The catalog narrowed to 2026-03 must hold exactly these: a catalog change
 * that drifts from the article fails, and so does an entry scoped to the wrong revision.
 * Row numbers (#n) are those of the research notes for the revision.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { loadCatalog } from '../../src/catalog/load.js';
import { BUILTIN_CATALOG_DIR } from '../../src/catalog/parse-file.js';
import type { Catalog, CatalogEntry } from '../../src/catalog/types.js';
import { CLOUDS, type Cloud } from '../../src/model/clouds.js';

const REVISION = '2026-03';

type PerCloud = Record<Cloud, readonly string[]>;

function everywhere(rows: readonly string[]): PerCloud {
  return { public: rows, usgov: rows, china: rows };
}

// Basic configuration › inbound #1, outbound #3 (8787, 18881), #4, #5, #8-#11.
const BASIC_TAGS = [
  'AzureMachineLearning tcp:44224 inbound',
  'AzureMachineLearning tcp:8787 outbound',
  'AzureMachineLearning tcp:18881 outbound',
  'AzureMachineLearning udp:5831 outbound',
  'BatchNodeManagement.region any:443 outbound',
  'AzureFrontDoor.FrontEnd tcp:443 outbound',
  'MicrosoftContainerRegistry tcp:443 outbound',
  'Frontdoor.FirstParty tcp:443 outbound',
  'AzureMonitor tcp:443 outbound',
];

/** Key: `catalog-section#article-anchor`. */
const ARTICLE: Record<string, PerCloud> = {
  // Basic configuration › outbound, the tags unchanged since 2021-11 (#2, #3 443, #6, #7).
  'outbound-service-tags#basic-configuration': everywhere(['AzureActiveDirectory tcp:80 outbound', 'AzureActiveDirectory tcp:443 outbound', 'AzureMachineLearning tcp:443 outbound', 'AzureResourceManager tcp:443 outbound', 'Storage.region tcp:443 outbound']),
  'basic-configuration#basic-configuration': {
    public: BASIC_TAGS,
    usgov: BASIC_TAGS,
    // AzureFrontDoor.FrontEnd: not needed in China.
    china: BASIC_TAGS.filter((row) => !row.startsWith('AzureFrontDoor.FrontEnd ')),
  },
  // Basic configuration › outbound #12, the private endpoints in the VNet.
  'private-endpoints#basic-configuration': everywhere(['VirtualNetwork tcp:443 outbound']),
  // Recommended configuration › the Python hosts of the include (#14-#21); #13 repeats #9-#10.
  'recommended-training#recommended-configuration-for-training-and-deploying-models': everywhere([
    'anaconda.com https:443 outbound',
    '*.anaconda.com https:443 outbound',
    '*.anaconda.org https:443 outbound',
    'pypi.org https:443 outbound',
    '*.pythonhosted.org https:443 outbound',
    'pytorch.org https:443 outbound',
    '*.pytorch.org https:443 outbound',
    '*.tensorflow.org https:443 outbound',
  ]),
  // Scenario: RStudio (#22-#24).
  'rstudio#scenario-install-rstudio-on-compute-instance': everywhere(['ghcr.io https:443 outbound', 'pkg-containers.githubusercontent.com https:443 outbound', 'cloud.r-project.org https:443 outbound']),
  // Scenario: firewall between Azure ML and storage (#26).
  'storage-firewall#scenario-firewall-between-azure-machine-learning-and-azure-storage-endpoints': everywhere(['Storage.region tcp:445 outbound']),
  // Scenario: hbi_workspace (#27; the port is the key vault host row's, #87).
  'outbound-service-tags#scenario-workspace-created-with-the-hbi_workspace-flag-enabled': everywhere(['Keyvault.region tcp:443 outbound']),
  // Scenario: Kubernetes compute (#28-#40; the in-cluster rows #41-#44 are not egress).
  'kubernetes#scenario-use-kubernetes-compute': {
    public: [
      '*.kusto.windows.net https:443 outbound',
      '*.table.core.windows.net https:443 outbound',
      '*.queue.core.windows.net https:443 outbound',
      '<registry>.azurecr.io https:443 outbound',
      '<registry>.<region>.data.azurecr.io https:443 outbound',
      '<storage>.blob.core.windows.net https:443 outbound',
      '<workspace-id>.workspace.<region>.api.azureml.ms https:443 outbound',
      '<region>.experiments.azureml.net https:443 outbound',
      '<region>.api.azureml.ms https:443 outbound',
      'pypi.org https:443 outbound',
      'archive.ubuntu.com http:80 outbound',
      'security.ubuntu.com http:80 outbound',
      'ppa.launchpad.net http:80 outbound',
    ],
    usgov: ['pypi.org https:443 outbound', 'archive.ubuntu.com http:80 outbound', 'security.ubuntu.com http:80 outbound', 'ppa.launchpad.net http:80 outbound'],
    china: ['pypi.org https:443 outbound', 'archive.ubuntu.com http:80 outbound', 'security.ubuntu.com http:80 outbound', 'ppa.launchpad.net http:80 outbound'],
  },
  // Scenario: Visual Studio Code › hosts (#45-#56b) and ports (#57).
  'vscode#scenario-visual-studio-code': everywhere([
    '*.vscode.dev https:443 outbound',
    '*.vscode-unpkg.net https:443 outbound',
    '*.vscode-cdn.net https:443 outbound',
    '*.vscodeexperiments.azureedge.net https:443 outbound',
    'default.exp-tas.com https:443 outbound',
    'code.visualstudio.com https:443 outbound',
    'update.code.visualstudio.com https:443 outbound',
    '*.vo.msecnd.net https:443 outbound',
    'marketplace.visualstudio.com https:443 outbound',
    'vscode.blob.core.windows.net https:443 outbound',
    '*.gallerycdn.vsassets.io https:443 outbound',
    'github.com/microsoft/vscode-tools-for-ai/tree/master/azureml_remote_websocket_server/* https:443 outbound',
    'vscode.download.prss.microsoft.com https:443 outbound',
    '*.instances.azureml.ms tcp:8704 outbound',
    '*.instances.azureml.ms tcp:8705 outbound',
    '*.instances.azureml.ms tcp:8706 outbound',
    '*.instances.azureml.ms tcp:8707 outbound',
    '*.instances.azureml.ms tcp:8708 outbound',
    '*.instances.azureml.ms tcp:8709 outbound',
    '*.instances.azureml.ms tcp:8710 outbound',
  ]),
  // Microsoft hosts › General Azure hosts (#58-#60).
  'general-azure-hosts#microsoft-hosts': {
    public: ['login.microsoftonline.com tcp:80 outbound', 'login.microsoftonline.com tcp:443 outbound', 'management.azure.com tcp:443 outbound'],
    usgov: ['login.microsoftonline.us tcp:80 outbound', 'login.microsoftonline.us tcp:443 outbound', 'management.azure.us tcp:443 outbound', 'management.usgovcloudapi.net tcp:443 outbound'],
    china: ['login.chinacloudapi.cn tcp:80 outbound', 'login.chinacloudapi.cn tcp:443 outbound', 'management.azure.cn tcp:443 outbound', 'management.chinacloudapi.cn tcp:443 outbound'],
  },
  // Microsoft hosts › Azure Machine Learning hosts, rows unchanged since 2021-11 (#61, #62, #66-#71).
  'azure-ml-hosts#microsoft-hosts': {
    public: [
      'ml.azure.com tcp:443 outbound',
      '*.azureml.ms tcp:443 outbound',
      '*.notebooks.azure.net tcp:443 outbound',
      '<storage>.file.core.windows.net tcp:443 outbound',
      '<storage>.file.core.windows.net tcp:445 outbound',
      '<storage>.dfs.core.windows.net tcp:443 outbound',
      '<storage>.blob.core.windows.net tcp:443 outbound',
      'graph.microsoft.com tcp:443 outbound',
      '*.aznbcontent.net tcp:443 outbound',
    ],
    usgov: [
      'ml.azure.us tcp:443 outbound',
      '*.ml.azure.us tcp:443 outbound',
      '*.notebooks.usgovcloudapi.net tcp:443 outbound',
      '<storage>.file.core.usgovcloudapi.net tcp:443 outbound',
      '<storage>.file.core.usgovcloudapi.net tcp:445 outbound',
      '<storage>.dfs.core.usgovcloudapi.net tcp:443 outbound',
      '<storage>.blob.core.usgovcloudapi.net tcp:443 outbound',
      'graph.microsoft.us tcp:443 outbound',
      '*.aznbcontent.net tcp:443 outbound',
    ],
    china: [
      'studio.ml.azure.cn tcp:443 outbound',
      '*.ml.azure.cn tcp:443 outbound',
      '*.notebooks.chinacloudapi.cn tcp:443 outbound',
      '<storage>.file.core.chinacloudapi.cn tcp:443 outbound',
      '<storage>.file.core.chinacloudapi.cn tcp:445 outbound',
      '<storage>.dfs.core.chinacloudapi.cn tcp:443 outbound',
      '<storage>.blob.core.chinacloudapi.cn tcp:443 outbound',
      'graph.chinacloudapi.cn tcp:443 outbound',
      '*.aznbcontent.net tcp:443 outbound',
    ],
  },
  // Microsoft hosts › Azure Machine Learning hosts, rows new in 2026-03 (#63-#65, #72-#73).
  'azure-ml-hosts-2026#microsoft-hosts': {
    public: ['*.azureml.net tcp:443 outbound', '*.modelmanagement.azureml.net tcp:443 outbound', 'automlresources-prod.azureedge.net tcp:443 outbound', 'aka.ms tcp:443 outbound'],
    usgov: ['*.modelmanagement.azureml.us tcp:443 outbound'],
    china: ['*.azureml.cn tcp:443 outbound', '*.modelmanagement.ml.azure.cn tcp:443 outbound'],
  },
  // Microsoft hosts › compute hosts, rows unchanged since 2021-11 (#74-#77).
  'compute-hosts#microsoft-hosts': {
    public: ['graph.windows.net tcp:443 outbound', '*.instances.azureml.net tcp:443 outbound', '*.instances.azureml.ms tcp:443 outbound', '*.instances.azureml.ms tcp:8787 outbound', '*.instances.azureml.ms tcp:18881 outbound'],
    usgov: ['graph.windows.net tcp:443 outbound', '*.instances.azureml.us tcp:443 outbound', '*.instances.azureml.ms tcp:443 outbound', '*.instances.azureml.ms tcp:8787 outbound', '*.instances.azureml.ms tcp:18881 outbound'],
    china: ['graph.chinacloudapi.cn tcp:443 outbound', '*.instances.azureml.cn tcp:443 outbound', '*.instances.azureml.ms tcp:443 outbound', '*.instances.azureml.ms tcp:8787 outbound', '*.instances.azureml.ms tcp:18881 outbound'],
  },
  // Microsoft hosts › compute hosts, rows new in 2026-03 (#78-#81).
  'compute-hosts-2026#microsoft-hosts': {
    public: ['<region>.tundra.azureml.ms udp:5831 outbound', '*.tundra.<region>.api.azureml.ms udp:5831 outbound', '*.<region>.batch.azure.com any:443 outbound', '*.<region>.service.batch.azure.com any:443 outbound'],
    usgov: ['<region>.tundra.azureml.us udp:5831 outbound'],
    china: ['<region>.tundra.azureml.cn udp:5831 outbound'],
  },
  // Microsoft hosts › compute hosts › Microsoft storage access (#82-#84).
  'microsoft-storage#microsoft-hosts': {
    public: ['*.blob.core.windows.net tcp:443 outbound', '*.table.core.windows.net tcp:443 outbound', '*.queue.core.windows.net tcp:443 outbound'],
    usgov: ['*.blob.core.usgovcloudapi.net tcp:443 outbound', '*.table.core.usgovcloudapi.net tcp:443 outbound', '*.queue.core.usgovcloudapi.net tcp:443 outbound'],
    china: ['*.blob.core.chinacloudapi.cn tcp:443 outbound', '*.table.core.chinacloudapi.cn tcp:443 outbound', '*.queue.core.chinacloudapi.cn tcp:443 outbound'],
  },
  // Microsoft hosts › compute hosts › your storage account (#85-#86).
  'workspace-storage#microsoft-hosts': {
    public: ['<storage>.file.core.windows.net tcp:443 outbound', '<storage>.file.core.windows.net tcp:445 outbound', '<storage>.blob.core.windows.net tcp:443 outbound'],
    usgov: ['<storage>.file.core.usgovcloudapi.net tcp:443 outbound', '<storage>.file.core.usgovcloudapi.net tcp:445 outbound', '<storage>.blob.core.usgovcloudapi.net tcp:443 outbound'],
    china: ['<storage>.file.core.chinacloudapi.cn tcp:443 outbound', '<storage>.file.core.chinacloudapi.cn tcp:445 outbound', '<storage>.blob.core.chinacloudapi.cn tcp:443 outbound'],
  },
  // Microsoft hosts › compute hosts › Azure Key Vault (#87).
  'key-vault#microsoft-hosts': {
    public: ['*.vault.azure.net tcp:443 outbound'],
    usgov: ['*.vault.usgovcloudapi.net tcp:443 outbound'],
    china: ['*.vault.azure.cn tcp:443 outbound'],
  },
  // Microsoft hosts › Docker images (#88-#89) and the tip's workspace registry (#90).
  'docker-images-2026#microsoft-hosts': {
    public: ['mcr.microsoft.com tcp:443 outbound', '*.data.mcr.microsoft.com tcp:443 outbound', '*.azurecr.io tcp:443 outbound'],
    usgov: ['mcr.microsoft.com tcp:443 outbound', '*.data.mcr.microsoft.com tcp:443 outbound', '*.azurecr.us tcp:443 outbound'],
    china: ['mcr.microsoft.com tcp:443 outbound', '*.data.mcr.microsoft.com tcp:443 outbound', '*.azurecr.cn tcp:443 outbound'],
  },
  // Microsoft hosts › Monitoring, metrics and diagnostics (#91-#94).
  'monitoring#microsoft-hosts': everywhere(['dc.applicationinsights.azure.com https:443 outbound', 'dc.applicationinsights.microsoft.com https:443 outbound', 'dc.services.visualstudio.com https:443 outbound', '*.in.applicationinsights.azure.com https:443 outbound']),
};

/** Requirements the article makes conditional, with the condition that carries it; every other one is unconditional. */
const CONDITIONAL: Record<string, string> = {
  'AzureMachineLearning tcp:44224 inbound': 'public-ip-compute',
  'AzureMachineLearning tcp:8787 outbound': 'private-endpoint',
  'AzureMachineLearning tcp:18881 outbound': 'private-endpoint',
  '*.instances.azureml.ms tcp:8787 outbound': 'private-endpoint',
  '*.instances.azureml.ms tcp:18881 outbound': 'private-endpoint',
  'VirtualNetwork tcp:443 outbound': 'private-endpoint',
  'AzureMonitor tcp:443 outbound': 'azure-monitor-public',
  'dc.applicationinsights.azure.com https:443 outbound': 'azure-monitor-public',
  'dc.applicationinsights.microsoft.com https:443 outbound': 'azure-monitor-public',
  'dc.services.visualstudio.com https:443 outbound': 'azure-monitor-public',
  '*.in.applicationinsights.azure.com https:443 outbound': 'azure-monitor-public',
  '*.pythonhosted.org https:443 outbound': 'custom-package-index',
  'ghcr.io https:443 outbound': 'rstudio',
  'pkg-containers.githubusercontent.com https:443 outbound': 'rstudio',
  'Storage.region tcp:445 outbound': 'storage-firewall',
  'Keyvault.region tcp:443 outbound': 'hbi-workspace',
  '*.vault.azure.net tcp:443 outbound': 'hbi-workspace',
  '*.vault.usgovcloudapi.net tcp:443 outbound': 'hbi-workspace',
  '*.vault.azure.cn tcp:443 outbound': 'hbi-workspace',
};

/**
 * Rows the article calls optional (used by some samples only), and the VS Code port range, which
 * is advisory because only a connected VS Code session listens on it.
 */
const OPTIONAL = ['pytorch.org https:443 outbound', '*.pytorch.org https:443 outbound', '*.tensorflow.org https:443 outbound', ...[8704, 8705, 8706, 8707, 8708, 8709, 8710].map((port) => `*.instances.azureml.ms tcp:${port} outbound`)];

/** The tags the article spells otherwise than a firewall accepts them. */
const TAG_NAMES: Record<string, string> = {
  'Frontdoor.FirstParty': 'AzureFrontDoor.FirstParty',
  'Keyvault.region': 'AzureKeyVault.region',
};

/** The ports table (#1 in the notes) and the other ports the rows use. */
const PORTS = ['80', '443', '445', '8787', '18881', '5831', '8704-8710', '44224'];

function keysOf(entry: CatalogEntry): string[] {
  const subject = entry.kind === 'host' ? entry.pattern.text : entry.serviceTag;
  return entry.ports.map((p) => `${subject} ${p.protocol}:${p.port} ${entry.direction}`);
}

function groupOf(entry: CatalogEntry): string {
  return `${entry.section.id}${entry.sources.get(REVISION) ?? '(no source)'}`;
}

function actualRows(catalog: Catalog, cloud: Cloud): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const entry of catalog.entries) {
    if (!entry.clouds.includes(cloud)) continue;
    const list = groups.get(groupOf(entry)) ?? [];
    list.push(...keysOf(entry));
    groups.set(groupOf(entry), list);
  }
  return groups;
}

const shipped = loadCatalog({ revision: REVISION });
// The firewall article's rows; those of its sister articles (a section with its own `article`)
// are pinned in conformance-sister-articles.test.ts.
const catalog: Catalog = { ...shipped, entries: shipped.entries.filter((e) => e.section.article === null) };
const everything = loadCatalog({ revision: 'all' });

t.equal(catalog.revision?.id, REVISION, 'the catalog is narrowed to 2026-03');
t.equal(loadCatalog().revision?.id, REVISION, '2026-03 is the newest, so the default');
t.ok(shipped.entries.length > catalog.entries.length, 'the sister articles add rows of their own');

t.test('each section holds exactly the article’s rows, in each cloud', async (t) => {
  for (const cloud of CLOUDS) {
    const actual = actualRows(catalog, cloud);
    const groups = new Set([...Object.keys(ARTICLE), ...actual.keys()]);
    for (const group of groups) {
      const have = actual.get(group) ?? [];
      const want = ARTICLE[group]?.[cloud] ?? [];
      t.equal(new Set(have).size, have.length, `${group} (${cloud}): no requirement written twice`);
      t.same([...have].sort(), [...want].sort(), `${group} (${cloud}): ${have.length} in the catalog, ${want.length} in the article`);
    }
  }
});

t.test('conditions and optional rows are the article’s', async (t) => {
  for (const entry of catalog.entries) {
    for (const key of keysOf(entry)) {
      t.equal(entry.condition, CONDITIONAL[key] ?? null, `${key}: condition`);
      t.equal(entry.required, !OPTIONAL.includes(key), `${key}: ${OPTIONAL.includes(key) ? 'optional' : 'required'}`);
    }
  }
});

t.test('service tags carry the name a firewall accepts', async (t) => {
  for (const entry of catalog.entries) {
    if (entry.kind !== 'service-tag') continue;
    t.equal(entry.tagName, TAG_NAMES[entry.serviceTag] ?? entry.serviceTag, entry.serviceTag);
  }
});

t.test('only Batch is a tag with nothing to dial: its hosts are undocumented wildcards, and public-only', async (t) => {
  const hostless = catalog.entries.flatMap((e) => (e.kind === 'service-tag' ? e.clouds.filter((c) => (e.hosts[c] ?? []).length === 0).map((c) => `${e.serviceTag} ${c}`) : []));
  t.same(hostless, ['BatchNodeManagement.region public', 'BatchNodeManagement.region usgov', 'BatchNodeManagement.region china']);
});

t.test('the ports are described, by their 2026-03 meaning', async (t) => {
  t.same(catalog.ports.map((p) => (p.from === p.to ? `${p.from}` : `${p.from}-${p.to}`)).sort(), [...PORTS].sort());
  t.match(catalog.ports.find((p) => p.from === 18881)?.purpose, /IntelliSense/, '18881 is the notebook language server');
  for (const entry of catalog.entries) {
    for (const { port } of entry.ports)
      t.ok(
        catalog.ports.some((p) => p.from <= port && port <= p.to),
        `${entry.origin.file} ${entry.origin.keyPath}: port ${port} is described`,
      );
  }
});

t.test('no 2026-03 entry serves a feature that 2026-03 does not have', async (t) => {
  const revised = everything.entries.filter((e) => e.revisions.includes(REVISION));
  t.ok(revised.length > 100, `${revised.length} entries hold in 2026-03`);
  for (const entry of revised) {
    for (const id of entry.features) t.ok(everything.featureRevisions.get(id)?.includes(REVISION), `${entry.origin.file} ${entry.origin.keyPath}: ${id} is a 2026-03 feature`);
  }
  for (const gone of ['prebuilt-images', 'support-diagnostics', 'aks-inference', 'arc-extension', 'arc-training', 'arc-inference']) {
    t.notOk(catalog.features.has(gone), `${gone} is not in 2026-03`);
  }
  t.same(
    [...catalog.features.values()].filter((f) => !f.default).map((f) => f.id),
    ['kubernetes-training', 'kubernetes-inference', 'hugging-face', 'serverless-spark', 'prompt-flow', 'batch-endpoints'],
    'only the Kubernetes features and the sister articles’ scenarios are opt-in',
  );
  for (const feature of catalog.features.values()) t.ok(feature.impact, `${feature.id} says what breaks`);
});

t.test('every item of the shipped catalog names its revisions', async (t) => {
  const files = readdirSync(BUILTIN_CATALOG_DIR).filter((n) => /\.ya?ml$/.test(n));
  t.ok(files.length > 20);
  for (const name of files) {
    const data = parse(readFileSync(join(BUILTIN_CATALOG_DIR, name), 'utf8')) as Record<string, unknown>;
    if (data['articleRevisions']) continue;
    if (Array.isArray(data['revisions'])) {
      t.pass(`${name}: scoped for the whole file`);
      continue;
    }
    for (const key of ['entries', 'features', 'ports', 'wildcards']) {
      const items = (data[key] ?? []) as Array<Record<string, unknown>>;
      items.forEach((item, index) => t.ok(Array.isArray(item['revisions']), `${name}: ${key}[${index}] names its revisions`));
    }
  }
});
