import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import t from 'tap';
import { expandCatalog } from '../../src/catalog/expand.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { defaultFacts } from '../../src/facts/facts.js';
import { CLOUDS, type Cloud } from '../../src/model/clouds.js';
import type { WorkspaceFacts } from '../../src/model/facts.js';
import type { Target } from '../../src/model/target.js';
import type { CheckReport } from '../../src/report/report.js';
import { planFromReport, planFromTargets } from '../../src/remedies/plan.js';
import { describeRemedy } from '../../src/remedies/remedy.js';
import { CSV_HEADER, renderRulesCsv, rulesCsvRows } from '../../src/render/rules/csv.js';

/** The inbound rules each revision asks for, with every compute given a public IP. */
const INBOUND: Record<string, string[]> = {
  '2021-11': ['BatchNodeManagement:29876', 'BatchNodeManagement:29877', 'AzureMachineLearning:44224'],
  '2026-03': ['AzureMachineLearning:44224'],
};
const REGION: Record<Cloud, string> = { public: 'westus2', usgov: 'usgovvirginia', china: 'chinaeast2' };

function facts(cloud: Cloud): WorkspaceFacts {
  return {
    ...defaultFacts(),
    cloud,
    region: REGION[cloud],
    workspaceId: '0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11',
    workspaceName: 'ws1',
    storageAccount: 'st1',
    keyVault: 'kv1',
    containerRegistry: 'acr1',
    computeInstances: ['ci1'],
    privateEndpoint: true,
    hbi: true,
    customImages: true,
    publicIpCompute: true,
  };
}

/** The host itself before a wildcard; a wildcard on a port without web traffic gives way to the concrete host (network rules take none). */
function narrowestFqdn(target: Target): string {
  const fqdns = target.rules.filter((r) => r.type === 'fqdn').map((r) => r.destination);
  // A tag no host stands for: its row names the tag.
  if (fqdns.length === 0) return target.rules.find((r) => r.type === 'service-tag')?.destination as string;
  const narrowest = fqdns.find((d) => !d.includes('*')) ?? (fqdns[0] as string);
  return narrowest.includes('*') && target.probe === 'tcp' && !/[*<]/.test(target.host) ? target.host : narrowest;
}

for (const [revision, inboundRules] of Object.entries(INBOUND)) {
  const catalog = loadCatalog({ revision });
  for (const cloud of CLOUDS) {
    t.test(`rules for the ${cloud} cloud (${revision}): every target that would be checked has exactly one CSV row per port`, async (t) => {
      const targets = expandCatalog(catalog, facts(cloud));
      const plan = planFromTargets(targets, facts(cloud));
      const csv = renderRulesCsv(plan);
      const parsed = parse(csv, { relax_column_count: false }) as string[][];
      t.same(parsed[0], [...CSV_HEADER]);
      t.same(parsed.slice(1), rulesCsvRows(plan), 'the CSV parses back to the rows');
      const rows = parsed.slice(1).map((r) => Object.fromEntries(CSV_HEADER.map((h, i) => [h, r[i] as string])));

      const outbound = targets.filter((x) => (x.skipped === null || x.skipped.ruleOnly === true) && x.direction === 'outbound');
      t.ok(outbound.length > 30, `${outbound.length} outbound targets`);
      for (const target of outbound) {
        const matching = rows.filter((r) => r['direction'] === 'outbound' && r['destination'] === narrowestFqdn(target) && r['port'] === String(target.port));
        t.equal(matching.length, 1, `${target.id} has one row`);
        const tag = target.rules.find((r) => r.type === 'service-tag')?.destination;
        if (tag !== undefined) t.equal(matching[0]?.['service_tag'], tag, `${target.id} names its service tag ${tag}`);
        for (const feature of target.features) t.ok((matching[0]?.['features'] ?? '').split(' ').includes(feature), `${target.id} row names ${feature}`);
      }
      const covered = rows.filter((r) => r['direction'] === 'outbound').every((r) => outbound.some((x) => narrowestFqdn(x) === r['destination'] && String(x.port) === r['port']));
      t.ok(covered, 'no outbound row without a target behind it');

      const inbound = rows.filter((r) => r['direction'] === 'inbound').map((r) => `${r['service_tag']}:${r['port']}`);
      t.same(inbound, inboundRules, 'inbound from the management tags, though no node was named');
      t.ok(
        rows.some((r) => r['service_tag'] === `Storage.${REGION[cloud]}`),
        'regional storage tag',
      );
      t.ok(
        rows.some((r) => r['service_tag'] === `AzureKeyVault.${REGION[cloud]}`),
        'the tag name Azure accepts (AzureKeyVault, not Keyvault)',
      );

      const skippedOnly = targets.filter((x) => x.skipped !== null && x.direction === 'outbound' && !outbound.some((o) => narrowestFqdn(o) === narrowestFqdn(x) && o.port === x.port));
      t.ok(skippedOnly.length > 0, 'some targets are skipped (opt-in features)');
      for (const target of skippedOnly)
        t.notOk(
          rows.some((r) => r['destination'] === narrowestFqdn(target) && r['port'] === String(target.port)),
          `${target.id} (skipped) has no row`,
        );

      t.ok(plan.privateNames.length >= 3, 'private names listed for DNS');
      t.ok(plan.noProxy.includes(`0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11.workspace.${REGION[cloud]}.${{ public: 'api.azureml.ms', usgov: 'api.ml.azure.us', china: 'api.ml.azure.cn' }[cloud]}`));
    });
  }
}

t.test('from a report: firewall rules only for what a firewall blocked', async (t) => {
  const dir = new URL('../fixtures/reports/', import.meta.url);
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const report = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as CheckReport;
    const plan = planFromReport(report.targets, report.facts);
    const blocked = report.targets.filter((x) => x.verdict === 'blocked');
    t.equal(plan.findings.length, blocked.length, file);
    for (const entry of plan.allow) {
      const behind = blocked.filter((x) => entry.hosts.includes(x.host) && x.port === entry.port);
      t.ok(behind.length > 0, `${file}: ${entry.fqdn ?? entry.serviceTag}:${entry.port} comes from a blocked target`);
      for (const x of behind) t.notMatch(x.reason, /^(dns-|tls-untrusted|tls-expired|tls-hostname-mismatch|proxy-unreachable|proxy-auth-required)/, `${file}: ${x.id} is not fixed by a firewall`);
    }
    const notPrivate = blocked.filter((x) => x.reason === 'dns-not-private');
    t.same(plan.privateNames.map((p) => p.host).sort(), [...new Set(notPrivate.map((x) => x.host))].sort(), `${file}: private names`);
  }
});

t.test('from a report of a run behind a proxy: what the proxy cannot carry is worded as direct egress, with the same firewall rule', async (t) => {
  const report = JSON.parse(readFileSync(new URL('../fixtures/reports/proxy-with-proxy.json', import.meta.url), 'utf8')) as CheckReport;
  const behind = planFromReport(report.targets, report.facts, report.settings.proxy !== null);
  const direct = planFromReport(report.targets, report.facts);
  const smb = (plan: typeof behind) => plan.findings.find((f) => f.port === 445)?.remedies.flatMap(describeRemedy);
  t.same(smb(behind), ['allow direct outbound TCP 445 to st1.file.core.windows.net from this subnet — it cannot go through the proxy']);
  t.same(smb(direct), ['allow outbound TCP 445 to st1.file.core.windows.net']);
  t.same(behind.allow, direct.allow, 'the rule a firewall holds is the same');
  t.same(smb(behind), report.targets.find((x) => x.port === 445)?.fix, 'the recorded report says the same');
});
