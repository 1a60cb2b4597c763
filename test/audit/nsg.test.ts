import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { inputLabel } from '../../src/io/input-file.js';
import { auditTargets } from '../../src/audit/audit.js';
import { trafficOf, type Traffic } from '../../src/audit/evaluate.js';
import { DEFAULT_NSG_RULES } from '../../src/audit/nsg.js';
import { readConfigs } from '../../src/audit/read.js';
import type { AuditConfig, AuditVerdict, NetworkSecurityGroup, NsgRule } from '../../src/audit/types.js';
import { expandCatalog } from '../../src/catalog/expand.js';
import { resolveWorkspace } from '../../src/commands/shared/workspace.js';
import { InputError } from '../../src/model/errors.js';
import type { Target } from '../../src/model/target.js';
import { random } from '../helpers/random.js';

// NSG exports shaped as the Microsoft.Network REST API 2024-05-01 defines them (networkSecurityGroup.json,
// networkInterface.json), as az and ARM exports print them (test/fixtures/audit/README.md).
const FIXTURES = fileURLToPath(new URL('../fixtures/audit/', import.meta.url));
const fixture = (name: string): string => `${FIXTURES}${name}`;

const workspace = resolveWorkspace({ region: 'westus2', workspaceId: '0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11', workspaceName: 'ws1', storageAccount: 'st1', keyVault: 'kv1', containerRegistry: 'acr1', computeInstance: ['ci1'] } as never);
const TARGETS = expandCatalog(workspace.catalog, workspace.facts);
const target = (id: string): Target => {
  const found = TARGETS.find((candidate) => candidate.id === id);
  if (found === undefined) throw new Error(`no target ${id}`);
  return found;
};

const rule = (name: string, priority: number, fields: Partial<NsgRule>): NsgRule => ({
  name,
  priority,
  direction: 'Outbound',
  access: 'Allow',
  protocol: 'Tcp',
  sourcePrefixes: ['*'],
  sourcePorts: ['*'],
  destinationPrefixes: ['*'],
  destinationPorts: ['443'],
  sourceAsgs: [],
  destinationAsgs: [],
  isDefault: false,
  ...fields,
});
const nsg = (name: string, rules: NsgRule[]): NetworkSecurityGroup => ({ name, effective: false, defaultsAdded: [], rules: [...rules, ...DEFAULT_NSG_RULES], where: name });
const config = (nsgs: NetworkSecurityGroup[], serviceTags: AuditConfig['serviceTags'] = null): AuditConfig => ({ policies: [], groups: [], nsgs, inputs: [], warnings: [], serviceTags });
const verdictOf = (cfg: AuditConfig, id: string, sources: string[] = ['10.0.1.0/24']): AuditVerdict => auditTargets(cfg, [target(id)], sources).targets[0]?.verdict as AuditVerdict;
const serviceTags = () => readConfigs([fixture('service-tags.json')]).serviceTags;

function failure(file: string): InputError {
  try {
    readConfigs([file]);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error(`${file} was read without an error`);
}

t.test('az network nsg show: properties flattened, the default rules as az prints them, no warning', async (t) => {
  const read = readConfigs([fixture('nsg-show.json')]);
  t.same(
    read.inputs.map((input) => input.kind),
    ['nsg'],
  );
  t.same(read.warnings, []);
  const [only] = read.nsgs ?? [];
  t.equal(only?.name, 'nsg-aml-subnet');
  t.same(only?.defaultsAdded, []);
  t.same(
    only?.rules.filter((r) => r.direction === 'Outbound').map((r) => [r.name, r.priority, r.isDefault]),
    [
      ['Allow-AzureMachineLearning', 100, false],
      ['Allow-Storage', 110, false],
      ['Allow-VNet', 3000, false],
      ['Deny-All-Outbound', 4000, false],
      ['Allow-AzureActiveDirectory', 4010, false],
      ['AllowVnetOutBound', 65000, true],
      ['AllowInternetOutBound', 65001, true],
      ['DenyAllOutBound', 65500, true],
    ],
  );
  t.same(only?.rules[1]?.destinationPorts, ['443', '445'], 'destinationPortRange and destinationPortRanges together');
});

t.test('an ARM template export leaves the default rules out: they are added, and a warning says so (https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#default-security-rules)', async (t) => {
  const read = readConfigs([fixture('nsg-template.json')]);
  t.same(
    read.inputs.map((input) => input.kind),
    ['arm-template'],
  );
  const [only] = read.nsgs ?? [];
  t.equal(only?.name, 'nsg-open', 'the name from the parameter it names');
  t.same(only?.defaultsAdded, ['AllowVnetInBound', 'AllowAzureLoadBalancerInBound', 'DenyAllInBound', 'AllowVnetOutBound', 'AllowInternetOutBound', 'DenyAllOutBound']);
  t.match(read.warnings, [/nsg-template\.json: resources\[0\]: NSG 'nsg-open' leaves out the default rules AllowVnetInBound, .*DenyAllOutBound; added as Azure adds them to every NSG/]);
  t.match(only?.rules[0], { name: 'Deny-SMB-Outbound', priority: 200, access: 'Deny', sourcePrefixes: ['10.0.1.0/24'], destinationPorts: ['445'] }, 'properties nested under properties');
  t.match(only?.rules.at(-1), { name: 'DenyAllOutBound', priority: 65500, access: 'Deny', isDefault: true });
});

t.test('az network nic list-effective-nsg: the NIC NSG before the subnet NSG (https://learn.microsoft.com/azure/virtual-network/network-security-group-how-it-works)', async (t) => {
  const read = readConfigs([fixture('nsg-effective.json')]);
  t.same(
    read.inputs.map((input) => input.kind),
    ['effective-nsg'],
  );
  t.same(
    read.nsgs?.map((n) => [n.name, n.effective, n.defaultsAdded.length]),
    [
      ['nsg-ci1-nic', true, 0],
      ['nsg-aml-subnet', true, 0],
    ],
    'az lists the subnet NSG first; outbound traffic meets the NIC NSG first',
  );
  t.match(read.nsgs?.[1]?.rules[0], { name: 'Allow-AzureMachineLearning', protocol: 'Tcp', destinationPorts: ['443-443'], isDefault: false }, '`securityRules/` taken off the name');
  t.match(read.nsgs?.[1]?.rules.at(-1), { name: 'DenyAllOutBound', protocol: '*', destinationPrefixes: ['0.0.0.0/0'], isDefault: true }, '`All` read as `*`');
  t.match(read.warnings, [/nsg-effective\.json: value\[\*\]\.effectiveSecurityRules\[\*\]\.expandedDestinationAddressPrefix: not modelled by audit/]);
});

t.test('each malformed NSG export is refused in one line naming the file, the key path and what was expected', async (t) => {
  const expected: Record<string, RegExp> = {
    'asg-not-an-asg.json': /: securityRules\[0\]\.destinationApplicationSecurityGroups\[0\]\.id: expected the id of an application security group/,
    'direction-unknown.json': /: securityRules\[2\]\.direction: expected Inbound or Outbound; got "Outgoing"$/,
    'effective-access-unknown.json': /: value\[0\]\.effectiveSecurityRules\[0\]\.access: expected Allow or Deny; got "Permit"$/,
    'effective-without-nsg.json': /: value\[1\]\.networkSecurityGroup: expected \{"id": …\} of the NSG; got nothing$/,
    'port-range-reversed.json': /: securityRules\[1\]\.destinationPortRanges\[1\]: expected \*, a port or a range of ports \(0-65535\); got "445-139"$/,
    'prefix-not-an-address.json': /: securityRules\[1\]\.destinationAddressPrefix: expected \*, an IP address, a CIDR prefix, a range a-b or a service tag; got "10\.0\.0\.0\/33"$/,
    'priority-out-of-range.json': /: securityRules\[3\]\.priority: expected an integer from 100 to 4096; got 5000$/,
    'protocol-unknown.json': /: securityRules\[0\]\.protocol: expected Tcp, Udp, Icmp, Esp, Ah or \*; got "Tcp6"$/,
    'rules-not-a-list.json': /: securityRules: expected a list of security rules; got \{/,
  };
  const files = readdirSync(`${FIXTURES}invalid-nsg`).sort();
  t.same(files, Object.keys(expected).sort(), 'one expectation per invalid fixture');
  for (const name of files) {
    const line = failure(fixture(`invalid-nsg/${name}`)).toLine();
    t.match(line, expected[name] as RegExp, name);
    t.ok(line.startsWith(inputLabel(fixture(`invalid-nsg/${name}`))), `${name}: the message starts with the file`);
    t.notMatch(line, /\n/);
  }
});

t.test('ascending priority, first match: a custom deny above the allow wins (https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#security-rules)', async (t) => {
  const allow = rule('allow-aad', 4010, { destinationPrefixes: ['AzureActiveDirectory'] });
  const deny = rule('deny-all', 4000, { access: 'Deny', protocol: '*', destinationPorts: ['*'] });
  t.match(verdictOf(config([nsg('n', [allow, deny])]), 'login.microsoftonline.com:443'), { verdict: 'denied', rule: { layer: 'nsg', nsg: 'n', rule: 'deny-all', priority: 4000 } }, 'the order in the export does not matter, the priority does');
  t.match(verdictOf(config([nsg('n', [{ ...allow, priority: 3990 }, deny])]), 'login.microsoftonline.com:443'), { verdict: 'allowed', rule: { rule: 'allow-aad' } });
  t.match(verdictOf(config([nsg('n', [])]), 'login.microsoftonline.com:443'), { verdict: 'allowed', rule: { rule: 'AllowInternetOutBound', priority: 65001, isDefault: true } }, 'the default rules allow the Internet');
  t.match(verdictOf(config([nsg('n', [rule('in', 100, { direction: 'Inbound', access: 'Deny', destinationPorts: ['*'] })])]), 'login.microsoftonline.com:443'), { verdict: 'allowed' }, 'inbound rules do not touch outbound traffic');
});

t.test('protocol and destination ports (SecurityRulePropertiesFormat: Tcp, Udp, Icmp, Esp, Ah, *)', async (t) => {
  const deny = (fields: Partial<NsgRule>) => config([nsg('n', [rule('deny', 100, { access: 'Deny', ...fields })])]);
  t.match(verdictOf(deny({ protocol: 'Udp' }), 'login.microsoftonline.com:443'), { verdict: 'allowed' }, 'a UDP rule leaves TCP alone');
  t.match(verdictOf(deny({ protocol: 'Icmp', destinationPorts: ['*'] }), 'login.microsoftonline.com:443'), { verdict: 'allowed' }, 'ICMP carries no port');
  t.match(verdictOf(deny({ protocol: '*', destinationPorts: ['400-500'] }), 'login.microsoftonline.com:443'), { verdict: 'denied' }, 'a range holds the port');
  t.match(verdictOf(deny({ destinationPorts: ['80', '8080'] }), 'login.microsoftonline.com:443'), { verdict: 'allowed' }, 'a list without it');
  t.match(verdictOf(deny({ protocol: 'Udp', destinationPorts: ['5831'] }), 'westus2.tundra.azureml.ms:5831/udp'), { verdict: 'denied' }, 'UDP targets meet UDP rules');
});

t.test('service tags, Internet and VirtualNetwork (https://learn.microsoft.com/azure/virtual-network/service-tags-overview)', async (t) => {
  const denyInternet = config([nsg('n', [rule('deny-internet', 200, { access: 'Deny', protocol: '*', destinationPorts: ['*'], destinationPrefixes: ['Internet'] })])]);
  t.match(verdictOf(denyInternet, 'login.microsoftonline.com:443'), { verdict: 'denied' }, 'no private link serves it: a public address, in Internet');
  t.match(verdictOf(denyInternet, 'BatchNodeManagement.westus2:443'), { verdict: 'denied' }, "a service tag's ranges are public");
  t.match(
    verdictOf(denyInternet, 'st1.blob.core.windows.net:443'),
    { verdict: 'depends', on: ['whether st1.blob.core.windows.net resolves to a private endpoint (VirtualNetwork) or a public address (Internet)'] },
    'a private-link name the facts say nothing about: denied publicly, allowed by AllowVnetOutBound privately',
  );
  t.match(verdictOf(config([nsg('n', [])]), 'st1.blob.core.windows.net:443'), { verdict: 'allowed' }, 'the default rules allow it either way');

  const aml = config([nsg('n', [rule('allow-aml', 100, { destinationPrefixes: ['AzureMachineLearning'] }), rule('deny-all', 4000, { access: 'Deny', protocol: '*', destinationPorts: ['*'] })])]);
  t.match(verdictOf(aml, 'westus2.api.azureml.ms:443'), { verdict: 'allowed', rule: { rule: 'allow-aml' } }, 'the catalog says the tag holds the host');
  t.match(verdictOf(aml, 'management.azure.com:443'), { verdict: 'depends', on: ['service tag AzureMachineLearning'], rule: { rule: 'allow-aml' } }, 'without the service-tag file, another tag depends on it');
  t.match(verdictOf({ ...aml, serviceTags: serviceTags() }, 'management.azure.com:443'), { verdict: 'denied', rule: { rule: 'deny-all' } }, 'with it, AzureResourceManager lies apart from AzureMachineLearning');
  t.match(verdictOf({ ...aml, serviceTags: serviceTags() }, 'pypi.org:443'), { verdict: 'depends', on: ['service tag AzureMachineLearning'] }, 'a host no tag holds still depends on its address');
});

t.test('sources against --source, application security groups by name (https://learn.microsoft.com/azure/virtual-network/application-security-groups)', async (t) => {
  const deny = (fields: Partial<NsgRule>) => config([nsg('n', [rule('deny', 100, { access: 'Deny', ...fields })])]);
  t.match(verdictOf(deny({ sourcePrefixes: ['10.0.0.0/16'] }), 'login.microsoftonline.com:443'), { verdict: 'denied' }, 'the subnet lies in the prefix');
  t.match(verdictOf(deny({ sourcePrefixes: ['10.9.0.0/16'] }), 'login.microsoftonline.com:443'), { verdict: 'allowed' }, 'the subnet lies apart from it');
  t.match(verdictOf(deny({ sourcePrefixes: ['10.0.0.0/16'] }), 'login.microsoftonline.com:443', []), { verdict: 'depends', on: ['the workspace subnet (give --source)'] });
  t.match(verdictOf(deny({ sourcePrefixes: ['VirtualNetwork'] }), 'login.microsoftonline.com:443', []), { verdict: 'denied' }, 'the workspace subnet is in the virtual network');
  t.match(verdictOf(deny({ sourcePrefixes: [], sourceAsgs: ['asg-training'] }), 'login.microsoftonline.com:443'), { verdict: 'depends', on: ["application security group asg-training (whether the workspace's NICs are in it)"] });
  t.match(verdictOf(deny({ destinationPrefixes: [], destinationAsgs: ['asg-pe'] }), 'login.microsoftonline.com:443'), { verdict: 'allowed' }, 'a public address is in no application security group');
  t.match(verdictOf(deny({ sourcePorts: ['80'] }), 'login.microsoftonline.com:443'), { verdict: 'depends', on: [/the client's source port/] });
});

t.test('two NSGs on the path: the NIC one, then the subnet one, each must allow', async (t) => {
  const nic = nsg('nic', [rule('deny-smb', 100, { access: 'Deny', destinationPorts: ['445'] })]);
  const subnet = nsg('subnet', [rule('deny-aad', 100, { access: 'Deny', destinationPrefixes: ['AzureActiveDirectory'] })]);
  t.match(verdictOf(config([nic, subnet]), 'login.microsoftonline.com:443'), { verdict: 'denied', rule: { nsg: 'subnet', rule: 'deny-aad' } });
  t.match(verdictOf(config([nic, subnet]), 'st1.file.core.windows.net:445'), { verdict: 'denied', rule: { nsg: 'nic', rule: 'deny-smb' } });
  t.match(verdictOf(config([nic, subnet]), 'pypi.org:443'), { verdict: 'depends', on: ['service tag AzureActiveDirectory'] }, 'an undecided deny in the subnet NSG');
  t.match(verdictOf(config([nic, nsg('subnet', [])]), 'pypi.org:443'), { verdict: 'allowed', rule: { nsg: 'subnet', rule: 'AllowInternetOutBound' } }, 'both allow: the last on the path is named');
});

/**
 * The reference: the outbound rules sorted by priority and read top to bottom with plain
 * comparisons, for a destination whose address is public (no private link serves it), written apart
 * from src/audit so that a mistake in one shows. Rules use only what this reading decides without
 * data: `*`, Internet, VirtualNetwork and the tags the catalog names for the target.
 */
function reference(rules: readonly NsgRule[], traffic: Traffic): { verdict: string; rule: string } {
  const sorted = rules.filter((r) => r.direction === 'Outbound').sort((a, b) => a.priority - b.priority);
  const held = traffic.destination.kind === 'tag' ? [traffic.destination.tag, ...traffic.tags] : traffic.tags;
  const undecided: NsgRule[] = [];
  for (const r of sorted) {
    if (r.protocol !== '*' && r.protocol.toLowerCase() !== traffic.transport) continue;
    const portOk = r.destinationPorts.some((p) => {
      if (p === '*') return true;
      const [low, high] = p.split('-').map(Number);
      return traffic.port >= (low as number) && traffic.port <= (high ?? low ?? -1);
    });
    if (!portOk) continue;
    const sourceOk = r.sourcePrefixes.some((s) => s === '*' || s === 'VirtualNetwork' || s === '10.0.0.0/16');
    if (!sourceOk) continue;
    const destinationOk = r.destinationPrefixes.some((d) => d === '*' || d === 'Internet' || held.some((tag) => tag.toLowerCase() === d.toLowerCase() || tag.toLowerCase().startsWith(`${d.toLowerCase()}.`)));
    if (!destinationOk) {
      // Another service tag: whether it holds the address needs the service-tag file.
      if (r.destinationPrefixes.some((d) => d !== 'VirtualNetwork' && d !== 'Internet')) undecided.push(r);
      continue;
    }
    const differing = undecided.find((u) => u.access !== r.access);
    if (differing !== undefined) return { verdict: 'depends', rule: differing.name };
    return { verdict: r.access === 'Allow' ? 'allowed' : 'denied', rule: r.name };
  }
  return { verdict: 'no-rule', rule: '' };
}

t.test('property: for random NSGs over the catalog targets, the audit agrees with a plain first-match reading', async (t) => {
  const audited = TARGETS.filter((candidate) => {
    const traffic = trafficOf(candidate);
    return typeof traffic !== 'string' && traffic.address === 'public';
  });
  const tags = [...new Set(audited.flatMap((a) => a.rules.filter((r) => r.type === 'service-tag').map((r) => r.destination)))];
  const ports = [...new Set(audited.map((a) => a.port))];
  const next = random(20261202);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  let compared = 0;
  const seen = new Set<string>();
  for (let round = 0; round < 200; round++) {
    const priorities = new Set<number>();
    const rules: NsgRule[] = [];
    for (let r = 0; r < 1 + Math.floor(next() * 6); r++) {
      let priority = 100 + Math.floor(next() * 40) * 100;
      while (priorities.has(priority)) priority += 1;
      priorities.add(priority);
      const port = pick([...ports.map(String), '*', '1-1024', '400-500']);
      rules.push(
        rule(`r${r}`, priority, {
          access: pick(['Allow', 'Deny'] as const),
          direction: pick(['Outbound', 'Outbound', 'Outbound', 'Inbound'] as const),
          protocol: pick(['Tcp', 'Udp', '*', 'Icmp'] as const),
          destinationPorts: [port],
          sourcePrefixes: [pick(['*', 'VirtualNetwork', '10.0.0.0/16', '192.168.0.0/16', 'Internet'])],
          destinationPrefixes: [pick(['*', 'Internet', 'VirtualNetwork', ...tags, ...tags.map((tag) => tag.split('.')[0] as string)])],
        }),
      );
    }
    const cfg = config([nsg('n', rules)]);
    const result = auditTargets(cfg, audited, ['10.0.1.0/24']);
    for (const [index, audit] of result.targets.entries()) {
      const traffic = trafficOf(audited[index] as Target) as Traffic;
      const expected = reference(cfg.nsgs?.[0]?.rules ?? [], traffic);
      const got = audit.verdict;
      const gotRule = 'rule' in got && got.rule !== null ? got.rule.rule : '';
      compared++;
      seen.add(got.verdict);
      if (got.verdict !== expected.verdict || gotRule !== expected.rule) {
        t.fail(`round ${round}, ${audit.id}: audit says ${got.verdict} ${gotRule}, the reference ${expected.verdict} ${expected.rule}`);
        return;
      }
    }
  }
  t.ok(compared > 2000, `compared ${compared} verdicts`);
  t.same([...seen].sort(), ['allowed', 'denied', 'depends'], 'allowed, denied and depends all came up');
});

t.test('inbound: Azure management to a compute with a public IP meets the NSG inbound rules, subnet first', async (t) => {
  const publicIp = resolveWorkspace({ region: 'westus2', workspaceId: '0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11', publicIpCompute: true } as never);
  const inbound = expandCatalog(publicIp.catalog, publicIp.facts).filter((x) => x.direction === 'inbound');
  t.same(
    inbound.map((x) => x.id),
    ['inbound:<node>:44224'],
  );
  const management = inbound[0] as Target;
  t.match(trafficOf(management), { direction: 'inbound', destination: { kind: 'tag', tag: 'AzureMachineLearning' }, port: 44224, address: 'public' });
  const inboundRule = (name: string, priority: number, fields: Partial<NsgRule>): NsgRule => rule(name, priority, { direction: 'Inbound', destinationPorts: ['44224'], ...fields });
  const audit = (rules: NsgRule[], serviceTags: AuditConfig['serviceTags'] = null, sources = ['10.0.1.0/24']) => auditTargets(config([nsg('nsg-aml-subnet', rules)], serviceTags), [management], sources).targets[0];

  // The defaults alone: neither VirtualNetwork nor the load balancer's probe address holds Azure ML's addresses.
  t.match(audit([]), { verdict: { verdict: 'denied', rule: { rule: 'DenyAllInBound', isDefault: true } }, layers: [{ layer: 'nsg' }] });
  t.match(audit([inboundRule('Allow-AML', 130, { sourcePrefixes: ['AzureMachineLearning'], destinationPrefixes: ['VirtualNetwork'] })]), { verdict: { verdict: 'allowed', rule: { rule: 'Allow-AML', priority: 130 } } });
  // Azure ML's addresses are public: a deny of Internet above the allow blocks them.
  t.match(audit([inboundRule('Deny-Internet', 100, { access: 'Deny', sourcePrefixes: ['Internet'], destinationPorts: ['*'] }), inboundRule('Allow-AML', 130, { sourcePrefixes: ['AzureMachineLearning'] })]), {
    verdict: { verdict: 'denied', rule: { rule: 'Deny-Internet', priority: 100 } },
  });
  // Outbound rules never touch it, whatever they allow.
  t.match(audit([rule('Allow-All-Out', 100, { destinationPorts: ['*'] })]), { verdict: { verdict: 'denied', rule: { rule: 'DenyAllInBound' } } });
  // The node's side: a prefix holding the --source subnet, or apart from it; without --source it depends.
  const toPrefix = (prefix: string) => [inboundRule('Allow-AML', 130, { sourcePrefixes: ['AzureMachineLearning'], destinationPrefixes: [prefix] })];
  t.match(audit(toPrefix('10.0.0.0/16')), { verdict: { verdict: 'allowed' } });
  t.match(audit(toPrefix('10.9.0.0/16')), { verdict: { verdict: 'denied', rule: { rule: 'DenyAllInBound' } } });
  t.match(audit(toPrefix('10.0.0.0/16'), null, []), { verdict: { verdict: 'depends', on: [/--source/] } });
  // Another tag as the source: decided by address with the published file, else it depends on the tag.
  const fromStorage = [inboundRule('Allow-Storage-In', 120, { sourcePrefixes: ['Storage'] })];
  t.match(audit(fromStorage), { verdict: { verdict: 'depends', on: [/service tag Storage/] } });
  t.match(audit(fromStorage, serviceTags()), { verdict: { verdict: 'denied', rule: { rule: 'DenyAllInBound' } } });

  // Both NSGs must allow; inbound meets the subnet's first, so its deny is the one named.
  const both = auditTargets(config([nsg('nsg-nic', [inboundRule('Deny-NIC', 100, { access: 'Deny', sourcePrefixes: ['*'] })]), nsg('nsg-subnet', [inboundRule('Deny-Subnet', 100, { access: 'Deny', sourcePrefixes: ['*'] })])]), [management], ['10.0.1.0/24']).targets[0];
  t.match(both?.verdict, { verdict: 'denied', rule: { nsg: 'nsg-subnet', rule: 'Deny-Subnet' } });

  // No NSG given: nothing audits it; the firewall is not on the way in.
  t.match(auditTargets({ policies: [], groups: [], inputs: [], warnings: [], serviceTags: null }, [management], []).targets[0]?.verdict, { verdict: 'not-audited', reason: /only NSGs filter it/ });
});

/**
 * The inbound reference, as plain as the outbound one: the Inbound rules by priority; the sender is an
 * Azure service tag (public addresses), the node is in 10.0.1.0/24.
 */
function inboundReference(rules: readonly NsgRule[], traffic: Traffic): { verdict: string; rule: string } {
  const sorted = rules.filter((r) => r.direction === 'Inbound').sort((a, b) => a.priority - b.priority);
  const undecided: NsgRule[] = [];
  for (const r of sorted) {
    if (r.protocol !== '*' && r.protocol.toLowerCase() !== traffic.transport) continue;
    if (!r.destinationPorts.some((p) => p === '*' || (traffic.port >= Number(p.split('-')[0]) && traffic.port <= Number(p.split('-')[1] ?? p)))) continue;
    if (!r.destinationPrefixes.some((d) => d === '*' || d === 'VirtualNetwork' || d === '10.0.0.0/16')) continue;
    const fromOk = r.sourcePrefixes.some((s) => s === '*' || s === 'Internet' || traffic.tags.some((tag) => tag.toLowerCase() === s.toLowerCase() || tag.toLowerCase().startsWith(`${s.toLowerCase()}.`)));
    if (!fromOk) {
      if (r.sourcePrefixes.some((s) => !['VirtualNetwork', 'Internet', 'AzureLoadBalancer'].includes(s))) undecided.push(r);
      continue;
    }
    const differing = undecided.find((u) => u.access !== r.access);
    if (differing !== undefined) return { verdict: 'depends', rule: differing.name };
    return { verdict: r.access === 'Allow' ? 'allowed' : 'denied', rule: r.name };
  }
  return { verdict: 'no-rule', rule: '' };
}

t.test('property: for random NSGs, inbound verdicts agree with a plain first-match reading', async (t) => {
  const inbound = (['2021-11', '2026-03'] as const).flatMap((revision) => {
    const ws = resolveWorkspace({ region: 'westus2', publicIpCompute: true, revision } as never);
    return expandCatalog(ws.catalog, ws.facts).filter((x) => x.direction === 'inbound' && typeof trafficOf(x) !== 'string');
  });
  t.ok(inbound.length >= 3, `${inbound.length} inbound targets`);
  const next = random(20261203);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  let compared = 0;
  const seen = new Set<string>();
  for (let round = 0; round < 300; round++) {
    const rules: NsgRule[] = [];
    for (let r = 0; r < 1 + Math.floor(next() * 5); r++) {
      rules.push(
        rule(`r${r}`, 100 + r * 10 + Math.floor(next() * 9), {
          access: pick(['Allow', 'Deny'] as const),
          direction: pick(['Inbound', 'Inbound', 'Outbound'] as const),
          protocol: pick(['Tcp', 'Udp', '*'] as const),
          destinationPorts: [pick(['44224', '29876-29877', '*', '29876', '1-1024'])],
          sourcePrefixes: [pick(['*', 'Internet', 'VirtualNetwork', 'AzureLoadBalancer', 'AzureMachineLearning', 'BatchNodeManagement', 'BatchNodeManagement.westus2', 'Storage'])],
          destinationPrefixes: [pick(['*', 'VirtualNetwork', '10.0.0.0/16', '192.168.0.0/16', 'Internet'])],
        }),
      );
    }
    const cfg = config([nsg('n', rules)]);
    for (const [index, audit] of auditTargets(cfg, inbound, ['10.0.1.0/24']).targets.entries()) {
      const expected = inboundReference(cfg.nsgs?.[0]?.rules ?? [], trafficOf(inbound[index] as Target) as Traffic);
      const got = audit.verdict;
      const gotRule = 'rule' in got && got.rule !== null ? got.rule.rule : '';
      compared++;
      seen.add(got.verdict);
      if (got.verdict !== expected.verdict || gotRule !== expected.rule) {
        t.fail(`round ${round}, ${audit.id}: audit says ${got.verdict} ${gotRule}, the reference ${expected.verdict} ${expected.rule}`);
        return;
      }
    }
  }
  t.ok(compared > 800, `compared ${compared} verdicts`);
  t.same([...seen].sort(), ['allowed', 'denied', 'depends'], 'allowed, denied and depends all came up');
});
