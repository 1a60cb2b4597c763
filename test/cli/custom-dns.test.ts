/** The custom DNS article's names on the command line: `list` shows them, `explain` cites the article at its commit. */
import t from 'tap';
import { runCli } from '../helpers/cli.js';
import { sampleWorkspaceFlags } from '../helpers/sample-workspace.js';

const SOURCE = 'https://github.com/MicrosoftDocs/azure-ai-docs/blob/d644dc8b7423c75d2ea32b90eb9c5d3740c76715/articles/machine-learning/how-to-custom-dns.md';

t.test('list shows the SSH and online endpoint names with a private endpoint, each to resolve privately', async (t) => {
  const run = await runCli(['list', ...sampleWorkspaceFlags(), '--online-endpoint', 'ep1', '--online-endpoint', 'EP-2', '--private-endpoint', '-o', 'json'], { forbidNetwork: true });
  t.equal(run.code, 0, run.stderr);
  const { targets } = JSON.parse(run.stdout) as { targets: Array<{ host: string; port: number; privateName: string | null; mustResolvePrivately: boolean; skipped: unknown }> };
  const ours = targets.filter((x) => /-22\.|\.inference\.ml\./.test(x.host)).map((x) => `${x.host}:${x.port} ${x.privateName} ${x.mustResolvePrivately} ${x.skipped === null}`);
  t.same(ours.sort(), ['ci1-22.westus2.instances.azureml.ms:443 compute-instance true true', 'ep-2.westus2.inference.ml.azure.com:443 online-endpoint true true', 'ep1.westus2.inference.ml.azure.com:443 online-endpoint true true']);
  const without = await runCli(['list', ...sampleWorkspaceFlags(), '--online-endpoint', 'ep1', '-o', 'json'], { forbidNetwork: true });
  const skipped = (JSON.parse(without.stdout) as { targets: Array<{ host: string; skipped: { flag: string } | null }> }).targets.find((x) => x.host === 'ep1.westus2.inference.ml.azure.com');
  t.equal(skipped?.skipped?.flag, '--private-endpoint', 'no private endpoint: skipped, naming the flag');
});

t.test('a bad online endpoint name is one line, exit 2', async (t) => {
  const run = await runCli(['list', '--online-endpoint', '1ep']);
  t.equal(run.code, 2);
  t.match(run.stderr, /^aml-netcheck: --online-endpoint: '1ep' is not an online endpoint name/);
  t.equal(run.stderr.trim().split('\n').length, 1);
});

t.test('explain names the custom DNS article at its commit as the source', async (t) => {
  for (const [host, anchor] of [
    ['ep1.westus2.inference.ml.azure.us', '#azure-us-government'],
    ['ci1-22.westus2.instances.azureml.ms', '#azure-public-region'],
  ] as const) {
    const run = await runCli(['explain', host]);
    t.equal(run.code, 0, run.stderr);
    t.match(run.stdout, `source:     2026-03 ${SOURCE}${anchor}\n`, host);
    t.match(run.stdout, 'catalog:    probes/custom-dns.yaml', host);
  }
});
