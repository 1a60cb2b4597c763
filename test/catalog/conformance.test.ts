/**
 * The catalog's 2021-11 revision against the article revisions it was built from: every
 * host and service-tag row of every table, in every cloud, must be in the catalog with the
 * right ports, and each catalog section must hold nothing the article does not (bar the
 * additions named below). The articles live in ../shared/seeds beside the clone (CI has
 * them); where they are absent this file skips, since the project does not ship the
 * article's text. The 2026-03 revision has its own test, conformance-2026-03.test.ts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { loadCatalog } from '../../src/catalog/load.js';
import type { Cloud } from '../../src/model/clouds.js';
import { CLOUDS } from '../../src/model/clouds.js';
import type { Catalog } from '../../src/catalog/types.js';
import { parseArticle, type ArticleRow } from '../helpers/article.js';

const SEEDS_DIR = process.env['AML_NETCHECK_SEEDS'] ?? resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/seeds');

interface Revision {
  readonly file: string;
  readonly date: Date;
  readonly include: boolean;
  readonly rows: ArticleRow[];
}

function readRevisions(): Revision[] {
  return readdirSync(SEEDS_DIR)
    .filter((name) => name.endsWith('.txt') || name.endsWith('.md'))
    .map((name) => {
      const text = readFileSync(join(SEEDS_DIR, name), 'utf8');
      const [month, day, year] = (/^ms\.date:\s*(\d+)\/(\d+)\/(\d+)/m.exec(text)?.slice(1) ?? ['1', '1', '1970']).map(Number);
      return { file: name, date: new Date(Date.UTC(year as number, (month as number) - 1, day)), include: /^ms\.topic:\s*include/m.test(text), rows: parseArticle(text) };
    });
}

// What the revisions disagree on, settled as the newest revision (and the issue) reads it.
const SUPERSEDED: Record<string, string> = {
  // A revision lost the host part of China's Azure AD name.
  '.chinacloudapi.cn': 'login.chinacloudapi.cn',
  // The prebuilt-image registry was renamed.
  'azurearctest.azurecr.io': 'viennaglobal.azurecr.io',
};

function normaliseHost(host: string): string {
  // China's table writes *blob.core.chinacloudapi.cn for the blob subdomains.
  return host === '*blob.core.chinacloudapi.cn' ? '*.blob.core.chinacloudapi.cn' : host;
}

/** Hosts the catalog adds on purpose, with the reason; nothing else may be extra. */
const ADDITIONS: Record<string, string[]> = {
  // The Docker tip requires the workspace registry for custom images; the host is each cloud's ACR domain.
  'docker-images': ['*.azurecr.io 443', '*.azurecr.us 443', '*.azurecr.cn 443'],
  // Named in the purpose of the pypi.org row, for when the pip index is overridden.
  'python-hosts': ['*.pythonhosted.org 80', '*.pythonhosted.org 443'],
  'azure-firewall-application-rules': ['*.pythonhosted.org 80', '*.pythonhosted.org 443'],
};

const PORTLESS_DEFAULT = [80, 443];

/** Which catalog file holds a row of the newest revision. Keys on anchors and table order, not on words. */
function sectionOf(row: ArticleRow, host: string): string | null {
  switch (row.anchor) {
    case 'well-known-ports':
      return 'well-known-ports';
    case 'outbound-configuration':
      return row.serviceTag ? 'outbound-service-tags' : 'azure-firewall-application-rules';
    case 'microsoft-hosts':
      if (row.block === 1) return 'general-azure-hosts';
      if (row.block === 2) return 'azure-ml-hosts';
      if (row.block === 3) {
        if (host.startsWith('<storage>.')) return 'workspace-storage';
        if (host.includes('.vault.')) return 'key-vault';
        if (/^\*\.?(blob|table|queue)\.core\./.test(host)) return 'microsoft-storage';
        return 'compute-hosts';
      }
      if (row.block === 4) return 'docker-images';
      if (row.block === 5) return 'support-diagnostics';
      return null;
    case 'python-hosts':
      return 'python-hosts';
    case 'r-hosts':
      return 'r-hosts';
    case 'visual-studio-code-hosts':
      return 'vscode-hosts';
    case 'azure-kubernetes-services':
      return 'aks';
    case 'azure-arc-enabled-kubernetes':
      return ['arc-extension', 'arc-training', 'arc-training-inference'][row.block - 1] ?? null;
    default:
      return null;
  }
}

function portsOfRow(row: ArticleRow, section: string): number[] {
  if (row.ports) return [...row.ports];
  // AKS names mcr.microsoft.com without a port; it is the registry's HTTPS port.
  return section === 'aks' ? [443] : PORTLESS_DEFAULT;
}

function catalogHostPorts(catalog: Catalog, section: string | null, pattern: string, cloud: Cloud | null): Set<number> {
  const ports = new Set<number>();
  for (const entry of catalog.entries) {
    if (entry.kind !== 'host' || entry.pattern.text !== pattern) continue;
    if (section !== null && entry.section.id !== section) continue;
    if (cloud !== null && !entry.clouds.includes(cloud)) continue;
    for (const p of entry.ports) ports.add(p.port);
  }
  return ports;
}

if (!existsSync(SEEDS_DIR)) {
  t.test('conformance with the article', { skip: `the article revisions are not at ${SEEDS_DIR}; conformance checks skipped (CI has them)` }, async () => {});
} else {
  // The seeds are the 2021 revisions; the newer one has its own pinned rows.
  const catalog = loadCatalog({ revision: '2021-11' });
  const revisions = readRevisions();
  const articles = revisions.filter((r) => !r.include).sort((a, b) => b.date.getTime() - a.date.getTime());
  const newest = articles[0] as Revision;
  const include = revisions.filter((r) => r.include).sort((a, b) => b.date.getTime() - a.date.getTime())[0];

  t.ok(newest.rows.length > 50, `read ${newest.rows.length} rows from the newest revision ${newest.file}`);
  t.ok(include, 'found the include file with the service-tag table');

  t.test('every host row of the newest revision is in its catalog section, in each cloud, with its ports', async (t) => {
    for (const row of newest.rows.filter((r) => r.hosts.length > 0)) {
      for (const raw of row.hosts) {
        const host = normaliseHost(raw);
        const section = sectionOf(row, host);
        t.ok(section, `${host}: the test knows which section holds ${row.anchor} block ${row.block}`);
        if (!section) continue;
        // A table under no cloud tab speaks for the public cloud.
        for (const cloud of row.clouds ?? (['public'] as Cloud[])) {
          const have = catalogHostPorts(catalog, section, host, cloud);
          for (const port of portsOfRow(row, section)) t.ok(have.has(port), `${section}: ${host} port ${port} in ${cloud}`);
        }
      }
    }
  });

  t.test('each catalog section holds exactly the newest revision’s rows, plus named additions', async (t) => {
    const expected = new Map<string, Set<string>>();
    const add = (section: string, key: string): void => void (expected.get(section) ?? expected.set(section, new Set()).get(section))?.add(key);
    for (const row of newest.rows.filter((r) => r.hosts.length > 0)) {
      for (const raw of row.hosts) {
        const host = normaliseHost(raw);
        const section = sectionOf(row, host);
        if (section) for (const port of portsOfRow(row, section)) add(section, `${host} ${port}`);
      }
    }
    for (const row of include?.rows ?? []) {
      for (const host of row.hosts) {
        const section = host === 'cloud.r-project.org' ? 'r-hosts' : /visualstudio|msecnd|githubusercontent/.test(host) ? 'vscode-hosts' : 'python-hosts';
        for (const port of PORTLESS_DEFAULT) add(section, `${host} ${port}`);
      }
    }
    for (const [section, keys] of Object.entries(ADDITIONS)) for (const key of keys) add(section, key);

    for (const [section, keys] of expected) {
      const actual = new Set(catalog.entries.filter((e) => e.kind === 'host' && e.section.id === section).flatMap((e) => e.ports.map((p) => `${e.kind === 'host' ? e.pattern.text : ''} ${p.port}`)));
      t.same([...actual].sort(), [...keys].sort(), `${section}: ${actual.size} host-port pairs in the catalog, ${keys.size} from the article`);
    }
  });

  t.test('every service tag row is in the catalog with its direction, ports and clouds', async (t) => {
    const tagRows = [...newest.rows, ...(include?.rows ?? [])].filter((r) => r.serviceTag);
    t.ok(tagRows.length >= 10, `${tagRows.length} service-tag rows`);
    const newestPorts = new Map(newest.rows.filter((r) => r.serviceTag).map((r) => [r.serviceTag?.toLowerCase(), r]));
    for (const row of tagRows) {
      const tag = row.serviceTag as string;
      const entry = catalog.entries.find((e) => e.kind === 'service-tag' && e.serviceTag.toLowerCase() === tag.toLowerCase() && e.direction === row.direction);
      t.ok(entry, `${tag} ${row.direction} is in the catalog`);
      if (!entry) continue;
      // "*" in older revisions became 80, 443 in the newest; the newest table wins.
      const ports = row.direction === 'outbound' ? (newestPorts.get(tag.toLowerCase())?.ports ?? row.ports) : row.ports;
      if (ports) t.same(entry.ports.map((p) => p.port).sort(), [...ports].sort(), `${tag} ports`);
      // The row's note (after a line break) says when a cloud does not need the tag.
      const notInChina = /<\/?br/i.test(row.note);
      t.same([...entry.clouds].sort(), CLOUDS.filter((c) => !(notInChina && c === 'china')).sort(), `${tag} clouds`);
    }
    const catalogTags = catalog.entries.filter((e) => e.kind === 'service-tag').length;
    const articleTags = new Set(tagRows.map((r) => `${r.serviceTag?.toLowerCase()} ${r.direction}`)).size;
    t.equal(catalogTags, articleTags, `${catalogTags} service-tag entries, ${articleTags} in the article`);
  });

  t.test('the well-known ports are described, with the other ports the rows use', async (t) => {
    for (const row of newest.rows.filter((r) => r.anchor === 'well-known-ports')) {
      const port = row.ports?.[0] as number;
      t.ok(
        catalog.ports.some((p) => p.from <= port && port <= p.to),
        `port ${port}`,
      );
    }
    const used = new Set(catalog.entries.flatMap((e) => e.ports.map((p) => p.port)));
    for (const port of used)
      t.ok(
        catalog.ports.some((p) => p.from <= port && port <= p.to),
        `port ${port} used by an entry is described`,
      );
  });

  t.test('every host any revision lists is in the catalog for that cloud, or settled by a newer one', async (t) => {
    for (const revision of revisions) {
      for (const row of revision.rows) {
        for (const raw of row.hosts) {
          const host = SUPERSEDED[raw] ?? normaliseHost(raw);
          for (const cloud of row.clouds ?? [null]) {
            t.ok(catalogHostPorts(catalog, null, host, cloud).size > 0, `${revision.file}: ${raw}${cloud ? ` (${cloud})` : ''}`);
          }
        }
      }
    }
  });
}
