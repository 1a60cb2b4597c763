import t from 'tap';
import { auditTargets } from '../../src/audit/audit.js';
import { fqdnCovers, trafficOf, type Traffic } from '../../src/audit/evaluate.js';
import { readConfigs } from '../../src/audit/read.js';
import { fileURLToPath } from 'node:url';
import type { ApplicationRule, AuditConfig, AuditVerdict, NetworkRule, PolicyRule, RuleCollectionGroup } from '../../src/audit/types.js';
import { expandCatalog } from '../../src/catalog/expand.js';
import { resolveWorkspace } from '../../src/commands/shared/workspace.js';
import type { Target } from '../../src/model/target.js';
import { random } from '../helpers/random.js';

const workspace = resolveWorkspace({ region: 'westus2', workspaceId: '0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11', workspaceName: 'ws1', storageAccount: 'st1', keyVault: 'kv1', containerRegistry: 'acr1', computeInstance: ['ci1'] } as never);
const TARGETS = expandCatalog(workspace.catalog, workspace.facts);
const target = (id: string): Target => {
  const found = TARGETS.find((candidate) => candidate.id === id);
  if (found === undefined) throw new Error(`no target ${id}`);
  return found;
};

const network = (name: string, fields: Partial<NetworkRule>): NetworkRule => ({
  ruleType: 'NetworkRule',
  name,
  sourceAddresses: ['*'],
  sourceIpGroups: [],
  ipProtocols: ['TCP'],
  destinationAddresses: [],
  destinationIpGroups: [],
  destinationFqdns: [],
  destinationPorts: ['443'],
  ...fields,
});
const application = (name: string, fields: Partial<ApplicationRule>): ApplicationRule => ({
  ruleType: 'ApplicationRule',
  name,
  sourceAddresses: ['*'],
  sourceIpGroups: [],
  protocols: [{ protocolType: 'Https', port: 443 }],
  targetFqdns: [],
  targetUrls: [],
  fqdnTags: [],
  webCategories: [],
  destinationAddresses: [],
  ...fields,
});
const group = (name: string, priority: number, collections: Array<[string, number, 'Allow' | 'Deny', PolicyRule[]]>, policy: string | null = 'p'): RuleCollectionGroup => ({
  name,
  priority,
  policy,
  where: name,
  collections: collections.map(([n, p, action, rules]) => ({ name: n, priority: p, action, rules })),
});
const config = (groups: RuleCollectionGroup[], dnsProxy = true): AuditConfig => ({ policies: [{ name: 'p', basePolicy: null, dnsProxy, threatIntelMode: 'Alert', sku: 'Standard', where: 'p' }], groups, inputs: [], warnings: [], serviceTags: null });
const verdictOf = (cfg: AuditConfig, id: string, sources: string[] = []): AuditVerdict => auditTargets(cfg, [target(id)], sources).targets[0]?.verdict as AuditVerdict;

t.test('wildcards as Azure Firewall reads them (FAQ: https://learn.microsoft.com/azure/firewall/firewall-faq)', async (t) => {
  const host = (name: string) => ({ kind: 'host', name }) as const;
  t.ok(fqdnCovers('*.contoso.com', host('www.contoso.com')));
  t.ok(fqdnCovers('*.contoso.com', host('a.b.contoso.com')), '*.x covers any depth under x');
  t.notOk(fqdnCovers('*.contoso.com', host('contoso.com')), '*.x never covers x itself');
  t.ok(fqdnCovers('*contoso.com', host('contoso.com')), '*x covers x');
  t.ok(fqdnCovers('*', host('anything.example')));
  t.notOk(fqdnCovers('contoso.com', host('www.contoso.com')), 'a plain name covers only itself');
  t.ok(fqdnCovers('WWW.Contoso.COM.', host('www.contoso.com')), 'case and a final dot do not matter');
  t.ok(fqdnCovers('*.core.windows.net', { kind: 'wildcard', domain: 'blob.core.windows.net' }), 'a wildcard covers a narrower one');
  t.notOk(fqdnCovers('*.blob.core.windows.net', { kind: 'wildcard', domain: 'core.windows.net' }), 'but not a wider one');
  t.notOk(fqdnCovers('x.blob.core.windows.net', { kind: 'wildcard', domain: 'blob.core.windows.net' }), 'no single name covers every name');
});

t.test('first match wins: network rules before application rules, groups then collections by priority (https://learn.microsoft.com/azure/firewall/rule-processing)', async (t) => {
  const allowApp = application('allow-pypi', { targetFqdns: ['pypi.org'] });
  const denyNet = network('deny-all-443', { destinationAddresses: ['*'] });
  // The deny sits in a group of lower priority (a larger number), yet network rules come first.
  const cfg = config([group('apps', 100, [['web', 100, 'Allow', [allowApp]]]), group('net', 4000, [['block', 100, 'Deny', [denyNet]]])]);
  t.match(verdictOf(cfg, 'pypi.org:443'), { verdict: 'denied', rule: { group: 'net', collection: 'block', rule: 'deny-all-443', ruleType: 'NetworkRule' } });

  const denyApp = application('deny-pypi', { targetFqdns: ['*.org', 'pypi.org'] });
  const ordered = config([
    group('late', 300, [['allow', 100, 'Allow', [allowApp]]]),
    group('early', 200, [
      ['deny', 500, 'Deny', [denyApp]],
      ['allow', 600, 'Allow', [allowApp]],
    ]),
  ]);
  t.match(verdictOf(ordered, 'pypi.org:443'), { verdict: 'denied', rule: { group: 'early', collection: 'deny' } }, 'a deny collection at a higher priority than the allow');

  const parent = group('parent-allow', 65000, [['allow', 65000, 'Allow', [allowApp]]], 'base');
  const child = group('child-deny', 100, [['deny', 100, 'Deny', [denyApp]]]);
  const inherited: AuditConfig = { ...config([parent, child]), policies: [{ name: 'p', basePolicy: 'base', dnsProxy: true, threatIntelMode: null, sku: null, where: 'p' }] };
  t.match(verdictOf(inherited, 'pypi.org:443'), { verdict: 'allowed', rule: { policy: 'base', group: 'parent-allow' } }, "the parent's groups come first, whatever their priority");
  t.same(verdictOf(config([]), 'pypi.org:443'), { verdict: 'no-rule' }, 'nothing matches: the implicit deny');
});

t.test('what the firewall cannot do as configured', async (t) => {
  const fqdnRule = network('login', { destinationFqdns: ['login.microsoftonline.com'] });
  t.match(
    verdictOf(config([group('g', 100, [['c', 100, 'Allow', [fqdnRule]]])], false), 'login.microsoftonline.com:443'),
    { verdict: 'inexpressible', reason: /needs the policy's DNS proxy, which is off/ },
    'FQDN network rules need the DNS proxy (https://learn.microsoft.com/azure/firewall/fqdn-filtering-network-rules)',
  );
  t.match(verdictOf(config([group('g', 100, [['c', 100, 'Allow', [fqdnRule]]])], true), 'login.microsoftonline.com:443'), { verdict: 'allowed' });
  const wildcard = network('wild', { destinationFqdns: ['*.microsoftonline.com'] });
  t.match(verdictOf(config([group('g', 100, [['c', 100, 'Allow', [wildcard]]])]), 'login.microsoftonline.com:443'), { verdict: 'inexpressible', reason: /network rules take no wildcard FQDN/ });
  const smb = application('smb', { protocols: [{ protocolType: 'Https', port: 445 }], targetFqdns: ['st1.file.core.windows.net'] });
  t.match(verdictOf(config([group('g', 100, [['c', 100, 'Allow', [smb]]])]), 'st1.file.core.windows.net:445'), { verdict: 'inexpressible', reason: /application rule sees HTTP, HTTPS and MSSQL only; port 445\/tcp/ });
  const later = network('smb-net', { destinationPorts: ['445'], destinationFqdns: ['st1.file.core.windows.net'] });
  t.match(verdictOf(config([group('g', 100, [['c', 100, 'Allow', [smb]]]), group('h', 200, [['n', 100, 'Allow', [later]]])]), 'st1.file.core.windows.net:445'), { verdict: 'allowed', rule: { rule: 'smb-net' } }, 'a rule that works, anywhere in the order, allows it');
});

t.test('what depends on data not given', async (t) => {
  const tagged = network('storage', { destinationAddresses: ['Storage'] });
  t.match(verdictOf(config([group('g', 100, [['c', 100, 'Allow', [tagged]]])]), 'st1.blob.core.windows.net:443'), { verdict: 'allowed' }, 'the global tag holds the regional one the catalog names');
  const other = network('monitor', { destinationAddresses: ['AzureMonitor'] });
  t.match(verdictOf(config([group('g', 100, [['c', 100, 'Allow', [other]]])]), 'pypi.org:443'), { verdict: 'depends', on: ['service tag AzureMonitor'] });
  const sourced = application('pypi', { targetFqdns: ['pypi.org'], sourceAddresses: ['10.0.0.0/16'] });
  const cfg = config([group('g', 100, [['c', 100, 'Allow', [sourced]]])]);
  t.match(verdictOf(cfg, 'pypi.org:443'), { verdict: 'depends', on: ['the workspace subnet (give --source)'] });
  t.match(verdictOf(cfg, 'pypi.org:443', ['10.0.1.0/24']), { verdict: 'allowed' });
  t.same(verdictOf(cfg, 'pypi.org:443', ['10.9.0.0/24']), { verdict: 'no-rule' }, 'a source outside the rule');
  const ipGroup = application('pypi', { targetFqdns: ['pypi.org'], sourceAddresses: [], sourceIpGroups: ['/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/ipGroups/ipg-aml'] });
  t.match(verdictOf(config([group('g', 100, [['c', 100, 'Allow', [ipGroup]]])]), 'pypi.org:443', ['10.0.1.0/24']), { verdict: 'depends', on: ['IP group ipg-aml'] });
  const orphan: AuditConfig = { ...config([]), policies: [{ name: 'p', basePolicy: 'missing', dnsProxy: true, threatIntelMode: null, sku: null, where: 'p' }] };
  t.match(verdictOf(orphan, 'pypi.org:443'), { verdict: 'depends', on: [/firewall policy missing, the parent/] });
});

t.test('with the published service tags, a tag or prefix is decided by address (az network list-service-tags)', async (t) => {
  const { serviceTags } = readConfigs([fileURLToPath(new URL('../fixtures/audit/service-tags.json', import.meta.url))]);
  t.ok(serviceTags !== null && serviceTags.has('storage.westus2'));
  const withTags = (groups: RuleCollectionGroup[]): AuditConfig => ({ ...config(groups), serviceTags });
  const rule = (name: string, addresses: string[]) => network(name, { destinationAddresses: addresses });
  t.match(verdictOf(withTags([group('g', 100, [['c', 100, 'Allow', [rule('cloud', ['AzureCloud'])]]])]), 'st1.blob.core.windows.net:443'), { verdict: 'allowed', rule: { rule: 'cloud' } }, 'Storage.westus2 lies inside AzureCloud');
  t.same(verdictOf(withTags([group('g', 100, [['c', 100, 'Deny', [rule('monitor', ['AzureMonitor'])]]])]), 'st1.blob.core.windows.net:443'), { verdict: 'no-rule' }, 'AzureMonitor lies apart from Storage.westus2');
  t.match(verdictOf(withTags([group('g', 100, [['c', 100, 'Allow', [rule('prefix', ['198.51.100.0/24'])]]])]), 'st1.blob.core.windows.net:443'), { verdict: 'allowed' }, 'a prefix that holds the whole tag');
  t.match(verdictOf(withTags([group('g', 100, [['c', 100, 'Allow', [rule('narrow', ['198.51.100.0/26'])]]])]), 'st1.blob.core.windows.net:443'), { verdict: 'depends', on: ['the address of st1.blob.core.windows.net'] }, 'a prefix that holds part of it');
  t.match(verdictOf(withTags([group('g', 100, [['c', 100, 'Allow', [rule('sql', ['Sql'])]]])]), 'st1.blob.core.windows.net:443'), { verdict: 'depends', on: ['service tag Sql (not in the service-tag file)'] });
  t.match(verdictOf(withTags([group('g', 100, [['c', 100, 'Allow', [rule('cloud', ['AzureCloud'])]]])]), 'pypi.org:443'), { verdict: 'depends', on: ['service tag AzureCloud'] }, 'a host no tag holds still depends on its address');
  t.match(verdictOf(withTags([group('g', 100, [['c', 100, 'Allow', [network('batch', { ipProtocols: ['Any'], destinationAddresses: ['AzureCloud'] })]]])]), 'BatchNodeManagement.westus2:443'), { verdict: 'allowed' }, 'a target that is only a tag');
});

/**
 * The reference: the rules flattened into one list in the documented order, then read top to
 * bottom with plain comparisons, written apart from src/audit so a mistake in one shows.
 */
function reference(cfg: AuditConfig, traffic: Traffic, dnsProxy: boolean): { verdict: string; rule?: string } {
  type Row = { rule: PolicyRule; action: 'Allow' | 'Deny'; name: string };
  const rows: Row[] = [];
  for (const type of ['NetworkRule', 'ApplicationRule']) {
    const groups = [...cfg.groups].sort((a, b) => a.priority - b.priority);
    for (const g of groups) for (const c of [...g.collections].sort((a, b) => a.priority - b.priority)) for (const r of c.rules) if (r.ruleType === type && c.action !== 'DNAT') rows.push({ rule: r, action: c.action, name: `${g.name}/${c.name}/${r.name}` });
  }
  const dest = traffic.destination;
  const hostName = dest.kind === 'host' ? dest.name : null;
  const tags = dest.kind === 'tag' ? [dest.tag, ...traffic.tags] : traffic.tags;
  const sourceOk = (r: PolicyRule) => r.sourceAddresses.includes('*') || r.sourceAddresses.includes('10.0.0.0/16') || r.sourceAddresses.includes('10.0.1.0/24');
  const nameCovered = (f: string): boolean => {
    if (f === '*') return dest.kind !== 'tag';
    if (f.startsWith('*.')) {
      const rest = f.slice(2);
      if (dest.kind === 'host') return dest.name.endsWith(`.${rest}`);
      if (dest.kind === 'wildcard') return dest.domain === rest || dest.domain.endsWith(`.${rest}`);
      return false;
    }
    return hostName === f;
  };
  const undecided: Row[] = [];
  let cannot: Row | null = null;
  let decided: Row | null = null;
  for (const row of rows) {
    const r = row.rule;
    if (!sourceOk(r)) continue;
    let outcome: 'yes' | 'no' | 'depends' | 'cannot' = 'no';
    if (r.ruleType === 'NetworkRule') {
      const protocolOk = r.ipProtocols.includes('Any') || r.ipProtocols.includes(traffic.transport === 'udp' ? 'UDP' : 'TCP');
      const portOk = r.destinationPorts.some((p) => p === '*' || Number(p) === traffic.port);
      if (!protocolOk || !portOk) continue;
      if (r.destinationAddresses.includes('*')) outcome = 'yes';
      else if (r.destinationAddresses.some((a) => tags.some((tag) => tag.toLowerCase() === a.toLowerCase() || tag.toLowerCase().startsWith(`${a.toLowerCase()}.`)))) outcome = 'yes';
      else if (r.destinationFqdns.some((f) => f === hostName)) outcome = dnsProxy ? 'yes' : 'cannot';
      if (outcome === 'no' && r.destinationAddresses.length > 0) outcome = 'depends';
      if (outcome === 'no' && r.destinationFqdns.some((f) => f === hostName)) outcome = 'cannot';
    } else if (r.ruleType === 'ApplicationRule') {
      if (!r.targetFqdns.some(nameCovered)) continue;
      const wanted = traffic.application === 'http' ? 'Http' : traffic.application === 'https' ? 'Https' : traffic.transport === 'tcp' ? 'Mssql' : 'none';
      if (r.protocols.some((p) => p.port === traffic.port && p.protocolType === wanted)) outcome = 'yes';
      else if (traffic.application === 'other' && r.protocols.some((p) => p.port === traffic.port)) outcome = 'cannot';
    }
    if (outcome === 'no') continue;
    if (outcome === 'cannot') {
      if (row.action === 'Allow' && cannot === null) cannot = row;
      continue;
    }
    if (outcome === 'depends') {
      undecided.push(row);
      continue;
    }
    decided = row;
    break;
  }
  const allowed = decided?.action === 'Allow';
  const differ = undecided.find((u) => (u.action === 'Allow') !== allowed);
  if (differ !== undefined) return { verdict: 'depends', rule: differ.name };
  if (!allowed && cannot !== null) return { verdict: 'inexpressible', rule: cannot.name };
  if (decided === null) return { verdict: 'no-rule' };
  return { verdict: allowed ? 'allowed' : 'denied', rule: decided.name };
}

t.test('property: for random policies over the catalog targets, the audit agrees with a plain first-match reading', async (t) => {
  const audited = TARGETS.filter((candidate) => typeof trafficOf(candidate) !== 'string');
  const hosts = [...new Set(audited.map((a) => a.host).filter((h) => !h.startsWith('*') && !/^[A-Z]/.test(h)))];
  const tags = [...new Set(audited.flatMap((a) => a.rules.filter((r) => r.type === 'service-tag').map((r) => r.destination)))];
  const ports = [...new Set(audited.map((a) => a.port))];
  const next = random(20261202);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const parentOf = (host: string): string => host.split('.').slice(1).join('.');
  let compared = 0;
  const kinds = new Set<string>();
  for (let round = 0; round < 150; round++) {
    const groups: RuleCollectionGroup[] = [];
    const groupCount = 1 + Math.floor(next() * 3);
    for (let g = 0; g < groupCount; g++) {
      const collections: Array<[string, number, 'Allow' | 'Deny', PolicyRule[]]> = [];
      for (let c = 0; c < 1 + Math.floor(next() * 3); c++) {
        const rules: PolicyRule[] = [];
        for (let r = 0; r < 1 + Math.floor(next() * 3); r++) {
          const source = { sourceAddresses: [pick(['*', '10.0.0.0/16', '10.0.1.0/24', '192.168.0.0/16'])] };
          if (next() < 0.5) {
            const destination = pick(['fqdn', 'fqdn', 'tag', 'any'] as const);
            rules.push(
              network(`n${r}`, {
                ...source,
                ipProtocols: [pick(['TCP', 'UDP', 'Any'] as const)],
                destinationPorts: [pick([...ports.map(String), '*'])],
                destinationFqdns: destination === 'fqdn' ? [pick(hosts)] : [],
                destinationAddresses: destination === 'tag' ? [pick(tags)] : destination === 'any' ? ['*'] : [],
              }),
            );
          } else {
            const host = pick(hosts);
            const fqdn = pick([host, `*.${parentOf(host)}`, parentOf(host), '*']);
            rules.push(application(`a${r}`, { ...source, protocols: [{ protocolType: pick(['Http', 'Https'] as const), port: pick([80, 443, 445, ...ports]) }], targetFqdns: [fqdn] }));
          }
        }
        collections.push([`c${c}`, 100 + Math.floor(next() * 5) * 100 + c, pick(['Allow', 'Allow', 'Deny'] as const), rules]);
      }
      groups.push(group(`g${g}`, 100 + g * 100 + Math.floor(next() * 50), collections));
    }
    const dnsProxy = next() < 0.5;
    const cfg = config(groups, dnsProxy);
    const result = auditTargets(cfg, audited, ['10.0.1.0/24']);
    for (const [index, audit] of result.targets.entries()) {
      const traffic = trafficOf(audited[index] as Target) as Traffic;
      const expected = reference(cfg, traffic, dnsProxy);
      const got = audit.verdict;
      const gotRule = 'rule' in got && got.rule !== null && got.rule.layer === 'firewall' ? `${got.rule.group}/${got.rule.collection}/${got.rule.rule}` : undefined;
      kinds.add(got.verdict);
      compared++;
      if (got.verdict !== expected.verdict || gotRule !== expected.rule) {
        t.fail(`round ${round}, ${audit.id}: audit says ${got.verdict} ${gotRule ?? ''}, the reference ${expected.verdict} ${expected.rule ?? ''}`);
        return;
      }
    }
    // The same collections as a classic firewall's own (az network firewall show): one ordering of every collection.
    const collections = groups.flatMap((g) => g.collections);
    const classic: AuditConfig = { policies: [], groups: [], inputs: [], warnings: [], serviceTags: null, firewalls: [{ name: 'fw', policy: null, dnsProxy, threatIntelMode: null, sku: null, privateIp: null, collections, where: 'fw' }] };
    const flat = config([{ name: 'fw', priority: 100, policy: null, collections, where: 'fw' }], dnsProxy);
    for (const [index, audit] of auditTargets(classic, audited, ['10.0.1.0/24']).targets.entries()) {
      const expected = reference(flat, trafficOf(audited[index] as Target) as Traffic, dnsProxy);
      const got = audit.verdict;
      const gotRule = 'rule' in got && got.rule !== null && got.rule.layer === 'classic-firewall' ? `${got.rule.firewall}/${got.rule.collection}/${got.rule.rule}` : undefined;
      compared++;
      if (got.verdict !== expected.verdict || gotRule !== expected.rule) {
        t.fail(`round ${round} (classic), ${audit.id}: audit says ${got.verdict} ${gotRule ?? ''}, the reference ${expected.verdict} ${expected.rule ?? ''}`);
        return;
      }
    }
  }
  t.ok(compared > 10000, `compared ${compared} verdicts`);
  t.same([...kinds].sort(), ['allowed', 'denied', 'depends', 'inexpressible', 'no-rule'], 'every verdict came up');
});
