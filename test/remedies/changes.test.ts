import t from 'tap';
import { expandCatalog } from '../../src/catalog/expand.js';
import { loadCatalog } from '../../src/catalog/load.js';
import type { WorkspaceFacts } from '../../src/model/facts.js';
import { additionsPlan, compareRulePlans, nothingChanged, removalsPlan, ruleIdentity } from '../../src/remedies/changes.js';
import { planFromTargets, type AllowEntry, type RulesPlan } from '../../src/remedies/plan.js';

const builtinDir = 'test/fixtures/catalog/changes';
const facts = (extra: Partial<WorkspaceFacts> = {}): WorkspaceFacts => ({ cloud: 'public', ...extra }) as unknown as WorkspaceFacts;

function planOf(revision: string, workspace = facts()): RulesPlan {
  return planFromTargets(expandCatalog(loadCatalog({ builtinDir, revision }), workspace), workspace);
}

const compare = (workspace = facts()) => compareRulePlans(planOf('2023-01', workspace), planOf('2024-06', workspace), { from: '2023-01', to: '2024-06' });
const rules = (entries: readonly AllowEntry[]): string[] => entries.map((e) => `${e.fqdn ?? e.serviceTag ?? ''} ${e.port}`).sort();

t.test('additions and removals: a new host, a gone host, a port that moved, a UDP port added', async (t) => {
  const changes = compare();
  t.equal(changes.from, '2023-01');
  t.equal(changes.to, '2024-06');
  t.same(rules(changes.added), ['new.example.com 443', 'svc.example.com 5001', 'turn.example.com 5831']);
  t.same(rules(changes.removable), ['images.example.com 443', 'legacy.example.com 8443', 'svc.example.com 5000']);
  t.same(changes.added.find((e) => e.fqdn === 'new.example.com')?.features, ['streaming'], 'an added rule carries the features of the newer list');
  t.same(changes.removable.find((e) => e.fqdn === 'legacy.example.com')?.features, ['legacy'], 'a removable one those of the older');
  t.notOk(
    changes.removable.some((e) => e.fqdn === 'turn.example.com'),
    'the host keeps its TCP rule while it gains UDP',
  );
  t.equal(changes.unchanged, 3, 'api, turn 443 and web 443');
});

t.test('a condition the newer revision adds drops the rule where it does not hold, and keeps it where it does', async (t) => {
  t.ok(
    compare().removable.some((e) => e.fqdn === 'images.example.com'),
    'default facts: custom images not used',
  );
  const withImages = compare(facts({ customImages: true } as Partial<WorkspaceFacts>));
  t.notOk(
    [...withImages.removable, ...withImages.added].some((e) => e.fqdn === 'images.example.com'),
    'with --custom-images it is the same rule',
  );
});

t.test('tcp to any on a name carrying web traffic is the same application rule: the article changed, the firewall rule did not', async (t) => {
  const changes = compare();
  t.notOk([...changes.added, ...changes.removable, ...changes.changed.map((c) => c.after)].some((e) => e.fqdn === 'web.example.com'));
});

t.test('the same rule needed by other features, or no longer optional, is a context change, not an addition', async (t) => {
  const { changed } = compare();
  t.same(
    changed.map((c) => [c.after.fqdn, c.what]),
    [
      ['optional.example.com', ['required']],
      ['shared.example.com', ['features']],
    ],
  );
  const shared = changed.find((c) => c.after.fqdn === 'shared.example.com');
  t.same([shared?.before.features, shared?.after.features], [['api'], ['api', 'telemetry']]);
});

t.test('rules are matched by what a firewall holds: protocol, port, direction, destination and tag', async (t) => {
  const base: AllowEntry = { direction: 'outbound', fqdn: null, serviceTag: 'AzureFrontDoor.FirstParty', protocol: 'TCP', port: 443, features: ['a'], required: true, hosts: ['x'], purpose: 'p' };
  // The article's ANY is a protocol of its own to a firewall (the renderers write it as Any).
  const any = { ...base, protocol: 'Any' } as unknown as AllowEntry;
  const plan = (allow: AllowEntry[]): RulesPlan => ({ origin: 'catalog', cloud: 'public', region: null, allow, findings: [], privateNames: [], noProxy: [] });
  const tcpToAny = compareRulePlans(plan([base]), plan([any]), { from: 'a', to: 'b' });
  t.same(
    tcpToAny.added.map((e) => e.protocol),
    ['Any'],
  );
  t.same(
    tcpToAny.removable.map((e) => e.protocol),
    ['TCP'],
  );
  const reworded = compareRulePlans(plan([base]), plan([{ ...base, purpose: 'other words', hosts: ['y'] }]), { from: 'a', to: 'b' });
  t.ok(nothingChanged(reworded), 'a purpose reworded, or other hosts behind the same rule, is not a change a firewall sees');
  t.not(ruleIdentity(base), ruleIdentity({ ...base, direction: 'inbound' }));
  t.not(ruleIdentity(base), ruleIdentity({ ...base, port: 80 }));
  t.not(ruleIdentity({ ...base, fqdn: 'a.example.com' }), ruleIdentity({ ...base, fqdn: 'a.example.com', serviceTag: null }), 'gaining a tag makes a tag rule');
});

t.test('identical revisions: nothing to add, remove or change', async (t) => {
  const plan = planOf('2024-06');
  const changes = compareRulePlans(plan, planOf('2024-06'), { from: '2024-06', to: '2024-06' });
  t.ok(nothingChanged(changes));
  t.equal(changes.unchanged, plan.allow.length);
  t.same([additionsPlan(changes).allow, removalsPlan(changes).allow], [[], []]);
});

t.test('private-link names that come and go', async (t) => {
  const before: RulesPlan = { origin: 'catalog', cloud: 'public', region: 'westus2', allow: [], findings: [], privateNames: [{ host: 'a.example.com', record: null }], noProxy: ['a.example.com'] };
  const after: RulesPlan = { ...before, privateNames: [{ host: 'b.example.com', record: null }], noProxy: ['b.example.com'] };
  const changes = compareRulePlans(before, after, { from: 'x', to: 'y' });
  t.same(changes.privateNames, { added: [{ host: 'b.example.com', record: null }], removable: [{ host: 'a.example.com', record: null }] });
  t.same(changes.noProxy, { added: ['b.example.com'], removable: ['a.example.com'] });
  t.notOk(nothingChanged(changes));
  t.same(additionsPlan(changes).noProxy, ['b.example.com']);
});
