#!/usr/bin/env node
/**
 * A stand-in for the `az` CLI, for tests only: it keeps an Azure Firewall Policy, a classic
 * Azure Firewall and an NSG in a JSON file (AZ_STANDIN_STATE) and implements the commands the
 * generated rule scripts call, with the write semantics of the published contract, so a test
 * can see a script remove rules the way the real CLI would:
 *
 * - `network firewall policy rule-collection-group create` is a create-or-update (PUT) of the
 *   group holding only its priority: on an existing group it drops every rule collection
 *   (azure-cli-extensions src/azure-firewall/azext_firewall/custom.py,
 *   create_azure_firewall_policy_rule_collection_group: begin_create_or_update with no
 *   rule_collections).
 * - `collection add-filter-collection` and `collection rule add` GET the whole group, append
 *   one collection or one rule, and PUT the whole group back (same file:
 *   add_azure_firewall_policy_filter_rule_collection / add_azure_firewall_policy_filter_rule,
 *   and in the AAZ version FilterCollectionAdd / FilterRuleAdd, both _RuleCollectionGroupUpdate).
 *   `rule add` to a collection that is not there fails ("Cannot find corresponding rule.").
 * - `network firewall network-rule|application-rule create` GET the firewall, create the
 *   collection when absent (then --priority and --action are required) or refuse them when it
 *   exists, append the rule and PUT the firewall (same file, _upsert_af_rule).
 * - `network nsg rule create` is a create-or-update of the security rule by name; ARM refuses
 *   two rules of one direction with the same priority.
 * - `ml workspace outbound-rule set` builds one rule of --type and creates it by name: a rule of
 *   that name is replaced, no other is touched (azure-cli-extensions src/machinelearningservices/
 *   azext_mlv2/manual/custom/workspace_outbound_rule.py at 7380c3b6c13302aa0ee83e52c938a37bb4a792cf,
 *   ml_workspace_outbound_rule_set: workspace_outbound_rules.begin_create); `list` lists them. A
 *   workspace the state does not hold fails with exit 1 (the extension reports its errors so).
 * - A `show` of a missing resource exits 3 with a ResourceNotFound message (Azure/azure-cli
 *   issue #6612; azure-cli-core commands/arm.py); any other failure exits 1.
 * - `--query` is JMESPath (the `jmespath` package, the reference implementation the Python
 *   one az uses follows); `-o tsv` prints a list one element a line, a nested list's elements
 *   tab-separated, booleans as Python prints them.
 *
 * Assumed, not from the sources above (the scripts never rely on it): two collections, or two
 * rules in one collection, with the same name make the PUT fail.
 *
 * After every write it records the command and the total number of rules it now holds, so a
 * test can see whether a run ever had fewer rules than before. AZ_STANDIN_FAIL (a regular
 * expression on the command line) makes a matching call fail with exit 1, as a throttled or
 * unauthorised call would.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import jmespath from 'jmespath';

/** How a call ends: its exit code and what it printed. */
class Exit {
  constructor(code, stdout, stderr) {
    this.code = code;
    this.stdout = stdout;
    this.stderr = stderr;
  }
}

function fail(code, message) {
  throw new Exit(code, '', `ERROR: ${message}\n`);
}

/**
 * One `az` call on `state` (changed in place): returns its exit code, stdout and stderr.
 * `failPattern` makes a matching call fail as an unauthorised one would.
 */
export function azCall(state, argv, failPattern) {
  state.calls ??= [];
  state.writes ??= [];
  state.calls.push(argv);
  try {
    run(state, argv, failPattern);
    return { code: 0, stdout: '', stderr: '' };
  } catch (error) {
    if (error instanceof Exit) return { code: error.code, stdout: error.stdout, stderr: error.stderr };
    return { code: 1, stdout: '', stderr: `ERROR: ${error instanceof Error ? error.message : String(error)}\n` };
  }
}

function run(state, argv, failPattern) {
  if (failPattern !== undefined && new RegExp(failPattern).test(argv.join(' '))) {
    fail(1, '(AuthorizationFailed) The client does not have authorization to perform this action.');
  }
  // The words of the command, then each option with its values (az takes several values after one option).
  const words = [];
  const options = new Map();
  const SHORT = { '-g': '--resource-group', '-n': '--name', '-o': '--output', '-f': '--firewall-name', '-c': '--collection-name' };
  {
    let current = null;
    for (const arg of argv) {
      if (/^--?[a-z]/.test(arg) && !/^-\d/.test(arg)) {
        current = SHORT[arg] ?? arg;
        options.set(current, []);
      } else if (current === null) words.push(arg);
      else options.get(current).push(arg);
    }
  }
  const command = words.join(' ');
  const one = (name) => options.get(name)?.[0];
  const many = (name) => options.get(name) ?? [];
  const need = (name) => one(name) ?? fail(2, `the following arguments are required: ${name}`);
  const key = (...parts) => parts.map((p) => p.toLowerCase()).join('/');
  const same = (a, b) => a.toLowerCase() === b.toLowerCase();

  function totalRules() {
    let total = 0;
    for (const policy of Object.values(state.policies ?? {})) for (const group of policy.groups) for (const c of group.ruleCollections) total += c.rules.length;
    for (const fw of Object.values(state.firewalls ?? {})) for (const c of [...fw.networkRuleCollections, ...fw.applicationRuleCollections]) total += c.rules.length;
    for (const nsg of Object.values(state.nsgs ?? {})) total += nsg.securityRules.length;
    for (const ws of Object.values(state.workspaces ?? {})) total += ws.outboundRules.length;
    return total;
  }

  function wrote(result) {
    state.writes.push({ command, total: totalRules() });
    print(result);
  }

  function print(result) {
    const query = one('--query');
    const value = query === undefined ? result : jmespath.search(result, query);
    if (one('--output') === 'tsv') {
      const cell = (v) => (v === null || v === undefined ? '' : typeof v === 'boolean' ? (v ? 'True' : 'False') : typeof v === 'object' ? (Array.isArray(v) ? v.map(cell).join('\t') : Object.values(v).map(cell).join('\t')) : String(v));
      const lines = value === null || value === undefined ? [] : Array.isArray(value) ? value.map(cell) : [cell(value)];
      throw new Exit(0, lines.map((l) => `${l}\n`).join(''), '');
    }
    throw new Exit(0, `${JSON.stringify(value ?? null, null, 2)}\n`, '');
  }

  const notFound = (type, name) => `(ResourceNotFound) The Resource '${type}/${name}' under resource group '${one('--resource-group')}' was not found.`;

  function policy() {
    const found = state.policies?.[key(need('--resource-group'), need('--policy-name'))];
    return found ?? fail(command.endsWith(' show') ? 3 : 1, notFound('Microsoft.Network/firewallPolicies', one('--policy-name')));
  }

  function workspace() {
    return state.workspaces?.[key(need('--resource-group'), need('--workspace-name'))] ?? fail(1, notFound('Microsoft.MachineLearningServices/workspaces', one('--workspace-name')));
  }

  function group(name) {
    return policy().groups.find((g) => same(g.name, name));
  }

  function policyRule(type) {
    const name = one('--rule-name') ?? need('--name');
    if (type === 'NetworkRule') {
      return { name, ruleType: 'NetworkRule', ipProtocols: many('--ip-protocols'), sourceAddresses: many('--source-addresses'), destinationAddresses: many('--destination-addresses'), destinationFqdns: many('--destination-fqdns'), destinationPorts: many('--destination-ports') };
    }
    const protocols = many('--protocols').map((p) => ({ protocolType: p.split('=')[0], port: Number(p.split('=')[1]) }));
    return { name, ruleType: 'ApplicationRule', sourceAddresses: many('--source-addresses'), protocols, targetFqdns: many('--target-fqdns') };
  }

  function checkUnique(items, what) {
    const names = items.map((i) => i.name.toLowerCase());
    if (new Set(names).size !== names.length) fail(1, `(BadRequest) ${what} names must be unique.`);
  }

  /** The PUT of a whole rule collection group: what the service keeps is exactly what was sent. */
  function putGroup(name, body) {
    checkUnique(body.ruleCollections, 'Rule collection');
    for (const c of body.ruleCollections) checkUnique(c.rules, 'Rule');
    const groups = policy().groups;
    const index = groups.findIndex((g) => same(g.name, name));
    if (index === -1) groups.push(body);
    else groups[index] = body;
    wrote(body);
  }

  function firewall() {
    const found = state.firewalls?.[key(need('--resource-group'), one('--firewall-name') ?? need('--name'))];
    return found ?? fail(command.endsWith(' show') ? 3 : 1, notFound('Microsoft.Network/azureFirewalls', one('--firewall-name') ?? one('--name')));
  }

  function classicRule(kind) {
    // The whole firewall is read, changed and written back; a refused PUT leaves it as it was.
    const fw = structuredClone(firewall());
    const collections = kind === 'network' ? fw.networkRuleCollections : fw.applicationRuleCollections;
    const name = need('--collection-name');
    const priority = one('--priority');
    const action = one('--action');
    let collection = collections.find((c) => same(c.name, name));
    if (collection !== undefined && (priority !== undefined || action !== undefined)) fail(1, `usage error: --collection-name EXISTING_NAME | --collection-name NEW_NAME --priority INT --action ACTION (Rule collection '${name}' already exists.)`);
    if (collection === undefined) {
      if (priority === undefined || action === undefined) fail(1, `usage error: --collection-name EXISTING_NAME | --collection-name NEW_NAME --priority INT --action ACTION (Rule collection '${name}' does not exist and needs to be created.)`);
      collection = { name, priority: Number(priority), action: { type: action }, rules: [] };
      collections.push(collection);
    }
    const rule =
      kind === 'network'
        ? { name: need('--name'), protocols: many('--protocols'), sourceAddresses: many('--source-addresses'), destinationAddresses: many('--destination-addresses'), destinationFqdns: many('--destination-fqdns'), destinationPorts: many('--destination-ports') }
        : { name: need('--name'), sourceAddresses: many('--source-addresses'), protocols: many('--protocols').map((p) => ({ protocolType: p.split('=')[0], port: Number(p.split('=')[1]) })), targetFqdns: many('--target-fqdns') };
    collection.rules.push(rule);
    for (const c of collections) checkUnique(c.rules, 'Rule');
    state.firewalls[key(one('--resource-group'), one('--firewall-name'))] = fw;
    wrote(rule);
  }

  function nsg() {
    const name = one('--nsg-name') ?? need('--name');
    const found = state.nsgs?.[key(need('--resource-group'), name)];
    return found ?? fail(command.endsWith(' show') ? 3 : 1, notFound('Microsoft.Network/networkSecurityGroups', name));
  }

  /** az sets the singular property for one value and the plural one for several (azure-cli network custom.py, create_nsg_rule). */
  function singleOrMany(values, singular, plural) {
    return values.length === 1 ? { [singular]: values[0], [plural]: [] } : { [singular]: null, [plural]: values };
  }

  function nsgRuleCreate() {
    const rules = nsg().securityRules;
    const rule = {
      name: need('--name'),
      priority: Number(need('--priority')),
      direction: need('--direction'),
      access: one('--access') ?? 'Allow',
      protocol: one('--protocol') ?? '*',
      ...singleOrMany(many('--source-address-prefixes'), 'sourceAddressPrefix', 'sourceAddressPrefixes'),
      ...singleOrMany(many('--source-port-ranges'), 'sourcePortRange', 'sourcePortRanges'),
      ...singleOrMany(many('--destination-address-prefixes'), 'destinationAddressPrefix', 'destinationAddressPrefixes'),
      ...singleOrMany(many('--destination-port-ranges'), 'destinationPortRange', 'destinationPortRanges'),
      description: one('--description') ?? null,
    };
    const clash = rules.find((r) => !same(r.name, rule.name) && r.priority === rule.priority && r.direction === rule.direction);
    if (clash !== undefined) fail(1, `(SecurityRuleConflict) Security rule ${rule.name} conflicts with rule ${clash.name}. Rules cannot have the same Priority and Direction.`);
    const index = rules.findIndex((r) => same(r.name, rule.name));
    if (index === -1) rules.push(rule);
    else rules[index] = rule;
    wrote(rule);
  }

  const RCG = 'network firewall policy rule-collection-group';
  switch (command) {
    case `${RCG} show`: {
      const found = group(need('--name'));
      if (found === undefined) fail(3, notFound('Microsoft.Network/firewallPolicies/ruleCollectionGroups', `${one('--policy-name')}/${one('--name')}`));
      print(found);
      break;
    }
    case `${RCG} list`:
      print(policy().groups);
      break;
    case `${RCG} create`:
      putGroup(need('--name'), { name: need('--name'), priority: Number(need('--priority')), ruleCollections: [] });
      break;
    case `${RCG} collection list`: {
      const found = group(one('--rcg-name') ?? need('--rule-collection-group-name')) ?? fail(1, notFound('ruleCollectionGroups', one('--rcg-name') ?? ''));
      print(found.ruleCollections);
      break;
    }
    case `${RCG} collection add-filter-collection`: {
      const name = one('--rcg-name') ?? need('--rule-collection-group-name');
      const found = structuredClone(group(name) ?? fail(1, notFound('Microsoft.Network/firewallPolicies/ruleCollectionGroups', name)));
      found.ruleCollections.push({ name: need('--name'), priority: Number(need('--collection-priority')), ruleCollectionType: 'FirewallPolicyFilterRuleCollection', action: { type: one('--action') }, rules: [policyRule(need('--rule-type'))] });
      putGroup(name, found);
      break;
    }
    case `${RCG} collection rule add`: {
      const name = one('--rcg-name') ?? need('--rule-collection-group-name');
      const found = structuredClone(group(name) ?? fail(1, notFound('Microsoft.Network/firewallPolicies/ruleCollectionGroups', name)));
      const collection = found.ruleCollections.find((c) => c.name === need('--collection-name')) ?? fail(1, 'Cannot find corresponding rule.');
      collection.rules.push(policyRule(need('--rule-type')));
      putGroup(name, found);
      break;
    }
    case 'network firewall show':
      print(firewall());
      break;
    case 'network firewall network-rule create':
      classicRule('network');
      break;
    case 'network firewall application-rule create':
      classicRule('application');
      break;
    case 'network nsg show':
      print(nsg());
      break;
    case 'network nsg rule list':
      print(nsg().securityRules);
      break;
    case 'network nsg rule create':
      nsgRuleCreate();
      break;
    case 'ml workspace outbound-rule list':
      print(workspace().outboundRules);
      break;
    case 'ml workspace outbound-rule set': {
      const rules = workspace().outboundRules;
      const type = need('--type');
      const destination =
        type === 'fqdn'
          ? need('--destination')
          : type === 'service_tag'
            ? { service_tag: need('--service-tag'), protocol: need('--protocol'), port_ranges: need('--port-ranges') }
            : type === 'private_endpoint'
              ? { service_resource_id: need('--service-resource-id'), subresource_target: need('--subresource-target'), spark_enabled: one('--spark-enabled') === 'true' }
              : fail(1, '--type must be one of the following: fqdn, service_tag, private_endpoint');
      const rule = { name: need('--rule'), type, destination, category: 'user_defined' };
      const index = rules.findIndex((r) => same(r.name, rule.name));
      if (index === -1) rules.push(rule);
      else rules[index] = rule;
      wrote(rule);
      break;
    }
    default:
      fail(2, `'${command}' is not in the stand-in's subset`);
  }
}

// Run as a command: the state is the JSON file AZ_STANDIN_STATE names.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = process.env.AZ_STANDIN_STATE;
  if (file === undefined) {
    process.stderr.write('ERROR: AZ_STANDIN_STATE is not set\n');
    process.exit(1);
  }
  const state = JSON.parse(readFileSync(file, 'utf8'));
  const result = azCall(state, process.argv.slice(2), process.env.AZ_STANDIN_FAIL);
  writeFileSync(file, JSON.stringify(state, null, 2));
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exit(result.code);
}
