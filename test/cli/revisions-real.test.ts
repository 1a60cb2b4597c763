/**
 * What moving from the 2021-11 list to the 2026-03 one means for an admin, asserted on the
 * shipped catalog: the changes `rules --changes-since` reports and `explain` describes are
 * the ones the article made.
 */
import t from 'tap';
import { runCli } from '../helpers/cli.js';

const FACTS = ['--region', 'westus2', '--workspace-id', '0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11', '--storage-account', 'st1', '--compute-instance', 'ci1'];

interface Rule {
  direction: string;
  fqdn: string | null;
  serviceTag: string | null;
  protocol: string;
  port: number;
}
const key = (r: Rule): string => `${r.direction} ${r.serviceTag ?? '-'} ${r.fqdn ?? '-'} ${r.protocol} ${r.port}`;

t.test('rules --changes-since 2021-11: the 2026-03 additions and what a 2021 firewall may drop', async (t) => {
  const run = await runCli(['rules', '--changes-since', '2021-11', ...FACTS, '-o', 'json']);
  t.equal(run.code, 0, run.stderr);
  const changes = JSON.parse(run.stdout) as { kind: string; from: string; to: string; added: Rule[]; removable: Rule[] };
  t.same([changes.kind, changes.from, changes.to], ['aml-netcheck-rule-changes', '2021-11', '2026-03']);
  const added = changes.added.map(key);
  const removable = changes.removable.map(key);
  for (const rule of ['outbound AzureFrontDoor.FirstParty *.data.mcr.microsoft.com HTTPS 443', 'outbound AzureMachineLearning westus2.tundra.azureml.ms UDP 5831', 'outbound BatchNodeManagement.westus2 - Any 443', 'outbound - ghcr.io HTTPS 443'].filter(
    (r) => !r.includes('ghcr'),
  )) {
    t.ok(added.includes(rule), `adds ${rule}`);
  }
  t.ok(
    added.some((r) => r.startsWith('outbound MicrosoftContainerRegistry mcr.microsoft.com')),
    'MCR is now needed in every scenario',
  );
  t.notOk(
    added.some((r) => r.includes('ghcr.io')),
    'RStudio hosts only when --rstudio says RStudio is installed',
  );
  for (const rule of ['inbound BatchNodeManagement - TCP 29876', 'inbound BatchNodeManagement - TCP 29877', 'outbound - viennaglobal.azurecr.io HTTPS 443']) {
    t.ok(removable.includes(rule), `may remove ${rule}`);
  }
  t.notOk(
    removable.some((r) => r.includes('AzureActiveDirectory')),
    'what both revisions need is not listed',
  );

  const rstudio = await runCli(['rules', '--changes-since', '2021-11', ...FACTS, '--rstudio', '-o', 'json']);
  t.ok((JSON.parse(rstudio.stdout) as { added: Rule[] }).added.map(key).includes('outbound - ghcr.io HTTPS 443'), 'with --rstudio, ghcr.io is added');
});

t.test('rules --changes-since names the revisions in its table and says when nothing changed', async (t) => {
  const table = await runCli(['rules', '--changes-since', '2021-11', ...FACTS], { env: { COLUMNS: '120' } });
  t.equal(table.code, 0, table.stderr);
  t.match(table.stdout, /^From revision 2021-11 to 2026-03 of the article, this workspace's allow-list has \d+ to add, \d+ that\s+may be removed/);
  const same = await runCli(['rules', '--changes-since', '2026-03', ...FACTS]);
  t.equal(same.code, 0);
  t.match(same.stdout + same.stderr, /nothing changed/);
  const back = await runCli(['rules', '--changes-since', '2026-03', '--revision', '2021-11', ...FACTS, '-o', 'json']);
  const reverse = JSON.parse(back.stdout) as { added: Rule[]; removable: Rule[] };
  t.ok(reverse.added.map(key).includes('inbound BatchNodeManagement - TCP 29876'), 'going back adds what 2026-03 dropped');
});

t.test('explain tells in which revisions a host is needed and what changed', async (t) => {
  const ghcr = await runCli(['explain', 'ghcr.io', '-o', 'json']);
  t.equal(ghcr.code, 0, ghcr.stderr);
  const ghcrJson = JSON.parse(ghcr.stdout) as { revisions: Array<{ revision: string; status: string }>; changes: Array<{ kind: string; from: string; to: string }> };
  t.same(
    ghcrJson.revisions.map((r) => [r.revision, r.status]),
    [
      ['2021-11', 'not-covered'],
      ['2026-03', 'conditional'],
    ],
  );
  t.same(
    ghcrJson.changes.map((c) => [c.from, c.to, c.kind]),
    [['2021-11', '2026-03', 'newly-listed']],
  );

  const vienna = await runCli(['explain', 'viennaglobal.azurecr.io', '-o', 'json']);
  const viennaJson = JSON.parse(vienna.stdout) as { matches: Array<{ matchedBy: string; revisions: string[] }> };
  const named = viennaJson.matches.filter((m) => m.matchedBy === 'viennaglobal.azurecr.io');
  t.ok(named.length > 0 && named.every((m) => m.revisions.join() === '2021-11'), 'the prebuilt-image registry is named in 2021-11 only');

  const text = await runCli(['explain', 'ghcr.io']);
  t.match(text.stdout, /^Revisions: 2021-11 not covered; 2026-03 required under a condition\.$/m);
  t.match(text.stdout, /source:\s+2026-03 https:\/\/github\.com\/MicrosoftDocs\/azure-ai-docs\/blob\/00bb5540c93f4bf3d1d78fe21e36c6dbc2930026\/articles\/machine-learning\/how-to-access-azureml-behind-firewall\.md#scenario-install-rstudio-on-compute-instance/);

  const batch = await runCli(['explain', 'BatchNodeManagement.westus2', '-o', 'json']);
  const batchJson = JSON.parse(batch.stdout) as { revisions: Array<{ revision: string; ports: string[] }> };
  const ports = Object.fromEntries(batchJson.revisions.map((r) => [r.revision, r.ports]));
  t.ok(
    ports['2021-11']?.some((p) => /^TCP 29876 inbound$/.test(p)),
    '2021-11: inbound 29876',
  );
  t.ok(
    ports['2026-03']?.some((p) => /^ANY 443 outbound$/i.test(p)),
    `2026-03: outbound Any 443 (${ports['2026-03']?.join(', ')})`,
  );
  t.notOk(
    ports['2026-03']?.some((p) => p.includes('29876')),
    '2026-03: no inbound Batch port',
  );
});
