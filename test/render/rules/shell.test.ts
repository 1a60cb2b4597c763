import { execFileSync } from 'node:child_process';
import t from 'tap';
import { expandCatalog } from '../../../src/catalog/expand.js';
import { loadCatalog } from '../../../src/catalog/load.js';
import { defaultFacts } from '../../../src/facts/facts.js';
import { planFromTargets, type AllowEntry, type RulesPlan } from '../../../src/remedies/plan.js';
import { renderRulesAzClassic } from '../../../src/render/rules/az-classic.js';
import { renderRulesAzPolicy } from '../../../src/render/rules/az-policy.js';
import { renderRulesNsg } from '../../../src/render/rules/nsg.js';
import { renderRulesProxy } from '../../../src/render/rules/proxy.js';
import { shellWord } from '../../../src/render/shared/quote.js';
import { runScript as run } from '../../helpers/run-script.js';

function entry(partial: Partial<AllowEntry>): AllowEntry {
  return { direction: 'outbound', fqdn: null, serviceTag: null, protocol: 'TCP', port: 443, features: ['workspace-api'], required: true, hosts: [], purpose: 'Why.', ...partial };
}

const PLAN: RulesPlan = {
  origin: 'catalog',
  cloud: 'public',
  region: 'westus2',
  findings: [],
  privateNames: [],
  noProxy: [],
  allow: [
    entry({ fqdn: 'pypi.org', protocol: 'HTTPS', port: 443, hosts: ['pypi.org'] }),
    entry({ fqdn: 'pypi.org', protocol: 'HTTP', port: 80, hosts: ['pypi.org'] }),
    entry({ fqdn: 'login.microsoftonline.com', serviceTag: 'AzureActiveDirectory', protocol: 'HTTPS', port: 443, features: ['azure-ad'] }),
    entry({ fqdn: 'st1.file.core.windows.net', protocol: 'TCP', port: 445, features: ['workspace-storage'] }),
    entry({ direction: 'inbound', serviceTag: 'BatchNodeManagement', port: 29876, features: ['compute-instance'] }),
    entry({ direction: 'inbound', serviceTag: 'BatchNodeManagement', port: 29877, features: ['compute-instance'] }),
  ],
};

const HOSTILE = ['$(touch pwned)', '`touch pwned`', "a'b; touch pwned", 'x\ntouch pwned', '${x}', 'a"b\\c', '-rf', '*', ''];

const POLICY = ['az', 'network', 'firewall', 'policy', 'rule-collection-group'];
const SOURCES = ['10.0.0.0/24', '10.0.1.0/24'];

t.test('-o az: every command parses and carries exactly the expected arguments', async (t) => {
  const { code, argvs, stderr } = await run(renderRulesAzPolicy(PLAN, { resourceGroup: 'rg1', firewallPolicy: 'fwp1', source: SOURCES }));
  t.equal(code, 0, stderr);
  const target = ['--resource-group', 'rg1', '--policy-name', 'fwp1'];
  t.same(argvs, [
    [...POLICY, 'create', ...target, '--name', 'aml-netcheck', '--priority', '500'],
    [
      ...POLICY,
      'collection',
      'add-filter-collection',
      ...target,
      '--rule-collection-group-name',
      'aml-netcheck',
      '--name',
      'aml-network-rules',
      '--collection-priority',
      '100',
      '--action',
      'Allow',
      '--rule-type',
      'NetworkRule',
      '--rule-name',
      'AzureActiveDirectory',
      '--ip-protocols',
      'TCP',
      '--source-addresses',
      ...SOURCES,
      '--destination-addresses',
      'AzureActiveDirectory',
      '--destination-ports',
      '443',
    ],
    [
      ...POLICY,
      'collection',
      'rule',
      'add',
      ...target,
      '--rcg-name',
      'aml-netcheck',
      '--collection-name',
      'aml-network-rules',
      '--rule-type',
      'NetworkRule',
      '--name',
      'st1.file.core.windows.net',
      '--ip-protocols',
      'TCP',
      '--source-addresses',
      ...SOURCES,
      '--destination-fqdns',
      'st1.file.core.windows.net',
      '--destination-ports',
      '445',
    ],
    [
      ...POLICY,
      'collection',
      'add-filter-collection',
      ...target,
      '--rule-collection-group-name',
      'aml-netcheck',
      '--name',
      'aml-application-rules',
      '--collection-priority',
      '200',
      '--action',
      'Allow',
      '--rule-type',
      'ApplicationRule',
      '--rule-name',
      'pypi.org',
      '--source-addresses',
      ...SOURCES,
      '--protocols',
      'Http=80',
      'Https=443',
      '--target-fqdns',
      'pypi.org',
    ],
  ]);
});

t.test('-o az without flags: the admin sets $RG, $POLICY and $SOURCE, and the script stops when one is missing', async (t) => {
  const script = renderRulesAzPolicy(PLAN);
  const ok = await run(script, { RG: 'my rg', POLICY: 'p', SOURCE: '10.0.0.0/24' });
  t.equal(ok.code, 0, ok.stderr);
  t.same(ok.argvs[0]?.slice(6, 10), ['--resource-group', 'my rg', '--policy-name', 'p'], 'a variable with a space stays one argument');
  const missing = await run(script, { POLICY: 'p', SOURCE: '10.0.0.0/24' });
  t.not(missing.code, 0);
  t.match(missing.stderr, /set RG to the resource group/);
  t.same(missing.argvs, [], 'nothing ran');
  for (const value of ['10.0.0.0/24 10.0.1.0/24', '10.0.0.0/24,10.0.1.0/24']) {
    const several = await run(script, { RG: 'rg', POLICY: 'p', SOURCE: value });
    t.equal(several.code, 0, several.stderr);
    const sources = several.argvs.filter((argv) => argv.includes('--source-addresses')).map((argv) => argv.slice(argv.indexOf('--source-addresses') + 1, argv.indexOf('--source-addresses') + 3));
    t.ok(sources.length > 0 && sources.every((s) => s[0] === '10.0.0.0/24' && s[1] === '10.0.1.0/24'), `SOURCE=${JSON.stringify(value)}: one argument per prefix`);
  }
});

t.test('-o az-classic: the first rule of each collection creates it', async (t) => {
  const { code, argvs, stderr } = await run(renderRulesAzClassic(PLAN, { resourceGroup: 'rg1', firewall: 'fw1', source: ['10.0.0.0/24'] }));
  t.equal(code, 0, stderr);
  const fw = ['--resource-group', 'rg1', '--firewall-name', 'fw1'];
  t.same(argvs, [
    [
      'az',
      'network',
      'firewall',
      'network-rule',
      'create',
      ...fw,
      '--collection-name',
      'aml-network-rules',
      '--priority',
      '100',
      '--action',
      'Allow',
      '--name',
      'AzureActiveDirectory',
      '--protocols',
      'TCP',
      '--source-addresses',
      '10.0.0.0/24',
      '--destination-addresses',
      'AzureActiveDirectory',
      '--destination-ports',
      '443',
    ],
    [
      'az',
      'network',
      'firewall',
      'network-rule',
      'create',
      ...fw,
      '--collection-name',
      'aml-network-rules',
      '--name',
      'st1.file.core.windows.net',
      '--protocols',
      'TCP',
      '--source-addresses',
      '10.0.0.0/24',
      '--destination-fqdns',
      'st1.file.core.windows.net',
      '--destination-ports',
      '445',
    ],
    [
      'az',
      'network',
      'firewall',
      'application-rule',
      'create',
      ...fw,
      '--collection-name',
      'aml-application-rules',
      '--priority',
      '200',
      '--action',
      'Allow',
      '--name',
      'pypi.org',
      '--source-addresses',
      '10.0.0.0/24',
      '--protocols',
      'Http=80',
      'Https=443',
      '--target-fqdns',
      'pypi.org',
    ],
  ]);
});

t.test('-o nsg: service tags outbound and inbound, unique priorities, consecutive ports as one range', async (t) => {
  const { code, argvs, stderr } = await run(renderRulesNsg(PLAN, { resourceGroup: 'rg1', nsg: 'nsg1' }));
  t.equal(code, 0, stderr);
  const base = ['az', 'network', 'nsg', 'rule', 'create', '--resource-group', 'rg1', '--nsg-name', 'nsg1'];
  t.same(argvs, [
    [
      ...base,
      '--name',
      'aml-out-AzureActiveDirectory',
      '--priority',
      '200',
      '--direction',
      'Outbound',
      '--access',
      'Allow',
      '--protocol',
      'Tcp',
      '--source-address-prefixes',
      'VirtualNetwork',
      '--source-port-ranges',
      '*',
      '--destination-address-prefixes',
      'AzureActiveDirectory',
      '--destination-port-ranges',
      '443',
      '--description',
      'aml-netcheck: azure-ad',
    ],
    [
      ...base,
      '--name',
      'aml-in-BatchNodeManagement',
      '--priority',
      '200',
      '--direction',
      'Inbound',
      '--access',
      'Allow',
      '--protocol',
      'Tcp',
      '--source-address-prefixes',
      'BatchNodeManagement',
      '--source-port-ranges',
      '*',
      '--destination-address-prefixes',
      'VirtualNetwork',
      '--destination-port-ranges',
      '29876-29877',
      '--description',
      'aml-netcheck: compute-instance',
    ],
  ]);
  t.match(renderRulesNsg(PLAN), /# An NSG cannot allow these by name.*\n#   outbound HTTPS 443 to pypi\.org/);
});

t.test('a shell word is the value, whatever it holds', async (t) => {
  for (const value of HOSTILE) {
    const out = execFileSync('bash', ['-c', `printf '%s\\0' ${shellWord(value)}`], { encoding: 'utf8' });
    t.equal(out, `${value}\0`, JSON.stringify(value));
  }
});

t.test('hostile names from a catalog or a report never escape their quoting', async (t) => {
  const hostile: RulesPlan = {
    ...PLAN,
    origin: 'report',
    allow: [
      ...PLAN.allow,
      ...HOSTILE.map((v) => entry({ fqdn: `${v}.example.com`, protocol: 'HTTPS', hosts: [v] })),
      ...HOSTILE.map((v) => entry({ serviceTag: v, fqdn: 'ok.example.com' })),
      ...HOSTILE.map((v) => entry({ fqdn: 'ok.example.com', features: [v] })),
      entry({ fqdn: 'purpose.example.com', protocol: 'HTTPS', purpose: HOSTILE.join(' ') }),
    ],
    findings: HOSTILE.map((v) => ({
      target: `${v}:443`,
      host: v,
      port: 443,
      reason: 'dns-nxdomain' as const,
      features: [v],
      remedies: [
        { kind: 'dns-public' as const, host: v, forwarder: '168.63.129.16' },
        { kind: 'no-proxy' as const, host: v },
      ],
    })),
    noProxy: [...HOSTILE, 'safe.example.com'],
  };
  const renderers = { az: renderRulesAzPolicy, 'az-classic': renderRulesAzClassic, nsg: renderRulesNsg, proxy: renderRulesProxy };
  for (const [name, render] of Object.entries(renderers)) {
    const output = render(hostile, { resourceGroup: 'rg1', firewallPolicy: 'fwp1', firewall: 'fw1', nsg: 'nsg1', source: ['10.0.0.0/24'] });
    // The proxy output is a list for the proxy's configuration; only its NO_PROXY line is shell.
    const script =
      name === 'proxy'
        ? output
            .split('\n')
            .filter((l) => l.startsWith('#') || l.startsWith('export '))
            .join('\n')
        : output;
    const { code, argvs, stderr, files } = await run(`${script}\necho "NO_PROXY=$\{NO_PROXY:-}" >&2\n`);
    t.equal(code, 0, `${name}: ${stderr}`);
    t.same(files, [], `${name}: no file was created`);
    for (const argv of argvs) for (const arg of argv) t.notMatch(arg, /pwned|\$\{x\}|\n/, `${name}: ${JSON.stringify(arg)}`);
    t.ok(argvs.flat().includes('purpose.example.com') || name === 'nsg' || name === 'proxy', `${name}: the safe entries are still there`);
    if (name !== 'proxy') t.match(script, /left out: '\$\(touch pwned\)\.example\.com' is not a valid host name or wildcard/, `${name} says what it left out`);
    if (name === 'proxy') t.match(stderr, /NO_PROXY=safe\.example\.com$/m, 'only the valid name reaches NO_PROXY');
  }
  t.throws(() => renderRulesAzPolicy(PLAN, { resourceGroup: "rg'; touch pwned; '" }), /not an Azure resource name/);
  t.throws(() => renderRulesAzPolicy(PLAN, { source: ['$(touch pwned)'] }), /not an address/);
});

t.test('a script with no rule to add asks for nothing and runs', async (t) => {
  const empty: RulesPlan = { ...PLAN, allow: [], findings: [] };
  for (const render of [renderRulesAzPolicy, renderRulesAzClassic]) {
    const script = render(empty);
    t.match(script, /# No firewall rule is needed\./);
    const result = await run(script, {});
    t.equal(result.code, 0, `runs without RG, POLICY, FIREWALL or SOURCE: ${result.stderr}`);
    t.same(result.argvs, [], 'and calls nothing');
  }
});

/** The plan of the UDP and ANY fixture catalog, made the way `rules` makes it. */
function udpAnyPlan(): RulesPlan {
  const catalog = loadCatalog({ extraFiles: ['test/fixtures/catalog/valid/udp-any.yaml'] });
  const facts = { ...defaultFacts(), region: 'westus2' };
  return planFromTargets(expandCatalog(catalog, facts, { features: ['relay'] }), facts);
}

t.test('UDP and Any requirements: network rules with their own protocol, never merged with TCP on the same port', async (t) => {
  const plan = udpAnyPlan();
  const policy = await run(renderRulesAzPolicy(plan, { resourceGroup: 'rg1', firewallPolicy: 'fwp1', source: ['10.0.0.0/24'] }));
  t.equal(policy.code, 0, policy.stderr);
  const network = (argv: string[]): string[] => argv.slice(argv.indexOf('--ip-protocols'));
  t.same(policy.argvs.filter((argv) => argv.includes('NetworkRule')).map(network), [
    ['--ip-protocols', 'Any', '--source-addresses', '10.0.0.0/24', '--destination-fqdns', 'queue.corp.example.com', '--destination-ports', '5671'],
    ['--ip-protocols', 'Any', '--source-addresses', '10.0.0.0/24', '--destination-addresses', 'BatchNodeManagement.westus2', '--destination-ports', '443'],
    ['--ip-protocols', 'TCP', '--source-addresses', '10.0.0.0/24', '--destination-fqdns', 'westus2.tundra.corp.example.com', '--destination-ports', '5831'],
    ['--ip-protocols', 'UDP', '--source-addresses', '10.0.0.0/24', '--destination-addresses', 'AzureMachineLearning', '--destination-ports', '5831'],
  ]);
  t.notOk(
    policy.argvs.some((argv) => argv.includes('ApplicationRule')),
    'no application rule: nothing here is web traffic to a name alone',
  );
  const names = policy.argvs.map((argv) => argv[argv.indexOf(argv.includes('--rule-name') ? '--rule-name' : '--name') + 1]);
  t.same(names.slice(1), ['queue.corp.example.com-any', 'BatchNodeManagement.westus2-any', 'westus2.tundra.corp.example.com', 'AzureMachineLearning-udp'], 'a TCP rule keeps its plain name; UDP and Any say so');

  const classic = await run(renderRulesAzClassic(plan, { resourceGroup: 'rg1', firewall: 'fw1', source: ['10.0.0.0/24'] }));
  t.equal(classic.code, 0, classic.stderr);
  t.same(
    classic.argvs.map((argv) => [argv[argv.indexOf('--protocols') + 1], argv.at(-1)]),
    [
      ['Any', '5671'],
      ['Any', '443'],
      ['TCP', '5831'],
      ['UDP', '5831'],
    ],
  );

  const nsg = await run(renderRulesNsg(plan, { resourceGroup: 'rg1', nsg: 'nsg1' }));
  t.equal(nsg.code, 0, nsg.stderr);
  const pick = (argv: string[], ...flags: string[]): string[] => flags.map((flag) => argv[argv.indexOf(flag) + 1] as string);
  t.same(
    nsg.argvs.map((argv) => pick(argv, '--name', '--priority', '--protocol', '--destination-address-prefixes', '--destination-port-ranges')),
    [
      ['aml-out-BatchNodeManagement.westus2-any', '200', '*', 'BatchNodeManagement.westus2', '443'],
      ['aml-out-AzureMachineLearning-udp', '210', 'Udp', 'AzureMachineLearning', '5831'],
    ],
    'Any is * and UDP is Udp in an NSG',
  );
  t.match(renderRulesNsg(plan), /#   outbound Any 5671 to queue\.corp\.example\.com\n#   outbound TCP 5831 to westus2\.tundra\.corp\.example\.com/, 'names without a tag are left to the firewall');
});

t.test('an any requirement on a web port to a name alone is the application rule it would be as tcp', async (t) => {
  const wildcard = entry({ fqdn: '*.westus2.batch.azure.com', protocol: 'HTTPS', port: 443, features: ['compute-cluster'] });
  const plan: RulesPlan = { ...PLAN, allow: [wildcard, entry({ fqdn: '*.queue.example.com', protocol: 'Any', port: 5671 }), entry({ fqdn: 'udp.example.com', protocol: 'UDP', port: 5831 })] };
  const { code, argvs, stderr } = await run(renderRulesAzPolicy(plan, { resourceGroup: 'rg1', firewallPolicy: 'fwp1', source: ['10.0.0.0/24'] }));
  t.equal(code, 0, stderr);
  t.same(
    argvs.filter((argv) => argv.includes('ApplicationRule')).map((argv) => argv.slice(argv.indexOf('--protocols'))),
    [['--protocols', 'Https=443', '--target-fqdns', '*.westus2.batch.azure.com']],
  );
  t.same(
    argvs.filter((argv) => argv.includes('NetworkRule')).map((argv) => argv.slice(argv.indexOf('--ip-protocols'), argv.indexOf('--ip-protocols') + 2)),
    [['--ip-protocols', 'UDP']],
  );
  t.match(renderRulesAzPolicy(plan), /# left out: \*\.queue\.example\.com on Any 5671: an Azure Firewall network rule takes no wildcard name/, 'a wildcard cannot be a network rule, whatever its protocol');
});

t.test('a protocol outside TCP, HTTP, HTTPS, UDP and Any is refused, not printed', async (t) => {
  const plan: RulesPlan = { ...PLAN, allow: [entry({ fqdn: 'icmp.example.com', protocol: 'ICMP' as AllowEntry['protocol'] }), entry({ fqdn: 'udp.example.com', protocol: 'udp' as AllowEntry['protocol'] })] };
  const script = renderRulesAzPolicy(plan);
  t.match(script, /# left out: 'ICMP' is not a valid protocol/);
  t.match(script, /# left out: 'udp' is not a valid protocol/);
  t.match(script, /# No firewall rule is needed\./);
});
