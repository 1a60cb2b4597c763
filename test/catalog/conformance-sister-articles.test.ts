/**
 * The rows the firewall article's sister articles add, against those articles as read in
 * MicrosoftDocs/azure-ai-docs (articles/machine-learning/):
 * - how-to-secure-training-vnet.md at 06fd8bc8 (ms.date 2024-04-08): prerequisites (WebSocket
 *   to both *.instances domains), limitations (445 to the default storage over private paths
 *   too), compute without a public IP (workspace private endpoint; one outbound table), compute
 *   with a public IP (inbound 44224 only there; the same outbound table).
 * - how-to-managed-network.md at d675e2ff (ms.date 2025-05-23): the scenario-specific rules
 *   (Hugging Face, batch endpoints and ParallelRunStep, prompt flow, serverless Spark, VS Code).
 * The articles are not shipped, so their facts are written out here, as in
 * conformance-2026-03.test.ts: `host-or-tag protocol:port direction`, per catalog section and
 * article anchor, per cloud.
 */
import t from 'tap';
import { loadCatalog } from '../../src/catalog/load.js';
import type { CatalogEntry } from '../../src/catalog/types.js';
import { CLOUDS, type Cloud } from '../../src/model/clouds.js';
import { explainHost } from '../../src/catalog/explain.js';
import { expandCatalog } from '../../src/catalog/expand.js';
import { defaultFacts } from '../../src/facts/facts.js';

const TRAINING = { repo: 'MicrosoftDocs/azure-ai-docs', path: 'articles/machine-learning/how-to-secure-training-vnet.md', commit: '06fd8bc88853128ac9eab8a33464dae5f9b746d3' };
const PRIVATE_ENDPOINT_DNS = { repo: 'MicrosoftDocs/azure-docs', path: 'articles/private-link/private-endpoint-dns.md', commit: '42655f0ed89897f3571b649e2e1922bfef5985d9' };
const MANAGED = { repo: 'MicrosoftDocs/azure-ai-docs', path: 'articles/machine-learning/how-to-managed-network.md', commit: 'd675e2ffa1225f61fc3f8eb22b04c935b0dd21df' };

type PerCloud = Record<Cloud, readonly string[]>;
const everywhere = (rows: readonly string[]): PerCloud => ({ public: rows, usgov: rows, china: rows });
const publicOnly = (rows: readonly string[]): PerCloud => ({ public: rows, usgov: [], china: [] });
/** A row per cloud for the default storage account's `service` endpoint. */
const storage = (service: string, ports: readonly string[]): PerCloud => {
  const suffix: Record<Cloud, string> = { public: 'core.windows.net', usgov: 'core.usgovcloudapi.net', china: 'core.chinacloudapi.cn' };
  const rows = (cloud: Cloud): string[] => ports.map((port) => `<storage>.${service}.${suffix[cloud]} ${port} outbound`);
  return { public: rows('public'), usgov: rows('usgov'), china: rows('china') };
};
const merge = (...parts: PerCloud[]): PerCloud => ({
  public: parts.flatMap((p) => p.public),
  usgov: parts.flatMap((p) => p.usgov),
  china: parts.flatMap((p) => p.china),
});

/** Key: `catalog-section#anchor`; value: the article's file and its rows. */
const ARTICLES: Record<string, { article: typeof TRAINING; rows: PerCloud }> = {
  'training-vnet-prerequisites#prerequisites': { article: TRAINING, rows: publicOnly(['*.instances.azureml.net tcp:443 outbound', '*.instances.azureml.ms tcp:443 outbound']) },
  'training-vnet-limitations#limitations': { article: TRAINING, rows: storage('file', ['tcp:445']) },
  'training-vnet-no-public-ip#compute-instancecluster-or-serverless-compute-with-no-public-ip': {
    article: TRAINING,
    rows: publicOnly(['<workspace-id>.workspace.<region>.api.azureml.ms tcp:443 outbound', '*.instances.azureml.ms tcp:443 outbound', '*.instances.azureml.ms tcp:8787 outbound', '*.instances.azureml.ms tcp:18881 outbound']),
  },
  'training-vnet-public-ip#compute-instancecluster-with-public-ip': { article: TRAINING, rows: everywhere(['AzureMachineLearning tcp:44224 inbound']) },
  'scenario-hugging-face#scenario-use-huggingface-models': {
    article: MANAGED,
    rows: everywhere(['docker.io', '*.docker.io', '*.docker.com', 'production.cloudflare.docker.com', 'cdn.auth0.com', 'cdn-lfs.huggingface.co'].map((h) => `${h} https:443 outbound`)),
  },
  'scenario-batch-endpoints#scenario-use-batch-endpoints-or-parallelrunstep': { article: MANAGED, rows: merge(storage('queue', ['tcp:443']), storage('table', ['tcp:443'])) },
  'scenario-serverless-spark#configure-for-serverless-spark-jobs': { article: MANAGED, rows: storage('blob', ['tcp:443']) },
  // The scenario is the managed-network article's; the hosts of its services are the private-endpoint DNS article's.
  'scenario-prompt-flow#azure-services-dns-zone-configuration': {
    article: PRIVATE_ENDPOINT_DNS,
    rows: publicOnly(['*.cognitiveservices.azure.com tcp:443 outbound', '*.openai.azure.com tcp:443 outbound', '*.search.windows.net tcp:443 outbound']),
  },
  'scenario-prompt-flow#government': { article: PRIVATE_ENDPOINT_DNS, rows: { public: [], usgov: ['*.cognitiveservices.azure.us tcp:443 outbound', '*.search.windows.us tcp:443 outbound'], china: [] } },
};

/** Conditions the articles put on their rows; every other row has none. */
const CONDITIONAL: Record<string, string> = {
  '<workspace-id>.workspace.<region>.api.azureml.ms tcp:443 outbound': 'no-public-ip-compute',
  'AzureMachineLearning tcp:44224 inbound': 'public-ip-compute',
};

/** The scenario of each managed-network section: an opt-in feature of its own. */
const SCENARIO_FEATURES: Record<string, string> = {
  'scenario-hugging-face': 'hugging-face',
  'scenario-batch-endpoints': 'batch-endpoints',
  'scenario-serverless-spark': 'serverless-spark',
  'scenario-prompt-flow': 'prompt-flow',
};

/** The managed-network article's VS Code list: each host, and the feature the firewall article's list gives it. */
const MANAGED_VSCODE: Record<string, string> = {
  '*.vscode.dev': 'vscode-web',
  '*.vscode-unpkg.net': 'vscode-web',
  '*.vscode-cdn.net': 'vscode-web',
  '*.vscodeexperiments.azureedge.net': 'vscode-web',
  'default.exp-tas.com': 'vscode-web',
  'code.visualstudio.com': 'vscode-remote',
  'update.code.visualstudio.com': 'vscode-remote',
  '*.vo.msecnd.net': 'vscode-remote',
  'marketplace.visualstudio.com': 'vscode-remote',
  'vscode.blob.core.windows.net': 'vscode-remote',
  '*.gallerycdn.vsassets.io': 'vscode-remote',
  'vscode.download.prss.microsoft.com': 'vscode-remote',
};

const catalog = loadCatalog({ revision: '2026-03' });
// The custom DNS article's rows (custom-dns.yaml) come with its zones and forwarders, pinned in conformance-custom-dns.test.ts.
const sister = catalog.entries.filter((e) => e.section.article !== null && e.section.id !== 'custom-dns');

function keysOf(entry: CatalogEntry): string[] {
  const subject = entry.kind === 'host' ? entry.pattern.text : entry.serviceTag;
  return entry.ports.map((p) => `${subject} ${p.protocol}:${p.port} ${entry.direction}`);
}
const groupOf = (entry: CatalogEntry): string => `${entry.section.id}${entry.sources.get('2026-03') ?? '(no source)'}`;

t.test('each sister-article section holds exactly its article’s rows, in each cloud', async (t) => {
  const groups = new Set([...Object.keys(ARTICLES), ...sister.map(groupOf)]);
  for (const cloud of CLOUDS) {
    for (const group of groups) {
      const have = sister.filter((e) => groupOf(e) === group && e.clouds.includes(cloud)).flatMap(keysOf);
      t.same(have.sort(), [...(ARTICLES[group]?.rows[cloud] ?? [])].sort(), `${group} (${cloud})`);
    }
  }
});

t.test('each row names its article file and the commit it was read at', async (t) => {
  for (const entry of sister) {
    const want = ARTICLES[groupOf(entry)]?.article;
    t.match(entry.section.article, want, `${entry.origin.file} ${entry.origin.keyPath}`);
  }
});

t.test('conditions are the articles’, and none of their rows is optional', async (t) => {
  for (const entry of sister) {
    for (const key of keysOf(entry)) {
      t.equal(entry.condition, CONDITIONAL[key] ?? null, `${key}: condition`);
      t.equal(entry.required, true, `${key}: required`);
    }
  }
});

t.test('each scenario is an opt-in feature of its own, and only its rows serve it', async (t) => {
  for (const [section, id] of Object.entries(SCENARIO_FEATURES)) {
    t.equal(catalog.features.get(id)?.default, false, `${id} is opt-in`);
    const rows = catalog.entries.filter((e) => e.features.includes(id));
    t.ok(rows.length > 0 && rows.every((e) => e.section.id === section && e.features.length === 1), `${id}: served by ${section} alone`);
  }
});

t.test('the managed-network article’s VS Code hosts are the firewall article’s rows, with their features', async (t) => {
  for (const [host, feature] of Object.entries(MANAGED_VSCODE)) {
    const rows = catalog.entries.filter((e) => e.kind === 'host' && e.pattern.text === host && e.section.id === 'vscode');
    t.ok(rows.length === 1 && rows[0]?.features.includes(feature), `${host}: ${feature}`);
  }
});

t.test('the training-network article disagrees with the firewall article on 8787 and 18881, and explain says so', async (t) => {
  const marked = sister.filter((e) => e.disagrees.length > 0);
  t.same(
    marked.map((e) => [e.section.id, keysOf(e), e.disagrees]),
    [
      [
        'training-vnet-no-public-ip',
        ['*.instances.azureml.ms tcp:443 outbound', '*.instances.azureml.ms tcp:8787 outbound', '*.instances.azureml.ms tcp:18881 outbound'],
        [
          { section: 'basic-configuration', on: 'condition' },
          { section: 'compute-hosts', on: 'condition' },
        ],
      ],
    ],
  );
  // Where only the disagreeing row applies (no private endpoint), the port is optional; with a
  // private endpoint the firewall article's rows make it required.
  for (const privateEndpoint of [false, true]) {
    const facts = { ...defaultFacts(), region: 'westus2', workspaceId: '0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11', computeInstances: ['ci1'], privateEndpoint };
    const ports = expandCatalog(catalog, facts)
      .filter((x) => x.host === 'ci1.westus2.instances.azureml.ms' && [443, 8787, 18881].includes(x.port) && x.skipped === null)
      .map((x) => `${x.port} ${x.required ? 'required' : 'optional'}`)
      .sort();
    t.same(ports, privateEndpoint ? ['18881 required', '443 required', '8787 required'] : ['18881 optional', '443 required', '8787 optional'], `private endpoint: ${privateEndpoint}`);
  }
  const found = explainHost(catalog, 'ci1.westus2.instances.azureml.ms:8787').flatMap((e) => e.disagreements);
  t.same(
    found.map((d) => [d.this.article, d.this.says, d.other.article, d.other.section, d.other.says]),
    [
      [TRAINING.path, 'needed always', 'articles/machine-learning/how-to-access-azureml-behind-firewall.md', 'basic-configuration', 'needed only when the workspace has a private endpoint'],
      [TRAINING.path, 'needed always', 'articles/machine-learning/how-to-access-azureml-behind-firewall.md', 'compute-hosts', 'needed only when the workspace has a private endpoint'],
    ],
  );
});

t.test('every row of the shipped catalog has a source naming its article file and commit, or its revision', async (t) => {
  const all = loadCatalog({ revision: 'all' });
  t.ok(all.entries.length > 200);
  for (const entry of all.entries) {
    const where = `${entry.origin.file} ${entry.origin.keyPath}`;
    t.ok(entry.revisions.length > 0 && entry.revisions.every((r) => entry.sources.has(r)), `${where}: an anchor in each of its revisions`);
    const explained = explainHost(all, entry.kind === 'host' ? entry.pattern.text : entry.serviceTag).find((e) => e.file === entry.origin.file && e.keyPath === entry.origin.keyPath);
    for (const { revision, url } of explained?.provenance ?? []) {
      if (entry.section.article !== null) {
        t.match(url, new RegExp(`^https://github\\.com/${entry.section.article.repo}/blob/${entry.section.article.commit}/${entry.section.article.path.replace(/\./g, '\\.')}#`), `${where}: ${url}`);
      } else {
        const rev = all.revisions.find((r) => r.id === revision);
        t.ok(rev !== undefined && url.startsWith(rev.url) && /\.md#/.test(url), `${where}: revision ${revision} ${url}`);
      }
    }
    t.equal(explained?.provenance.length, entry.revisions.length, `${where}: a source per revision`);
  }
});
