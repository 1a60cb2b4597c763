import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { inputLabel } from '../../src/io/input-file.js';
import { parseConfigKinds, readConfigs } from '../../src/audit/read.js';
import { InputError } from '../../src/model/errors.js';

// Fixtures shaped as the Microsoft.Network REST API 2024-05-01 (firewallPolicy.json) defines them, as az and ARM exports print them.
const FIXTURES = fileURLToPath(new URL('../fixtures/audit/', import.meta.url));
const fixture = (name: string): string => `${FIXTURES}${name}`;

function failure(files: string[], kinds: string[] = []): InputError {
  try {
    readConfigs(files, parseConfigKinds(kinds));
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error(`${files.join(', ')} was read without an error`);
}

t.test('az output (properties flattened) and an ARM template (properties nested) read the same way', async (t) => {
  const az = readConfigs([fixture('hub-child-policy.json'), fixture('hub-child-groups.json'), fixture('hub-parent-policy.json'), fixture('hub-parent-groups.json')]);
  t.same(
    az.inputs.map((input) => input.kind),
    ['firewall-policy', 'rule-collection-group', 'firewall-policy', 'rule-collection-group'],
    'each kind recognised from its type',
  );
  t.same(
    az.policies.map((p) => [p.name, p.basePolicy, p.dnsProxy, p.sku]),
    [
      ['fwp-aml', 'fwp-hub-parent', true, 'Standard'],
      ['fwp-hub-parent', null, true, 'Standard'],
    ],
  );
  t.same(
    az.groups.map((g) => [g.policy, g.name, g.priority, g.collections.map((c) => c.rules.length)]),
    [
      ['fwp-aml', 'AML-Application', 300, [2]],
      ['fwp-hub-parent', 'Hub-Network', 200, [4]],
    ],
  );
  t.same(az.warnings, [], 'every field of a real export is modelled or says nothing');

  const template = readConfigs([fixture('no-smb-template.json')]);
  t.same(template.inputs, [{ file: fixture('no-smb-template.json'), kind: 'arm-template' }]);
  t.same(
    template.policies.map((p) => [p.name, p.dnsProxy]),
    [['fwp-web', true]],
    'the name comes from the parameter it names',
  );
  t.same(
    template.groups.map((g) => [g.policy, g.name, g.priority]),
    [['fwp-web', 'DefaultApplicationRuleCollectionGroup', 300]],
    'a child resource is named policy/group',
  );
  t.same(template.groups[0]?.collections[0]?.rules[0]?.sourceAddresses, ['10.0.0.0/16'], 'an item written as an expression is evaluated');
  t.match(template.warnings, [/resources\[\*\]\.type: a resource of type 'Microsoft.Network\/publicIPAddresses', which audit does not read yet/]);
});

t.test('a field audit does not model is named in a warning, once per place', async (t) => {
  const config = readConfigs([fixture('hub-child-groups.json')]);
  t.same(config.warnings, []);
  // httpHeadersToInsert with a value changes what the firewall sends, not whether it allows: named, not silently dropped.
  const { writeFileSync, mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(`${tmpdir()}/audit-`);
  const file = `${dir}/groups.json`;
  writeFileSync(
    file,
    JSON.stringify([
      {
        name: 'G',
        priority: 200,
        ruleCollections: [
          {
            name: 'c',
            priority: 100,
            ruleCollectionType: 'FirewallPolicyFilterRuleCollection',
            action: { type: 'Allow' },
            rules: [
              { ruleType: 'ApplicationRule', name: 'a', protocols: [{ protocolType: 'Https', port: 443 }], targetFqdns: ['x.example'], sourceAddresses: ['*'], httpHeadersToInsert: [{ header: 'h', value: 'v' }] },
              { ruleType: 'ApplicationRule', name: 'b', protocols: [{ protocolType: 'Https', port: 443 }], targetFqdns: ['y.example'], sourceAddresses: ['*'], httpHeadersToInsert: [{ header: 'h', value: 'v' }] },
            ],
          },
        ],
      },
    ]),
  );
  t.same(readConfigs([file]).warnings, [`${file}: [*].ruleCollections[*].rules[*].httpHeadersToInsert: not modelled by audit, so it is not taken into account`]);
});

t.test('each malformed or hostile export is refused in one line naming the file, the key path and what was expected', async (t) => {
  const expected: Record<string, RegExp> = {
    'priority-out-of-range.json': /: \[0\]\.priority: expected an integer from 100 to 65000; got 99$/,
    'unknown-action.json': /: \[0\]\.ruleCollections\[0\]\.action\.type: expected Allow or Deny; got "Permit"$/,
    'unknown-rule-type.json': /: \[0\]\.ruleCollections\[0\]\.rules\[0\]\.ruleType: expected NetworkRule, ApplicationRule or NatRule; got "FirewallRule"$/,
    'port-as-string.json': /: \[0\]\.ruleCollections\[0\]\.rules\[0\]\.protocols\[0\]\.port: expected a port from 0 to 64000; got "443"$/,
    'port-range-reversed.json': /: \[0\]\.ruleCollections\[0\]\.rules\[0\]\.destinationPorts\[0\]: expected \*, a port or a range of ports \(1-65535\); got "443-80"$/,
    'source-not-an-address.json': /: \[0\]\.ruleCollections\[0\]\.rules\[0\]\.sourceAddresses\[0\]: expected \*, an IP address, a CIDR prefix or a range a-b; got "10\.0\.0\.0\/33"$/,
    'fqdns-not-a-list.json': /: \[0\]\.ruleCollections\[0\]\.rules\[0\]\.targetFqdns: expected a list of strings; got "pypi\.org"$/,
    'unknown-collection-type.json': /: \[0\]\.ruleCollections\[0\]\.ruleCollectionType: expected FirewallPolicyFilterRuleCollection or FirewallPolicyNatRuleCollection; got "FirewallPolicyMagicRuleCollection"$/,
    'other-resource-type.json': /other-resource-type\.json: matches no configuration audit reads; expected an Azure Firewall Policy/,
    'ambiguous-kind.json': /ambiguous-kind\.json: could be firewall-policy or rule-collection-group; say which with --config-kind firewall-policy=.*ambiguous-kind\.json$/,
    'control-characters.json': /: \[0\]\.priority: expected an integer from 100 to 65000; got "\\u001b\]0;title\\u0007"$/,
    'mixed-list.json': /mixed-list\.json: is a list that mixes firewall-policy and rule-collection-group; give each kind in a file of its own$/,
    'not-json.json': /not-json\.json: not valid JSON: .* at line 1 column 32$/,
    'deep.json': /deep\.json: nested more than 64 levels deep: not an exported configuration$/,
    // Route tables (routeTable.json) and effective routes (networkInterface.json), Microsoft.Network 2024-05-01.
    'route-address-with-internet.json': /: routes\[0\]\.nextHopIpAddress: is allowed only with nextHopType VirtualAppliance; got "10\.1\.0\.4" with Internet$/,
    'route-appliance-without-address.json': /: routes\[0\]\.nextHopIpAddress: expected the IP address of the virtual appliance \(nextHopType VirtualAppliance\); got nothing$/,
    'route-bgp-flag-not-boolean.json': /: disableBgpRoutePropagation: expected true or false; got "yes"$/,
    'route-effective-no-hop.json': /: value\[8\]\.nextHopIpAddress: expected the address of the virtual appliance; got none$/,
    'route-effective-state-unknown.json': /: value\[0\]\.state: expected Active or Invalid; got "Enabled"$/,
    'route-hop-unknown.json': /: routes\[0\]\.nextHopType: expected VirtualNetworkGateway, VnetLocal, Internet, VirtualAppliance or None; got "Firewall"$/,
    'route-prefix-not-cidr.json': /: routes\[0\]\.addressPrefix: expected a CIDR prefix \(10\.0\.0\.0\/16\) or a service tag; got "10\.0\.0\.0\/33"$/,
    'route-routes-not-a-list.json': /: routes: expected a list of routes; got \{"to-firewall"/,
    'route-two-tables.json': /: \[1\]: is a second route table \(the first: .*: \[0\]\); audit reads the routes of the workspace's subnet/,
  };
  const files = readdirSync(`${FIXTURES}invalid`).sort();
  t.same(files, Object.keys(expected).sort(), 'one expectation per invalid fixture');
  for (const name of files) {
    const error = failure([fixture(`invalid/${name}`)]);
    const line = error.toLine();
    t.match(line, expected[name] as RegExp, name);
    t.notMatch(line, /[\u0000-\u001f\u007f]/, `${name}: the message holds no control character`);
    t.ok(line.startsWith(inputLabel(fixture(`invalid/${name}`))), `${name}: the message starts with the file`);
  }
});

t.test('--config-kind settles what the JSON leaves open, and is checked itself', async (t) => {
  const config = readConfigs([fixture('invalid/ambiguous-kind.json')], parseConfigKinds([`rule-collection-group=${fixture('invalid/ambiguous-kind.json')}`]));
  t.same(
    config.groups.map((g) => [g.name, g.priority]),
    [['ambiguous', 100]],
  );
  t.match(
    failure([fixture('hub-child-groups.json')], ['nat-gateway=x.json']).toLine(),
    /^--config-kind: expected KIND=FILE with KIND one of firewall-policy, rule-collection-group, arm-template, service-tags, nsg, effective-nsg, azure-firewall, managed-outbound-rules, route-table, effective-routes; got 'nat-gateway=x\.json'$/,
  );
  t.match(failure([fixture('hub-child-groups.json')], [`firewall-policy=${fixture('other.json')}`]).toLine(), /^--config-kind: names '.*other\.json', which no --config gives$/);
  t.match(failure([]).toLine(), /^--config: needs at least one file/);
});

t.test('policies and groups must fit together', async (t) => {
  t.match(failure([fixture('hub-child-groups.json'), fixture('hub-child-groups.json')]).toLine(), /^--config: '.*hub-child-groups\.json' is given twice$/);
  const { copyFileSync, mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const copy = `${mkdtempSync(`${tmpdir()}/audit-`)}/groups.json`;
  copyFileSync(fixture('hub-child-groups.json'), copy);
  t.match(failure([fixture('hub-child-groups.json'), copy]).toLine(), /rule collection group 'AML-Application' is also given at /);
  t.match(failure([fixture('mistakes-policy.json'), fixture('hub-child-groups.json')]).toLine(), /belongs to firewall policy 'fwp-aml', which no --config gives \(given: fwp-mistakes\)$/);
});

t.test('the service tags, as az prints them or as the weekly download has them (no type)', async (t) => {
  const az = readConfigs([fixture('service-tags.json')]);
  t.same(
    az.inputs.map((input) => input.kind),
    ['service-tags'],
  );
  t.same(az.warnings, []);
  t.same(az.serviceTags?.get('storage.westus2'), [{ first: 0xc6336400, last: 0xc633647f }], 'IPv4 only: 198.51.100.0/25');
  const { writeFileSync, mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const download = `${mkdtempSync(`${tmpdir()}/audit-`)}/ServiceTags_Public.json`;
  writeFileSync(
    download,
    JSON.stringify({
      changeNumber: 211,
      cloud: 'Public',
      values: [{ name: 'AzureCloud', id: 'AzureCloud', properties: { changeNumber: 1, region: '', regionId: 0, platform: 'Azure', systemService: '', addressPrefixes: ['192.0.2.0/25', '192.0.2.128/25'], networkFeatures: null } }],
    }),
  );
  t.same(readConfigs([download]).serviceTags?.get('azurecloud'), [{ first: 0xc0000200, last: 0xc00002ff }], 'adjacent prefixes joined');
  t.match(failure([fixture('service-tags.json'), download]).toLine(), /is a second service-tag file; give one$/);
});

t.test('an ARM GET of one group (properties nested, as az resource show prints it) with a DNAT collection', async (t) => {
  const { writeFileSync, mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const file = `${mkdtempSync(`${tmpdir()}/audit-`)}/group.json`;
  const id = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-hub/providers/Microsoft.Network/firewallPolicies/fwp-aml/ruleCollectionGroups/DNAT';
  const dnat = {
    ruleCollectionType: 'FirewallPolicyNatRuleCollection',
    name: 'inbound-ssh',
    priority: 100,
    action: { type: 'DNAT' },
    rules: [{ ruleType: 'NatRule', name: 'ssh', ipProtocols: ['TCP'], sourceAddresses: ['*'], destinationAddresses: ['192.0.2.10'], destinationPorts: ['22'], translatedAddress: '10.0.1.4', translatedPort: '22', sourceIpGroups: [] }],
  };
  writeFileSync(file, JSON.stringify({ id, name: 'DNAT', type: 'Microsoft.Network/FirewallPolicies/RuleCollectionGroups', etag: 'x', properties: { priority: 100, provisioningState: 'Succeeded', ruleCollections: [dnat] } }));
  const config = readConfigs([file]);
  t.same(config.warnings, []);
  t.same(
    config.groups.map((g) => [g.policy, g.name, g.priority, g.collections.map((c) => [c.action, c.rules.map((r) => r.ruleType)])]),
    [['fwp-aml', 'DNAT', 100, [['DNAT', ['NatRule']]]]],
  );
  writeFileSync(file, JSON.stringify({ id, name: 'DNAT', type: 'Microsoft.Network/FirewallPolicies/RuleCollectionGroups', properties: { priority: 100, ruleCollections: [{ ...dnat, rules: [{ ruleType: 'NetworkRule', name: 'n' }] }] } }));
  t.match(failure([file]).toLine(), /: properties\.ruleCollections\[0\]\.rules\[0\]\.ruleType: a NAT rule collection holds NatRule rules only$/);
});
