/**
 * probes/custom-dns.yaml against Azure's custom DNS article ("How to use your workspace with a
 * custom DNS server", MicrosoftDocs/azure-ai-docs at d644dc8b, ms.date 2025-05-06,
 * articles/machine-learning/how-to-custom-dns.md). The article is not shipped: its facts are
 * written out here per cloud (zones to create, zones to forward to Azure DNS, names that answer
 * through the workspace private endpoint, the online endpoints' wildcard records, and the
 * checked rows), and the TypeScript that cannot read the catalog is held to the data.
 */
import t from 'tap';
import { fillTemplate } from '../../src/catalog/host-pattern.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { PLACEHOLDERS } from '../../src/catalog/placeholders.js';
import type { PrivateDnsDef } from '../../src/catalog/types.js';
import { defaultFacts } from '../../src/facts/facts.js';
import { CLOUDS, type Cloud } from '../../src/model/clouds.js';
import { mustResolvePrivately, privateNameKind, WORKSPACE_PRIVATE_DOMAINS } from '../../src/model/private-names.js';
import { AZURE_DNS, privateZoneRecord } from '../../src/remedies/private-zones.js';
import { SAMPLE_REGION } from '../helpers/sample-workspace.js';

const ARTICLE_FILE = 'articles/machine-learning/how-to-custom-dns.md';
const ARTICLE_COMMIT = 'd644dc8b7423c75d2ea32b90eb9c5d3740c76715';

interface ArticleCloud {
  readonly privateZones: readonly string[];
  readonly forwardZones: readonly string[];
  readonly onPremisesZones: readonly string[];
  readonly privateNames: readonly string[];
  readonly endpointRecords: readonly string[];
  /** `pattern protocol:port`, each needed only with a workspace private endpoint. */
  readonly rows: readonly string[];
}

// Step 1 and step 3 of both example architectures, step 4 of the on-premises one; the FQDN lists of "Workspace DNS resolution
// path" and "Retrieve Private Endpoint FQDNs"; the note on the online endpoints' wildcard record
// and the portal's `*.<region>.inference…` entry.
const ARTICLE: Record<Cloud, ArticleCloud> = {
  public: {
    privateZones: ['privatelink.api.azureml.ms', 'privatelink.notebooks.azure.net'],
    forwardZones: ['api.azureml.ms', 'notebooks.azure.net', 'instances.azureml.ms', 'aznbcontent.net', 'inference.ml.azure.com'],
    onPremisesZones: ['api.azureml.ms', 'notebooks.azure.net', 'instances.azureml.ms', 'inference.ml.azure.com'],
    privateNames: [
      '<workspace-id>.workspace.<region>.api.azureml.ms',
      '<workspace-id>.workspace.<region>.cert.api.azureml.ms',
      '<compute-instance>.<region>.instances.azureml.ms',
      '<compute-instance>-22.<region>.instances.azureml.ms',
      'ml-<notebook-workspace-name>-<region>-<workspace-id>.<region>.notebooks.azure.net',
      '<online-endpoint>.<region>.inference.ml.azure.com',
    ],
    endpointRecords: ['*.<workspace-id>.inference.<region>.privatelink.api.azureml.ms', '*.<region>.inference.ml.azure.com'],
    rows: ['<compute-instance>-22.<region>.instances.azureml.ms tcp:443', '<online-endpoint>.<region>.inference.ml.azure.com tcp:443'],
  },
  usgov: {
    privateZones: ['privatelink.api.ml.azure.us', 'privatelink.notebooks.usgovcloudapi.net'],
    forwardZones: ['api.ml.azure.us', 'notebooks.usgovcloudapi.net', 'instances.azureml.us', 'aznbcontent.net', 'inference.ml.azure.us'],
    onPremisesZones: ['api.ml.azure.us', 'notebooks.usgovcloudapi.net', 'instances.azureml.us', 'inference.ml.azure.us'],
    privateNames: [
      '<workspace-id>.workspace.<region>.api.ml.azure.us',
      '<workspace-id>.workspace.<region>.cert.api.ml.azure.us',
      '<compute-instance>.<region>.instances.azureml.us',
      '<compute-instance>-22.<region>.instances.azureml.us',
      'ml-<notebook-workspace-name>-<region>-<workspace-id>.<region>.notebooks.usgovcloudapi.net',
      '<online-endpoint>.<region>.inference.ml.azure.us',
    ],
    endpointRecords: ['*.<workspace-id>.inference.<region>.privatelink.api.ml.azure.us', '*.<region>.inference.ml.azure.us'],
    rows: ['<compute-instance>-22.<region>.instances.azureml.us tcp:443', '<online-endpoint>.<region>.inference.ml.azure.us tcp:443'],
  },
  china: {
    privateZones: ['privatelink.api.ml.azure.cn', 'privatelink.notebooks.chinacloudapi.cn'],
    // The article forwards the public cloud's instances domain in China too; China's own
    // (instances.azureml.cn, from the private-endpoint DNS article's China table) is forwarded beside it.
    forwardZones: ['api.ml.azure.cn', 'notebooks.chinacloudapi.cn', 'instances.azureml.ms', 'instances.azureml.cn', 'aznbcontent.net', 'inference.ml.azure.cn'],
    onPremisesZones: ['api.ml.azure.cn', 'notebooks.chinacloudapi.cn', 'instances.azureml.ms', 'instances.azureml.cn', 'inference.ml.azure.cn'],
    privateNames: [
      '<workspace-id>.workspace.<region>.api.ml.azure.cn',
      '<workspace-id>.workspace.<region>.cert.api.ml.azure.cn',
      '<compute-instance>.<region>.instances.azureml.ms',
      '<compute-instance>-22.<region>.instances.azureml.ms',
      'ml-<notebook-workspace-name>-<region>-<workspace-id>.<region>.notebooks.chinacloudapi.cn',
      '<online-endpoint>.<region>.inference.ml.azure.cn',
    ],
    endpointRecords: ['*.<workspace-id>.inference.<region>.privatelink.api.ml.azure.cn', '*.<region>.inference.ml.azure.cn'],
    // No SSH row: the China name the article gives is on the public domain, which the checks do not treat as China's.
    rows: ['<online-endpoint>.<region>.inference.ml.azure.cn tcp:443'],
  },
};

/**
 * Where aml-netcheck's TypeScript knows China's compute instances by the firewall article's
 * domain, instances.azureml.cn, and the custom DNS article by the public one: both are kept.
 */
const CHINA_INSTANCES = { firewallArticle: 'instances.azureml.cn', customDnsArticle: 'instances.azureml.ms' };

const catalog = loadCatalog();
const privateDns = catalog.privateDns ?? new Map<Cloud, PrivateDnsDef>();
const rows = catalog.entries.filter((e) => e.section.id === 'custom-dns');

function sampleFacts(cloud: Cloud) {
  return { ...defaultFacts(), cloud, region: SAMPLE_REGION[cloud], workspaceId: '0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11', workspaceName: 'ws1', computeInstances: ['ci1'], onlineEndpoints: ['ep1'], privateEndpoint: true };
}

function filled(template: string, cloud: Cloud): string {
  const facts = sampleFacts(cloud);
  const result = fillTemplate(template, (name) => PLACEHOLDERS.get(name)?.values(facts) ?? []);
  if (!result.ok) throw new Error(`${template}: needs ${result.missing.join(', ')}`);
  return result.hosts[0] as string;
}

t.test('each cloud holds exactly the article’s zones, forwarders, names and records', async (t) => {
  t.same([...privateDns.keys()].sort(), [...CLOUDS].sort(), 'every cloud');
  for (const cloud of CLOUDS) {
    const data = privateDns.get(cloud);
    const want = ARTICLE[cloud];
    t.same(data?.privateZones, want.privateZones, `${cloud}: private DNS zones`);
    t.same(data?.forwardZones, want.forwardZones, `${cloud}: zones forwarded to Azure DNS`);
    t.same(data?.onPremisesZones, want.onPremisesZones, `${cloud}: zones an on-premises server forwards into the VNet`);
    t.same(data?.privateNames, want.privateNames, `${cloud}: names through the workspace private endpoint`);
    t.same(
      data?.endpointRecords.map((r) => `${r.record}.${r.zone}`),
      want.endpointRecords,
      `${cloud}: online endpoint wildcard records`,
    );
  }
});

t.test('the checked rows are the article’s names, each only with a private endpoint', async (t) => {
  for (const cloud of CLOUDS) {
    const have = rows.filter((e) => e.clouds.includes(cloud)).flatMap((e) => (e.kind === 'host' ? e.ports.map((p) => `${e.pattern.text} ${p.protocol}:${p.port}`) : []));
    t.same(have.sort(), [...ARTICLE[cloud].rows].sort(), `${cloud}: rows`);
  }
  for (const entry of rows) {
    t.equal(entry.condition, 'private-endpoint', `${entry.origin.keyPath}: condition`);
    // The SSH name is needed only by those who use SSH.
    t.equal(entry.required, !entry.features.includes('compute-instance-ssh'), `${entry.origin.keyPath}: ${entry.required ? 'required' : 'optional'}`);
    t.equal(entry.direction, 'outbound', `${entry.origin.keyPath}: outbound`);
  }
});

t.test('every row names the article file and the commit it was read at', async (t) => {
  const article = { repo: 'MicrosoftDocs/azure-ai-docs', path: ARTICLE_FILE, commit: ARTICLE_COMMIT };
  const url = `https://github.com/${article.repo}/blob/${ARTICLE_COMMIT}/${ARTICLE_FILE}#`;
  const section = catalog.sections.find((s) => s.id === 'custom-dns');
  t.match(section?.article, article, 'the section names the article at its commit');
  for (const data of privateDns.values()) {
    t.match(data.article, article, `privateDns ${data.cloud}: the article`);
    t.ok(data.source.startsWith(url), `privateDns ${data.cloud}: ${data.source}`);
  }
  t.ok(rows.length > 0);
  for (const entry of rows) {
    t.match(entry.section.article, article, `${entry.origin.keyPath}: the article`);
    for (const revision of entry.revisions) t.match(entry.sources.get(revision), /^#[a-z0-9-]+$/, `${entry.origin.keyPath} (${revision}): an anchor in it`);
  }
});

t.test('the TypeScript that cannot read the catalog agrees with it', async (t) => {
  t.equal(AZURE_DNS, '168.63.129.16', 'Azure DNS');
  for (const cloud of CLOUDS) {
    const data = privateDns.get(cloud);
    if (!data) continue;
    const domains = WORKSPACE_PRIVATE_DOMAINS[cloud];
    t.ok(data.privateZones.includes(`privatelink.${domains.api}`), `${cloud}: the API zone`);
    t.ok(data.privateZones.includes(`privatelink.${domains.notebooks}`), `${cloud}: the notebooks zone`);
    for (const domain of [domains.api, domains.notebooks, domains.inference]) t.ok(data.forwardZones.includes(domain), `${cloud}: forwards ${domain}`);
    if (cloud === 'china') {
      t.equal(domains.instances, CHINA_INSTANCES.firewallArticle, 'china: the checks know the firewall article’s instances domain');
      t.ok(data.forwardZones.includes(CHINA_INSTANCES.customDnsArticle), 'china: the data keeps the custom DNS article’s');
    } else {
      t.ok(data.forwardZones.includes(domains.instances), `${cloud}: forwards ${domains.instances}`);
    }
    const facts = sampleFacts(cloud);
    for (const template of data.privateNames) {
      const host = filled(template, cloud);
      const kind = privateNameKind(host, facts);
      if (cloud === 'china' && host.endsWith(`.${CHINA_INSTANCES.customDnsArticle}`)) {
        t.equal(kind, null, `${host}: not a China private name to the checks (the two articles disagree)`);
        continue;
      }
      t.not(kind, null, `${host}: a private-link name`);
      t.ok(mustResolvePrivately(kind, facts), `${host}: must resolve privately with a workspace private endpoint`);
      const record = kind === null ? null : privateZoneRecord(host, kind, cloud);
      t.ok(record, `${host}: has a record`);
      for (const zone of record?.forwardZones ?? []) t.ok(data.forwardZones.includes(zone), `${host}: forwards ${zone}, as the article does`);
      if (record?.zone) t.ok(data.privateZones.includes(record.zone), `${host}: its zone ${record.zone} is the article’s`);
    }
    const endpoint = filled(data.privateNames.find((n) => n.startsWith('<online-endpoint>')) ?? '', cloud);
    const wildcard = data.endpointRecords.find((r) => data.forwardZones.includes(r.zone));
    t.equal(privateZoneRecord(endpoint, 'online-endpoint', cloud)?.wildcard, wildcard && filled(`${wildcard.record}.${wildcard.zone}`, cloud), `${cloud}: the fix names the article’s wildcard record`);
  }
});
