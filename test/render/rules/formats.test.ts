import { parse } from 'csv-parse/sync';
import t from 'tap';
import { expandCatalog } from '../../../src/catalog/expand.js';
import { loadCatalog } from '../../../src/catalog/load.js';
import { defaultFacts } from '../../../src/facts/facts.js';
import { CLOUDS } from '../../../src/model/clouds.js';
import { planFromTargets, type AllowEntry, type RulesPlan } from '../../../src/remedies/plan.js';
import { renderRulesBicep } from '../../../src/render/rules/bicep.js';
import { renderRulesCsv } from '../../../src/render/rules/csv.js';
import { renderRulesMarkdown } from '../../../src/render/rules/markdown.js';
import { renderRulesJson } from '../../../src/render/rules/json.js';
import { bicepString, csvField } from '../../../src/render/shared/quote.js';

/** A test name TAP can carry: U+2028 in a name would end its line. */
const named = (value: string): string => JSON.stringify(value).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);

const HOSTILE = ["'", "\\'", '${x}', '\\${x}', "'} resource x 'y' = {", 'a\nb', '\\', '\u0000\u001b[2J', '\u2028', '$', '$(touch pwned)'];

/**
 * A Bicep tokenizer for what the renderer writes: `//` comments, single-quoted literals with
 * Bicep's escapes. An interpolation, a bad escape or an unterminated literal is an error.
 */
function bicepTokens(text: string): { literals: string[]; errors: string[]; depth: number } {
  const literals: string[] = [];
  const errors: string[] = [];
  let depth = 0;
  const escapes: Record<string, string> = { '\\': '\\', "'": "'", n: '\n', r: '\r', t: '\t', $: '$' };
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end;
    } else if (c === "'") {
      let value = '';
      let j = i + 1;
      for (;;) {
        const d = text[j];
        if (d === undefined || d === '\n') {
          errors.push(`unterminated literal at ${i}`);
          break;
        }
        if (d === "'") break;
        if (d === '$' && text[j + 1] === '{') errors.push(`interpolation at ${j}`);
        if (d === '\\') {
          const n = text[j + 1] as string;
          if (n === 'u' && text[j + 2] === '{') {
            const close = text.indexOf('}', j);
            value += String.fromCodePoint(parseInt(text.slice(j + 3, close), 16));
            j = close + 1;
            continue;
          }
          if (!(n in escapes)) errors.push(`bad escape \\${n} at ${j}`);
          value += escapes[n] ?? '';
          j += 2;
          continue;
        }
        value += d;
        j++;
      }
      literals.push(value);
      i = j;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
  }
  return { literals, errors, depth };
}

t.test('a Bicep literal holds its value exactly, whatever it is', async (t) => {
  for (const value of HOSTILE) {
    const { literals, errors } = bicepTokens(bicepString(value));
    t.same(errors, [], named(value));
    t.same(literals, [value], named(value));
  }
});

for (const cloud of CLOUDS) {
  t.test(`-o bicep for the ${cloud} cloud is well formed and names every rule`, async (t) => {
    const region = { public: 'westus2', usgov: 'usgovvirginia', china: 'chinaeast2' }[cloud];
    const facts = { ...defaultFacts(), cloud, region, storageAccount: 'st1', workspaceId: '0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11' };
    const plan = planFromTargets(expandCatalog(loadCatalog(), facts), facts);
    const bicep = renderRulesBicep(plan, { firewallPolicy: 'fwp1', source: ['10.0.0.0/24'] });
    const { literals, errors, depth } = bicepTokens(bicep);
    t.same(errors, []);
    t.equal(depth, 0, 'brackets balance');
    for (const entry of plan.allow.filter((e) => e.direction === 'outbound')) {
      t.ok(literals.includes(entry.serviceTag ?? (entry.fqdn as string)), `${entry.serviceTag ?? entry.fqdn} is in the template`);
    }
    t.ok(literals.includes(`Storage.${region}`));
    t.match(bicep, /param firewallPolicyName string = 'fwp1'/);
    t.match(bicep, /resource amlNetcheckRules 'Microsoft\.Network\/firewallPolicies\/ruleCollectionGroups@[\d-]+' = \{\n  parent: firewallPolicy/);
  });
}

function entry(partial: Partial<AllowEntry>): AllowEntry {
  return { direction: 'outbound', fqdn: 'ok.example.com', serviceTag: null, protocol: 'HTTPS', port: 443, features: ['workspace-api'], required: true, hosts: [], purpose: 'Why.', ...partial };
}

const HOSTILE_PLAN: RulesPlan = {
  origin: 'catalog',
  cloud: 'public',
  region: "westus2'${x}",
  findings: [],
  privateNames: [],
  noProxy: [],
  allow: [entry({}), ...HOSTILE.map((v) => entry({ fqdn: v })), ...HOSTILE.map((v) => entry({ serviceTag: v })), ...HOSTILE.map((v) => entry({ purpose: v }))],
};

t.test('-o bicep: a hostile value is left out, and the comment saying so cannot end the comment', async (t) => {
  const bicep = renderRulesBicep(HOSTILE_PLAN);
  const { literals, errors } = bicepTokens(bicep);
  t.same(errors, []);
  for (const value of HOSTILE) t.notOk(literals.includes(value), named(value));
  t.ok(literals.includes('ok.example.com'));
  t.equal(bicep.split('\n').filter((l) => l.includes('left out')).length, HOSTILE.length * 2);
  for (const line of bicep.split('\n').filter((l) => l.includes('left out'))) t.match(line, /^\/\/ left out: /);
});

t.test('-o csv parses back, and no value starts a spreadsheet formula', async (t) => {
  const plan: RulesPlan = { ...HOSTILE_PLAN, allow: [entry({}), ...['=HYPERLINK("http://x")', '+1', '-1+1', '@SUM(A1)', '\tx', 'a,"b"\r\nc'].map((purpose) => entry({ purpose }))] };
  const csv = renderRulesCsv(plan);
  t.ok(csv.endsWith('\r\n'));
  const rows = parse(csv) as string[][];
  t.equal(rows.length, 8);
  const purposes = rows.slice(1).map((r) => r[8] as string);
  t.same(purposes, ['Why.', `'=HYPERLINK("http://x")`, "'+1", "'-1+1", "'@SUM(A1)", "'\\tx", 'a,"b"\\r\\nc']);
  for (const row of rows) for (const field of row) t.notMatch(field, /^[=+\-@\t\r]/, field);
  t.equal(csvField('plain'), 'plain');
});

t.test('-o markdown and -o json keep hostile values inert', async (t) => {
  const markdown = renderRulesMarkdown({ ...HOSTILE_PLAN, allow: [entry({ fqdn: '<script>|x' })] });
  t.notMatch(markdown, /<script>/);
  t.match(markdown, /&lt;script&gt;\\\|x/);
  const json = JSON.parse(renderRulesJson(HOSTILE_PLAN)) as { kind: string; allow: AllowEntry[]; refused: string[] };
  t.equal(json.kind, 'aml-netcheck-rules');
  t.equal(json.refused.length, HOSTILE.length * 2);
  t.equal(json.allow.length, 1 + HOSTILE.length, 'the safe entries and those with a hostile purpose, which only ever appears escaped');
});

t.test('a wildcard on a port without web traffic is refused for Azure Firewall, with the reason', async (t) => {
  const { azureFirewallRules } = await import('../../../src/render/rules/firewall.js');
  const rules = azureFirewallRules([
    { direction: 'outbound', fqdn: '*.corp.example', serviceTag: null, protocol: 'TCP', port: 8000, features: ['corp'], required: true, hosts: [], purpose: 'p' },
    { direction: 'outbound', fqdn: '*.corp.example', serviceTag: null, protocol: 'HTTPS', port: 443, features: ['corp'], required: true, hosts: [], purpose: 'p' },
  ]);
  t.same(rules.network, [], 'no network rule on a wildcard');
  t.equal(rules.application.length, 1, 'an application rule takes the wildcard');
  t.match(rules.refused, [/^\*\.corp\.example on TCP 8000: an Azure Firewall network rule takes no wildcard name/]);
});

t.test('-o bicep and -o csv carry UDP and Any as their own protocols', async (t) => {
  const catalog = loadCatalog({ extraFiles: ['test/fixtures/catalog/valid/udp-any.yaml'] });
  const facts = { ...defaultFacts(), region: 'westus2' };
  const plan = planFromTargets(expandCatalog(catalog, facts, { features: ['relay'] }), facts);
  const bicep = renderRulesBicep(plan);
  const { errors, depth } = bicepTokens(bicep);
  t.same(errors, []);
  t.equal(depth, 0);
  const rules = [...bicep.matchAll(/name: '([^']+)'\n\s+ipProtocols: \[ '([^']+)' \]\n\s+sourceAddresses: sourceAddresses\n\s+destination(?:Addresses|Fqdns): \[\n\s+'([^']+)'\n\s+\]\n\s+destinationPorts: \[\n\s+'(\d+)'/g)].map((m) => m.slice(1));
  t.same(rules, [
    ['queue.corp.example.com-any', 'Any', 'queue.corp.example.com', '5671'],
    ['BatchNodeManagement.westus2-any', 'Any', 'BatchNodeManagement.westus2', '443'],
    ['westus2.tundra.corp.example.com', 'TCP', 'westus2.tundra.corp.example.com', '5831'],
    ['AzureMachineLearning-udp', 'UDP', 'AzureMachineLearning', '5831'],
  ]);
  t.notMatch(bicep, /ApplicationRule/);

  const rows = parse(renderRulesCsv(plan)) as string[][];
  t.same(
    rows.slice(1).map((r) => [r[2], r[3], r[4], r[5]]),
    [
      ['queue.corp.example.com', 'Any', '5671', ''],
      ['westus2.batch.corp.example.com', 'Any', '443', 'BatchNodeManagement.westus2'],
      ['westus2.tundra.corp.example.com', 'TCP', '5831', ''],
      ['westus2.tundra.corp.example.com', 'UDP', '5831', 'AzureMachineLearning'],
    ],
    'UDP and TCP on one port are two rows',
  );
});
