/** `rules` for a catalog with UDP and ANY requirements, and from a report with blocked UDP targets. */
import t from 'tap';
import { runCli } from '../helpers/cli.js';

const CATALOG = ['--catalog', 'test/fixtures/catalog/valid/udp-any.yaml', '--region', 'westus2', '--features', 'relay'];
const UDP_REPORT = 'test/fixtures/reports/udp-check-with-a-udp-catalog-in-the-vnet-a-drop-is-a-warning-exit-0-a-reject-or-prohibit-b.json';

t.test('-o proxy: UDP and Any are listed as what a web proxy cannot carry, never as names to allow on it', async (t) => {
  const run = await runCli(['rules', ...CATALOG, '-o', 'proxy']);
  t.equal(run.code, 0, run.stderr);
  const [allow = '', cannot = ''] = run.stdout.split('# A web proxy cannot carry these');
  t.notMatch(allow.split('# Allow on the proxy')[1] ?? '', /corp\.example\.com/, 'nothing of these goes on the proxy allow-list');
  t.match(cannot, /#   westus2\.tundra\.corp\.example\.com UDP 5831\n/);
  t.match(cannot, /#   westus2\.tundra\.corp\.example\.com TCP 5831\n/);
  t.match(cannot, /#   queue\.corp\.example\.com Any 5671\n/);
});

t.test('-o json, the rules table and list show UDP and Any', async (t) => {
  const json = await runCli(['rules', ...CATALOG, '-o', 'json']);
  t.equal(json.code, 0, json.stderr);
  const plan = JSON.parse(json.stdout) as { allow: Array<{ fqdn: string | null; serviceTag: string | null; protocol: string; port: number }>; refused: string[] };
  t.same(
    plan.allow.map((e) => [e.fqdn, e.serviceTag, e.protocol, e.port]),
    [
      ['queue.corp.example.com', null, 'Any', 5671],
      ['westus2.batch.corp.example.com', 'BatchNodeManagement.westus2', 'Any', 443],
      ['westus2.tundra.corp.example.com', null, 'TCP', 5831],
      ['westus2.tundra.corp.example.com', 'AzureMachineLearning', 'UDP', 5831],
    ],
  );
  t.same(plan.refused, []);
  const table = await runCli(['rules', ...CATALOG], { env: { COLUMNS: '120' } });
  t.match(table.stdout, /westus2\.tundra\.corp\.example\.com\s+out\s+UDP\s+5831\s+AzureMachineLearning/);
  t.match(table.stdout, /westus2\.batch\.corp\.example\.com\s+out\s+Any\s+443\s+BatchNodeManagement\.westus2/);
  const list = await runCli(['list', ...CATALOG, '-o', 'json']);
  const { targets } = JSON.parse(list.stdout) as { targets: Array<{ id: string; protocol: string; probe: string }> };
  t.same(
    targets.map((x) => [x.id, x.protocol, x.probe]),
    [
      ['queue.corp.example.com:5671', 'any', 'tcp'],
      ['westus2.batch.corp.example.com:443', 'any', 'https'],
      ['westus2.tundra.corp.example.com:5831', 'tcp', 'tcp'],
      ['westus2.tundra.corp.example.com:5831/udp', 'udp', 'udp'],
    ],
  );
});

t.test('rules --from-report: blocked UDP targets get UDP allow rules; the silent one, only a warning, gets none', async (t) => {
  const csv = await runCli(['rules', '--from-report', UDP_REPORT, '-o', 'csv']);
  t.equal(csv.code, 0, csv.stderr);
  t.same(
    csv.stdout
      .trim()
      .split('\r\n')
      .slice(1)
      .map((row) => row.split(',').slice(2, 5)),
    [
      ['prohibited.relay.test', 'UDP', '3478'],
      ['rejected.relay.test', 'UDP', '3478'],
    ],
  );
  const table = await runCli(['rules', '--from-report', UDP_REPORT], { env: { COLUMNS: '160' } });
  t.match(table.stdout, /prohibited\.relay\.test:3478\/udp  udp-prohibited\n\s+fix:\s+allow outbound UDP 3478 to prohibited\.relay\.test/);
  t.notMatch(table.stdout, /dropped\.relay\.test/, 'a warning is not a finding to fix');
});
