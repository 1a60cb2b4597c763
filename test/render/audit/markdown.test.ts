import t from 'tap';
import { renderAuditMarkdown } from '../../../src/render/audit/markdown.js';
import { hostileGroups, MISTAKES_BEHIND_NSG, sampleAudit } from '../../helpers/sample-audit.js';

const result = sampleAudit(MISTAKES_BEHIND_NSG);
const text = renderAuditMarkdown(result);
const lines = text.split('\n');
/** The row of a target in the first table that has one. */
const rowOf = (id: string): string[] => (lines.find((line) => line.startsWith(`| \`${id}\` |`)) ?? '').split(' | ');

t.test('a summary line with the counts and the exit code, then the inputs the verdicts rest on', async (t) => {
  const audited = result.targets.filter((x) => x.verdict.verdict !== 'not-audited').length;
  t.match(lines[2], new RegExp(`^\\*\\*0 of ${audited} targets allowed\\*\\* \\(5 denied, \\d+ no rule, 3 cannot work, 1 depends, \\d+ not audited\\); exit code 1: a required target is denied`));
  t.ok(lines.includes('- NSG nsg-aml-subnet'));
  t.ok(lines.includes('- Firewall policy fwp-mistakes, DNS proxy off, SKU Standard'));
  t.ok(lines.includes('- Sources: 10.0.1.0/24'));
});

t.test('each target not allowed: its verdict with the rule named, and each layer’s own verdict in path order', async (t) => {
  t.ok(lines.includes('| Target | Required | Verdict | Rule or reason | NSG | Azure Firewall |'), 'one column per layer, in path order');
  t.same(rowOf('st1.blob.core.windows.net:443').slice(1), [
    'required',
    '**DENIED**',
    'by Deny-First/block-blob/no-blob (100/100, application, fwp-mistakes)',
    'allowed by NSG nsg-aml-subnet/Allow-Storage (110)',
    'denied by Deny-First/block-blob/no-blob (100/100, application, fwp-mistakes) |',
  ]);
  t.same(
    rowOf('login.microsoftonline.com:80').slice(2, 6),
    ['**DENIED**', 'by NSG nsg-aml-subnet/Deny-All-Outbound (4000)', 'denied by NSG nsg-aml-subnet/Deny-All-Outbound (4000)', 'no rule matches: the implicit deny |'],
    'the NSG decides; the firewall’s missing rule is still shown',
  );
  t.match(rowOf('login.microsoftonline.com:443')[3], /^FQDN login\.microsoftonline\.com in a network rule needs the policy's DNS proxy, which is off: Allow\/allow-net\/login-fqdn/);
  const problems = lines.indexOf(lines.find((l) => l.startsWith('### Not allowed')) ?? '');
  const order = lines
    .slice(problems)
    .filter((l) => /^\| `/.test(l))
    .map((l) => l.split(' | ')[2]);
  const firstOf = (label: string): number => order.indexOf(label);
  t.ok(firstOf('**DENIED**') < firstOf('**NO RULE**') && firstOf('**NO RULE**') < firstOf('**CANNOT WORK**') && firstOf('**CANNOT WORK**') < firstOf('**depends**'), 'problems by severity');
});

t.test('the rules turned around, and the implicit deny, each in a collapsed section', async (t) => {
  const start = lines.indexOf('<summary>By rule: the targets each rule decides</summary>');
  t.ok(start > 0);
  const section = lines.slice(start, lines.indexOf('</details>', start));
  t.ok(section.indexOf('**NSG**') < section.indexOf('**Azure Firewall**'), 'the layers in path order');
  t.match(
    section.find((l) => l.startsWith('| `fwp-mistakes/Deny-First/block-blob/no-blob`')),
    /\| group 100, collection 100 \| application rule, Deny \| `st1\.blob\.core\.windows\.net:443` denied, `vscode\.blob\.core\.windows\.net:443` denied \|$/,
  );
  t.match(
    section.find((l) => l.startsWith('| `nsg-aml-subnet/Deny-All-Outbound`')),
    /\| priority 4000 \| security rule, Deny \| `login\.microsoftonline\.com:80` denied/,
  );
  const firewall = section.filter((l) => l.startsWith('| `fwp-mistakes/')).map((l) => l.split(' | ')[0]);
  t.same(
    firewall,
    ['| `fwp-mistakes/Deny-First/block-blob/no-blob`', '| `fwp-mistakes/Allow/allow-web/anaconda`', '| `fwp-mistakes/Allow/allow-web/smb-as-app`', '| `fwp-mistakes/Allow/allow-net/instances-wildcard`', '| `fwp-mistakes/Allow/allow-net/login-fqdn`'],
    'in the order the firewall processes them',
  );
  t.ok(lines.some((l) => /^<summary>No rule: the implicit deny \(\d+\)<\/summary>$/.test(l)));
  t.ok(lines.includes('| `anaconda.com:443` | Azure Firewall | required | no rule matches: the implicit deny |'));
});

t.test('the warnings of the run are listed', async (t) => {
  const warned = sampleAudit(['no-smb-template.json']);
  t.ok((warned.warnings ?? []).length > 0);
  const md = renderAuditMarkdown(warned).split('\n');
  const at = md.findIndex((l) => l.startsWith('### Warnings ('));
  t.ok(at > 0);
  t.match(md[at + 2], /^- .*no-smb-template\.json: resources\[\*\]\.type: a resource of type 'Microsoft\.Network\/publicIPAddresses', which audit does not read yet; left out$/);
  t.equal(text.includes('### Warnings'), false, 'none when the run warned of nothing');
});

t.test('text from the exports cannot break a cell, add markup or reach a terminal', async (t) => {
  const hostile = '<img src=x onerror=alert(1)>|**x**\u001b[31m\u202e';
  const md = renderAuditMarkdown(sampleAudit(['mistakes-policy.json', hostileGroups(t.testdir({}), hostile)]));
  t.notMatch(md, /<img/);
  t.notMatch(md, /[\u001b\u202e]/);
  const row = md.split('\n').find((l) => l.startsWith('| `st1.blob.core.windows.net:443` |')) ?? '';
  t.match(row, /&lt;img src=x onerror=alert\(1\)&gt;\\\|\*\*x\*\*\\x1b\[31m\\u202e/);
  t.equal(row.split(/(?<!\\)\|/).length, 7, 'the pipe in the name is escaped: the row keeps its cells');
});
