/** Identifiers at the limits the catalog loader accepts are printed by every rules format, none left out. */
import t from 'tap';
import { runCli } from '../helpers/cli.js';
import { RULES_FORMATS } from '../../src/render/rules/registry.js';

const FEATURE = `f${'e'.repeat(61)}1`;
const CATALOG = ['--catalog', 'test/fixtures/catalog/valid/identifier-limits.yaml', '--region', 'westus2', '--features', FEATURE];
const LONG_HOST = ['a', 'b', 'c']
  .map((c) => c.repeat(63))
  .concat('d'.repeat(61))
  .join('.');
const LONG_TAG = `T${'a'.repeat(79)}.Q${'b'.repeat(79)}`;

t.test('-o json: every entry of the catalog, none refused', async (t) => {
  const run = await runCli(['rules', ...CATALOG, '-o', 'json'], { forbidNetwork: true });
  t.equal(run.code, 0, run.stderr);
  t.equal(run.stderr, '');
  const plan = JSON.parse(run.stdout) as { allow: Array<{ fqdn: string | null; serviceTag: string | null; features: string[] }>; refused: string[] };
  t.same(plan.refused, []);
  t.same(plan.allow.map((e) => e.fqdn ?? e.serviceTag).sort(), ['*.wild.corp.example.com', '*suffix.corp.example.com', '9-9.corp.example.com', 'Ab', LONG_HOST, LONG_TAG, 'Zz9.westus2'].sort());
  t.ok(
    plan.allow.every((e) => e.features.includes(FEATURE)),
    'with the 63-character feature id',
  );
});

for (const format of RULES_FORMATS) {
  t.test(`-o ${format} prints them all, leaving nothing out`, async (t) => {
    const run = await runCli(['rules', ...CATALOG, '-o', format], { forbidNetwork: true });
    t.equal(run.code, 0, run.stderr);
    t.equal(run.stderr, '', 'no value refused');
    t.notMatch(run.stdout, /left out of generated rules|is not a valid/);
  });
}
