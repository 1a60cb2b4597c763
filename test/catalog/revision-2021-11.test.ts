/**
 * `--revision 2021-11` must give, byte for byte, what aml-netcheck gave before the
 * catalog learned revisions: admins who built a firewall from the 2021 list keep
 * the same list. The expected outputs were recorded from the last commit without
 * revisions (97166d2) by running this file with AML_NETCHECK_RECORD_GOLDEN=1 against
 * that build, with no --revision flag, since that build had none. Re-recorded once (recording now
 * passes --revision 2021-11) when `rules` began to keep wildcard rows for which
 * no concrete host is documented (`*.aznbcontent.net`, `*.workspace.<region>.api.azureml.ms`
 * filled in): the old lists left those required rows out. The recording diff adds those rows and
 * marks the same targets `ruleOnly` in `list`; no other byte changed.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { runCli } from '../helpers/cli.js';
import type { Cloud } from '../../src/model/clouds.js';
import { sampleNotebookFqdn, sampleWorkspaceFlags, SAMPLE_REGION } from '../helpers/sample-workspace.js';

const GOLDEN_DIR = fileURLToPath(new URL('../fixtures/revision-2021-11/', import.meta.url));
const RECORD = process.env['AML_NETCHECK_RECORD_GOLDEN'] === '1';

const ALL_FEATURES =
  'azure-ad,azure-portal,azure-resource-manager,studio,workspace-api,integrated-notebook,compute-instance,compute-cluster,microsoft-storage,workspace-storage,key-vault,container-registry,microsoft-container-registry,prebuilt-images,support-diagnostics,python-packages,r-packages,vscode-remote,aks-inference,arc-extension,arc-training,arc-inference,inbound-management';
const ALL_CONDITIONS = ['--private-endpoint', '--hbi', '--custom-images', '--user-managed-deps', '--custom-package-index'];

function workspaceFlags(cloud: Cloud): string[] {
  return ['--cloud', cloud, ...sampleWorkspaceFlags(SAMPLE_REGION[cloud]), '--compute-instance', 'ci2', '--notebook-fqdn', sampleNotebookFqdn(cloud)];
}

const CASES: { name: string; args: string[] }[] = (['public', 'usgov', 'china'] as const).flatMap((cloud) => [
  { name: `list-${cloud}-bare.json`, args: ['list', '--cloud', cloud, '-o', 'json'] },
  { name: `list-${cloud}-full.json`, args: ['list', ...workspaceFlags(cloud), ...ALL_CONDITIONS, '--features', ALL_FEATURES, '--inbound-from-here', '10.0.0.4', '-o', 'json'] },
  { name: `list-${cloud}-default.txt`, args: ['list', ...workspaceFlags(cloud), '-o', 'table'] },
  { name: `rules-${cloud}-full.csv`, args: ['rules', ...workspaceFlags(cloud), ...ALL_CONDITIONS, '--features', ALL_FEATURES, '-o', 'csv'] },
  { name: `rules-${cloud}-default.json`, args: ['rules', ...workspaceFlags(cloud), '-o', 'json'] },
  { name: `rules-${cloud}-private.dns`, args: ['rules', ...workspaceFlags(cloud), '--private-endpoint', '--private-resources', 'storage,container-registry', '-o', 'dns'] },
]);

const env = { COLUMNS: '120', NO_COLOR: '1' };

if (RECORD) {
  mkdirSync(GOLDEN_DIR, { recursive: true });
  for (const { name, args } of CASES) {
    const run = await runCli([...args, '--revision', '2021-11'], { env });
    if (run.code !== 0) throw new Error(`recording ${name}: exit ${run.code}: ${run.stderr}`);
    writeFileSync(join(GOLDEN_DIR, name), run.stdout);
  }
  t.pass(`recorded ${CASES.length} outputs`);
} else {
  for (const { name, args } of CASES) {
    t.test(name, async (t) => {
      const run = await runCli([...args, '--revision', '2021-11'], { env });
      t.equal(run.code, 0, run.stderr);
      t.equal(run.stdout, readFileSync(join(GOLDEN_DIR, name), 'utf8'), `${args.slice(0, 3).join(' ')} … --revision 2021-11 is unchanged`);
    });
  }
}
