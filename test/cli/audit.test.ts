import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import t from 'tap';
import { runCli, spawnCli } from '../helpers/cli.js';
import { sampleWorkspaceFlags } from '../helpers/sample-workspace.js';

// Exports shaped as the Microsoft.Network REST API 2024-05-01 defines them (test/fixtures/audit/README.md).
const FIXTURES = fileURLToPath(new URL('../fixtures/audit/', import.meta.url));
const config = (...names: string[]): string[] => names.flatMap((name) => ['--config', `${FIXTURES}${name}`]);
const HUB = config('hub-parent-policy.json', 'hub-parent-groups.json', 'hub-child-policy.json', 'hub-child-groups.json');
// The features the hub fixture was written for; other features' rows may grow as the article does.
const HUB_FEATURES = ['--features', 'workspace-api,workspace-storage,azure-ad,compute-instance,microsoft-container-registry,container-registry'];

const schema = JSON.parse(readFileSync(new URL('../../schema/audit.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const validate = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true }).compile(schema);

interface AuditJson {
  exitCode: number;
  targets: Array<{ id: string; required: boolean; verdict: { verdict: string; rule?: { group: string; collection: string; rule: string } | null; reason?: string; on?: string[] } }>;
}

async function auditJson(args: string[]): Promise<{ code: number | null; json: AuditJson; stderr: string }> {
  const run = await runCli(['audit', ...sampleWorkspaceFlags(), ...args, '-o', 'json'], { forbidNetwork: true });
  const json = JSON.parse(run.stdout) as AuditJson;
  if (!validate(json)) throw new Error(`schema: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
  return { code: run.code, json, stderr: run.stderr };
}

const verdictOf = (json: AuditJson, id: string) => json.targets.find((target) => target.id === id)?.verdict;

t.test('a correct hub with a parent and a child policy allows every required target: exit 0', async (t) => {
  const { code, json, stderr } = await auditJson([...HUB, ...HUB_FEATURES, '--source', '10.0.1.0/24']);
  t.equal(code, 0, stderr);
  t.equal(stderr, '', 'no warning: every field of the exports is modelled');
  const required = json.targets.filter((target) => target.required && target.verdict.verdict !== 'not-audited');
  t.ok(required.length >= 15, `audited ${required.length} required targets`);
  t.same(
    required.filter((target) => target.verdict.verdict !== 'allowed').map((target) => target.id),
    [],
  );
  t.match(verdictOf(json, 'st1.file.core.windows.net:445'), { verdict: 'allowed', rule: { group: 'Hub-Network', collection: 'azure-services', rule: 'storage-smb' } }, 'SMB by the parent network rule, the DNS proxy on');
  t.match(verdictOf(json, 'BatchNodeManagement.westus2:443'), { verdict: 'allowed', rule: { rule: 'batch-node-management' } }, 'a target that is only a service tag, by that tag');
  t.match(verdictOf(json, '*.westus2.batch.azure.com:443'), { verdict: 'allowed', rule: { rule: 'aml-endpoints' } }, 'a wildcard requirement, by a wider wildcard');
});

t.test('the table names the rule, and the same run without --source cannot decide: exit 3', async (t) => {
  const run = await runCli(['audit', ...sampleWorkspaceFlags(), ...HUB, ...HUB_FEATURES], { forbidNetwork: true, columns: 200 });
  t.equal(run.code, 3, run.stderr);
  t.match(run.stdout, /st1\.file\.core\.windows\.net\s+445\s+depends\s+on the workspace subnet \(give --source\)/);
  const table = await runCli(['audit', ...sampleWorkspaceFlags(), ...HUB, ...HUB_FEATURES, '--source', '10.0.1.0/24'], { forbidNetwork: true, columns: 200 });
  t.match(table.stdout, /st1\.file\.core\.windows\.net\s+445\s+allowed\s+by Hub-Network\/azure-services\/storage-smb \(200\/100, network, fwp-hub-parent\)/);
});

t.test('the common mistakes, each with its verdict: exit 1', async (t) => {
  const { code, json } = await auditJson([...config('mistakes-policy.json', 'mistakes-groups.json'), '--source', '10.0.1.0/24']);
  t.equal(code, 1);
  t.match(verdictOf(json, 'anaconda.com:443'), { verdict: 'no-rule' }, 'a wildcard that misses the bare name');
  t.match(verdictOf(json, 'repo.anaconda.com:443'), { verdict: 'allowed', rule: { rule: 'anaconda' } });
  t.match(verdictOf(json, 'st1.blob.core.windows.net:443'), { verdict: 'denied', rule: { group: 'Deny-First', collection: 'block-blob', rule: 'no-blob' } }, 'a deny collection at a higher priority than the allow');
  t.match(verdictOf(json, 'st1.file.core.windows.net:445'), { verdict: 'inexpressible', rule: { rule: 'smb-as-app' }, reason: /application rule sees HTTP, HTTPS and MSSQL only/ }, 'an application rule for a non-HTTP port');
  t.match(verdictOf(json, 'login.microsoftonline.com:443'), { verdict: 'inexpressible', rule: { rule: 'login-fqdn' }, reason: /DNS proxy, which is off/ }, 'an FQDN network rule with the DNS proxy off');
  t.match(verdictOf(json, 'ci1.westus2.instances.azureml.net:443'), { verdict: 'inexpressible', rule: { rule: 'instances-wildcard' }, reason: /no wildcard FQDN/ }, 'a wildcard in a network rule');
});

t.test('an ARM template export that forgets 445', async (t) => {
  const { code, json, stderr } = await auditJson([...config('no-smb-template.json'), '--features', 'workspace-storage', '--source', '10.0.1.0/24']);
  t.equal(code, 1);
  t.match(verdictOf(json, 'st1.file.core.windows.net:445'), { verdict: 'no-rule' });
  t.match(verdictOf(json, 'st1.file.core.windows.net:443'), { verdict: 'allowed', rule: { group: 'DefaultApplicationRuleCollectionGroup', collection: 'storage', rule: 'storage-https' } });
  t.match(stderr, /^aml-netcheck: warning: .*no-smb-template\.json: resources\[\*\]\.type: a resource of type 'Microsoft\.Network\/publicIPAddresses', which audit does not read yet; left out$/m);
});

t.test('bad input is one line and exit 2', async (t) => {
  for (const args of [config('invalid/unknown-action.json'), config('invalid/deep.json'), config('invalid/ambiguous-kind.json'), ['--config', `${FIXTURES}absent.json`], [], [...config('hub-child-groups.json'), '--source', '10.0.1.0/33']]) {
    const run = await runCli(['audit', ...sampleWorkspaceFlags(), ...args], { forbidNetwork: true });
    t.equal(run.code, 2, args.join(' '));
    t.equal(run.stdout, '');
    t.match(run.stderr, /^aml-netcheck: [^\n]+\n$/, `one line: ${run.stderr}`);
  }
  const ambiguous = await runCli(['audit', ...sampleWorkspaceFlags(), ...config('invalid/ambiguous-kind.json')]);
  t.match(ambiguous.stderr, /say which with --config-kind firewall-policy=/);
  const settled = await runCli(['audit', ...sampleWorkspaceFlags(), ...config('invalid/ambiguous-kind.json'), '--config-kind', `rule-collection-group=${FIXTURES}invalid/ambiguous-kind.json`, '--source', '10.0.1.0/24']);
  t.equal(settled.code, 1, 'read once the kind is given: an empty group allows nothing');
});

t.test('--config - reads standard input; without the policy, an FQDN network rule depends on its DNS proxy', async (t) => {
  const run = await spawnCli(['audit', ...sampleWorkspaceFlags(), '--features', 'workspace-storage', '--config', '-', '--source', '10.0.1.0/24', '-o', 'json'], { input: readFileSync(`${FIXTURES}hub-parent-groups.json`, 'utf8') });
  t.equal(run.code, 3, run.stderr);
  const json = JSON.parse(run.stdout) as AuditJson;
  t.match(verdictOf(json, 'st1.file.core.windows.net:445'), { verdict: 'depends', on: [/the policy's DNS proxy setting/], rule: { policy: 'fwp-hub-parent', rule: 'storage-smb' } });
});

t.test('an NSG alone: a custom deny above the allow, named with its priority: exit 1', async (t) => {
  const { code, json, stderr } = await auditJson([...config('nsg-show.json'), '--source', '10.0.1.0/24']);
  t.equal(code, 1);
  t.equal(stderr, '', 'az network nsg show prints every field audit reads, the default rules included');
  t.match(verdictOf(json, 'login.microsoftonline.com:80'), { verdict: 'denied', rule: { layer: 'nsg', nsg: 'nsg-aml-subnet', rule: 'Deny-All-Outbound', priority: 4000 } }, 'no allow above the deny holds port 80');
  t.match(
    verdictOf(json, 'login.microsoftonline.com:443'),
    { verdict: 'depends', on: ['service tag AzureMachineLearning', 'service tag Storage'], rule: { rule: 'Allow-AzureMachineLearning' } },
    'Allow-AzureActiveDirectory (4010) comes after the deny; the allows above it name other tags',
  );
  t.match(verdictOf(json, 'westus2.api.azureml.ms:443'), { verdict: 'allowed', rule: { rule: 'Allow-AzureMachineLearning' } }, 'publicly by the tag, privately by Allow-VNet');
  t.match(verdictOf(json, 'management.azure.com:443'), { verdict: 'depends', on: ['service tag AzureMachineLearning', 'service tag Storage'] }, 'without the service-tag file');
  const table = await runCli(['audit', ...sampleWorkspaceFlags(), ...config('nsg-show.json'), '--source', '10.0.1.0/24'], { forbidNetwork: true, columns: 200 });
  t.match(table.stdout, /login\.microsoftonline\.com\s+80\s+DENIED\s+by NSG nsg-aml-subnet\/Deny-All-Outbound \(4000\)/);
  t.match(table.stdout, /^\d+ of \d+ targets allowed by NSG nsg-aml-subnet; sources 10\.0\.1\.0\/24$/m);
});

t.test('inbound: with a public IP on the compute, Azure ML management on 44224 meets the NSG inbound rules', async (t) => {
  const allowed = await auditJson([...config('nsg-show.json'), '--source', '10.0.1.0/24', '--public-ip-compute']);
  t.match(verdictOf(allowed.json, 'inbound:<node>:44224'), { verdict: 'allowed', rule: { layer: 'nsg', rule: 'Allow-AzureMachineLearning-Inbound', priority: 130 } });
  // An NSG whose only inbound rules are Azure's: DenyAllInBound stops it, and it is required.
  const defaults = await auditJson([...config('nsg-template.json'), '--source', '10.0.1.0/24', '--public-ip-compute']);
  t.match(verdictOf(defaults.json, 'inbound:<node>:44224'), { verdict: 'denied', rule: { rule: 'DenyAllInBound', priority: 65500 } });
  t.equal(defaults.json.targets.find((target) => target.id === 'inbound:<node>:44224')?.required, true);
  t.equal(defaults.code, 1);
  // Without an NSG, nothing given filters inbound traffic: the firewall is not on the way in.
  const firewallOnly = await auditJson([...HUB, '--source', '10.0.1.0/24', '--public-ip-compute']);
  t.match(verdictOf(firewallOnly.json, 'inbound:<node>:44224'), { verdict: 'not-audited', reason: /only NSGs filter it/ });
});

t.test('with the service-tag file, the tag is decided by address', async (t) => {
  const { json } = await auditJson([...config('nsg-show.json', 'service-tags.json'), '--source', '10.0.1.0/24']);
  t.match(verdictOf(json, 'management.azure.com:443'), { verdict: 'denied', rule: { rule: 'Deny-All-Outbound' } }, 'AzureResourceManager lies apart from AzureMachineLearning and Storage');
  t.match(verdictOf(json, 'login.microsoftonline.com:443'), { verdict: 'denied', rule: { rule: 'Deny-All-Outbound' } }, 'so does AzureActiveDirectory: its allow (4010) comes after the deny');
});

t.test('NSG and firewall together: the first layer that blocks decides, and an allow names both', async (t) => {
  const { json } = await auditJson([...HUB, ...config('nsg-show.json'), ...HUB_FEATURES, '--source', '10.0.1.0/24']);
  const login = json.targets.find((target) => target.id === 'login.microsoftonline.com:80') as unknown as { verdict: unknown; layers: Array<{ layer: string; verdict: { verdict: string } }> };
  t.match(login.verdict, { verdict: 'denied', rule: { layer: 'nsg', rule: 'Deny-All-Outbound' } }, 'the firewall allows it, the NSG before it does not');
  t.match(login.layers, [
    { layer: 'nsg', verdict: { verdict: 'denied' } },
    { layer: 'firewall', verdict: { verdict: 'allowed' } },
  ]);
  t.match(verdictOf(json, 'westus2.api.azureml.ms:443'), { verdict: 'allowed', rule: { layer: 'firewall', rule: 'aml-endpoints' } }, 'both allow: the firewall, last on the path, is the verdict');
  const table = await runCli(['audit', ...sampleWorkspaceFlags(), ...HUB, ...config('nsg-show.json'), ...HUB_FEATURES, '--source', '10.0.1.0/24'], { forbidNetwork: true, columns: 250 });
  t.equal(table.code, 1);
  t.match(table.stdout, /\nwestus2\.api\.azureml\.ms\s+443\s+allowed\s+by NSG nsg-aml-subnet\/Allow-AzureMachineLearning \(100\); by AML-Application\/aml-https\/aml-endpoints \(300\/200, application, fwp-aml\)\n/);
});

t.test('effective rules and an ARM template without the default rules', async (t) => {
  const effective = await auditJson([...config('nsg-effective.json'), '--source', '10.0.1.0/24']);
  t.match(verdictOf(effective.json, 'pypi.org:443'), { verdict: 'denied', rule: { nsg: 'nsg-ci1-nic', rule: 'Deny-Internet-Outbound', priority: 200 } }, "the NIC's NSG");
  t.match(effective.stderr, /expandedDestinationAddressPrefix: not modelled by audit/);
  const template = await auditJson([...config('nsg-template.json'), '--features', 'workspace-storage', '--source', '10.0.1.0/24']);
  t.equal(template.code, 1);
  t.match(verdictOf(template.json, 'st1.file.core.windows.net:445'), { verdict: 'denied', rule: { nsg: 'nsg-open', rule: 'Deny-SMB-Outbound' } });
  t.match(template.stderr, /^aml-netcheck: warning: .*nsg-template\.json: resources\[0\]: NSG 'nsg-open' leaves out the default rules .*; added as Azure adds them to every NSG$/m);
  t.match((template.json as unknown as { nsgs: unknown }).nsgs, [{ name: 'nsg-open', effective: false, defaultsAdded: ['AllowVnetInBound', 'AllowAzureLoadBalancerInBound', 'DenyAllInBound', 'AllowVnetOutBound', 'AllowInternetOutBound', 'DenyAllOutBound'] }]);
});

t.test('a malformed NSG export is one line and exit 2', async (t) => {
  const run = await runCli(['audit', ...sampleWorkspaceFlags(), ...config('invalid-nsg/priority-out-of-range.json')], { forbidNetwork: true });
  t.equal(run.code, 2);
  t.equal(run.stdout, '');
  t.match(run.stderr, /^aml-netcheck: [^\n]*invalid-nsg\/priority-out-of-range\.json: securityRules\[3\]\.priority: expected an integer from 100 to 4096; got 5000\n$/);
});

t.test('the closing change and the advisory list, in the table and in JSON; the advisories leave the exit code alone', async (t) => {
  const args = [...config('close-policy.json', 'close-groups.json', 'service-tags.json'), '--features', 'workspace-api,workspace-storage,azure-ad,python-packages', '--source', '10.0.1.0/24'];
  const { code, json } = await auditJson(args);
  t.equal(code, 1, 'blocked targets: exit 1');
  const change = (json as unknown as { change: { layers: Array<{ layer: string; additions: Array<{ place: { group: string; collection: string } }> }>; commands: { az: string[]; bicep: Array<{ text: string }> } } }).change;
  t.match(change.layers, [{ layer: 'firewall', additions: [{ place: { group: 'Net-Base', collection: 'allow-dns' } }, { place: { group: 'App', collection: 'allow-pypi' } }] }]);
  t.ok(
    change.commands.az.every((c) => c.startsWith('az network firewall policy rule-collection-group collection rule add')),
    'only adds to existing collections',
  );
  t.match(change.commands.bicep[0]?.text, /name: 'aml-netcheck-audit'\n {2}properties: \{\n {4}priority: 190\n/);
  t.match((json as unknown as { advisories: unknown[] }).advisories, [{ rule: { rule: 'lab-any-any' } }, { rule: { rule: 'lab-every-name' } }]);
  const table = await runCli(['audit', ...sampleWorkspaceFlags(), ...args], { forbidNetwork: true, columns: 200 });
  t.match(table.stdout, /\nClosing change: only additions, 3 rules; audited again with them, 12 required targets are allowed, and no other verdict changes\.\n/);
  t.match(table.stdout, /\n {2}add to rule collection allow-dns \(100\) of group Net-Base \(200\) of policy fwp-close:\n {4}network rule aml-st1\.file\.core\.windows\.net: TCP 445 to st1\.file\.core\.windows\.net \(1 target\)\n/);
  t.match(table.stdout, /\nAdvisory: rules that allow more than the workspace needs \(no effect on the verdicts or the exit code\):\n {2}Net-Base\/lab-anything\/lab-any-any \(200\/400, network, fwp-close\): any-any/);
  const hub = await auditJson([...HUB, ...HUB_FEATURES, '--source', '10.0.1.0/24']);
  t.equal(hub.code, 0, 'nothing blocked: nothing to change');
  t.same((hub.json as unknown as { change: { layers: unknown[] } }).change.layers, []);
});
