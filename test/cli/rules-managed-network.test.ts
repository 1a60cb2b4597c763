import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { parse } from 'yaml';
import { runCli } from '../helpers/cli.js';
import { runScript } from '../helpers/run-script.js';
import { reportSchemaErrors } from '../helpers/schema.js';
import type { AzState } from '../helpers/az-standin.js';
import { loadManagedNetworkData } from '../../src/catalog/managed-network.js';

const ARTICLE = 'https://github.com/MicrosoftDocs/azure-ai-docs/blob/d675e2ffa1225f61fc3f8eb22b04c935b0dd21df/articles/machine-learning/how-to-managed-network.md';
const FUTURE = fileURLToPath(new URL('../fixtures/catalog/changes-2099.yaml', import.meta.url));
const WORKSPACE = ['--region', 'westus2', '--workspace-id', '0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11', '--workspace-name', 'ws1', '--storage-account', 'st1', '--compute-instance', 'ci1'];
const APPROVED = ['--managed-network', 'allow-only-approved-outbound'];
const rules = (...more: string[]): Promise<Awaited<ReturnType<typeof runCli>>> => runCli(['rules', ...WORKSPACE, '-o', 'managed-network', '--resource-group', 'rg1', ...more], { forbidNetwork: true });

/** The `managed_network` YAML the script carries, between `: <<'YAML'` and `YAML`. */
function yamlBlock(script: string): unknown {
  const match = /^: <<'YAML'\n([\s\S]*?)^YAML$/m.exec(script);
  if (!match) throw new Error('no YAML block');
  return parse(match[1] as string);
}

/**
 * A stand-in for the loader of `managed_network` in azure-ai-ml, written to the contract of
 * sdk/ml/azure-ai-ml/azure/ai/ml/_schema/workspace/networking.py in Azure/azure-sdk-for-python at
 * 08161946cca1a1a8e425fc3f42579080f83d891d (ManagedNetworkSchema and the three outbound rule
 * schemas): isolation_mode is one of IsolationMode through camel_to_snake; each rule has a string
 * name and the constant type of its schema; an fqdn rule's destination is a string; a service_tag
 * rule's destination holds the strings service_tag, protocol and port_ranges (fields.Str: a YAML
 * number there fails); a private_endpoint rule's holds the strings service_resource_id and
 * subresource_target and the boolean spark_enabled, all required. category and status are
 * dump_only: a file to load carries neither. Not the SDK itself: the test runs without Python.
 */
function contractProblems(document: unknown): string[] {
  const problems: string[] = [];
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const exactly = (v: Record<string, unknown>, keys: string[], where: string): void => {
    const extra = Object.keys(v).filter((k) => !keys.includes(k));
    if (extra.length > 0) problems.push(`${where}: unknown keys ${extra.join(', ')}`);
  };
  if (!isObject(document) || !isObject(document['managed_network'])) return ['no managed_network object'];
  const network = document['managed_network'];
  exactly(network, ['isolation_mode', 'outbound_rules'], 'managed_network');
  if (!['disabled', 'allow_internet_outbound', 'allow_only_approved_outbound'].includes(network['isolation_mode'] as string)) problems.push(`isolation_mode ${String(network['isolation_mode'])}`);
  const list = network['outbound_rules'];
  if (!Array.isArray(list)) return [...problems, 'outbound_rules is not a list'];
  list.forEach((rule: unknown, i) => {
    const where = `outbound_rules[${i}]`;
    if (!isObject(rule)) return void problems.push(`${where}: not an object`);
    exactly(rule, ['name', 'type', 'destination'], where);
    if (typeof rule['name'] !== 'string' || rule['name'] === '') problems.push(`${where}.name`);
    const destination = rule['destination'];
    const strings = (keys: string[]): void => {
      if (!isObject(destination)) return void problems.push(`${where}.destination: not an object`);
      for (const key of keys) if (typeof destination[key] !== 'string') problems.push(`${where}.destination.${key}: not a string`);
    };
    switch (rule['type']) {
      case 'fqdn':
        if (typeof destination !== 'string') problems.push(`${where}.destination: not a string`);
        break;
      case 'service_tag':
        strings(['service_tag', 'protocol', 'port_ranges']);
        if (isObject(destination)) exactly(destination, ['service_tag', 'protocol', 'port_ranges'], `${where}.destination`);
        break;
      case 'private_endpoint':
        strings(['service_resource_id', 'subresource_target']);
        if (isObject(destination)) {
          exactly(destination, ['service_resource_id', 'subresource_target', 'spark_enabled'], `${where}.destination`);
          if (typeof destination['spark_enabled'] !== 'boolean') problems.push(`${where}.destination.spark_enabled: not a boolean`);
        }
        break;
      default:
        problems.push(`${where}.type ${String(rule['type'])}`);
    }
  });
  return problems;
}

t.test("the data: every row cites the article at its commit, and the required service tags are the article's nine", async (t) => {
  const data = loadManagedNetworkData();
  t.same(data.source, { repository: 'MicrosoftDocs/azure-ai-docs', path: 'articles/machine-learning/how-to-managed-network.md', commit: 'd675e2ffa1225f61fc3f8eb22b04c935b0dd21df' });
  // Pinned to the article's "List of required rules" table at that commit.
  t.same(
    data.requiredServiceTags.map((r) => `${r.direction} ${r.tag}`),
    [
      'inbound AzureMachineLearning',
      'outbound AzureMachineLearning',
      'outbound AzureActiveDirectory',
      'outbound BatchNodeManagement.region',
      'outbound AzureResourceManager',
      'outbound AzureFrontDoor.FirstParty',
      'outbound MicrosoftContainerRegistry',
      'outbound AzureMonitor',
      'outbound VirtualNetwork',
    ],
  );
  t.same(data.limitations.map((l) => l.id).sort(), ['fqdn-ports', 'spark-no-fqdn', 'storage-needs-private-endpoint']);
  t.same(data.limitations.find((l) => l.id === 'fqdn-ports')?.ports, [80, 443]);
  t.same(
    data.modes.map((m) => m.az),
    ['allow_internet_outbound', 'allow_only_approved_outbound'],
  );
  t.same(
    data.contracts.map((c) => c.path.split('/').pop()),
    ['networking.py', 'workspace_outbound_rule.py', '_workspace_operations_base.py'],
  );

  const dir = mkdtempSync(join(tmpdir(), 'aml-mn-'));
  const broken = join(dir, 'broken.yaml');
  writeFileSync(broken, 'source: {repository: a/b, path: x, commit: "123"}\n');
  t.throws(() => loadManagedNetworkData(broken), /not managed network data/);
});

t.test("approved-only: a script that adds only the admin's rules, its YAML in the shape azure-ai-ml loads, and each limitation with its source", async (t) => {
  const run = await rules(...APPROVED);
  t.equal(run.code, 0, run.stderr);
  t.equal(run.stderr, '');
  const script = run.stdout;
  t.match(script, `# Source: ${ARTICLE}#managed-virtual-network-architecture`);
  // What the admin adds: FQDN rules on 80/443, a service tag rule, a private endpoint for a sub resource Azure does not add.
  t.match(script, /--rule 'aml-fqdn-pypi\.org' \\\n +--type fqdn \\\n +--destination 'pypi\.org'/);
  t.match(script, /--type service_tag \\\n +--service-tag 'AzureFrontDoor\.FrontEnd' \\\n +--protocol 'TCP' \\\n +--port-ranges '443'/);
  t.match(script, /--service-resource-id "\/subscriptions\/\$SUBSCRIPTION_ID\/resourceGroups\/\$RESOURCES_RG\/providers\/Microsoft\.Storage\/storageAccounts\/st1" \\\n +--subresource-target 'dfs'/);
  // What Azure adds is never a command: the required tags and the default storage's blob and file endpoints.
  t.notMatch(script, /--service-tag 'AzureActiveDirectory'|--service-tag 'AzureMachineLearning'|--destination 'login\.microsoftonline\.com'/);
  t.notMatch(script, /aml-pe-st1-(blob|file)/);
  // Opt-in scenarios not chosen add nothing: queue and table are Batch's storage, reached by its service tag.
  t.match(script, /--service-tag 'Storage\.westus2'/);
  t.notMatch(script, /aml-pe-st1-(queue|table)/);
  // IntelliSense on 18881 goes through the AzureMachineLearning rule Azure adds.
  t.match(script, /^#   required outbound service tag AzureMachineLearning .*ci1\.westus2\.instances\.azureml\.ms/m);
  t.match(script, /^#   required outbound service tag AzureActiveDirectory \(.*#list-of-required-rules\): login\.microsoftonline\.com/m);
  t.match(script, /^#   private endpoint to the workspace's storage, file \(.*\): st1\.file\.core\.windows\.net/m);
  // What it cannot express: other ports than 80 and 443, Microsoft's storage, Spark; each with the article's anchor.
  t.match(
    script,
    new RegExp(
      `^#   TCP 8704, 8705, 8706, 8707, 8708, 8709, 8710, 8787 to ci1\\.westus2\\.instances\\.azureml\\.ms \\(vscode-remote, compute-instance\\): an FQDN outbound rule on a port other than 80 or 443 .* is not possible \\(${ARTICLE.replace(/[.]/g, '\\.')}#limitations\\); instead: `,
      'm',
    ),
  );
  t.match(script, /^#   HTTPS to the storage account vscode\.blob\.core\.windows\.net \(vscode-remote\): an FQDN rule to an Azure Storage account is not possible .*#limitations\); instead: a private endpoint rule/m);
  t.match(script, /^#   serverless Spark jobs: .*#configure-for-serverless-spark-jobs\); instead: .*py_files/m);

  const yaml = yamlBlock(script) as { managed_network: { isolation_mode: string; outbound_rules: Array<{ name: string }> } };
  t.same(contractProblems(yaml), [], 'the YAML holds to networking.py');
  t.equal(yaml.managed_network.isolation_mode, 'allow_only_approved_outbound');
  const commanded = [...script.matchAll(/--rule '([^']+)'/g)].map((m) => m[1]);
  t.same(
    yaml.managed_network.outbound_rules.map((r) => r.name),
    commanded,
    'the YAML holds the rules the commands set',
  );
  t.match(script, /sends the whole managed_network of the file[\s\S]*az ml workspace show -n "\$WS" -g "\$RG" --query managed_network -o yaml/, 'the YAML path says to merge');
});

t.test('the validator refuses what azure-ai-ml would not load', async (t) => {
  t.not(contractProblems({ managed_network: { isolation_mode: 'AllowOnlyApprovedOutbound', outbound_rules: [] } }).length, 0);
  t.not(contractProblems({ managed_network: { isolation_mode: 'allow_only_approved_outbound', outbound_rules: [{ name: 'a', type: 'service_tag', destination: { service_tag: 'X', protocol: 'TCP', port_ranges: 443 } }] } }).length, 0);
  t.not(contractProblems({ managed_network: { isolation_mode: 'allow_only_approved_outbound', outbound_rules: [{ name: 'a', type: 'private_endpoint', destination: { service_resource_id: '/x', subresource_target: 'blob' } }] } }).length, 0);
  t.not(contractProblems({ managed_network: { isolation_mode: 'allow_only_approved_outbound', outbound_rules: [{ name: 'a', type: 'fqdn', destination: 'x.org', category: 'required' }] } }).length, 0);
});

t.test('the managed-network scenarios: Spark gets a private endpoint rule with spark_enabled, batch endpoints queue and table', async (t) => {
  const run = await rules(...APPROVED, '--features', 'serverless-spark,batch-endpoints');
  t.equal(run.code, 0, run.stderr);
  t.match(run.stdout, /--rule 'aml-pe-st1-blob-spark' \\\n(?: +.*\n)* +--subresource-target 'blob' \\\n +--spark-enabled true/);
  t.match(run.stdout, /--rule 'aml-pe-st1-queue'[\s\S]*--spark-enabled false/);
  t.match(run.stdout, /--rule 'aml-pe-st1-table'/);
  t.match(run.stdout, /^#   serverless Spark jobs: FQDN rules/m, 'the Spark limitation is said where Spark is checked');
  const yaml = yamlBlock(run.stdout) as { managed_network: { outbound_rules: Array<{ name: string; destination: { spark_enabled?: boolean } }> } };
  t.same(contractProblems(yaml), []);
  t.equal(yaml.managed_network.outbound_rules.find((r) => r.name === 'aml-pe-st1-blob-spark')?.destination.spark_enabled, true);
});

t.test('rules -o json carries how the managed network meets each target, not the data file', async (t) => {
  const run = await rules(...APPROVED, '-o', 'json');
  t.equal(run.code, 0, run.stderr);
  const doc = JSON.parse(run.stdout) as { managedNetwork: { mode: { az: string }; source: { commit: string }; items: Array<{ action: { kind: string; rule?: { type: string; destination?: string } }; hosts: string[] }> }; allow: unknown[] };
  t.equal(doc.managedNetwork.mode.az, 'allow_only_approved_outbound');
  t.equal(doc.managedNetwork.source.commit, 'd675e2ffa1225f61fc3f8eb22b04c935b0dd21df');
  t.notOk('data' in doc.managedNetwork);
  t.ok(doc.managedNetwork.items.some((i) => i.action.kind === 'add' && i.action.rule?.type === 'fqdn' && i.action.rule.destination === 'pypi.org'));
  t.ok(doc.allow.length > 0, 'the allow-list is still there');
  const plain = await rules('-o', 'json');
  t.notOk('managedNetwork' in (JSON.parse(plain.stdout) as object), 'nothing without a managed network');
});

t.test('the script only adds: a rule of its name stays as it is, others are set, a second run sets nothing', async (t) => {
  const run = await runCli(['rules', '--region', 'westus2', '--catalog', FUTURE, '--features', 'future', ...APPROVED, '-o', 'managed-network', '--resource-group', 'rg1', '--workspace-name', 'ws1'], { forbidNetwork: true });
  t.equal(run.code, 0, run.stderr);
  const mine = { name: 'aml-fqdn-kept.example.com', type: 'fqdn' as const, destination: 'kept.example.org', category: 'user_defined' };
  const theirs = { name: 'admins-own', type: 'fqdn' as const, destination: 'example.net', category: 'user_defined' };
  const state: AzState = { workspaces: { 'rg1/ws1': { outboundRules: [mine, theirs] } } };
  const first = await runScript(run.stdout, {}, state);
  t.equal(first.code, 0, first.stderr);
  t.same(first.files, []);
  t.same(
    first.argvs.map((a) => a[a.indexOf('--rule') + 1]),
    ['aml-fqdn-future.example.com'],
    'only the absent rule is set',
  );
  t.match(first.stdout, /rule aml-fqdn-kept\.example\.com: exists, left as it is\./);
  // The 5432 and UDP rules are no command: the script lists them as what a managed network cannot express.
  t.match(run.stdout, /^#   TCP 5432 to db\.example\.com \(future\): an FQDN outbound rule on a port other than 80 or 443/m);
  t.match(run.stdout, /^#   UDP 5831 to turn\.example\.com \(future\)/m);
  t.match(run.stdout, /^#   required outbound service tag AzureFrontDoor\.FirstParty/m);

  const after: AzState = { workspaces: { 'rg1/ws1': { outboundRules: [mine, theirs, { name: 'aml-fqdn-future.example.com', type: 'fqdn', destination: 'future.example.com' }] } } };
  const second = await runScript(run.stdout, {}, after);
  t.equal(second.code, 0, second.stderr);
  t.same(second.argvs, [], 'a second run sets nothing');

  const missing = await runScript(run.stdout, {}, { workspaces: {} });
  t.not(missing.code, 0, 'a workspace that cannot be listed stops the script');
  t.same(missing.argvs, [], 'before any write');
});

t.test('internet mode: only private endpoints Azure does not add; nothing for public traffic', async (t) => {
  const open = await rules('--managed-network', 'allow-internet-outbound');
  t.equal(open.code, 0, open.stderr);
  t.match(open.stdout, /^# Nothing to add: this mode lets internet traffic out/m);
  t.notMatch(open.stdout, /change az ml workspace outbound-rule set/);
  t.notMatch(open.stdout, /cannot express/, 'no limitation holds when everything goes out');

  const privateStorage = await rules('--managed-network', 'allow-internet-outbound', '--private-resources', 'storage');
  t.equal(privateStorage.code, 0, privateStorage.stderr);
  t.match(privateStorage.stdout, /--rule 'aml-pe-st1-dfs'/, 'a sub resource Azure does not add');
  t.notMatch(privateStorage.stdout, /--rule 'aml-pe-st1-(blob|file)'/, 'Azure adds blob and file for a storage account without public access');
  t.same(contractProblems(yamlBlock(privateStorage.stdout)), []);
});

t.test('the mode comes from az ml workspace show or the ARM resource in their spellings; the flag overrides it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'aml-mn-'));
  const cli = join(dir, 'cli.json');
  writeFileSync(cli, JSON.stringify({ name: 'ws1', location: 'westus2', storage_account: 'st1', managed_network: { isolation_mode: 'allow_only_approved_outbound', outbound_rules: [] } }));
  const arm = join(dir, 'arm.json');
  writeFileSync(arm, JSON.stringify({ name: 'ws1', location: 'westus2', properties: { managedNetwork: { isolationMode: 'AllowInternetOutbound' } } }));
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ name: 'ws1', location: 'westus2', managed_network: { isolation_mode: 'allow_some' } }));
  const header = async (...args: string[]): Promise<string> => {
    const run = await runCli(['rules', ...args, '-o', 'managed-network'], { forbidNetwork: true });
    t.equal(run.code, 0, run.stderr);
    return run.stdout.split('\n').slice(0, 3).join('\n');
  };
  t.match(await header('--workspace-json', cli), /\(allow_only_approved_outbound\)/);
  t.match(await header('--workspace-json', arm), /\(allow_internet_outbound\)/);
  t.match(await header('--workspace-json', cli, '--managed-network', 'allow-internet-outbound'), /\(allow_internet_outbound\)/);
  t.match(await header('--workspace-json', cli, '--managed-network', 'disabled'), /The facts name no managed network/);
  const refused = await runCli(['rules', '--workspace-json', bad, '-o', 'managed-network'], { forbidNetwork: true });
  t.equal(refused.code, 2);
  t.match(refused.stderr, /managed_network\.isolation_mode.*unknown managed network mode 'allow_some'/);
  t.equal(refused.stderr.trim().split('\n').length, 1, 'one line');
});

t.test('check in a managed network: each failure says which rule fixes it, that Azure adds it, or that none can', async (t) => {
  const run = await runCli(['demo', ...APPROVED, '-o', 'json']);
  t.equal(run.code, 1, run.stderr);
  const report = JSON.parse(run.stdout) as { facts: { managedNetwork?: string }; targets: Array<{ host: string; port: number; verdict: string; fix: string[] }> };
  t.same(reportSchemaErrors(report), []);
  t.equal(report.facts.managedNetwork, 'allow-only-approved-outbound');
  const fix = (host: string, port: number): string[] => report.targets.find((x) => x.host === host && x.port === port && x.verdict === 'blocked')?.fix ?? [];
  t.same(fix('pypi.org', 443), ['managed network: add an FQDN outbound rule to pypi.org (ports 80 and 443)']);
  t.match(fix('demodata.file.core.windows.net', 445), [/^Azure adds the private endpoint rule to the workspace's storage \(file\) by itself/]);
  t.match(fix('vscode.blob.core.windows.net', 443), [/^cannot be fixed in a managed network \(HTTPS to the storage account vscode\.blob\.core\.windows\.net\): an FQDN rule to an Azure Storage account is not possible; instead: a private endpoint rule/]);
  // A DNS failure keeps its own fix: no outbound rule answers a sinkholed name.
  t.match(fix('download.pytorch.org', 443), [/DNS filter/]);

  // The report's fixes as the managed network's rules: only what a rule fixes, nothing for the DNS or TLS failures.
  const saved = join(mkdtempSync(join(tmpdir(), 'aml-mn-')), 'report.json');
  writeFileSync(saved, run.stdout);
  const fixes = await runCli(['rules', '--from-report', saved, '-o', 'managed-network', '--resource-group', 'rg1'], { forbidNetwork: true });
  t.equal(fixes.code, 0, fixes.stderr);
  t.same([...fixes.stdout.matchAll(/--rule '([^']+)'/g)].map((m) => m[1]).sort(), ['aml-fqdn-any.anaconda.org', 'aml-fqdn-graph.windows.net', 'aml-fqdn-pypi.org']);
  t.match(fixes.stdout, /^# Azure adds these itself, yet they were blocked: .*\n#   private endpoint to the workspace's storage, file/m);
  t.match(fixes.stdout, /^#   HTTPS to the storage account vscode\.blob\.core\.windows\.net/m);
});
