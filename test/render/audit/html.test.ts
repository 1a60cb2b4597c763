import t from 'tap';
import type { AuditResult } from '../../../src/audit/types.js';
import { renderAuditHtml } from '../../../src/render/audit/html.js';
import { hostileGroups, MISTAKES_BEHIND_NSG, sampleAudit } from '../../helpers/sample-audit.js';
import { assertStandalonePage, decodeEntities } from '../../helpers/standalone-page.js';

// The markup is ours and every value in it escaped: plain patterns read it reliably.
/** Text as a reader sees it: a space where a tag was, none where a name may wrap (`<wbr>`). */
const text = (markup: string): string =>
  decodeEntities(markup.replace(/<wbr>/g, '').replace(/<[^>]*>/g, ' '))
    .replace(/\s+/g, ' ')
    .replace(/ ([.,)])/g, '$1')
    .replace(/\( /g, '(')
    .trim();

function section(page: string, id: string): string {
  const found = new RegExp(`<section id="${id}"[^>]*>([\\s\\S]*?)</section>\\n(?=<section|</main>)`).exec(page)?.[1];
  if (found === undefined) throw new Error(`no section ${id}`);
  return found;
}

/** Each rule card of the by-rule view: its anchor, its name, its line of priorities, and its targets with their badges. */
function ruleCards(page: string): Array<{ id: string; name: string; meta: string; targets: string[] }> {
  return [...section(page, 'by-rule').matchAll(/<article class="card rule [^"]*" id="([^"]+)">\n<h4>([\s\S]*?)<\/h4>\n<p class="muted">([\s\S]*?)<\/p>\n<ul class="plain targets">([\s\S]*?)<\/ul>/g)].map((m) => ({
    id: m[1] as string,
    name: text(m[2] as string),
    meta: text(m[3] as string),
    targets: [...(m[4] as string).matchAll(/<li>([\s\S]*?)<\/li>/g)].map((li) => text(li[1] as string)),
  }));
}

const result = sampleAudit(MISTAKES_BEHIND_NSG);
const page = renderAuditHtml(result);

t.test('a page that stands alone under the strict policy of check’s report', async (t) => {
  assertStandalonePage(t, page);
  t.match(page, /<title>aml-netcheck audit: 0 of \d+ targets allowed<\/title>/);
  t.match(text(section(page, 'summary')), /^0 of \d+ targets allowed\. Exit code 1: a required target is denied, falls to the implicit deny, or is allowed only by a rule that cannot work as configured\. 5 denied \d+ no rule 3 cannot work 1 depends \d+ not audited$/);
});

t.test('every link on the page leads to an element of it, and the views link each other', async (t) => {
  const ids = new Set([...page.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]));
  const targets = [...page.matchAll(/\shref="#([^"]+)"/g)].map((m) => m[1] as string);
  t.same(
    targets.filter((id) => !ids.has(id)),
    [],
    'no link without its anchor',
  );
  t.ok(
    ['by-target', 'by-rule', 'no-rule', 'inexpressible', 'depends', 'inputs'].every((id) => targets.includes(id)),
    'the navigation names each view',
  );
  t.equal(new Set(targets.filter((id) => id.startsWith('rule-'))).size, ruleCards(page).length, 'each rule is linked to from the targets it decides');
  t.equal(ids.size, [...page.matchAll(/\sid="/g)].length, 'no anchor twice');
});

t.test('by rule: each of the admin’s rules in processing order, layer by layer in path order, with the targets it allows or denies', async (t) => {
  const cards = ruleCards(page);
  t.same(
    cards.map((c) => c.name),
    [
      'nsg-aml-subnet/Allow-AzureMachineLearning Allow',
      'nsg-aml-subnet/Allow-Storage Allow',
      'nsg-aml-subnet/Deny-All-Outbound Deny',
      'fwp-mistakes/Deny-First/block-blob/no-blob Deny',
      'fwp-mistakes/Allow/allow-web/anaconda Allow',
      'fwp-mistakes/Allow/allow-web/smb-as-app Allow',
      'fwp-mistakes/Allow/allow-net/instances-wildcard Allow',
      'fwp-mistakes/Allow/allow-net/login-fqdn Allow',
    ],
  );
  const layers = [...section(page, 'by-rule').matchAll(/<h3>([^<]*)<\/h3>/g)].map((m) => m[1]);
  t.same(layers, ['NSG: 3 rules, in the order they are processed', 'Azure Firewall: 5 rules, in the order they are processed']);
  const blob = cards.find((c) => c.name.startsWith('fwp-mistakes/Deny-First/'));
  t.equal(blob?.meta, 'group 100, collection 100 · application rule, Deny · 2 denied');
  t.same(blob?.targets, ['DENIED st1.blob.core.windows.net:443', 'DENIED vscode.blob.core.windows.net:443']);
  const storage = cards.find((c) => c.name.startsWith('nsg-aml-subnet/Allow-Storage'));
  t.equal(storage?.meta, 'priority 110 · security rule, Allow · 1 depends, 3 allowed');
  t.ok(storage?.targets.includes('allowed st1.blob.core.windows.net:443 (all layers: DENIED)'), 'what the NSG allows the firewall may deny: said beside it');
  const deny = cards.find((c) => c.name.startsWith('nsg-aml-subnet/Deny-All-Outbound'));
  t.ok(deny?.targets.includes('DENIED login.microsoftonline.com:80'));
  const wildcard = cards.find((c) => c.name.includes('instances-wildcard'));
  t.same(wildcard?.targets, ['CANNOT WORK ci1.westus2.instances.azureml.net:443 network rules take no wildcard FQDN (*.instances.azureml.net); use an application rule']);
});

t.test('then the targets that fall to the implicit deny, that cannot work, and that depend', async (t) => {
  const rows = (id: string): string[] => [...section(page, id).matchAll(/<tr><td>([\s\S]*?)<\/tr>/g)].map((m) => text(m[1] as string));
  const noRule = rows('no-rule');
  t.equal(noRule.length, result.targets.flatMap((x) => x.layers).filter((l) => l.verdict.verdict === 'no-rule').length);
  t.ok(noRule.includes('anaconda.com:443 Azure Firewall NO RULE no rule matches: the implicit deny'));
  t.same(
    rows('inexpressible').map((r) => r.split(' ')[0]),
    ['ci1.westus2.instances.azureml.net:443', 'login.microsoftonline.com:443', 'st1.file.core.windows.net:445'].sort((a, b) => result.targets.findIndex((x) => x.id === a) - result.targets.findIndex((x) => x.id === b)),
  );
  t.ok(rows('depends').some((r) => r.startsWith('repo.anaconda.com:443 NSG depends on service tag AzureMachineLearning')));
});

t.test('by target: each verdict, its rule linked to the by-rule view, and each layer’s own verdict', async (t) => {
  const table = /<table id="target-table"[\s\S]*?<\/table>/.exec(page)?.[0] ?? '';
  t.same(
    [...table.matchAll(/<th scope="col"[^>]*>([^<]*)<\/th>/g)].map((m) => m[1]),
    ['Target', 'Features', 'Verdict', 'Rule or reason', 'NSG', 'Azure Firewall'],
  );
  t.equal([...table.matchAll(/<tr data-tags=/g)].length, result.targets.length);
  const blob = /<tr data-tags="denied problem required"[^>]*><td[^>]*><code id="(target-\d+)">st1\.<wbr>blob[\s\S]*?<\/tr>/.exec(table);
  t.ok(blob, 'the denied target, with its anchor');
  const card = ruleCards(page).find((c) => c.name.startsWith('fwp-mistakes/Deny-First/'));
  t.match(blob?.[0], new RegExp(`<a href="#${card?.id}">by Deny-First/block-blob/no-blob`), 'its rule links to the rule’s card');
  t.match(section(page, 'by-rule'), new RegExp(`<a href="#${blob?.[1]}"><code>st1\\.`), 'and the card back to the target');
});

t.test('a layer the renderer does not know still shows, named by its fields', async (t) => {
  const other = { layer: 'nat-gateway', natGateway: 'ng-aml', rule: 'no-snat', addressPrefix: '0.0.0.0/0', action: 'Deny' } as unknown as NonNullable<Extract<AuditResult['targets'][number]['verdict'], { verdict: 'denied' }>['rule']>;
  const withOther: AuditResult = {
    ...result,
    targets: result.targets.map((x, i) => (i === 0 ? { ...x, layers: [...x.layers, { layer: 'nat-gateway' as never, verdict: { verdict: 'denied', rule: other } }] } : x)),
  };
  const shown = renderAuditHtml(withOther);
  t.match(shown, /<h3>nat-gateway: 1 rule, in the order they are processed<\/h3>/);
  t.same(
    ruleCards(shown)
      .filter((c) => c.name.startsWith('ng-aml'))
      .map((c) => c.name),
    ['ng-aml/no-snat/0.0.0.0/0 Deny'],
  );
  t.match(text(shown), /DENIED by nat-gateway ng-aml\/no-snat\/0\.0\.0\.0\/0/, 'the by-target view says it too');
});

t.test('names from the exports are escaped everywhere', async (t) => {
  const hostile = '<img src=x onerror=alert(1)>"\'&\u001b[31m\u202e';
  const shown = renderAuditHtml(sampleAudit(['mistakes-policy.json', hostileGroups(t.testdir({}), hostile)]));
  assertStandalonePage(t, shown);
  t.notMatch(shown, /<img/);
  t.notMatch(shown, /[\u001b\u202e]/);
  t.match(shown, /&lt;img src=x onerror=alert\(1\)&gt;&quot;&#39;&amp;\\x1b\[31m\\u202e/);
});
