import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { runCli } from '../helpers/cli.js';
import { runScript } from '../helpers/run-script.js';
import { RULES_FORMATS } from '../../src/render/rules/registry.js';

const FUTURE = fileURLToPath(new URL('../fixtures/catalog/changes-2099.yaml', import.meta.url));
// Only the user catalog's feature: the shipped entries then play no part, whatever revisions they hold in.
const WORKSPACE = ['--region', 'westus2', '--catalog', FUTURE, '--features', 'future'];
const since = (...more: string[]): string[] => ['rules', ...WORKSPACE, '--changes-since', '2026-03', ...more];

/** What each format must show: future.example.com added, old.example.com and the inbound Batch ports removable. */
const EXPECTED: Record<(typeof RULES_FORMATS)[number], RegExp[]> = {
  table: [
    /^From revision 2026-03 to 2099-01 of the article, this workspace's allow-list has 4 to add, 3 that\smay be removed, 1 unchanged/,
    /Add \(in the 2099-01 list, not in 2026-03's\):\n.*\n(?:.*\n)*future\.example\.com +out +HTTPS +443/,
    /May be removed .*\n(?:.*\n)*old\.example\.com +out +HTTPS +443/,
    /from BatchNodeManagement\.westus2 +in +TCP +29876/,
    /\n\nAdditions as commands: -o az, -o az-classic, -o nsg, -o bicep \(removals only as comments\)\.\n$/,
  ],
  json: [/"kind": "aml-netcheck-rule-changes"/, /"from": "2026-03",\n  "to": "2099-01"/],
  markdown: [/### Add \(in the 2099-01 list, not in 2026-03's\):/, /\| outbound \| `future\.example\.com` \| HTTPS \| 443 \|/, /\| inbound \| `from BatchNodeManagement\.westus2` \| TCP \| 29877 \|/],
  csv: [
    /^change,direction,source,destination,protocol,port,/,
    /^added,outbound,workspace subnets,future\.example\.com,HTTPS,443,/m,
    /^removable,outbound,workspace subnets,old\.example\.com,HTTPS,443,/m,
    /^removable,inbound,BatchNodeManagement\.westus2,compute nodes,TCP,29876,/m,
  ],
  az: [/--name 'aml-netcheck-2099-01'/, /--target-fqdns 'future\.example\.com'/, /^#   outbound HTTPS 443 to old\.example\.com: future$/m],
  'az-classic': [/--collection-name 'aml-application-rules-2099-01'/, /^#   outbound HTTPS 443 to old\.example\.com: future$/m],
  nsg: [/--name 'aml-out-AzureFrontDoor\.FirstParty-2099-01'/, /^#   inbound TCP 29876 from BatchNodeManagement\.westus2: future$/m],
  bicep: [/name: 'aml-netcheck-2099-01'/, /targetFqdns: \[\n +'future\.example\.com'/, /^\/\/   outbound HTTPS 443 to old\.example\.com: future$/m],
  dns: [/^# aml-netcheck rules: DNS\. No private-link name is new in revision 2099-01 against 2026-03\.$/m],
  'managed-network': [/--changes-since has no managed-network form: run `rules -o managed-network`/],
  proxy: [/# Allow on the proxy \(HTTP and HTTPS CONNECT\):\nfuture\.example\.com\n/, /# May be removed from the proxy \(in revision 2026-03's list only, if nothing else uses them\):\n#   old\.example\.com/],
};

for (const format of RULES_FORMATS) {
  t.test(`rules --changes-since -o ${format}: the additions and what may be removed, without a network call`, async (t) => {
    const run = await runCli(since('-o', format), { forbidNetwork: true });
    t.equal(run.code, 0, run.stderr);
    t.equal(run.stderr, '');
    for (const pattern of EXPECTED[format]) t.match(run.stdout, pattern);
    t.notMatch(run.stdout, /kept\.example\.com/, 'a rule in both is neither added nor removable');
  });
}

t.test('the JSON lists each rule once, on its side', async (t) => {
  const run = await runCli(since('-o', 'json'));
  const doc = JSON.parse(run.stdout) as { added: Array<{ fqdn: string | null; serviceTag: string | null; port: number }>; removable: Array<{ direction: string; fqdn: string | null; serviceTag: string | null; port: number }>; unchanged: number; changed: unknown[] };
  const name = (e: { fqdn: string | null; serviceTag: string | null; port: number }): string => `${e.fqdn ?? e.serviceTag ?? ''} ${e.port}`;
  t.same(doc.added.map(name), ['AzureFrontDoor.FirstParty 443', 'db.example.com 5432', 'future.example.com 443', 'turn.example.com 5831']);
  t.same(doc.removable.map(name), ['old.example.com 443', 'BatchNodeManagement.westus2 29876', 'BatchNodeManagement.westus2 29877']);
  t.same([doc.unchanged, doc.changed], [1, []]);
});

t.test('the az and NSG scripts run, add only, and name what they create after the newer revision', async (t) => {
  const az = await runCli(since('-o', 'az', '--resource-group', 'rg1', '--firewall-policy', 'fwp1', '--source', '10.0.0.0/24'));
  const policy = await runScript(az.stdout);
  t.equal(policy.code, 0, policy.stderr);
  t.same(policy.files, []);
  t.same(policy.argvs[0], ['az', 'network', 'firewall', 'policy', 'rule-collection-group', 'create', '--resource-group', 'rg1', '--policy-name', 'fwp1', '--name', 'aml-netcheck-2099-01', '--priority', '510']);
  const fqdns = policy.argvs.flatMap((a) => [a[a.indexOf('--target-fqdns') + 1], a[a.indexOf('--destination-fqdns') + 1], a[a.indexOf('--destination-addresses') + 1]]).filter((x) => x !== undefined && !x.startsWith('-'));
  t.ok(
    ['future.example.com', 'db.example.com', 'AzureFrontDoor.FirstParty'].every((d) => fqdns.includes(d)),
    fqdns.join(' '),
  );
  t.notOk(
    policy.argvs.flat().some((arg) => /old\.example\.com|delete/.test(arg)),
    'nothing is removed',
  );
  const nsg = await runCli(since('-o', 'nsg', '--resource-group', 'rg1', '--nsg', 'nsg1'));
  const rules = await runScript(nsg.stdout);
  t.equal(rules.code, 0, rules.stderr);
  t.same(
    rules.argvs.map((a) => [a[a.indexOf('--name') + 1], a[a.indexOf('--priority') + 1], a[a.indexOf('--direction') + 1]]),
    [['aml-out-AzureFrontDoor.FirstParty-2099-01', '200', 'Outbound']],
  );
});

t.test('--out saves each format; a .sh file gets the additions script', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'aml-changes-'));
  const run = await runCli(since('--out', join(dir, 'changes.json'), '--out', join(dir, 'add.sh'), '--out', join(dir, 'changes.csv')));
  t.equal(run.code, 0, run.stderr);
  t.match(run.stdout, /^From revision 2026-03 to 2099-01/);
  t.equal((JSON.parse(readFileSync(join(dir, 'changes.json'), 'utf8')) as { kind: string }).kind, 'aml-netcheck-rule-changes');
  t.match(readFileSync(join(dir, 'add.sh'), 'utf8'), /rule-collection-group create \\\n +--resource-group "\$RG" \\\n +--policy-name "\$POLICY" \\\n +--name 'aml-netcheck-2099-01'/);
  t.match(readFileSync(join(dir, 'changes.csv'), 'utf8'), /^change,/);
});

t.test("with every feature, the user catalog's changes are there among the rest", async (t) => {
  const run = await runCli(['rules', '--region', 'westus2', '--catalog', FUTURE, '--changes-since', '2026-03', '-o', 'csv']);
  t.equal(run.code, 0, run.stderr);
  t.match(run.stdout, /^added,outbound,workspace subnets,future\.example\.com,HTTPS,443,/m);
  t.match(run.stdout, /^removable,outbound,workspace subnets,old\.example\.com,HTTPS,443,/m);
});

t.test('the same revision twice: nothing changed, exit 0', async (t) => {
  const run = await runCli(['rules', '--region', 'westus2', '--changes-since', 'newest']);
  t.equal(run.code, 0, run.stderr);
  t.match(run.stdout, /^--changes-since names the revision selected \(2026-03\): nothing changed \(Azure public, westus2\)\.\n$/);
  const pinned = await runCli([...since(), '--revision', '2026-03']);
  t.match(pinned.stdout, /^--changes-since names the revision selected \(2026-03\)/);
});

t.test('bad input is one line and exit 2', async (t) => {
  const unknown = await runCli(['rules', '--changes-since', '2020-01']);
  t.equal(unknown.code, 2);
  t.equal(unknown.stderr, "aml-netcheck: --changes-since: unknown revision '2020-01' (known: 2021-11, 2026-03, newest; see `aml-netcheck revisions`)\n");
  t.equal(unknown.stdout, '');
  const withReport = await runCli(['rules', '--from-report', 'report.json', '--changes-since', '2021-11']);
  t.equal(withReport.code, 2);
  t.equal(withReport.stderr, 'aml-netcheck: --changes-since: compares two revisions of the catalog; it cannot be used with --from-report\n');
  const badFeature = await runCli([...since(), '--features', 'nope']);
  t.equal(badFeature.code, 2);
  t.match(badFeature.stderr, /^aml-netcheck: --features: unknown feature 'nope' \(known: /);
});

t.test('explain: in which revisions a host is required, and what changed', async (t) => {
  const added = await runCli(['explain', 'future.example.com', '--catalog', FUTURE]);
  t.equal(added.code, 0, added.stderr);
  t.match(added.stdout, /^Revisions: 2021-11 not covered; 2026-03 not covered; 2099-01 required\.\n  2026-03 -> 2099-01: newly listed \(required\)\n/m);
  t.match(added.stdout, /revisions: +2099-01\n +source: +2099-01 https:\/\/example\.com\/future#future-hosts\n/);
  const gone = await runCli(['explain', 'old.example.com', '--catalog', FUTURE, '-o', 'json']);
  const doc = JSON.parse(gone.stdout) as { matches: Array<{ revisions: string[]; provenance: Array<{ revision: string; url: string }> }>; revisions: Array<{ revision: string; status: string }>; changes: Array<{ from: string; to: string; kind: string }> };
  t.same(
    doc.revisions.map((r) => `${r.revision} ${r.status}`),
    ['2021-11 required', '2026-03 required', '2099-01 not-covered'],
  );
  t.same(doc.changes, [{ from: '2026-03', to: '2099-01', kind: 'no-longer-listed', items: [] }]);
  t.same(doc.matches[0]?.revisions, ['2021-11', '2026-03']);
  t.match(doc.matches[0]?.provenance[1]?.url, /azure-ai-docs.*#future$/, "the shipped revision's page, the user section's anchor");
  const narrowed = await runCli(['explain', 'future.example.com', '--catalog', FUTURE, '--revision', '2026-03']);
  t.equal(narrowed.code, 1, 'nothing covers it in that revision');
  t.equal(narrowed.stdout, 'No requirement in revision 2026-03 of the catalog covers future.example.com.\n');
});
