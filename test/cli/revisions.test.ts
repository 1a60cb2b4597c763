import t from 'tap';
import { runCli } from '../helpers/cli.js';

t.test('revisions lists each revision with its date and source, the newest marked as the default', async (t) => {
  const run = await runCli(['revisions'], { env: { COLUMNS: '200' } });
  t.equal(run.code, 0, run.stderr);
  const lines = run.stdout.split('\n');
  t.match(lines[0], /^ID\s+DATE\s+DEFAULT\s+ENTRIES\s+FEATURES\s+TITLE$/);
  t.match(lines[1], /^2021-11\s+2021-11-05\s+\d+\s+\d+\s+\S/);
  t.match(lines[2], /^2026-03\s+2026-03-19\s+yes\s+\d+\s+\d+\s+\S/);
  t.match(run.stdout, /^  2026-03  https:\/\/github\.com\/MicrosoftDocs\/azure-ai-docs\/blob\/00bb5540c93f4bf3d1d78fe21e36c6dbc2930026\/articles\/machine-learning\/how-to-access-azureml-behind-firewall\.md$/m);
});

t.test('revisions -o json agrees with the catalog: counts are what list --revision selects', async (t) => {
  const run = await runCli(['revisions', '-o', 'json']);
  t.equal(run.code, 0, run.stderr);
  const { revisions } = JSON.parse(run.stdout) as { revisions: Array<{ id: string; default: boolean; entries: number; features: number; url: string; notes: string | null }> };
  t.same(
    revisions.map((r) => [r.id, r.default]),
    [
      ['2021-11', false],
      ['2026-03', true],
    ],
  );
  for (const revision of revisions) {
    const features = await runCli(['features', '--revision', revision.id, '-o', 'json']);
    t.equal((JSON.parse(features.stdout) as { features: unknown[] }).features.length, revision.features, `${revision.id}: features agrees`);
    t.ok(revision.entries > 0);
  }
});
