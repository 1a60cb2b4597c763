import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { runCli } from '../helpers/cli.js';
import { RULES_FORMATS } from '../../src/render/rules/registry.js';

const WORKSPACE = ['--region', 'westus2', '--workspace-id', '0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11', '--workspace-name', 'ws1', '--storage-account', 'st1', '--private-endpoint', '--private-resources', 'storage'];
const REPORTS = fileURLToPath(new URL('../fixtures/reports/', import.meta.url));
const FIREWALL_REPORT = join(REPORTS, 'firewall-the-firewall-drops-smb-and-resets-http-tcp-timeout-and-tcp-refused-each-breaking-.json');
const DNS_REPORT = join(REPORTS, 'dns-with-private-endpoint-and-private-resources-storage.json');

/** What each format must show for the workspace above. */
const EXPECTED: Record<(typeof RULES_FORMATS)[number], RegExp> = {
  table: /st1\.file\.core\.windows\.net +out +TCP +445/,
  json: /"kind": "aml-netcheck-rules"/,
  markdown: /\| outbound \| `st1\.file\.core\.windows\.net` \| TCP \| 445 \|/,
  csv: /^outbound,workspace subnets,st1\.file\.core\.windows\.net,TCP,445,,/m,
  az: /--destination-fqdns 'st1\.file\.core\.windows\.net' \\\n +--destination-ports '445'/,
  'az-classic': /az network firewall network-rule create/,
  nsg: /--destination-address-prefixes 'Storage\.westus2'/,
  bicep: /targetFqdns: \[\n +'pypi\.org'/,
  dns: /privatelink\.file\.core\.windows\.net\n  st1  A/,
  proxy: /^export NO_PROXY=.*st1\.blob\.core\.windows\.net/m,
  // No --managed-network: the workspace's compute is in the admin's own network.
  'managed-network': /^# The facts name no managed network/m,
};

for (const format of RULES_FORMATS) {
  t.test(`rules -o ${format} prints the allow-list without a network call`, async (t) => {
    const run = await runCli(['rules', ...WORKSPACE, '-o', format], { forbidNetwork: true });
    t.equal(run.code, 0, run.stderr);
    t.equal(run.stderr, '');
    t.match(run.stdout, EXPECTED[format]);
  });
}

t.test('rules --from-report: only the fixes of the blocked targets, each by its cause', async (t) => {
  const az = await runCli(['rules', '--from-report', FIREWALL_REPORT, '-o', 'az', '--resource-group', 'rg1', '--firewall-policy', 'fwp1', '--source', '10.0.0.0/24'], { forbidNetwork: true });
  t.equal(az.code, 0, az.stderr);
  t.match(az.stdout, /RG='rg1'\nPOLICY='fwp1'\nSOURCE=\('10\.0\.0\.0\/24'\)/);
  t.match(az.stdout, /--destination-fqdns 'st1\.file\.core\.windows\.net'/);
  t.notMatch(az.stdout, /pypi\.org/, 'nothing that was reachable');

  const dns = await runCli(['rules', '--from-report', DNS_REPORT, '-o', 'dns'], { forbidNetwork: true });
  t.equal(dns.code, 0, dns.stderr);
  t.match(dns.stdout, /privatelink\.blob\.core\.windows\.net\n  st1  A/);
  const dnsAz = await runCli(['rules', '--from-report', DNS_REPORT, '-o', 'az'], { forbidNetwork: true });
  t.match(dnsAz.stdout, /# Not fixed by a firewall rule:\n(?:# .*\n)*# st1\.blob\.core\.windows\.net:443 \(dns-not-private\): make st1\.blob/);
  t.match(dnsAz.stdout, /# No firewall rule is needed\./, 'a DNS failure gets no allow rule');

  const table = await runCli(['rules', '--from-report', DNS_REPORT], { forbidNetwork: true });
  t.match(table.stdout, /^2 blocked target\(s\) in the report; 0 firewall rule\(s\)/);
  t.notMatch(table.stdout, /As commands:/, 'no hint at commands when there is no rule');
  t.match(table.stdout, /No firewall rule fixes these: the fixes above are DNS, TLS-inspection or proxy changes/);
});

t.test('each rules --out gets the format its name ends in; .sh takes the shell format of -o', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'aml-rules-'));
  const file = (name: string): string => join(dir, name);
  const run = await runCli(['rules', ...WORKSPACE, '-o', 'nsg', '--out', file('rules.json'), '--out', file('fw.bicep'), '--out', file('allow.csv'), '--out', file('nsg.sh'), '--out', file('dns.txt')]);
  t.equal(run.code, 0, run.stderr);
  t.match(run.stdout, /az network nsg rule create/);
  const saved = JSON.parse(readFileSync(file('rules.json'), 'utf8')) as { kind: string; allow: unknown[] };
  t.equal(saved.kind, 'aml-netcheck-rules');
  t.ok(saved.allow.length > 30);
  t.equal(readFileSync(file('nsg.sh'), 'utf8'), run.stdout, '.sh with -o nsg is the NSG script stdout printed');
  t.match(readFileSync(file('fw.bicep'), 'utf8'), /^\/\/ aml-netcheck rules/);
  t.match(readFileSync(file('allow.csv'), 'utf8'), /^direction,source,destination,protocol,port,/);
  t.match(readFileSync(file('dns.txt'), 'utf8'), /\S/, '.txt is the table');
  const az = await runCli(['rules', ...WORKSPACE, '-o', 'csv', '--out', file('policy.sh')]);
  t.equal(az.code, 0, az.stderr);
  t.match(readFileSync(file('policy.sh'), 'utf8'), /az network firewall policy rule-collection-group/, '.sh without a shell -o is the Firewall Policy script');
});

t.test('bad input is one line and exit 2', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'aml-rules-'));
  const notReport = join(dir, 'ws.json');
  writeFileSync(notReport, JSON.stringify({ name: 'ws1', location: 'westus2' }));
  const oldReport = join(dir, 'old.json');
  writeFileSync(oldReport, JSON.stringify({ ...JSON.parse(readFileSync(FIREWALL_REPORT, 'utf8')), schemaVersion: 1 }));
  const broken = join(dir, 'broken.json');
  writeFileSync(broken, JSON.stringify({ ...JSON.parse(readFileSync(FIREWALL_REPORT, 'utf8')), targets: [{ host: 'x' }] }));
  const cases: Array<[string[], RegExp]> = [
    [['rules', '-o', 'pdf'], /argument 'pdf' is invalid/],
    [['rules', '--from-report', notReport], /is not an aml-netcheck report/],
    [['rules', '--from-report', oldReport], /is schema version 1; this aml-netcheck reads versions 2 to 3 \(an older aml-netcheck wrote it/],
    [['rules', '--from-report', broken], /is not a valid aml-netcheck report: targets\[0\]/],
    [['rules', '--from-report', join(dir, 'missing.json')], /missing\.json/],
    [['rules', '--from-report', FIREWALL_REPORT, '--region', 'westus2'], /--from-report: takes the workspace from the report/],
    [['rules', ...WORKSPACE, '-o', 'az', '--resource-group', "rg'; touch pwned"], /--resource-group: 'rg'; touch pwned' is not an Azure resource name/],
    [['rules', ...WORKSPACE, '-o', 'az', '--source', '$(touch pwned)'], /--source: '\$\(touch pwned\)' is not an address/],
  ];
  for (const [args, message] of cases) {
    const run = await runCli(args, { forbidNetwork: true });
    t.equal(run.code, 2, args.join(' '));
    t.match(run.stderr, message, args.join(' '));
    t.equal(run.stderr.trimEnd().split('\n').length, 1, `${args.join(' ')}: one line`);
    t.equal(run.stdout, '');
  }
});

t.test('rules --help names every format', async (t) => {
  const run = await runCli(['rules', '--help']);
  t.equal(run.code, 0);
  for (const format of RULES_FORMATS) t.match(run.stdout, new RegExp(`\\n  ${format.replace('-', '\\-')} +\\S`), format);
});

t.test('the rules table fits the width and keeps every destination whole', async (t) => {
  const json = JSON.parse((await runCli(['rules', ...WORKSPACE, '-o', 'json'])).stdout) as { allow: Array<{ fqdn: string | null }> };
  const names = new Set(json.allow.flatMap((entry) => (entry.fqdn === null ? [] : [entry.fqdn])));
  for (const columns of [80, 100]) {
    const run = await runCli(['rules', ...WORKSPACE], { env: { COLUMNS: String(columns) } });
    t.equal(run.code, 0, run.stderr);
    t.same(
      run.stdout.split('\n').filter((line) => line.length > columns && !names.has(line)),
      [],
      `COLUMNS=${columns}: no line is wider, but for a name on a line of its own`,
    );
    const whole = [...names].filter((name) => !new RegExp(`^${name.replace(/[.*]/g, '\\$&')}(?: |$)`, 'm').test(run.stdout));
    t.same(whole, [], `COLUMNS=${columns}: every destination starts a line, whole`);
  }
});

t.test('Azure Firewall network rules never name a wildcard: the concrete host, or a warning', async (t) => {
  for (const format of ['az', 'az-classic', 'bicep']) {
    const run = await runCli(['rules', '--region', 'westus2', '--private-endpoint', '--compute-instance', 'ci1', '--features', 'compute-instance,vscode-remote', '-o', format]);
    t.equal(run.code, 0, run.stderr);
    t.notMatch(run.stdout, /destination-fqdns[^\n]*\*|destinationFqdns:[^\]]*\*/, `${format}: no wildcard in a network rule`);
    t.match(run.stdout, /ci1\.westus2\.instances\.azureml\.ms/, `${format}: the compute instance by name`);
  }
});
