/**
 * The rows of the firewall article's sister articles on the command line: scenario features are
 * opt-in (list skips them, rules leaves them out, until --features names them), and explain
 * says plainly where two articles disagree.
 */
import t from 'tap';
import { runCli } from '../helpers/cli.js';

const WORKSPACE = ['--cloud', 'public', '--region', 'westus2', '--storage-account', 'st1'];
const SCENARIOS = { 'hugging-face': 'cdn-lfs.huggingface.co', 'batch-endpoints': 'st1.queue.core.windows.net', 'serverless-spark': 'st1.blob.core.windows.net', 'prompt-flow': '*.search.windows.net' } as const;

interface Target {
  host: string;
  port: number;
  features: string[];
  skipped: { reason: string; flag: string } | null;
}

async function targets(args: readonly string[]): Promise<Target[]> {
  const run = await runCli(['list', ...WORKSPACE, ...args, '-o', 'json'], { forbidNetwork: true });
  t.equal(run.code, 0, run.stderr);
  return (JSON.parse(run.stdout) as { targets: Target[] }).targets;
}

t.test('list: a scenario serves no target until --features names it', async (t) => {
  const bare = await targets([]);
  for (const [feature, host] of Object.entries(SCENARIOS)) {
    t.notOk(
      bare.some((x) => x.features.includes(feature) && x.skipped === null),
      `${feature}: nothing checked for it by default`,
    );
    const chosen = await targets(['--features', feature]);
    t.ok(
      chosen.some((x) => x.host === host && x.features.includes(feature)),
      `${feature}: ${host} serves it once selected`,
    );
  }
  // Hosts only a scenario needs are listed as skipped, naming the flag that brings them in.
  t.match(
    bare.find((x) => x.host === 'cdn-lfs.huggingface.co'),
    { skipped: { reason: /opt-in/, flag: '--features hugging-face' } },
  );
  t.match(
    bare.find((x) => x.host === '*.search.windows.net'),
    { skipped: { flag: '--features prompt-flow' } },
  );
  const selected = await targets(['--features', 'hugging-face']);
  t.match(
    selected.find((x) => x.host === 'cdn-lfs.huggingface.co'),
    { skipped: null, features: ['hugging-face'] },
  );
});

t.test('rules: a scenario’s hosts are in only when its feature is selected', async (t) => {
  const without = await runCli(['rules', ...WORKSPACE, '-o', 'json'], { forbidNetwork: true });
  t.equal(without.code, 0, without.stderr);
  t.notMatch(without.stdout, /huggingface|auth0|docker/);
  const withFeatures = await runCli(['rules', ...WORKSPACE, '--features', 'hugging-face', '-o', 'json'], { forbidNetwork: true });
  t.equal(withFeatures.code, 0, withFeatures.stderr);
  // The wildcards name no concrete host that check could dial, but the allow-list still needs them.
  for (const host of ['cdn-lfs.huggingface.co', 'cdn.auth0.com', '"docker.io"', 'production.cloudflare.docker.com', '"*.docker.io"', '"*.docker.com"']) t.match(withFeatures.stdout, host);
  const plan = JSON.parse(withFeatures.stdout) as { allow: Array<{ fqdn: string | null; port: number; features: string[] }> };
  t.match(
    plan.allow.filter((row) => row.fqdn?.startsWith('*.docker.') === true),
    [
      { port: 443, features: ['hugging-face'] },
      { port: 443, features: ['hugging-face'] },
    ],
  );
});

t.test('explain names the article of a sister-article row, at its commit', async (t) => {
  const run = await runCli(['explain', 'cdn.auth0.com']);
  t.equal(run.code, 0, run.stderr);
  t.match(run.stdout, /is needed by Hugging Face models \(hugging-face\)/);
  t.match(run.stdout, /source:\s+2026-03 https:\/\/github\.com\/MicrosoftDocs\/azure-ai-docs\/blob\/d675e2ffa1225f61fc3f8eb22b04c935b0dd21df\/articles\/machine-learning\/how-to-managed-network\.md#scenario-use-huggingface-models/);
});

t.test('explain says where two articles disagree, and what each says', async (t) => {
  const text = await runCli(['explain', 'ci1.westus2.instances.azureml.ms:18881']);
  t.equal(text.code, 0, text.stderr);
  t.match(text.stdout, /The articles disagree on this host; the catalog keeps the rows of both:\n/);
  t.match(
    text.stdout,
    'condition: articles/machine-learning/how-to-secure-training-vnet.md (Training in a virtual network, compute without a public IP) says needed always; articles/machine-learning/how-to-access-azureml-behind-firewall.md (Compute instance and compute cluster hosts) says needed only when the workspace has a private endpoint.',
  );
  t.match(text.stdout, /disagrees:\s+on condition with articles\/machine-learning\/how-to-access-azureml-behind-firewall\.md \(Basic configuration \(service tags\)\)/);
  const json = await runCli(['explain', 'ci1.westus2.instances.azureml.ms:18881', '-o', 'json']);
  const doc = JSON.parse(json.stdout) as { matches: Array<{ section: string; disagreements: Array<{ on: string; this: { says: string }; other: { section: string; says: string } }> }> };
  const marked = doc.matches.filter((m) => m.disagreements.length > 0);
  t.same(
    marked.map((m) => m.section),
    ['training-vnet-no-public-ip'],
  );
  t.same(
    marked[0]?.disagreements.map((d) => [d.on, d.this.says, d.other.section, d.other.says]),
    [
      ['condition', 'needed always', 'basic-configuration', 'needed only when the workspace has a private endpoint'],
      ['condition', 'needed always', 'compute-hosts', 'needed only when the workspace has a private endpoint'],
    ],
  );
  const agreed = await runCli(['explain', 'login.microsoftonline.com']);
  t.notMatch(agreed.stdout, /disagree/, 'a host the articles agree on says nothing of it');
});

t.test('--no-public-ip-compute brings in the workspace private endpoint for compute without a public IP', async (t) => {
  const ws = ['--workspace-id', '00000000-0000-0000-0000-000000000001'];
  const host = '00000000-0000-0000-0000-000000000001.workspace.westus2.api.azureml.ms';
  type Source = { section: string; skipped: { flag: string } | null };
  const training = async (flag: string): Promise<Source | undefined> => ((await targets([...ws, flag])).find((x) => x.host === host) as unknown as { sources: Source[] } | undefined)?.sources.find((s) => s.section === 'training-vnet-no-public-ip');
  t.match(await training('--public-ip-compute'), { skipped: { flag: '--no-public-ip-compute' } });
  t.match(await training('--no-public-ip-compute'), { skipped: null });
});
