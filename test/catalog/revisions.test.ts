import t from 'tap';
import { loadCatalog } from '../../src/catalog/load.js';
import { InputError } from '../../src/model/errors.js';
import { expandCatalog } from '../../src/catalog/expand.js';
import type { WorkspaceFacts } from '../../src/model/facts.js';

const builtinDir = 'test/fixtures/catalog/revisions';
const facts = { cloud: 'public' } as unknown as WorkspaceFacts;

const hostsOf = (revision?: string): string[] => loadCatalog({ builtinDir, revision }).entries.map((e) => (e.kind === 'host' ? e.pattern.text : e.serviceTag));

t.test('the newest revision by date is the default, whatever the file order', async (t) => {
  const catalog = loadCatalog({ builtinDir });
  t.equal(catalog.revision?.id, '2024-06');
  t.same(
    catalog.revisions.map((r) => r.id),
    ['2023-01', '2024-06'],
    'oldest first',
  );
  t.same(hostsOf(), ['api.example.com', 'telemetry.example.com']);
  t.same(hostsOf('newest'), hostsOf());
});

t.test('an older revision holds its own entries, features and port meanings', async (t) => {
  const catalog = loadCatalog({ builtinDir, revision: '2023-01' });
  t.equal(catalog.revision?.id, '2023-01');
  t.equal(catalog.revision?.notes, 'The first one.');
  t.same(hostsOf('2023-01'), ['api.example.com', 'legacy.example.com']);
  t.same([...catalog.features.keys()], ['api', 'legacy']);
  t.same(catalog.ports.find((p) => p.from === 8080)?.probe, 'tcp');
  t.same(loadCatalog({ builtinDir }).ports.find((p) => p.from === 8080)?.probe, 'http', 'the same port means something else in the newer one');
  const probes = expandCatalog(catalog, facts)
    .filter((target) => target.port === 8080)
    .map((target) => target.probe);
  t.same(probes, ['tcp'], "expansion uses the selected revision's port meaning");
});

t.test("a section's anchor follows the revision, and an entry's own anchor wins", async (t) => {
  const older = loadCatalog({ builtinDir, revision: '2023-01' });
  const newer = loadCatalog({ builtinDir, revision: '2024-06' });
  t.equal(older.sections.find((s) => s.id === 'hosts')?.source, '#hosts');
  t.equal(newer.sections.find((s) => s.id === 'hosts')?.source, '#microsoft-hosts');
  t.equal(newer.entries[0]?.section.source, '#microsoft-hosts', 'entries point at the selected section');
  const telemetry = newer.entries.find((e) => e.kind === 'host' && e.pattern.text === 'telemetry.example.com');
  t.same([...(telemetry?.sources ?? [])], [['2024-06', '#monitoring']]);
  const api = newer.entries.find((e) => e.kind === 'host' && e.pattern.text === 'api.example.com');
  t.same(
    [...(api?.sources ?? [])],
    [
      ['2023-01', '#hosts'],
      ['2024-06', '#microsoft-hosts'],
    ],
  );
});

t.test('`all` keeps every revision, each entry saying where it holds', async (t) => {
  const catalog = loadCatalog({ builtinDir, revision: 'all' });
  t.equal(catalog.revision, null);
  t.same(
    catalog.entries.map((e) => [...e.revisions]),
    [['2023-01', '2024-06'], ['2023-01'], ['2024-06']],
  );
  t.same(
    [...catalog.featureRevisions],
    [
      ['api', ['2023-01', '2024-06']],
      ['legacy', ['2023-01']],
      ['telemetry', ['2024-06']],
    ],
  );
});

t.test('a user catalog that says nothing about revisions holds in all of them', async (t) => {
  for (const revision of ['2023-01', '2024-06']) {
    const catalog = loadCatalog({ builtinDir, revision, extraFiles: ['test/fixtures/catalog/revisions-user.yaml'] });
    t.ok(
      catalog.entries.some((e) => e.section.id === 'corp'),
      `the user's entry is in ${revision}`,
    );
  }
});

t.test('an unknown revision, or a feature of another revision, is one line naming the flag', async (t) => {
  t.throws(() => loadCatalog({ builtinDir, revision: '2022-02' }), new InputError('--revision', "unknown revision '2022-02' (known: 2023-01, 2024-06, newest; see `aml-netcheck revisions`)"));
  const catalog = loadCatalog({ builtinDir });
  t.throws(() => expandCatalog(catalog, facts, { features: ['legacy'] }), new InputError('--features', "feature 'legacy' is not in revision 2024-06 of the article, only in 2023-01 (use --revision 2023-01 to check it)"));
  t.throws(() => expandCatalog(catalog, facts, { features: ['nope'] }), { where: '--features', message: /^unknown feature 'nope' \(known: api, telemetry\)$/ });
});

t.test('a catalog that defines no revisions is one list, and naming a revision is an error', async (t) => {
  const plain = loadCatalog({ builtinDir: 'test/fixtures/catalog/plain' });
  t.equal(plain.revision, null);
  t.ok(plain.entries.length > 0);
  t.throws(() => loadCatalog({ builtinDir: 'test/fixtures/catalog/plain', revision: '2021-11' }), new InputError('--revision', "the catalog defines no revisions, so '2021-11' cannot be selected"));
});

t.test('an unscoped user entry holds where its features do, so a retired feature does not stop the catalog loading', async (t) => {
  const extraFiles = ['test/fixtures/catalog/revisions-user-legacy.yaml'];
  const hosts = (revision: string): string[] =>
    loadCatalog({ builtinDir, revision, extraFiles })
      .entries.filter((e) => e.section.id === 'corp-legacy')
      .map((e) => (e.kind === 'host' ? e.pattern.text : ''));
  t.same(hosts('2023-01'), ['legacy-gw.corp.example.com']);
  t.same(hosts('2024-06'), [], 'not in the revision that retired its feature');
});
