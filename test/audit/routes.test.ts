import { fileURLToPath } from 'node:url';
import t from 'tap';
import { auditTargets } from '../../src/audit/audit.js';
import { trafficOf, type Traffic } from '../../src/audit/evaluate.js';
import { readConfigs } from '../../src/audit/read.js';
import { SYSTEM_ROUTES } from '../../src/audit/routes.js';
import type { AuditConfig, AuditedTarget, AzureFirewall, Route, RouteTable } from '../../src/audit/types.js';
import { expandCatalog } from '../../src/catalog/expand.js';
import { resolveWorkspace } from '../../src/commands/shared/workspace.js';
import type { Target } from '../../src/model/target.js';
import { random } from '../helpers/random.js';

// Route tables and effective routes shaped as the Microsoft.Network REST API 2024-05-01 defines them (routeTable.json,
// networkInterface.json), as az and ARM exports print them (test/fixtures/audit/README.md). Semantics:
// https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview
const FIXTURES = fileURLToPath(new URL('../fixtures/audit/', import.meta.url));
const fixture = (name: string): string => `${FIXTURES}${name}`;

const facts = { region: 'westus2', workspaceId: '0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11', workspaceName: 'ws1', storageAccount: 'st1', keyVault: 'kv1', containerRegistry: 'acr1', computeInstance: ['ci1'] };
const targetsOf = (extra: Record<string, unknown> = {}): Target[] => {
  const workspace = resolveWorkspace({ ...facts, ...extra } as never);
  return expandCatalog(workspace.catalog, workspace.facts);
};
const TARGETS = targetsOf();
const PRIVATE = targetsOf({ privateEndpoint: true });
const target = (id: string, from: readonly Target[] = TARGETS): Target => {
  const found = from.find((candidate) => candidate.id === id);
  if (found === undefined) throw new Error(`no target ${id}`);
  return found;
};

const route = (name: string, addressPrefix: string, nextHopType: Route['nextHopType'], nextHopIpAddress: string | null = null): Route => ({ name, addressPrefix, nextHopType, nextHopIpAddress, source: 'User', added: false });
const table = (routes: Route[]): RouteTable => ({ name: 'rt', effective: false, disableBgpRoutePropagation: false, routes: [...routes, ...SYSTEM_ROUTES], systemRoutesAdded: [], where: 'rt' });
const serviceTags = () => readConfigs([fixture('service-tags.json')]).serviceTags;
/** A firewall whose one rule collection allows everything: what the routes do is then all that differs. */
const allowAll = readConfigs([fixture('hub-parent-policy.json')]).policies;
const config = (routes: Route[], extra: Partial<AuditConfig> = {}): AuditConfig => ({ policies: [], groups: [], routeTables: [table(routes)], inputs: [], warnings: [], serviceTags: null, ...extra });
const audit = (cfg: AuditConfig, id: string, from: readonly Target[] = TARGETS): AuditedTarget => auditTargets(cfg, [target(id, from)], ['10.0.1.0/24']).targets[0] as AuditedTarget;

t.test('az network route-table show: the routes read, Azure system routes added and named', async (t) => {
  const read = readConfigs([fixture('route-table-forced-tunnel.json')]);
  t.same(
    read.inputs.map((input) => input.kind),
    ['route-table'],
  );
  t.same(read.warnings, [], 'every field az prints is read or says nothing about the next hop');
  const [only] = read.routeTables ?? [];
  t.equal(only?.name, 'rt-aml-forced');
  t.equal(only?.disableBgpRoutePropagation, true);
  t.match(only?.routes[0], { name: 'to-firewall', addressPrefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIpAddress: '10.1.0.4', source: 'User', added: false });
  t.same(only?.systemRoutesAdded, ['VirtualNetwork → VnetLocal', '0.0.0.0/0 → Internet', '10.0.0.0/8 → None', '172.16.0.0/12 → None', '192.168.0.0/16 → None', '100.64.0.0/10 → None']);
});

t.test('an ARM template: a route table with routes nested, and a routes resource of its own added to it', async (t) => {
  const read = readConfigs([fixture('route-template.json')]);
  t.same(
    read.inputs.map((input) => input.kind),
    ['arm-template'],
  );
  const [only] = read.routeTables ?? [];
  t.equal(only?.name, 'rt-aml', 'the name from the parameter it names');
  t.same(
    only?.routes.filter((r) => !r.added).map((r) => [r.name, r.addressPrefix, r.nextHopType, r.nextHopIpAddress]),
    [
      ['to-firewall', '0.0.0.0/0', 'VirtualAppliance', '10.1.0.4'],
      ['storage-direct', 'Storage', 'Internet', null],
    ],
  );
});

t.test('az network nic show-effective-route-table: Invalid routes left out, no system route added', async (t) => {
  const read = readConfigs([fixture('effective-routes.json')]);
  t.same(
    read.inputs.map((input) => input.kind),
    ['effective-routes'],
  );
  t.same(read.warnings, []);
  const [only] = read.routeTables ?? [];
  t.equal(only?.effective, true);
  t.same(only?.systemRoutesAdded, []);
  t.notOk(
    only?.routes.some((r) => r.nextHopType === 'Internet'),
    'the system 0.0.0.0/0 → Internet is Invalid: the user route replaced it',
  );
  t.match(only?.routes.at(-1), { name: 'to-firewall', source: 'User', nextHopType: 'VirtualAppliance', nextHopIpAddress: '10.1.0.4' });
});

t.test('longest prefix, then user over system routes', async (t) => {
  const tags = serviceTags();
  // Storage.westus2 is 198.51.100.0/25 in the fixture file: the blob host lies in it.
  const cfg = (routes: Route[]) => config(routes, { serviceTags: tags });
  t.match(audit(cfg([route('default', '0.0.0.0/0', 'None')]), 'pypi.org:443').verdict, { verdict: 'denied', rule: { layer: 'route', table: 'rt', rule: 'default', nextHopType: 'None', action: 'Deny' } }, 'a user 0.0.0.0/0 beats the system one at equal prefix');
  t.match(audit(cfg([]), 'pypi.org:443').verdict, { verdict: 'allowed', rule: { rule: null, addressPrefix: '0.0.0.0/0', nextHopType: 'Internet', added: true } }, 'without user routes, the system default');
  t.match(
    audit(cfg([route('default', '0.0.0.0/0', 'Internet'), route('blob', '198.51.100.0/24', 'None')]), 'st1.queue.core.windows.net:443').verdict,
    { verdict: 'depends', on: [/whether st1\.queue\.core\.windows\.net resolves to a private endpoint or a public address/] },
    'publicly the /24 holds it; a private endpoint takes the VNet route',
  );
  t.match(audit(cfg([route('default', '0.0.0.0/0', 'Internet'), route('blob', '198.51.100.0/24', 'None')]), 'login.microsoftonline.com:443').verdict, { verdict: 'allowed', rule: { rule: 'default' } }, 'AzureActiveDirectory lies apart from the /24');
  t.match(audit(cfg([route('default', '0.0.0.0/0', 'Internet'), route('some', '20.0.0.0/8', 'None')]), 'pypi.org:443').verdict, { verdict: 'depends', on: [/the address of pypi\.org/], rule: { rule: 'some' } }, 'a host no tag holds: a specific prefix may hold its address');
  t.match(audit(cfg([route('default', '0.0.0.0/0', 'Internet'), route('some', '20.0.0.0/8', 'Internet')]), 'pypi.org:443').verdict, { verdict: 'allowed' }, 'both routes end alike: the address does not matter');
  t.match(audit(cfg([route('default', '0.0.0.0/0', 'Internet'), route('lan', '192.168.0.0/16', 'None')]), 'pypi.org:443').verdict, { verdict: 'allowed', rule: { rule: 'default' } }, 'a public name never lies in a reserved private range');
});

t.test('a service tag as the prefix: by the catalog tags, by address with the service-tag file', async (t) => {
  const routes = [route('default', '0.0.0.0/0', 'Internet'), route('no-entra', 'AzureActiveDirectory', 'None')];
  t.match(audit(config(routes), 'login.microsoftonline.com:443').verdict, { verdict: 'denied', rule: { rule: 'no-entra', addressPrefix: 'AzureActiveDirectory' } }, 'the catalog says the tag holds the host, and a tag beats 0.0.0.0/0');
  t.match(audit(config(routes), 'pypi.org:443').verdict, { verdict: 'depends', on: [/service tag AzureActiveDirectory's prefixes/] }, 'without the file, another host may lie in the tag');
  t.match(audit(config(routes, { serviceTags: serviceTags() }), 'management.azure.com:443').verdict, { verdict: 'allowed', rule: { rule: 'default' } }, 'with it, AzureResourceManager lies apart from AzureActiveDirectory');
});

t.test('0.0.0.0/0 to a virtual appliance: the firewall decides; several appliances: which is the firewall is not guessed', async (t) => {
  const withFirewall = (routes: Route[], extra: Partial<AuditConfig> = {}) => config(routes, { policies: allowAll, groups: readConfigs([fixture('hub-parent-groups.json')]).groups, ...extra });
  const through = audit(withFirewall([route('to-firewall', '0.0.0.0/0', 'VirtualAppliance', '10.1.0.4')]), 'st1.file.core.windows.net:445', PRIVATE);
  t.match(through.layers, [{ layer: 'route', verdict: { verdict: 'allowed', rule: { rule: 'to-firewall' } } }, { layer: 'firewall' }]);
  const denied = audit(withFirewall([route('to-firewall', '0.0.0.0/0', 'VirtualAppliance', '10.1.0.4')]), 'pypi.org:443');
  t.same(denied.verdict, denied.layers[1]?.verdict, 'the firewall on the path decides');
  t.equal(denied.layers[1]?.layer, 'firewall');
  t.equal(denied.layers[1]?.bypassed, undefined);
  // `az network firewall show` of the firewall that runs the policy: its private IP says which appliance it is.
  const hubFirewall: AzureFirewall = { name: 'fw-hub', policy: 'fwp-hub-parent', dnsProxy: true, threatIntelMode: null, sku: null, privateIp: '10.1.0.4', collections: [], where: 'fw-hub' };
  const two = withFirewall([route('to-firewall', '0.0.0.0/0', 'VirtualAppliance', '10.1.0.4'), route('storage', 'Storage', 'VirtualAppliance', '10.2.0.4')]);
  t.match(audit(two, 'pypi.org:443').verdict, { verdict: 'depends', on: [/which of the virtual appliances 10\.1\.0\.4, 10\.2\.0\.4 is the firewall|service tag Storage/] });
  t.match(audit({ ...two, firewalls: [hubFirewall] }, 'pypi.org:443').layers[0]?.verdict, { verdict: 'depends', on: [/service tag Storage's prefixes/] }, 'with its address known, the other appliance is another path');
  t.match(audit({ ...two, firewalls: [hubFirewall], serviceTags: serviceTags() }, 'st1.blob.core.windows.net:443').verdict, { verdict: 'depends' }, 'a private-link name: the storage appliance publicly, the VNet privately');
  t.match(audit(config([route('to-nva', '0.0.0.0/0', 'VirtualAppliance', '10.1.0.4')]), 'pypi.org:443').verdict, { verdict: 'depends', on: ['what virtual appliance 10.1.0.4 allows (no export of its rules is given)'] }, 'no firewall export: the appliance is not audited');
});

t.test('a route to the Internet past a given firewall: allowed by the route, the firewall marked bypassed', async (t) => {
  const groups = readConfigs([fixture('mistakes-policy.json'), fixture('mistakes-groups.json')]);
  const cfg = config([route('default-internet', '0.0.0.0/0', 'Internet')], { policies: groups.policies, groups: groups.groups });
  const blob = audit(cfg, 'anaconda.com:443');
  t.match(blob.verdict, { verdict: 'allowed', rule: { layer: 'route', rule: 'default-internet', nextHopType: 'Internet' } }, 'the firewall would find no rule, but never sees it: not a false alarm');
  t.match(blob.layers, [
    { layer: 'route', verdict: { verdict: 'allowed' } },
    { layer: 'firewall', verdict: { verdict: 'no-rule' }, bypassed: { always: true, expected: false, reason: /sends it to the Internet, past the firewall/ } },
  ]);
  const gateway = audit(config([route('on-premises', '0.0.0.0/0', 'VirtualNetworkGateway')], { policies: groups.policies, groups: groups.groups }), 'anaconda.com:443');
  t.match(gateway.verdict, { verdict: 'depends', on: [/what the network behind the virtual network gateway allows/] }, 'forced tunnelling to on-premises: not audited there');
});

t.test('a BGP route more specific than the VNet route does not take traffic from it', async (t) => {
  const effective = (routes: Route[]): AuditConfig => ({ policies: [], groups: [], routeTables: [{ name: 'effective routes', effective: true, disableBgpRoutePropagation: false, routes, systemRoutesAdded: [], where: 'e' }], inputs: [], warnings: [], serviceTags: null });
  const workspaceApi = PRIVATE.find((candidate) => candidate.id.includes('.workspace.westus2.api.azureml.ms')) as Target;
  const system = (addressPrefix: string, nextHopType: Route['nextHopType']): Route => ({ name: null, addressPrefix, nextHopType, nextHopIpAddress: null, source: 'Default', added: false });
  const bgp: Route = { name: null, addressPrefix: '10.0.2.0/24', nextHopType: 'VirtualNetworkGateway', nextHopIpAddress: null, source: 'VirtualNetworkGateway', added: false };
  t.match(audit(effective([system('10.0.0.0/16', 'VnetLocal'), system('0.0.0.0/0', 'Internet'), bgp]), workspaceApi.id, PRIVATE).verdict, { verdict: 'allowed', rule: { nextHopType: 'VnetLocal' } }, 'the VNet system route is preferred over the longer BGP route');
  t.match(
    audit(effective([system('10.0.0.0/16', 'VnetLocal'), system('0.0.0.0/0', 'Internet'), { ...bgp, source: 'User', nextHopType: 'None' }]), workspaceApi.id, PRIVATE).verdict,
    { verdict: 'depends', on: [/the private address of/] },
    'a longer user route is not: it may hold the address',
  );
});

t.test('private endpoints take the VNet route; a plain table does not say the VNet space, effective routes do', async (t) => {
  const plain = config([route('default', '0.0.0.0/0', 'None')]);
  t.match(audit(plain, 'st1.file.core.windows.net:445', PRIVATE).verdict, { verdict: 'depends' }, 'st1 has no private endpoint in these facts: either way');
  const workspaceApi = PRIVATE.find((candidate) => candidate.id.includes('.workspace.westus2.api.azureml.ms')) as Target;
  t.match(audit(plain, workspaceApi.id, PRIVATE).verdict, { verdict: 'allowed', rule: { addressPrefix: 'VirtualNetwork', nextHopType: 'VnetLocal', added: true } }, 'a private endpoint: the VNet route, longer than any 0.0.0.0/0');
  t.match(
    audit(config([route('default', '0.0.0.0/0', 'None'), route('spoke', '10.2.0.0/16', 'None')]), workspaceApi.id, PRIVATE).verdict,
    { verdict: 'depends', on: [/the private address of .* and the virtual network's address space/] },
    'a user route for a private prefix may hold it',
  );
  const effective = readConfigs([fixture('effective-routes.json')]);
  t.match(audit(effective, workspaceApi.id, PRIVATE).verdict, { verdict: 'allowed', rule: { nextHopType: /^(VnetLocal|VNetPeering|InterfaceEndpoint)$/ } }, "effective routes give the VNet's and its peerings' prefixes, each longer than the reserved None");
});

t.test('the fixtures end to end: forced tunnel, past the firewall, a route to None', async (t) => {
  const hub = ['hub-parent-policy.json', 'hub-parent-groups.json', 'hub-child-policy.json', 'hub-child-groups.json'].map(fixture);
  const run = (extra: string[]) => auditTargets(readConfigs([...hub, ...extra.map(fixture), fixture('service-tags.json')]), TARGETS, ['10.0.1.0/24']);
  const forced = run(['route-table-forced-tunnel.json']);
  t.match(forced.targets.find((x) => x.id === 'login.microsoftonline.com:443')?.verdict, { verdict: 'allowed', rule: { layer: 'firewall', rule: 'aml-endpoints' } }, 'through the firewall, which allows it');
  const past = run(['route-table-past-firewall.json']);
  const login = past.targets.find((x) => x.id === 'login.microsoftonline.com:443');
  t.match(login?.verdict, { verdict: 'allowed', rule: { layer: 'route', rule: 'default-internet' } });
  t.match(login?.layers.at(-1), { layer: 'firewall', bypassed: { always: true } });
  const none = run(['route-table-none.json']);
  t.match(none.targets.find((x) => x.id === 'login.microsoftonline.com:443')?.verdict, { verdict: 'denied', rule: { layer: 'route', rule: 'no-entra' } });
  t.equal(none.exitCode, 1);
});

/**
 * The reference: the routes read as plain numbers, the longest prefix found by a loop for each
 * address where the set of routes holding it can change, written apart from src/audit so that a
 * mistake in one shows. Public targets only, explicit prefixes only, no firewall: None denies, the
 * Internet allows, an appliance or the gateway leaves it to what is behind them.
 */
const RESERVED = ['0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16', '224.0.0.0/3'];
function cidr(text: string): [number, number] {
  const [address, length] = text.split('/') as [string, string];
  const base = address.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
  const size = 2 ** (32 - Number(length));
  return [base - (base % size), base - (base % size) + size - 1];
}
function reference(routes: readonly Route[], held: readonly string[], tagFile: Record<string, string[]>): { verdict: string; rule: string | null } {
  const inside = (point: number, ranges: readonly string[]): boolean => ranges.some((c) => point >= cidr(c)[0] && point <= cidr(c)[1]);
  // Segments between every edge of the reserved and tag ranges: each lies wholly in or out of each of them.
  const edges = [...new Set([0, ...[...RESERVED, ...Object.values(tagFile).flat()].flatMap((c) => [cidr(c)[0], cidr(c)[1] + 1])])].filter((e) => e < 2 ** 32).sort((a, b) => a - b);
  const segments = edges.map((e, i): [number, number] => [e, (edges[i + 1] ?? 2 ** 32) - 1]);
  let candidate = segments.filter(([first]) => !inside(first, RESERVED));
  for (const tag of held) {
    const ranges = tagFile[tag.toLowerCase()];
    if (ranges === undefined || ranges.length === 0) continue;
    const narrowed = candidate.filter(([first]) => inside(first, ranges));
    if (narrowed.length > 0) candidate = narrowed;
  }
  const points = new Set<number>();
  for (const [first, last] of candidate) {
    points.add(first);
    for (const r of routes) for (const edge of [cidr(r.addressPrefix)[0], cidr(r.addressPrefix)[1] + 1]) if (edge > first && edge <= last) points.add(edge);
  }
  const winners = new Set<Route>();
  for (const point of points) {
    let best: Route | null = null;
    for (const r of routes) {
      const [first, last] = cidr(r.addressPrefix);
      if (point < first || point > last) continue;
      const length = Number(r.addressPrefix.split('/')[1]);
      const bestLength = best === null ? -1 : Number(best.addressPrefix.split('/')[1]);
      if (length > bestLength || (length === bestLength && r.source === 'User' && best?.source !== 'User')) best = r;
    }
    if (best !== null) winners.add(best);
  }
  const ends = new Set([...winners].map((r) => `${r.nextHopType} ${r.nextHopIpAddress ?? ''}`));
  if (ends.size !== 1) return { verdict: 'depends', rule: null };
  const [only] = winners;
  const verdict = only?.nextHopType === 'None' ? 'denied' : only?.nextHopType === 'Internet' ? 'allowed' : 'depends';
  return { verdict, rule: winners.size === 1 ? (only?.name ?? null) : null };
}

t.test('property: for random route tables over the catalog targets, the audit agrees with a plain longest-prefix reading', async (t) => {
  const tags = serviceTags();
  const tagFile: Record<string, string[]> = {};
  for (const name of ['azurecloud', 'storage.westus2', 'azuremonitor', 'batchnodemanagement.westus2', 'azuremachinelearning', 'storage', 'azureresourcemanager', 'azureactivedirectory']) tagFile[name] = [];
  Object.assign(tagFile, {
    azurecloud: ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24'],
    'storage.westus2': ['198.51.100.0/25'],
    azuremonitor: ['203.0.113.0/26'],
    'batchnodemanagement.westus2': ['192.0.2.128/26'],
    azuremachinelearning: ['192.0.2.0/26'],
    storage: ['198.51.100.0/24'],
    azureresourcemanager: ['203.0.113.192/26'],
    azureactivedirectory: ['203.0.113.64/26'],
  });
  const audited = TARGETS.filter((candidate) => {
    const traffic = trafficOf(candidate);
    return typeof traffic !== 'string' && traffic.address === 'public';
  });
  const prefixes = ['0.0.0.0/0', '0.0.0.0/1', '128.0.0.0/1', '192.0.2.0/24', '192.0.2.0/26', '192.0.2.32/27', '203.0.113.0/24', '203.0.113.64/26', '203.0.113.64/28', '198.51.100.0/25', '20.0.0.0/8', '192.168.0.0/16'];
  const hops: Array<[Route['nextHopType'], string | null]> = [
    ['Internet', null],
    ['None', null],
    ['VirtualAppliance', '10.1.0.4'],
    ['VirtualNetworkGateway', null],
  ];
  const next = random(20261202);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  let compared = 0;
  const seen = new Set<string>();
  for (let round = 0; round < 150; round++) {
    const chosen = [...new Set(Array.from({ length: 1 + Math.floor(next() * 5) }, () => pick(prefixes)))];
    const routes = chosen.map((prefix, index) => {
      const [hop, ip] = pick(hops);
      return route(`r${index}`, prefix, hop, ip);
    });
    const cfg = config(routes, { serviceTags: tags });
    const result = auditTargets(cfg, audited, ['10.0.1.0/24']);
    const all = cfg.routeTables?.[0]?.routes.filter((r) => r.addressPrefix !== 'VirtualNetwork') ?? [];
    for (const [index, got] of result.targets.entries()) {
      const traffic = trafficOf(audited[index] as Target) as Traffic;
      const held = traffic.destination.kind === 'tag' ? [traffic.destination.tag, ...traffic.tags] : traffic.tags;
      const expected = reference(all, held, tagFile);
      const gotRule = 'rule' in got.verdict && got.verdict.rule !== null && got.verdict.rule.layer === 'route' ? got.verdict.rule.rule : null;
      compared++;
      seen.add(got.verdict.verdict);
      if (got.verdict.verdict !== expected.verdict || (expected.rule !== null && gotRule !== expected.rule)) {
        t.fail(`round ${round}, ${got.id}, routes ${routes.map((r) => `${r.addressPrefix}→${r.nextHopType}`).join(' ')}: audit says ${got.verdict.verdict} ${gotRule ?? ''}, the reference ${expected.verdict} ${expected.rule ?? ''}`);
        return;
      }
    }
  }
  t.ok(compared > 3000, `compared ${compared} verdicts`);
  t.same([...seen].sort(), ['allowed', 'denied', 'depends'], 'allowed, denied and depends all came up');
});
