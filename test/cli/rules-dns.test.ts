/**
 * `rules -o dns` with a workspace private endpoint, in every cloud: the zones, forwarders and
 * online endpoint records of probes/custom-dns.yaml, besides the records the facts give. The
 * outputs are golden (AML_NETCHECK_RECORD_GOLDEN=1 records them); each is also held to the data.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { loadCatalog } from '../../src/catalog/load.js';
import { CLOUDS, type Cloud } from '../../src/model/clouds.js';
import { AZURE_DNS } from '../../src/remedies/private-zones.js';
import { runCli } from '../helpers/cli.js';
import { SAMPLE_REGION, sampleNotebookFqdn, sampleWorkspaceFlags } from '../helpers/sample-workspace.js';

const GOLDEN_DIR = fileURLToPath(new URL('../fixtures/rules-dns/', import.meta.url));
const RECORD = process.env['AML_NETCHECK_RECORD_GOLDEN'] === '1';
const WORKSPACE_ID = '0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11';
const catalog = loadCatalog();

function args(cloud: Cloud): string[] {
  return ['rules', '--cloud', cloud, ...sampleWorkspaceFlags(SAMPLE_REGION[cloud]), '--notebook-fqdn', sampleNotebookFqdn(cloud), '--online-endpoint', 'ep1', '--private-endpoint', '-o', 'dns'];
}

/** The lines between a heading and the next blank line. */
function block(text: string, heading: string): string[] {
  const start = text.indexOf(heading);
  if (start < 0) return [];
  const rest = text.slice(start + heading.length).replace(/^\n/, '');
  return rest
    .slice(0, rest.search(/\n(?:\n|(?=\S))/) + 1 || undefined)
    .split('\n')
    .filter((l) => l !== '');
}

if (RECORD) {
  mkdirSync(GOLDEN_DIR, { recursive: true });
  for (const cloud of CLOUDS) {
    const run = await runCli(args(cloud), { forbidNetwork: true });
    if (run.code !== 0) throw new Error(`recording ${cloud}: exit ${run.code}: ${run.stderr}`);
    writeFileSync(join(GOLDEN_DIR, `${cloud}-private.dns`), run.stdout);
  }
  t.pass('recorded');
} else {
  for (const cloud of CLOUDS) {
    t.test(`rules -o dns in ${cloud}: the article's zones, forwarders and online endpoint records`, async (t) => {
      const run = await runCli(args(cloud), { forbidNetwork: true });
      t.equal(run.code, 0, run.stderr);
      t.equal(run.stdout, readFileSync(join(GOLDEN_DIR, `${cloud}-private.dns`), 'utf8'), 'golden');
      const data = catalog.privateDns?.get(cloud);
      if (!data) return t.fail(`no private DNS data for ${cloud}`);
      t.match(run.stdout, `# Zones and forwarders of the workspace private endpoint: ${data.source}\n`, 'names its source');
      for (const zone of data.privateZones) t.match(run.stdout, new RegExp(`^${zone.replace(/\./g, '\\.')}\\n  \\S`, 'm'), `zone ${zone}, with records`);
      t.same(
        block(run.stdout, `conditional forwarders to Azure DNS (${AZURE_DNS}) for`)
          .filter((l) => l.startsWith('  '))
          .slice(0, data.forwardZones.length),
        data.forwardZones.map((z) => `  ${z}`),
        'the article’s forwarders first, in its order',
      );
      t.match(run.stdout, `From on-premises: forward the same zones but aznbcontent.net to a DNS forwarder`, 'the article keeps aznbcontent.net in the VNet');
      const region = SAMPLE_REGION[cloud];
      for (const { zone, record } of data.endpointRecords) {
        const filled = record.replace('<workspace-id>', WORKSPACE_ID).replace('<region>', region);
        const shown = data.privateZones.includes(zone) ? filled : `${filled}.${zone}`;
        t.match(run.stdout, `\n  ${shown}  A  <the inference address of the workspace private endpoint>`, `wildcard record ${shown}`);
      }
      t.match(run.stdout, `\n  ep1.${region}.${data.forwardZones.find((z) => z.startsWith('inference.'))}  A  `, 'the online endpoint’s own record');
    });
  }

  t.test('without a workspace private endpoint no zone is asked for', async (t) => {
    const run = await runCli(['rules', '--region', 'westus2', '--online-endpoint', 'ep1', '-o', 'dns'], { forbidNetwork: true });
    t.equal(run.code, 0, run.stderr);
    t.match(run.stdout, 'No name needs to resolve privately');
    t.notMatch(run.stdout, /privatelink|forwarders/);
  });
}
