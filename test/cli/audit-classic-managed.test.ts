import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import t from 'tap';
import { runCli } from '../helpers/cli.js';
import { sampleWorkspaceFlags } from '../helpers/sample-workspace.js';

// `az network firewall show` (Microsoft.Network 2024-05-01) and `az ml workspace outbound-rule list`
// (Microsoft.MachineLearningServices 2024-10-01) exports: test/fixtures/audit/README.md.
const FIXTURES = fileURLToPath(new URL('../fixtures/audit/', import.meta.url));
const config = (...names: string[]): string[] => names.flatMap((name) => ['--config', `${FIXTURES}${name}`]);
const HUB_FEATURES = ['--features', 'workspace-api,workspace-storage,azure-ad,compute-instance,microsoft-container-registry,container-registry'];
const APPROVED = ['--managed-network', 'allow-only-approved-outbound'];

const schema = JSON.parse(readFileSync(new URL('../../schema/audit.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const validate = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true }).compile(schema);

interface Verdict {
  verdict: string;
  rule?: Record<string, unknown> | null;
  reason?: string;
  on?: string[];
}
interface AuditJson {
  exitCode: number;
  firewalls?: Array<Record<string, unknown>>;
  managed?: { mode: string | null; rules: number; changes: Array<{ rule: { type: string }; targets: string[]; printed: { command: string | null; yaml: string[] } }>; cannot: Array<{ target: string; requirement: string }> };
  targets: Array<{ id: string; required: boolean; verdict: Verdict; layers: Array<{ layer: string; verdict: Verdict }> }>;
}

async function auditJson(args: string[]): Promise<{ code: number | null; json: AuditJson; stderr: string }> {
  const run = await runCli(['audit', ...sampleWorkspaceFlags(), ...args, '-o', 'json'], { forbidNetwork: true });
  const json = JSON.parse(run.stdout) as AuditJson;
  if (!validate(json)) throw new Error(`schema: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
  return { code: run.code, json, stderr: run.stderr };
}

const verdictOf = (json: AuditJson, id: string): Verdict | undefined => json.targets.find((target) => target.id === id)?.verdict;

t.test('a correct hub firewall with classic rules allows every required target, each named <firewall>/<collection>/<rule>: exit 0', async (t) => {
  const { code, json, stderr } = await auditJson([...config('classic-firewall.json'), ...HUB_FEATURES, '--source', '10.0.1.0/24']);
  t.equal(code, 0, stderr);
  t.equal(stderr, '', 'every field az prints is modelled or says nothing');
  t.same(json.firewalls, [{ name: 'fw-hub', policy: null, dnsProxy: true, threatIntelMode: 'Alert', sku: 'Standard', privateIp: '10.0.0.4' }]);
  t.match(
    verdictOf(json, 'st1.file.core.windows.net:445'),
    { verdict: 'allowed', rule: { layer: 'classic-firewall', firewall: 'fw-hub', collection: 'azure-services', collectionPriority: 100, rule: 'storage-smb', ruleType: 'NetworkRule' } },
    'the FQDN network rule, with the DNS proxy on',
  );
  t.match(verdictOf(json, 'login.microsoftonline.com:80'), { verdict: 'allowed', rule: { collection: 'aml-https', rule: 'aad-http', ruleType: 'ApplicationRule' } });
  const table = await runCli(['audit', ...sampleWorkspaceFlags(), ...config('classic-firewall.json'), ...HUB_FEATURES, '--source', '10.0.1.0/24'], { forbidNetwork: true, columns: 200 });
  t.match(table.stdout, /st1\.file\.core\.windows\.net\s+445\s+allowed\s+by fw-hub\/azure-services\/storage-smb \(100, network, classic rules\)/);
  t.match(table.stdout, /allowed by firewall fw-hub \(classic rules, DNS proxy on, private IP 10\.0\.0\.4\)/);
});

t.test('the DNS proxy off: an FQDN network rule of a classic firewall cannot work', async (t) => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const firewall = JSON.parse(readFileSync(`${FIXTURES}classic-firewall.json`, 'utf8')) as Record<string, unknown>;
  const file = `${mkdtempSync(`${tmpdir()}/audit-`)}/fw.json`;
  writeFileSync(file, JSON.stringify({ ...firewall, additionalProperties: {} }));
  const { code, json } = await auditJson(['--config', file, ...HUB_FEATURES, '--source', '10.0.1.0/24']);
  t.equal(code, 1);
  t.match(verdictOf(json, 'st1.file.core.windows.net:445'), { verdict: 'inexpressible', rule: { rule: 'storage-smb' }, reason: /DNS proxy, which is off/ });
  // Older az printed additionalProperties at the top level of the firewall.
  writeFileSync(file, JSON.stringify({ ...firewall, additionalProperties: null, 'Network.DNS.EnableProxy': 'true' }));
  t.match(verdictOf((await auditJson(['--config', file, ...HUB_FEATURES, '--source', '10.0.1.0/24'])).json, 'st1.file.core.windows.net:445'), { verdict: 'allowed' });
});

t.test('a firewall that runs a policy: the policy decides, its classic collections are named in a warning', async (t) => {
  const alone = await auditJson([...config('classic-with-policy.json'), ...HUB_FEATURES, '--source', '10.0.1.0/24']);
  t.equal(alone.code, 3);
  t.match(verdictOf(alone.json, 'st1.file.core.windows.net:445'), { verdict: 'depends', on: [/firewall policy fwp-aml, which firewall fw-hub runs/] });
  t.match(alone.stderr, /firewall 'fw-hub' runs firewall policy 'fwp-aml' and lists classic rule collections too; a firewall runs one or the other/);
  const run = await runCli(['audit', ...sampleWorkspaceFlags(), ...config('classic-firewall.json', 'hub-child-policy.json')], { forbidNetwork: true });
  t.equal(run.code, 2);
  t.match(run.stderr, /^aml-netcheck: [^\n]*classic-firewall\.json: firewall: firewall 'fw-hub' runs its own classic rules, yet a firewall policy or rule collection groups are given too/);
});

t.test('a managed network in approved-only mode with FQDN rules for storage: cannot work, with the reason: exit 1', async (t) => {
  const { code, json, stderr } = await auditJson([...config('managed-approved-rules.json'), ...APPROVED]);
  t.equal(code, 1);
  t.equal(stderr, '');
  t.match(verdictOf(json, 'st1.dfs.core.windows.net:443'), {
    verdict: 'inexpressible',
    rule: { layer: 'managed', rule: 'allow-storage-dfs', ruleType: 'fqdn', listed: true },
    reason: /an FQDN rule to an Azure Storage account does not work in allow_only_approved_outbound mode; instead: a private endpoint rule/,
  });
  t.match(verdictOf(json, 'vscode.blob.core.windows.net:443'), { verdict: 'inexpressible', rule: { rule: 'allow-vscode-blob' } });
  t.match(verdictOf(json, 'ci1.westus2.instances.azureml.ms:8787'), { verdict: 'inexpressible', rule: { rule: 'allow-compute-instances' }, reason: /an FQDN outbound rule carries ports 80 and 443 only; TCP 8787/ }, 'a non-80/443 need under an FQDN rule');
  // The AzureMachineLearning rule Azure adds already carries HTTPS to the compute instance hosts.
  t.match(verdictOf(json, 'ci1.westus2.instances.azureml.ms:443'), { verdict: 'allowed', rule: { rule: '__SYS_ST_AzureMachineLearning' } });
  t.match(verdictOf(json, 'st1.blob.core.windows.net:443'), { verdict: 'allowed', rule: { rule: '__SYS_PE_st1_blob', category: 'required', listed: true } }, 'the private endpoint Azure adds, as listed');
  t.match(verdictOf(json, 'management.azure.com:443'), { verdict: 'allowed', rule: { ruleType: 'service_tag', destination: 'AzureResourceManager', listed: false } }, 'a required rule the export leaves out');
  t.match(verdictOf(json, 'conda.anaconda.org:443'), { verdict: 'depends', on: [/outbound rule allow-conda becoming Active/] });
  t.match(verdictOf(json, 'github.com:443'), { verdict: 'no-rule' });
  t.equal(json.managed?.mode, 'allow_only_approved_outbound');
  const dfs = json.managed?.changes.find((change) => change.targets.includes('st1.dfs.core.windows.net:443'));
  t.match(dfs, {
    rule: { type: 'private_endpoint' },
    printed: {
      command:
        /^az ml workspace outbound-rule set --workspace-name "\$WS" --resource-group "\$RG" --rule 'aml-pe-st1-dfs' --type private_endpoint --service-resource-id "\/subscriptions\/\$SUBSCRIPTION_ID\/resourceGroups\/\$RESOURCES_RG\/providers\/Microsoft\.Storage\/storageAccounts\/st1" --subresource-target 'dfs' --spark-enabled false$/,
    },
  });
  t.match(dfs?.printed.yaml, ['  - name: aml-pe-st1-dfs', '    type: private_endpoint']);
  const github = json.managed?.changes.find((change) => change.targets.includes('github.com:443'));
  t.match(github, { rule: { type: 'fqdn' }, printed: { command: /--rule 'aml-fqdn-github\.com' --type fqdn --destination 'github\.com'$/ } });
  t.match(
    json.managed?.cannot.find((c) => c.target === 'vscode.blob.core.windows.net:443'),
    { requirement: 'an FQDN rule to an Azure Storage account' },
  );
  const table = await runCli(['audit', ...sampleWorkspaceFlags(), ...config('managed-approved-rules.json'), ...APPROVED], { forbidNetwork: true, columns: 250 });
  t.match(table.stdout, /st1\.dfs\.core\.windows\.net\s+443\s+CANNOT WORK\s+an FQDN rule to an Azure Storage account does not work/);
  t.match(table.stdout, /\n {2}az ml workspace outbound-rule set --workspace-name "\$WS" --resource-group "\$RG" --rule 'aml-pe-st1-dfs'/);
  t.match(table.stdout, /A managed network cannot let these out:\n {2}vscode\.blob\.core\.windows\.net:443: an FQDN rule to an Azure Storage account is not possible/);
});

t.test('internet outbound lets out all but what must stay private; the mode and the export disagreeing is named', async (t) => {
  const internet = await auditJson([...config('managed-approved-rules.json'), '--managed-network', 'allow-internet-outbound']);
  t.match(verdictOf(internet.json, 'github.com:443'), { verdict: 'allowed', rule: { ruleType: 'isolation_mode', rule: 'allow_internet_outbound' } });
  const unknown = await auditJson([...config('managed-approved-rules.json')]);
  t.match(unknown.stderr, /neither --workspace-json nor --managed-network gives the isolation mode/);
  t.match(verdictOf(unknown.json, 'github.com:443'), { verdict: 'depends', on: [/the managed network's isolation mode/] });
  t.match(verdictOf(unknown.json, 'pypi.org:443'), { verdict: 'allowed', rule: { rule: 'allow-pypi' } }, 'both modes let it out: named by the rule approved-only needs');
  const disabled = await runCli(['audit', ...sampleWorkspaceFlags(), ...config('managed-approved-rules.json', 'classic-firewall.json'), '--managed-network', 'disabled', '--source', '10.0.1.0/24'], { forbidNetwork: true });
  t.match(disabled.stderr, /holds a managed network's outbound rules, but the workspace has no managed network \(isolation_mode disabled\)/);
  const missing = await runCli(['audit', ...sampleWorkspaceFlags(), ...config('classic-firewall.json'), ...APPROVED, '--source', '10.0.1.0/24'], { forbidNetwork: true });
  t.match(missing.stderr, /the workspace has a managed virtual network \(allow-only-approved-outbound\): its compute's outbound traffic leaves through it/);
});

t.test('az ml workspace show gives the isolation mode and the outbound rules in one file', async (t) => {
  const ws = `${FIXTURES}managed-workspace-show.json`;
  const run = await runCli(['audit', '--workspace-json', ws, '--compute-instance', 'ci1', '--config', ws, '-o', 'json'], { forbidNetwork: true });
  t.equal(run.code, 1);
  t.equal(run.stderr, '', 'the workspace facts it also holds are for --workspace-json');
  const json = JSON.parse(run.stdout) as AuditJson;
  t.match(json.managed, { mode: 'allow_only_approved_outbound', rules: 9 });
  t.match(verdictOf(json, 'st1.dfs.core.windows.net:443'), { verdict: 'inexpressible', rule: { rule: 'allow-storage-dfs' } });
  const other = await runCli(['audit', ...sampleWorkspaceFlags(), '--config', ws, '--managed-network', 'allow-internet-outbound'], { forbidNetwork: true });
  t.match(other.stderr, /managed-workspace-show\.json' gives isolation mode allow-only-approved-outbound, the facts allow-internet-outbound: audited in allow-internet-outbound/);
});

t.test('each malformed classic firewall or managed export is one line naming the file and key path: exit 2', async (t) => {
  const expected: Record<string, RegExp> = {
    'invalid-classic/dns-proxy-not-a-switch.json': /: additionalProperties\["Network\.DNS\.EnableProxy"\]: expected "true" or "false"; got "maybe"$/,
    'invalid-classic/nat-action-unknown.json': /: natRuleCollections\[0\]\.action\.type: expected Dnat; got "Snat"$/,
    'invalid-classic/policy-not-a-policy.json': /: firewallPolicy\.id: expected the id of a firewall policy/,
    'invalid-classic/priority-out-of-range.json': /: applicationRuleCollections\[0\]\.priority: expected an integer from 100 to 65000; got 70000$/,
    'invalid-classic/protocol-unknown.json': /: networkRuleCollections\[0\]\.rules\[0\]\.protocols\[0\]: expected TCP, UDP, Any or ICMP; got "SCTP"$/,
    'invalid-classic/unknown-action.json': /: networkRuleCollections\[0\]\.action\.type: expected Allow or Deny; got "Permit"$/,
    'invalid-managed/category-unknown.json': /: \[0\]\.category: expected required, recommended, user_defined or dependency; got "mandatory"$/,
    'invalid-managed/fqdn-not-a-host.json': /: \[4\]\.destination: expected a host name, or \*\. and a domain; got "https:\/\/pypi\.org\/simple"$/,
    'invalid-managed/port-range-reversed.json': /: \[0\]\.destination\.port_ranges: expected \*, a port or a range of ports \(1-65535\), comma-separated; got "443-80"$/,
    'invalid-managed/resource-id-not-an-id.json': /: \[2\]\.destination\.service_resource_id: expected a resource id/,
    'invalid-managed/service-tag-not-an-object.json': /: \[0\]\.destination: expected an object \(service_tag, protocol, port_ranges\); got "AzureActiveDirectory"$/,
    'invalid-managed/status-unknown.json': /: \[4\]\.status: expected Active or Inactive; got "Pending"$/,
  };
  const { readdirSync } = await import('node:fs');
  const files = ['invalid-classic', 'invalid-managed'].flatMap((dir) => readdirSync(`${FIXTURES}${dir}`).map((name) => `${dir}/${name}`)).sort();
  t.same(files, Object.keys(expected).sort(), 'one expectation per invalid fixture');
  for (const name of files) {
    const run = await runCli(['audit', ...sampleWorkspaceFlags(), ...config(name)], { forbidNetwork: true });
    t.equal(run.code, 2, name);
    t.equal(run.stdout, '');
    t.match(run.stderr, /^aml-netcheck: [^\n]+\n$/, `${name}: one line`);
    t.match(run.stderr.trimEnd(), expected[name] as RegExp, name);
  }
});
