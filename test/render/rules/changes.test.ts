import t from 'tap';
import { compareRulePlans, type RuleChanges } from '../../../src/remedies/changes.js';
import type { AllowEntry, RulesPlan } from '../../../src/remedies/plan.js';
import { CHANGES_RENDERERS, renderChangesCsv, renderChangesJson, renderChangesMarkdown, renderChangesTable } from '../../../src/render/rules/changes.js';
import { RULES_FORMATS } from '../../../src/render/rules/registry.js';
import { PLAIN } from '../../../src/render/shared/terminal.js';
import { malformedTables, tablesOf } from '../../helpers/markdown.js';
import { runScript } from '../../helpers/run-script.js';

function entry(partial: Partial<AllowEntry>): AllowEntry {
  return { direction: 'outbound', fqdn: null, serviceTag: null, protocol: 'TCP', port: 443, features: ['api'], required: true, hosts: [partial.fqdn ?? 'node'], purpose: 'Why.', ...partial };
}

function plan(allow: AllowEntry[], extra: Partial<RulesPlan> = {}): RulesPlan {
  return { origin: 'catalog', cloud: 'public', region: 'westus2', allow, findings: [], privateNames: [], noProxy: [], ...extra };
}

const KEPT = entry({ fqdn: 'kept.example.com', protocol: 'HTTPS' });
const STORAGE_443 = entry({ serviceTag: 'Storage.westus2', fqdn: 'st1.blob.core.windows.net', protocol: 'HTTPS' });
const BEFORE = plan([KEPT, STORAGE_443, entry({ direction: 'inbound', serviceTag: 'BatchNodeManagement.westus2', port: 29876 }), entry({ fqdn: 'old.example.com', port: 8443, features: ['legacy'] }), entry({ fqdn: 'shared.example.com', protocol: 'HTTPS' })], {
  privateNames: [{ host: 'old.privatelink.example.com', record: null }],
});
const AFTER = plan(
  [
    KEPT,
    STORAGE_443,
    entry({ serviceTag: 'Storage.westus2', fqdn: 'st1.file.core.windows.net', port: 445 }),
    entry({ serviceTag: 'AzureFrontDoor.FirstParty', port: 443, features: ['frontdoor'] }),
    entry({ fqdn: 'new.example.com', protocol: 'HTTPS', features: ['streaming'] }),
    entry({ fqdn: 'shared.example.com', protocol: 'HTTPS', features: ['api', 'telemetry'] }),
  ],
  { privateNames: [{ host: 'st1.privatelink.example.com', record: null }], noProxy: ['st1.privatelink.example.com'] },
);
const CHANGES = compareRulePlans(BEFORE, AFTER, { from: '2021-11', to: '2026-03' });
const OPTIONS = { resourceGroup: 'rg1', firewallPolicy: 'fwp1', firewall: 'fw1', nsg: 'nsg1', source: ['10.0.0.0/24'] };
const WIDE = { ...PLAIN, width: 400 };
const render = (format: (typeof RULES_FORMATS)[number], changes: RuleChanges = CHANGES, before = BEFORE): string => CHANGES_RENDERERS[format](changes, before, OPTIONS, PLAIN);

t.test('the table: additions, removals and changed rules, then how to get commands', async (t) => {
  const text = renderChangesTable(CHANGES, WIDE);
  t.match(text, /^From revision 2021-11 to 2026-03 of the article, this workspace's allow-list has 3 to add, 2 that may be removed, 1 changed, 2 unchanged \(Azure public, westus2\)\./);
  const added = text.slice(text.indexOf('Add ('), text.indexOf('May be removed'));
  t.match(added, /AzureFrontDoor\.FirstParty +out +TCP +443 +AzureFrontDoor\.FirstParty +frontdoor/);
  t.match(added, /new\.example\.com +out +HTTPS +443 +streaming/);
  t.notMatch(added, /kept\.example\.com|old\.example\.com/);
  const removable = text.slice(text.indexOf('May be removed'), text.indexOf('Changed'));
  t.match(removable, /old\.example\.com +out +TCP +8443 +legacy/);
  t.match(removable, /from BatchNodeManagement\.westus2 +in +TCP +29876/);
  t.match(text, /shared\.example\.com +out +HTTPS +443 +api +api, telemetry/);
  t.match(text, /Newly private-link names \(need a private DNS record, and must bypass a proxy\): st1\.privatelink\.example\.com/);
  t.match(text, /\n\nAdditions as commands: -o az, -o az-classic, -o nsg, -o bicep \(removals only as comments\)\.\n$/);
});

t.test('nothing changed, and the same revision twice, say so without a hint at commands', async (t) => {
  const same = compareRulePlans(AFTER, AFTER, { from: '2026-03', to: '2026-03' });
  t.equal(renderChangesTable(same, WIDE), '--changes-since names the revision selected (2026-03): nothing changed (Azure public, westus2).\n');
  const equal = compareRulePlans(AFTER, AFTER, { from: '2021-11', to: '2026-03' });
  t.equal(renderChangesTable(equal, WIDE), 'No rule changed from revision 2021-11 to 2026-03 of the article for this workspace (Azure public, westus2; 6 rules in both).\n');
  const json = JSON.parse(renderChangesJson(equal)) as { added: unknown[]; removable: unknown[]; changed: unknown[]; unchanged: number };
  t.same([json.added, json.removable, json.changed, json.unchanged], [[], [], [], 6]);
  for (const format of ['az', 'az-classic'] as const) {
    const result = await runScript(render(format, equal, AFTER));
    t.equal(result.code, 0, `${format} with nothing to add runs: ${result.stderr}`);
    t.same(result.argvs, [], `${format} calls nothing`);
  }
});

t.test('the JSON document', async (t) => {
  const doc = JSON.parse(renderChangesJson(CHANGES)) as Record<string, unknown> & { added: AllowEntry[]; removable: AllowEntry[]; changed: Array<{ before: AllowEntry; after: AllowEntry; what: string[] }> };
  t.same(Object.keys(doc), ['kind', 'schemaVersion', 'from', 'to', 'cloud', 'region', 'added', 'removable', 'changed', 'unchanged', 'privateNames', 'noProxy', 'refused']);
  t.same([doc['kind'], doc['schemaVersion'], doc['from'], doc['to']], ['aml-netcheck-rule-changes', 1, '2021-11', '2026-03']);
  t.same(
    doc.added.map((e) => `${e.fqdn ?? e.serviceTag} ${e.port}`),
    ['st1.file.core.windows.net 445', 'AzureFrontDoor.FirstParty 443', 'new.example.com 443'],
  );
  t.same(
    doc.removable.map((e) => `${e.direction} ${e.fqdn ?? e.serviceTag} ${e.port}`),
    ['inbound BatchNodeManagement.westus2 29876', 'outbound old.example.com 8443'],
  );
  t.same(
    doc.changed.map((c) => [c.before.features, c.after.features, c.what]),
    [[['api'], ['api', 'telemetry'], ['features']]],
  );
  t.same(doc['noProxy'], { added: ['st1.privatelink.example.com'], removable: [] });
});

t.test('CSV: one row per rule with its change', async (t) => {
  const lines = renderChangesCsv(CHANGES)
    .split('\r\n')
    .filter((l) => l !== '');
  t.equal(lines[0], 'change,direction,source,destination,protocol,port,service_tag,features,required,purpose,previous_features,previous_required');
  t.same(
    lines.slice(1).map((l) => l.split(',').slice(0, 6).join(',')),
    [
      'added,outbound,workspace subnets,st1.file.core.windows.net,TCP,445',
      'added,outbound,workspace subnets,AzureFrontDoor.FirstParty,TCP,443',
      'added,outbound,workspace subnets,new.example.com,HTTPS,443',
      'removable,inbound,BatchNodeManagement.westus2,compute nodes,TCP,29876',
      'removable,outbound,workspace subnets,old.example.com,TCP,8443',
      'changed,outbound,workspace subnets,shared.example.com,HTTPS,443',
    ],
  );
  t.match(lines.at(-1), /,api telemetry,yes,Why\.,api,yes$/);
});

t.test('Markdown: a table for each part, every one well formed', async (t) => {
  const md = renderChangesMarkdown(CHANGES);
  t.match(md, /### Add \(in the 2026-03 list, not in 2021-11's\):\n\n\| Direction \|/);
  t.match(md, /\| outbound \| `old\.example\.com` \| TCP \| 8443 \|/);
  t.match(md, /\| outbound \| `shared\.example\.com` \| HTTPS \| 443 \| api \| api, telemetry \|/);
  t.equal(tablesOf(md).length, 3);
  t.same(malformedTables(md.replace(/---:/g, '---')), []);
});

t.test('-o az adds a group of its own, after the earlier list, and deletes nothing', async (t) => {
  const script = render('az');
  const { code, argvs, stderr } = await runScript(script);
  t.equal(code, 0, stderr);
  t.same(
    argvs.map((a) => a.slice(5, a.indexOf('--resource-group')).join(' ')),
    ['create', 'collection add-filter-collection', 'collection rule add', 'collection add-filter-collection'],
  );
  const value = (argv: string[] | undefined, flag: string): string | undefined => argv?.[argv.indexOf(flag) + 1];
  t.same([value(argvs[0], '--name'), value(argvs[0], '--priority')], ['aml-netcheck-2026-03', '510'], 'not the aml-netcheck group the earlier list made, which create would replace');
  t.same([value(argvs[1], '--name'), value(argvs[1], '--collection-priority'), value(argvs[1], '--destination-addresses'), value(argvs[1], '--destination-ports')], ['aml-network-rules-2026-03', '110', 'Storage.westus2', '445']);
  t.same(value(argvs[2], '--destination-addresses'), 'AzureFrontDoor.FirstParty');
  t.same([value(argvs[3], '--name'), value(argvs[3], '--target-fqdns')], ['aml-application-rules-2026-03', 'new.example.com']);
  t.notOk(
    argvs.flat().some((arg) => /delete|remove/.test(arg)),
    'no command removes anything',
  );
  t.match(script, /# aml-netcheck rules: Azure Firewall Policy, what revision 2026-03 of the article adds to the allow-list of revision 2021-11 \(Azure public, westus2\)\./);
  t.match(script, /# May be removed: in the allow-list of revision 2021-11, not in 2026-03's\.\n# Nothing here deletes them: .*\n#   inbound TCP 29876 from BatchNodeManagement\.westus2: api\n#   outbound TCP 8443 to old\.example\.com: legacy\n$/);
});

t.test('-o az-classic and -o nsg: collections and rules named apart, NSG priorities after the earlier rules', async (t) => {
  const classic = await runScript(render('az-classic'));
  t.equal(classic.code, 0, classic.stderr);
  const collections = classic.argvs.map((a) => a[a.indexOf('--collection-name') + 1]);
  t.same([...new Set(collections)], ['aml-network-rules-2026-03', 'aml-application-rules-2026-03']);
  const nsg = await runScript(render('nsg'));
  t.equal(nsg.code, 0, nsg.stderr);
  t.same(
    nsg.argvs.map((a) => [a[a.indexOf('--name') + 1], a[a.indexOf('--priority') + 1], a[a.indexOf('--destination-port-ranges') + 1]]),
    [
      // The earlier list made one outbound (Storage) and one inbound (Batch) rule at 200.
      ['aml-out-Storage.westus2-2026-03', '210', '445'],
      ['aml-out-AzureFrontDoor.FirstParty-2026-03', '220', '443'],
    ],
  );
  t.match(render('nsg'), /Takes the first free priorities of each direction from 210, in steps of 10, up to 4096/);
});

t.test('-o bicep: a rule collection group of its own, removals as // comments', async (t) => {
  const bicep = render('bicep');
  t.match(bicep, /^  name: 'aml-netcheck-2026-03'\n  properties: \{\n    priority: 510$/m);
  t.match(bicep, /name: 'aml-application-rules-2026-03'/);
  t.notMatch(bicep, /old\.example\.com'/);
  t.match(bicep, /\n\/\/   outbound TCP 8443 to old\.example\.com: legacy\n$/);
});

t.test('-o dns and -o proxy: additions and removals in their own terms', async (t) => {
  const dns = render('dns');
  t.match(dns, /st1\.privatelink\.example\.com +A/);
  t.match(dns, /# No longer listed in revision 2026-03; their records may go if nothing else uses them:\n#   old\.privatelink\.example\.com\n$/);
  const none = compareRulePlans(AFTER, AFTER, { from: '2021-11', to: '2026-03' });
  t.match(CHANGES_RENDERERS.dns(none, AFTER, {}, PLAIN), /^# aml-netcheck rules: DNS\. No private-link name is new in revision 2026-03 against 2021-11\.\n$/);
  const proxy = render('proxy');
  t.match(proxy, /# Allow on the proxy \(HTTP and HTTPS CONNECT\):\nnew\.example\.com\n/);
  t.notMatch(proxy, /^kept\.example\.com$/m);
  t.match(proxy, /^export NO_PROXY=.*st1\.privatelink\.example\.com/m);
});

t.test('hostile values stay inert in every format', async (t) => {
  const HOSTILE = ['$(touch pwned)', "a'b; touch pwned", 'x\ntouch pwned', '\u001b[31mred'];
  const bad = HOSTILE.flatMap((v) => [entry({ fqdn: `${v}.example.com`, protocol: 'HTTPS' }), entry({ serviceTag: v }), entry({ fqdn: 'ok.example.com', features: [v] })]);
  const hostile = compareRulePlans(plan([...bad.map((e) => ({ ...e, port: 1000 })), entry({ fqdn: 'gone.example.com', purpose: HOSTILE.join(' ') })]), plan([...bad, entry({ fqdn: 'fine.example.com', purpose: HOSTILE.join(' ') })]), {
    from: "2021-11'$(touch pwned)",
    to: '2026-03\n$(touch pwned)',
  });
  for (const format of ['az', 'az-classic', 'nsg'] as const) {
    const script = render(format, hostile, plan([]));
    const { code, argvs, stderr, files } = await runScript(script);
    t.equal(code, 0, `${format}: ${stderr}`);
    t.same(files, [], `${format}: no file was created`);
    for (const arg of argvs.flat()) t.notMatch(arg, /[$'\n\u001b]/, `${format}: ${JSON.stringify(arg)}`);
    t.match(script, /#   left out: '\$\(touch pwned\)\.example\.com' is not a valid host name or wildcard/, `${format}: a removal it cannot print is said to be left out`);
  }
  t.ok((await runScript(render('az', hostile, plan([])))).argvs.flat().includes('fine.example.com'), 'the safe addition is still there');
  for (const format of ['table', 'markdown', 'dns', 'proxy', 'bicep'] as const) t.notMatch(render(format, hostile, plan([])), /\u001b|\ntouch pwned|\n\$\(touch pwned\) list/, `${format}: no control character, no line break from a value`);
  t.match(renderChangesCsv(hostile), /,"?'?\$\(touch pwned\) a'b; touch pwned x\\ntouch pwned \\x1b\[31mred"?,/);
  const json = JSON.parse(renderChangesJson(hostile)) as { added: AllowEntry[]; refused: string[] };
  t.same(
    json.added.map((e) => e.fqdn),
    ['fine.example.com'],
    'JSON keeps only what validates',
  );
  t.ok(json.refused.length >= 9);
});
