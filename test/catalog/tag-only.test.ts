import t from 'tap';
import { loadCatalog } from '../../src/catalog/load.js';
import { expandCatalog } from '../../src/catalog/expand.js';
import { planFromTargets } from '../../src/remedies/plan.js';
import { defaultFacts } from '../../src/facts/facts.js';
import type { WorkspaceFacts } from '../../src/model/facts.js';

const catalog = loadCatalog({ extraFiles: ['test/fixtures/catalog/valid/tag-only.yaml'] });
const mine = (facts: WorkspaceFacts) => expandCatalog(catalog, facts).filter((x) => x.sources.some((s) => s.section === 'corp-batch'));

t.test('a tag no host stands for in a cloud is a skipped target the allow-list keeps', async (t) => {
  const facts: WorkspaceFacts = { ...defaultFacts(), cloud: 'usgov', region: 'usgovvirginia' };
  const targets = mine(facts);
  t.same(
    targets.map((x) => [x.id, x.protocol, x.skipped?.ruleOnly, x.rules.map((r) => `${r.type} ${r.destination} ${r.protocol} ${r.port}`)]),
    [
      ['CorpBatch.usgovvirginia:443', 'any', true, ['service-tag CorpBatch.usgovvirginia Any 443']],
      ['CorpHbi.usgovvirginia:443', 'tcp', undefined, ['service-tag CorpHbi.usgovvirginia TCP 443']],
    ],
  );
  t.match(targets[0]?.skipped?.reason, /^no host stands for service tag CorpBatch\.region in Azure Government, so nothing here can be checked; allow the tag$/);
  t.match(targets[1]?.skipped?.reason, /needed only when the workspace was created with hbi_workspace/, 'a failed condition is not rule-only: its rule is not needed');
  const allow = planFromTargets(targets, facts).allow.map((a) => `${a.direction} ${a.serviceTag} ${a.fqdn} ${a.protocol} ${a.port}`);
  t.same(
    allow.filter((a) => a.includes('Corp')),
    ['outbound CorpBatch.usgovvirginia null Any 443'],
    'only the tag whose condition holds is allowed',
  );
  const hbi = planFromTargets(mine({ ...facts, hbi: true }), facts).allow.filter((a) => a.serviceTag?.startsWith('CorpHbi'));
  t.equal(hbi.length, 1, 'with the condition met, the conditional tag is allowed too');
});

t.test('where hosts stand for the tag, they are checked as before', async (t) => {
  const targets = mine({ ...defaultFacts(), cloud: 'public', region: 'westus2' });
  t.same(
    targets.map((x) => [x.id, x.skipped]),
    [['corp-batch.westus2.example.com:443', null]],
  );
});
