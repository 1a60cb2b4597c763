import t from 'tap';
import { runCli } from '../helpers/cli.js';

t.test('explain names the features, ports and purpose behind a concrete host', async (t) => {
  const run = await runCli(['explain', 'ci1.westus2.instances.azureml.ms']);
  t.equal(run.code, 0, run.stderr);
  t.match(run.stdout, /is needed by .*Compute instance \(compute-instance\)/);
  t.notMatch(run.stdout, /inbound-management/, 'inbound rules target the node, not a name');
  t.match(run.stdout, /TCP 8787, TCP 18881 outbound/);
  t.match(run.stdout, /needed only when the workspace has a private endpoint/);
  t.match(run.stdout, /catalog:\s+probes\/compute-hosts\.yaml entries\[\d+\]/);
});

t.test('explain accepts host:port, URLs and service tags, in JSON too', async (t) => {
  const smb = await runCli(['explain', 'st1.file.core.windows.net:445', '-o', 'json']);
  t.equal(smb.code, 0);
  const doc = JSON.parse(smb.stdout) as { matches: Array<{ section: string; ports: Array<{ port: number }> }> };
  t.same(doc.matches.map((m) => m.section).sort(), ['azure-ml-hosts', 'storage-firewall', 'training-vnet-limitations', 'workspace-storage']);
  t.ok(doc.matches.every((m) => m.ports.some((p) => p.port === 445)));
  const url = await runCli(['explain', 'https://pypi.org/simple/numpy/']);
  t.match(url.stdout, /Python packages \(python-packages\)/);
  const tag = await runCli(['explain', 'Storage.westus2', '--cloud', 'public']);
  t.match(tag.stdout, /service tag Storage\.region/);
  t.match(tag.stdout, /stands for:\s+\*\.blob\.core\.windows\.net/);
  const china = await runCli(['explain', 'AzureFrontDoor.FrontEnd', '--cloud', 'china']);
  t.equal(china.code, 1, 'Front Door is not needed in China');
});

t.test('a host nothing covers exits 1 and says so', async (t) => {
  const run = await runCli(['explain', 'example.org']);
  t.equal(run.code, 1);
  t.equal(run.stdout, 'No requirement in the catalog covers example.org.\n');
});

t.test('features lists the ids --features accepts', async (t) => {
  const run = await runCli(['features', '-o', 'json']);
  const { features } = JSON.parse(run.stdout) as { features: Array<{ id: string; default: boolean }> };
  t.equal(features.length, 31);
  t.same(
    features.find((f) => f.id === 'kubernetes-training'),
    { id: 'kubernetes-training', name: 'Training on Kubernetes compute', default: false },
  );
});

t.test('explain takes a trailing dot; a malformed host:port is one line, exit 2', async (t) => {
  const dotted = await runCli(['explain', 'login.microsoftonline.com.']);
  t.equal(dotted.code, 0, dotted.stderr);
  t.match(dotted.stdout, /Azure AD sign-in \(azure-ad\)/);
  const withPort = await runCli(['explain', 'login.microsoftonline.com.:443', '-o', 'json']);
  t.equal(withPort.code, 0, withPort.stderr);
  for (const [query, message] of [
    ['login.microsoftonline.com:0', "'login.microsoftonline.com:0': port '0' is not a number from 1 to 65535"],
    ['login.microsoftonline.com:99999', "'login.microsoftonline.com:99999': port '99999' is not a number from 1 to 65535"],
    ['login.microsoftonline.com:', "'login.microsoftonline.com:': port '' is not a number from 1 to 65535"],
    ['login.microsoftonline.com:https', "'login.microsoftonline.com:https': port 'https' is not a number from 1 to 65535"],
    [':443', "':443': names no host before the port"],
    ['a:b:c', "'a:b:c': is neither host:port nor an IPv6 address (write [v6]:port)"],
    ['[fd00::1', "'[fd00::1': has a [ without a matching ] before the port"],
    ['https://login.microsoftonline.com:0/x', "'https://login.microsoftonline.com:0/x': port '0' is not a number from 1 to 65535"],
  ] as const) {
    const run = await runCli(['explain', query]);
    t.equal(run.code, 2, query);
    t.equal(run.stderr, `aml-netcheck: HOST: ${message}\n`, query);
    t.equal(run.stdout, '');
  }
});
