import t from 'tap';
import { runCli } from '../helpers/cli.js';
import { sampleWorkspaceFlags } from '../helpers/sample-workspace.js';
import { loadManagedNetworkData } from '../../src/catalog/managed-network.js';
import { sourceUrl } from '../../src/model/managed-network.js';

/** `list` and `explain` with --managed-network: how the managed network meets each target, as `rules` and `check` say it. */

const DATA = loadManagedNetworkData();
const ARTICLE = sourceUrl(DATA.source);
const APPROVED = ['--managed-network', 'allow-only-approved-outbound'];
const INTERNET = ['--managed-network', 'allow-internet-outbound'];
const WORKSPACE = ['--cloud', 'public', ...sampleWorkspaceFlags()];

interface Action {
  kind: string;
  says: string;
  source: string;
  row?: { tag?: string; resource?: string };
  subresource?: string;
  rule?: { type: string; destination?: string };
  limitation?: { id: string };
}
interface ListedTarget {
  id: string;
  host: string;
  port: number;
  managedNetwork?: Action;
}

async function listJson(...more: string[]): Promise<{ targets: ListedTarget[]; managedNetwork?: { mode: { id: string }; source: { path: string; commit: string } } }> {
  const run = await runCli(['list', ...WORKSPACE, '-o', 'json', ...more], { forbidNetwork: true });
  if (run.code !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout) as { targets: ListedTarget[] };
}

function find(targets: readonly ListedTarget[], id: string): ListedTarget {
  const found = targets.find((x) => x.id === id);
  if (found === undefined) throw new Error(`no target ${id}`);
  return found;
}

t.test('list -o json: every target says how an approved-only managed network meets it, as rules -o json does', async (t) => {
  const doc = await listJson(...APPROVED);
  t.match(doc.managedNetwork, { mode: { id: 'allow-only-approved-outbound' }, source: { path: DATA.source.path, commit: DATA.source.commit } });
  t.same(
    doc.targets.filter((x) => x.managedNetwork === undefined).map((x) => x.id),
    [],
    'each target has its part',
  );
  t.match(find(doc.targets, 'st1.file.core.windows.net:445').managedNetwork, { kind: 'azure-adds-endpoint', row: { resource: 'storage' }, subresource: 'file', source: `${ARTICLE}#list-of-required-rules` });
  t.match(find(doc.targets, 'login.microsoftonline.com:443').managedNetwork, { kind: 'azure-adds-tag', row: { tag: 'AzureActiveDirectory' } });
  t.match(find(doc.targets, 'pypi.org:443').managedNetwork, { kind: 'add', rule: { type: 'fqdn', destination: 'pypi.org' }, says: /FQDN outbound rule to pypi\.org/ });
  t.match(find(doc.targets, 'vscode.blob.core.windows.net:443').managedNetwork, { kind: 'cannot', limitation: { id: 'storage-needs-private-endpoint' }, source: `${ARTICLE}#limitations` });
  t.match(find(doc.targets, 'ci1.westus2.instances.azureml.ms:8787').managedNetwork, { kind: 'cannot', limitation: { id: 'fqdn-ports' }, says: /instead: / });

  // One classifier: rules groups the same actions by host.
  const rules = await runCli(['rules', ...WORKSPACE, '-o', 'json', ...APPROVED], { forbidNetwork: true });
  const items = (JSON.parse(rules.stdout) as { managedNetwork: { items: Array<{ action: { kind: string }; hosts: string[]; ports: number[] }> } }).managedNetwork.items;
  for (const item of items) {
    for (const host of item.hosts) {
      const listed = doc.targets.filter((x) => x.host === host && item.ports.includes(x.port) && x.managedNetwork?.kind === item.action.kind);
      t.ok(listed.length > 0, `${host} ${item.ports.join(',')}: ${item.action.kind} in both`);
    }
  }
});

t.test('list -o json in internet mode: the internet lets out what needs no private endpoint', async (t) => {
  const doc = await listJson(...INTERNET);
  t.match(find(doc.targets, 'pypi.org:443').managedNetwork, { kind: 'internet', says: /allow_internet_outbound lets it out/, source: `${ARTICLE}#managed-virtual-network-architecture` });
  t.match(find(doc.targets, 'ci1.westus2.instances.azureml.ms:8787').managedNetwork, { kind: 'internet' });
  const withEndpoint = await listJson(...INTERNET, '--private-resources', 'storage');
  t.match(find(withEndpoint.targets, 'st1.blob.core.windows.net:443').managedNetwork, { kind: 'azure-adds-endpoint', subresource: 'blob' }, 'a private storage gets the endpoint Azure adds');
});

t.test('list without a managed network is as before: no managedNetwork anywhere, disabled the same', async (t) => {
  const none = await runCli(['list', ...WORKSPACE, '-o', 'json'], { forbidNetwork: true });
  t.notMatch(none.stdout, /managedNetwork/);
  const disabled = await runCli(['list', ...WORKSPACE, '-o', 'json', '--managed-network', 'disabled'], { forbidNetwork: true });
  t.equal(disabled.stdout, none.stdout);
  const table = await runCli(['list', ...WORKSPACE], { forbidNetwork: true });
  t.notMatch(table.stdout, /managed network/i);
  t.equal((await runCli(['list', ...WORKSPACE, '--managed-network', 'disabled'], { forbidNetwork: true })).stdout, table.stdout);
});

t.test('list table: the last column says it, each limitation once after the tables, within the width', async (t) => {
  for (const columns of [80, 160]) {
    const run = await runCli(['list', ...WORKSPACE, ...APPROVED], { env: { COLUMNS: String(columns) }, forbidNetwork: true });
    t.equal(run.code, 0, run.stderr);
    const text = run.stdout.replace(/\s+/g, ' ');
    t.match(text, /Managed virtual network in allow_only_approved_outbound mode/);
    t.match(text, /FEATURES \(NOTES\); MANAGED NETWORK/);
    t.match(text, /pypi\.org 443 https python-packages; managed network: the admin adds it: add an FQDN outbound rule to pypi\.org/);
    t.match(text, /ci1\.westus2\.instances\.azureml\.ms 8787 .*managed network: cannot be expressed \(fqdn-ports, below\)/);
    t.match(text, /What the managed network cannot express: fqdn-ports: an FQDN outbound rule on a port other than 80 or 443 .* instead: /);
    t.equal(run.stdout.split(`${ARTICLE}#limitations`).length - 1, 2, 'each limitation met names its source once');
    const hosts = (await listJson(...APPROVED)).targets.map((x) => x.host);
    const long = run.stdout.split('\n').filter((line) => line.length > columns && !hosts.includes(line) && !line.startsWith(`${ARTICLE}#`));
    t.same(long, [], `COLUMNS=${columns}: only a host or the article's address is wider`);
  }
});

interface ExplainedPort {
  id: string;
  port: number;
  action: { kind: string; row?: { tag?: string }; subresource?: string; limitation?: { id: string }; rule?: { type: string; destination?: string } };
  says: string;
  source: string;
}

async function explainJson(...args: string[]): Promise<{ managedNetwork?: { mode: { id: string }; source: { path: string; commit: string }; ports: ExplainedPort[] } }> {
  const run = await runCli(['explain', ...args, '-o', 'json'], { forbidNetwork: true });
  if (run.code !== 0) throw new Error(`${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as { managedNetwork?: { mode: { id: string }; source: { path: string; commit: string }; ports: ExplainedPort[] } };
}

t.test('explain --managed-network: per port, what the managed network does with the host, and the article it follows', async (t) => {
  const table = await runCli(['explain', 'st1.file.core.windows.net', ...APPROVED], { forbidNetwork: true });
  t.equal(table.code, 0, table.stderr);
  t.match(table.stdout, `In a managed virtual network (allow_only_approved_outbound), ${DATA.source.path} at ${DATA.source.commit}:`);
  t.match(table.stdout, /st1\.file\.core\.windows\.net:445 TCP outbound: Azure adds the private endpoint rule to the workspace's storage \(file\)\n {4}source: \S+#list-of-required-rules/);
  t.match(table.stdout, /st1\.file\.core\.windows\.net:443 TCP outbound: Azure adds/);

  const ci = await explainJson('ci1.westus2.instances.azureml.ms', ...APPROVED);
  t.match(ci.managedNetwork, { mode: { id: 'allow-only-approved-outbound' }, source: { path: DATA.source.path, commit: DATA.source.commit } });
  const ports = new Map(ci.managedNetwork?.ports.map((p) => [p.port, p]));
  t.match(ports.get(443), { action: { kind: 'azure-adds-tag', row: { tag: 'AzureMachineLearning' } }, source: `${ARTICLE}#list-of-required-rules` });
  t.match(ports.get(8787), { action: { kind: 'cannot', limitation: { id: 'fqdn-ports' } }, says: /RStudio 8787.*instead: /, source: `${ARTICLE}#limitations` });

  const port = await explainJson('ci1.westus2.instances.azureml.ms:8787', ...APPROVED);
  t.same(
    port.managedNetwork?.ports.map((p) => p.id),
    ['ci1.westus2.instances.azureml.ms:8787'],
    'host:port explains that port alone',
  );

  // A name the catalog gives as it is stays that name, not a workspace storage account called vscode.
  const vscode = await explainJson('vscode.blob.core.windows.net', ...APPROVED);
  t.match(vscode.managedNetwork?.ports, [{ id: 'vscode.blob.core.windows.net:443', action: { kind: 'cannot', limitation: { id: 'storage-needs-private-endpoint' } } }]);

  const pypi = await explainJson('pypi.org', ...APPROVED);
  t.match(pypi.managedNetwork?.ports, [{ action: { kind: 'add', rule: { type: 'fqdn', destination: 'pypi.org' } } }]);
});

t.test('explain --managed-network allow-internet-outbound: internet traffic needs no rule', async (t) => {
  const smb = await explainJson('st1.file.core.windows.net:445', ...INTERNET);
  t.match(smb.managedNetwork?.ports, [{ id: 'st1.file.core.windows.net:445', action: { kind: 'internet' }, says: /allow_internet_outbound lets it out/, source: `${ARTICLE}#managed-virtual-network-architecture` }]);
  const table = await runCli(['explain', 'pypi.org', ...INTERNET], { forbidNetwork: true });
  t.match(table.stdout, /pypi\.org:443 HTTPS outbound: allow_internet_outbound lets it out: no outbound rule needed/);
});

t.test('explain without a managed network is as before; a bad mode is one line, exit 2', async (t) => {
  for (const host of ['st1.file.core.windows.net:445', 'ci1.westus2.instances.azureml.ms']) {
    const plain = await runCli(['explain', host], { forbidNetwork: true });
    t.notMatch(plain.stdout, /managed/i);
    t.equal((await runCli(['explain', host, '--managed-network', 'disabled'], { forbidNetwork: true })).stdout, plain.stdout, `${host}: disabled says nothing more`);
    const json = await runCli(['explain', host, '-o', 'json'], { forbidNetwork: true });
    t.notMatch(json.stdout, /managedNetwork/);
  }
  const bad = await runCli(['explain', 'pypi.org', '--managed-network', 'sometimes'], { forbidNetwork: true });
  t.equal(bad.code, 2);
  t.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
  t.equal(bad.stdout, '');
});

t.test('--managed-network takes the spellings az ml and ARM print, as the workspace JSON does; --help lists ours', async (t) => {
  const ours = await runCli(['list', ...WORKSPACE, ...APPROVED, '-o', 'json']);
  t.equal(ours.code, 0, ours.stderr);
  for (const spelling of ['allow_only_approved_outbound', 'AllowOnlyApprovedOutbound']) {
    const run = await runCli(['list', ...WORKSPACE, '--managed-network', spelling, '-o', 'json']);
    t.equal(run.code, 0, `${spelling}: ${run.stderr}`);
    t.equal(run.stdout, ours.stdout, `${spelling} means allow-only-approved-outbound`);
  }
  const bad = await runCli(['list', ...WORKSPACE, '--managed-network', 'approved']);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /--managed-network: unknown managed network mode 'approved' \(expected allow-internet-outbound, allow-only-approved-outbound, disabled/);
  t.equal(bad.stderr.trim().split('\n').length, 1, 'one line');
  const help = await runCli(['list', '--help']);
  t.match(help.stdout.replace(/\s+/g, ' '), /--managed-network <mode> [^-]*\(one of: allow-internet-outbound, allow-only-approved-outbound, disabled\)/);
});

t.test('list and explain say the same of each port of a host that several catalog rows name', async (t) => {
  // explain reaches ci1…instances.azureml.ms:443 through the *.azureml.ms row too, list only through the compute row;
  // both must land on the rule Azure adds, since the catalog says AzureMachineLearning stands for *.instances.azureml.ms.
  const listed = (await listJson(...APPROVED)).targets.filter((x) => x.host === 'ci1.westus2.instances.azureml.ms');
  const explained = await explainJson('ci1.westus2.instances.azureml.ms', ...APPROVED);
  t.ok(listed.length >= 3, `${listed.length} ports listed`);
  for (const target of listed) {
    const port = explained.managedNetwork?.ports.find((p) => p.port === target.port);
    t.equal(target.managedNetwork?.kind, port?.action.kind, `port ${target.port}: ${target.managedNetwork?.kind ?? 'none'} in both`);
  }
  t.match(find(listed, 'ci1.westus2.instances.azureml.ms:443').managedNetwork, { kind: 'azure-adds-tag', row: { tag: 'AzureMachineLearning' } });
  // The inbound row's host is the node itself: it must not make the tag stand for every name.
  t.match(find((await listJson(...APPROVED)).targets, 'pypi.org:443').managedNetwork, { kind: 'add', rule: { type: 'fqdn' } });
});
