/**
 * Every revision of the shipped catalog expands in every cloud with every fact, condition and
 * feature given: `list` exits 0, no two targets share an id, and a target still holding a
 * wildcard or a placeholder is skipped with a reason (the wildcards no name is documented for).
 */
import t from 'tap';
import { loadCatalog } from '../../src/catalog/load.js';
import { CLOUDS, type Cloud } from '../../src/model/clouds.js';
import type { Target } from '../../src/model/target.js';
import { runCli } from '../helpers/cli.js';
import { sampleNotebookFqdn, sampleWorkspaceFlags, SAMPLE_REGION } from '../helpers/sample-workspace.js';

// Every condition that holds when its flag is given; Azure Monitor's holds while --private-azure-monitor is absent.
const CONDITION_FLAGS = ['--private-endpoint', '--hbi', '--custom-images', '--user-managed-deps', '--custom-package-index', '--public-ip-compute', '--rstudio', '--storage-firewall'];

function fullFacts(cloud: Cloud): string[] {
  return ['--cloud', cloud, ...sampleWorkspaceFlags(SAMPLE_REGION[cloud]), '--notebook-fqdn', sampleNotebookFqdn(cloud), '--inbound-from-here', '10.0.0.4'];
}

for (const revision of loadCatalog({ revision: 'all' }).revisions.map((r) => r.id)) {
  const features = [...loadCatalog({ revision }).features.keys()];
  for (const cloud of CLOUDS) {
    t.test(`list --revision ${revision} --cloud ${cloud}, everything on`, async (t) => {
      const run = await runCli(['list', '--revision', revision, ...fullFacts(cloud), ...CONDITION_FLAGS, '--features', features.join(','), '-o', 'json']);
      t.equal(run.code, 0, run.stderr);
      const { targets } = JSON.parse(run.stdout) as { targets: Target[] };
      t.ok(targets.length > 40, `${targets.length} targets`);
      const ids = targets.map((target) => target.id);
      t.same(
        ids.filter((id, i) => ids.indexOf(id) !== i),
        [],
        'no two targets share an id',
      );
      for (const target of targets) {
        // A wildcard with no documented name, or a tag no host stands for in this cloud.
        const undiallable = /[*<]/.test(target.host) || target.skipped?.ruleOnly === true;
        if (undiallable) t.ok(target.skipped?.reason, `${target.host}:${target.port} is skipped with a reason`);
        // With every fact, condition and feature given, nothing else may be skipped.
        else t.equal(target.skipped, null, `${target.host}:${target.port} is checked`);
      }
      const sections = new Set(targets.flatMap((target) => target.sources.map((s) => s.section)));
      const expected = loadCatalog({ revision })
        .entries.filter((e) => e.clouds.includes(cloud))
        .map((e) => e.section.id);
      t.same([...sections].sort(), [...new Set(expected)].sort(), 'every section of the revision contributes in this cloud');
    });
  }
}
