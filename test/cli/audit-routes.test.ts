import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import t from 'tap';
import { runCli, spawnCli } from '../helpers/cli.js';
import { sampleWorkspaceFlags } from '../helpers/sample-workspace.js';

// Route tables and effective routes shaped as the Microsoft.Network REST API 2024-05-01 defines them (test/fixtures/audit/README.md).
const FIXTURES = fileURLToPath(new URL('../fixtures/audit/', import.meta.url));
const config = (...names: string[]): string[] => names.flatMap((name) => ['--config', `${FIXTURES}${name}`]);
const HUB = config('hub-parent-policy.json', 'hub-parent-groups.json', 'hub-child-policy.json', 'hub-child-groups.json', 'service-tags.json');
const HUB_FEATURES = ['--features', 'workspace-api,workspace-storage,azure-ad,compute-instance,microsoft-container-registry,container-registry'];

const schema = JSON.parse(readFileSync(new URL('../../schema/audit.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const validate = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true }).compile(schema);

interface Layer {
  layer: string;
  verdict: { verdict: string; rule?: Record<string, unknown> | null };
  bypassed?: { reason: string; always: boolean; expected: boolean };
}
interface AuditJson {
  exitCode: number;
  routeTables?: Array<{ name: string; effective: boolean; systemRoutesAdded: string[] }>;
  targets: Array<{ id: string; verdict: { verdict: string; rule?: Record<string, unknown> | null; on?: string[] }; layers: Layer[] }>;
}

async function auditJson(args: string[]): Promise<{ code: number | null; json: AuditJson; stderr: string }> {
  const run = await runCli(['audit', ...sampleWorkspaceFlags(), ...args, '-o', 'json'], { forbidNetwork: true });
  const json = JSON.parse(run.stdout) as AuditJson;
  if (!validate(json)) throw new Error(`schema: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
  return { code: run.code, json, stderr: run.stderr };
}

const targetOf = (json: AuditJson, id: string) => json.targets.find((target) => target.id === id);

t.test('a correct forced tunnel: 0.0.0.0/0 to the firewall, which allows every required target: exit 0', async (t) => {
  const { code, json, stderr } = await auditJson([...HUB, ...config('route-table-forced-tunnel.json'), ...HUB_FEATURES, '--source', '10.0.1.0/24']);
  t.equal(code, 0, stderr);
  t.equal(stderr, '', 'az network route-table show prints nothing audit leaves unread');
  t.match(
    json.routeTables,
    [{ name: 'rt-aml-forced', effective: false, systemRoutesAdded: ['VirtualNetwork → VnetLocal', '0.0.0.0/0 → Internet', '10.0.0.0/8 → None', '172.16.0.0/12 → None', '192.168.0.0/16 → None', '100.64.0.0/10 → None'] }],
    'the system routes added are named',
  );
  const login = targetOf(json, 'login.microsoftonline.com:443');
  t.match(login?.verdict, { verdict: 'allowed', rule: { layer: 'firewall', rule: 'aml-endpoints' } }, 'the firewall, last on the path, names the allow');
  t.match(login?.layers, [{ layer: 'route', verdict: { verdict: 'allowed', rule: { layer: 'route', rule: 'to-firewall', nextHopType: 'VirtualAppliance', nextHopIpAddress: '10.1.0.4' } } }, { layer: 'firewall' }]);
  t.equal(login?.layers[1]?.bypassed, undefined, 'the firewall is on the path');
});

t.test('UDR sending 0.0.0.0/0 past the firewall: allowed by the route, the firewall bypassed, said in both formats', async (t) => {
  const { code, json } = await auditJson([...HUB, ...config('route-table-past-firewall.json'), ...HUB_FEATURES, '--source', '10.0.1.0/24']);
  t.equal(code, 0, 'the workspace works: nothing required is blocked');
  const login = targetOf(json, 'login.microsoftonline.com:443');
  t.match(login?.verdict, { verdict: 'allowed', rule: { layer: 'route', rule: 'default-internet', nextHopType: 'Internet' } });
  t.match(login?.layers.at(-1), { layer: 'firewall', verdict: { verdict: 'allowed' }, bypassed: { always: true, expected: false, reason: /default-internet 0\.0\.0\.0\/0 → Internet sends it to the Internet, past the firewall/ } });
  const table = await runCli(['audit', ...sampleWorkspaceFlags(), ...HUB, ...config('route-table-past-firewall.json'), ...HUB_FEATURES, '--source', '10.0.1.0/24'], { forbidNetwork: true, columns: 250 });
  t.match(table.stdout, /\d+ targets BYPASS THE FIREWALL \(a route takes them past it\)/);
  t.match(table.stdout, /login\.microsoftonline\.com\s+443\s+allowed\s+by route rt-aml-internet\/default-internet 0\.0\.0\.0\/0 → Internet; BYPASSES THE FIREWALL: /);
});

t.test('a route to None for a required destination: denied by the route: exit 1', async (t) => {
  const { code, json } = await auditJson([...HUB, ...config('route-table-none.json'), ...HUB_FEATURES, '--source', '10.0.1.0/24']);
  t.equal(code, 1);
  t.match(targetOf(json, 'login.microsoftonline.com:443')?.verdict, { verdict: 'denied', rule: { layer: 'route', table: 'rt-aml-blackhole', rule: 'no-entra', addressPrefix: 'AzureActiveDirectory', nextHopType: 'None', action: 'Deny' } });
  const table = await runCli(['audit', ...sampleWorkspaceFlags(), ...HUB, ...config('route-table-none.json'), ...HUB_FEATURES, '--source', '10.0.1.0/24'], { forbidNetwork: true, columns: 200 });
  t.match(table.stdout, /login\.microsoftonline\.com\s+443\s+DENIED\s+by route rt-aml-blackhole\/no-entra AzureActiveDirectory → None\n/);
});

t.test('effective routes on stdin: the NIC has Azure routes already; a private endpoint takes the VNet route', async (t) => {
  const run = await spawnCli(['audit', ...sampleWorkspaceFlags(), '--private-endpoint', ...HUB, ...HUB_FEATURES, '--config', '-', '--source', '10.0.1.0/24', '-o', 'json'], { input: readFileSync(`${FIXTURES}effective-routes.json`, 'utf8') });
  t.equal(run.code, 0, run.stderr);
  const json = JSON.parse(run.stdout) as AuditJson;
  t.match(json.routeTables, [{ effective: true, systemRoutesAdded: [] }]);
  const api = json.targets.find((target) => target.id.includes('.workspace.westus2.api.azureml.ms'));
  t.match(
    api?.layers,
    [
      { layer: 'route', verdict: { verdict: 'allowed', rule: { source: 'Default' } } },
      { layer: 'firewall', bypassed: { always: true, expected: true } },
    ],
    'by design past the firewall: no alarm',
  );
});

t.test('a malformed route export is one line and exit 2; the help names the az commands', async (t) => {
  const run = await runCli(['audit', ...sampleWorkspaceFlags(), ...config('invalid/route-hop-unknown.json')], { forbidNetwork: true });
  t.equal(run.code, 2);
  t.equal(run.stdout, '');
  t.match(run.stderr, /^aml-netcheck: [^\n]*invalid\/route-hop-unknown\.json: routes\[0\]\.nextHopType: expected VirtualNetworkGateway, VnetLocal, Internet, VirtualAppliance or None; got "Firewall"\n$/);
  const two = await runCli(['audit', ...sampleWorkspaceFlags(), ...config('route-table-none.json', 'effective-routes.json')], { forbidNetwork: true });
  t.equal(two.code, 2);
  t.match(two.stderr, /is a second route table/);
  const help = await runCli(['audit', '--help']);
  t.match(help.stdout, /az network route-table show -g RG -n ROUTE_TABLE > routes\.json/);
  t.match(help.stdout, /az network nic show-effective-route-table -g RG -n NIC > effective-routes\.json/);
});

t.test('the other formats name the route: Markdown and the HTML by-rule view', async (t) => {
  const args = ['audit', ...sampleWorkspaceFlags(), ...HUB, ...config('route-table-none.json'), ...HUB_FEATURES, '--source', '10.0.1.0/24'];
  const markdown = await runCli([...args, '-o', 'markdown'], { forbidNetwork: true });
  t.equal(markdown.code, 1);
  t.match(markdown.stdout, /route rt-aml-blackhole\/no-entra AzureActiveDirectory → None/);
  const html = await runCli([...args, '-o', 'html'], { forbidNetwork: true });
  t.match(html.stdout, /rt-aml-blackhole\/no-entra/);
  t.match(html.stdout, /user route to None/, 'the by-rule card says what the route is');
});

t.test('inbound to a compute with a public IP: the replies follow the routes, and a forced tunnel breaks them', async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'aml-netcheck-reply-'));
  t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
  const inbound = 'inbound:<node>:44224';
  // 0.0.0.0/0 to the firewall and nothing for the management tag: replies go to a firewall that never saw the connection.
  const tunnel = await auditJson([...HUB, ...config('nsg-show.json', 'route-table-forced-tunnel.json'), '--source', '10.0.1.0/24', '--public-ip-compute']);
  t.match(targetOf(tunnel.json, inbound), { verdict: { verdict: 'inexpressible', rule: { layer: 'route', rule: 'to-firewall' } }, layers: [{ layer: 'nsg', verdict: { verdict: 'allowed' } }, { layer: 'route' }] });
  t.match(JSON.stringify(targetOf(tunnel.json, inbound)?.verdict), /asymmetric routing/);
  t.equal(tunnel.code, 1);
  // The route the firewall article asks for: the management tag, next hop Internet.
  const table = JSON.parse(readFileSync(`${FIXTURES}route-table-forced-tunnel.json`, 'utf8')) as { routes: Array<Record<string, unknown>> };
  const first = table.routes[0] as Record<string, unknown>;
  table.routes.push({ ...first, name: 'aml-management', id: String(first['id']).replace(/to-firewall$/, 'aml-management'), addressPrefix: 'AzureMachineLearning', nextHopType: 'Internet', nextHopIpAddress: null });
  writeFileSync(join(tmp, 'routes.json'), JSON.stringify(table));
  const fixed = await auditJson([...HUB, ...config('nsg-show.json'), '--config', join(tmp, 'routes.json'), '--source', '10.0.1.0/24', '--public-ip-compute']);
  t.match(targetOf(fixed.json, inbound), { verdict: { verdict: 'allowed' }, layers: [{ layer: 'nsg' }, { layer: 'route', verdict: { verdict: 'allowed', rule: { rule: 'aml-management' } } }] });
  // No NSG: not audited, unless the reply route alone cannot work.
  const noNsg = await auditJson([...HUB, ...config('route-table-forced-tunnel.json'), '--source', '10.0.1.0/24', '--public-ip-compute']);
  t.match(targetOf(noNsg.json, inbound)?.verdict, { verdict: 'inexpressible' });
  const noNsgFixed = await auditJson([...HUB, '--config', join(tmp, 'routes.json'), '--source', '10.0.1.0/24', '--public-ip-compute']);
  t.match(targetOf(noNsgFixed.json, inbound)?.verdict, { verdict: 'not-audited' });
});
