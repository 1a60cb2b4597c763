/**
 * `check --k8s-configmap NAME`: the JSON report written into a ConfigMap through the in-cluster
 * API, against a fake kube-apiserver on loopback (HTTPS, its own CA, a bearer token).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import YAML from 'yaml';
import { startSimulatedAzure } from '../../src/simulate/azure.js';
import { createPki } from '../../src/simulate/pki.js';
import { spawnCli } from '../helpers/cli.js';
import { startFakeApiServer, type FakeApiServerOptions } from '../helpers/fake-kube-apiserver.js';
import { SIMULATED_ROOT_VARIABLE } from '../../src/runner/trust.js';
import { loopbackNet } from '../helpers/loopback.js';

const CATALOG = 'test/fixtures/catalog/sim/loopback.yaml';
const FORBID_NETWORK = ['--import', fileURLToPath(new URL('../helpers/forbid-network.mjs', import.meta.url))];
const COLLECTION = '/api/v1/namespaces/azureml/configmaps';

type Test = { teardown(fn: () => unknown): void };

/**
 * A loopback workspace, each on addresses of its own: healthy, or with the file share's port dropped (exit 1).
 * A healthy run must come out healthy (exit 0) on a busy machine too: as nothing waits for its phase
 * budget, it is long; with the port dropped, each run waits for it, so it is 2 s.
 */
async function workspace(t: Test, share: 'ok' | 'drop') {
  const net = loopbackNet();
  const azure = await startSimulatedAzure({
    dns: { address: `${net}.1`, port: 0 },
    hosts: [
      { name: 'web.sim.test', address: `${net}.2`, ports: { 18443: 'ok' } },
      { name: 'share.sim.test', address: `${net}.3`, ports: { 18445: share } },
    ],
    schemes: { 18443: 'https' },
  });
  t.teardown(() => azure.close());
  const dir = mkdtempSync(join(tmpdir(), 'amlnc-k8s-'));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, azure.caPem);
  // The simulated Azure's root plays the public roots' part (every run of this file inherits it).
  process.env[SIMULATED_ROOT_VARIABLE] = caFile;
  return ['check', '--catalog', CATALOG, '--features', 'sim-test', '--dns-server', `${azure.dnsServer.address}:${azure.dnsServer.port}`, '--allow-loopback-answers', '--ca-file', caFile, '--retries', '0', '--timeout', share === 'ok' ? '20s' : '2s', '-o', 'json'];
}

async function apiServer(t: Test, options: FakeApiServerOptions = {}) {
  const server = await startFakeApiServer(options);
  t.teardown(() => server.close());
  return server;
}

const calls = (server: { calls: ReadonlyArray<{ method: string; path: string }> }): string[] => server.calls.map((call) => `${call.method} ${call.path}`);

t.test('outside a pod, or with a bad name or label: one line, exit 2, before any packet', async (t) => {
  const cases: Array<[string[], Record<string, string>, RegExp]> = [
    [
      ['--k8s-configmap', 'report'],
      { AML_NETCHECK_SERVICE_ACCOUNT_DIR: '/nonexistent/serviceaccount', KUBERNETES_SERVICE_HOST: '10.0.0.1' },
      /^aml-netcheck: --k8s-configmap: not running in a Kubernetes pod with a service account: cannot read '\/nonexistent\/serviceaccount\/token' \(ENOENT\)\n$/,
    ],
    [['--k8s-configmap', 'Report_1'], {}, /^aml-netcheck: --k8s-configmap: 'Report_1' is not a ConfigMap name/],
    [['--k8s-configmap', `r${'x'.repeat(253)}`], {}, /^aml-netcheck: --k8s-configmap: 'rx+…' is not a ConfigMap name/],
    [['--k8s-configmap', 'report', '--k8s-label', 'run'], {}, /^aml-netcheck: --k8s-label: 'run' is not a Kubernetes label key=value/],
    [['--k8s-configmap', 'report', '--k8s-label', 'run=a b'], {}, /^aml-netcheck: --k8s-label: 'run=a b' is not a Kubernetes label/],
    [['--k8s-configmap', 'report', '--k8s-label', 'bad prefix/run=1'], {}, /^aml-netcheck: --k8s-label: /],
    [['--k8s-label', 'run=1'], {}, /^aml-netcheck: --k8s-label: labels the report ConfigMap: give --k8s-configmap NAME too\n$/],
  ];
  for (const [args, env, message] of cases) {
    const run = await spawnCli(['check', '--features', 'azure-ad', ...args], { env: { KUBERNETES_SERVICE_HOST: '', ...env }, nodeArgs: FORBID_NETWORK });
    t.equal(run.code, 2, args.join(' '));
    t.match(run.stderr, message, args.join(' '));
    t.equal(run.stderr.trim().split('\n').length, 1, 'one line');
    t.equal(run.stdout, '');
  }
  const server = await apiServer(t);
  const run = await spawnCli(['check', '--features', 'azure-ad', '--k8s-configmap', 'report'], { env: { ...server.env, KUBERNETES_SERVICE_HOST: '' }, nodeArgs: FORBID_NETWORK });
  t.equal(run.code, 2);
  t.equal(run.stderr, 'aml-netcheck: --k8s-configmap: not running in a Kubernetes pod: KUBERNETES_SERVICE_HOST is not set\n');
});

t.test('a new ConfigMap is created holding the report stdout printed, with the labels asked for', async (t) => {
  const args = await workspace(t, 'drop');
  const server = await apiServer(t);
  const run = await spawnCli([...args, '--k8s-configmap', 'netcheck-node-1', '--k8s-label', 'aml-netcheck.io/run=r42', '--k8s-label', 'aml-netcheck.io/node=aks-pool1-0'], { env: server.env });
  t.equal(run.code, 1, 'the dropped port, as without --k8s-configmap');
  t.equal(run.stderr, '');
  t.same(calls(server), [`POST ${COLLECTION}`]);
  t.equal(server.calls[0]?.authorization, `Bearer ${server.token}`);
  const stored = server.configMaps.get('netcheck-node-1');
  t.same(Object.keys(stored?.data ?? {}), ['report.json']);
  t.equal(stored?.data?.['report.json'], run.stdout, 'the ConfigMap holds exactly the JSON report on stdout');
  t.match(JSON.parse(run.stdout), { summary: { requiredBlocked: 1, exitCode: 1 } });
  t.same(stored?.metadata.labels, {
    'app.kubernetes.io/name': 'aml-netcheck',
    'app.kubernetes.io/component': 'report',
    'aml-netcheck.io/run': 'r42',
    'aml-netcheck.io/node': 'aks-pool1-0',
  });
  t.equal(stored?.metadata.namespace, 'azureml', 'the namespace the service account lives in');
});

t.test('bundle writes its report to the ConfigMap too, and keeps the bundle', async (t) => {
  const [, ...args] = await workspace(t, 'drop');
  const server = await apiServer(t);
  const file = join(mkdtempSync(join(tmpdir(), 'amlnc-k8s-bundle-')), 'b.tar.gz');
  const run = await spawnCli(['bundle', ...args, '--out', file, '--k8s-configmap', 'netcheck-bundle'], { env: server.env });
  t.equal(run.code, 1, 'the dropped port, as with check');
  t.match(run.stderr, /^aml-netcheck: bundle .*b\.tar\.gz \(/);
  t.same(calls(server), [`POST ${COLLECTION}`]);
  t.equal(server.configMaps.get('netcheck-bundle')?.data?.['report.json'], run.stdout, 'the ConfigMap holds the JSON report stdout printed');
  const verify = await spawnCli(['bundle', 'verify', file]);
  t.equal(verify.code, 0, verify.stdout + verify.stderr);
});

t.test('an existing ConfigMap is replaced; a PUT that loses a race (409) is tried once more', async (t) => {
  const args = await workspace(t, 'ok');
  const server = await apiServer(t, { conflicts: 1 });
  server.configMaps.set('report', { metadata: { name: 'report', namespace: 'azureml', resourceVersion: '7' }, data: { 'report.json': '{"old":true}' } });
  const run = await spawnCli([...args, '--k8s-configmap', 'report'], { env: server.env });
  t.equal(run.code, 0);
  t.equal(run.stderr, '');
  t.same(calls(server), [`POST ${COLLECTION}`, `GET ${COLLECTION}/report`, `PUT ${COLLECTION}/report`, `GET ${COLLECTION}/report`, `PUT ${COLLECTION}/report`]);
  t.equal(server.configMaps.get('report')?.data?.['report.json'], run.stdout);
  const puts = server.calls.filter((call) => call.method === 'PUT').map((call) => (call.body as { metadata: { resourceVersion: string } }).metadata.resourceVersion);
  t.equal(puts.length, 2);
  t.not(puts[0], puts[1], 'the second PUT carries the resourceVersion read again');
  t.ok(
    server.calls.every((call) => call.authorization === `Bearer ${server.token}`),
    'every call carries the bearer token',
  );
});

t.test('a service account that may only update its own ConfigMap (403 on create) still replaces it', async (t) => {
  const args = await workspace(t, 'ok');
  const server = await apiServer(t, { allow: ['get', 'update'] });
  server.configMaps.set('aml-netcheck-report', { metadata: { name: 'aml-netcheck-report', namespace: 'azureml', resourceVersion: '3' } });
  const run = await spawnCli([...args, '--k8s-configmap', 'aml-netcheck-report'], { env: server.env });
  t.equal(run.code, 0);
  t.equal(run.stderr, '');
  t.same(calls(server), [`POST ${COLLECTION}`, `GET ${COLLECTION}/aml-netcheck-report`, `PUT ${COLLECTION}/aml-netcheck-report`]);
  t.equal(server.configMaps.get('aml-netcheck-report')?.data?.['report.json'], run.stdout);
});

t.test('a fleet pod started again after an eviction replaces its own report under the Role k8s-manifest prints, and no other', async (t) => {
  const manifest = await spawnCli(['k8s-manifest', '--image', 'aml-netcheck:1', '--region', 'westus2', '--run-id', 'f1', '--fleet', '3'], { nodeArgs: FORBID_NETWORK });
  t.equal(manifest.code, 0, manifest.stderr);
  const role = YAML.parseAllDocuments(manifest.stdout)
    .map((d) => d.toJS() as { kind: string; rules?: Array<{ verbs: string[]; resourceNames?: string[] }> })
    .find((d) => d.kind === 'Role');
  const server = await apiServer(t, { rules: role?.rules ?? [] });
  const args = await workspace(t, 'ok');
  const first = await spawnCli([...args, '--k8s-configmap', 'aml-netcheck-f1-1'], { env: server.env });
  t.equal(first.code, 0, first.stderr);
  const again = await spawnCli([...args, '--k8s-configmap', 'aml-netcheck-f1-1'], { env: server.env });
  t.equal(again.code, 0, 'the second pod of index 1 writes too (it was 409, then 403 on get, with create alone)');
  t.equal(again.stderr, '');
  t.equal(server.configMaps.get('aml-netcheck-f1-1')?.data?.['report.json'], again.stdout, 'its report replaced the first');
  server.configMaps.set('kube-root-ca.crt', { metadata: { name: 'kube-root-ca.crt', namespace: 'azureml', resourceVersion: '1' }, data: { 'ca.crt': 'x' } });
  const other = await spawnCli([...args, '--k8s-configmap', 'kube-root-ca.crt'], { env: server.env });
  t.equal(other.code, 2, 'a name outside the fleet stays out of reach');
  t.equal(server.configMaps.get('kube-root-ca.crt')?.data?.['ca.crt'], 'x');
});

t.test('a write that fails is one line with the API status; stdout still has the report; exit 2 unless 1 ranks first', async (t) => {
  const healthy = await workspace(t, 'ok');
  const forbidden = await apiServer(t, { allow: [] });
  const run = await spawnCli([...healthy, '--k8s-configmap', 'report'], { env: forbidden.env });
  t.equal(run.code, 2, 'every endpoint reachable, but the report did not reach its ConfigMap');
  t.match(JSON.parse(run.stdout), { summary: { exitCode: 0, requiredBlocked: 0 } }, 'the report is on stdout all the same');
  t.equal(run.stderr.split('\n').length, 2, 'one line');
  t.match(
    run.stderr,
    /^aml-netcheck: --k8s-configmap: cannot write ConfigMap azureml\/report: create: HTTP 403: configmaps is forbidden: User "system:serviceaccount:azureml:aml-netcheck" cannot create resource "configmaps" .*; replace: HTTP 403: configmaps is forbidden: .* cannot get /,
  );

  const blocked = await workspace(t, 'drop');
  const again = await spawnCli([...blocked, '--k8s-configmap', 'report'], { env: forbidden.env });
  t.equal(again.code, 1, 'a blocked required endpoint outranks the failed write');
  t.match(again.stderr, /^aml-netcheck: --k8s-configmap: cannot write ConfigMap azureml\/report: create: HTTP 403/);

  const racing = await apiServer(t, { conflicts: 2 });
  racing.configMaps.set('report', { metadata: { name: 'report', namespace: 'azureml', resourceVersion: '1' } });
  const lost = await spawnCli([...healthy, '--k8s-configmap', 'report'], { env: racing.env });
  t.equal(lost.code, 2);
  t.equal(racing.calls.filter((call) => call.method === 'PUT').length, 2, 'a conflict is retried once, not forever');
  t.match(lost.stderr, /^aml-netcheck: --k8s-configmap: cannot replace ConfigMap azureml\/report: HTTP 409: Operation cannot be fulfilled/);

  const wrongToken = await apiServer(t);
  writeFileSync(join(wrongToken.env['AML_NETCHECK_SERVICE_ACCOUNT_DIR'] as string, 'token'), 'expired-token');
  const unauthorized = await spawnCli([...healthy, '--k8s-configmap', 'report'], { env: wrongToken.env });
  t.equal(unauthorized.code, 2);
  t.match(unauthorized.stderr, /^aml-netcheck: --k8s-configmap: cannot create ConfigMap azureml\/report: HTTP 401: Unauthorized\n$/);
  t.notMatch(unauthorized.stderr, /expired-token/, 'the token is never printed');

  const otherCa = await apiServer(t);
  const serviceAccount = (server: { env: Record<string, string> }, file: string): string => join(server.env['AML_NETCHECK_SERVICE_ACCOUNT_DIR'] as string, file);
  writeFileSync(serviceAccount(otherCa, 'ca.crt'), createPki().trusted.cert);
  const untrusted = await spawnCli([...healthy, '--k8s-configmap', 'report'], { env: otherCa.env });
  t.equal(untrusted.code, 2, 'an API server whose certificate the service account CA did not sign is not trusted');
  t.match(untrusted.stderr, /^aml-netcheck: --k8s-configmap: cannot reach the Kubernetes API at https:\/\/127\.0\.0\.1:\d+ to write ConfigMap azureml\/report: (UNABLE_TO_VERIFY_LEAF_SIGNATURE|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|CERT_SIGNATURE_FAILURE)/);
  t.equal(otherCa.calls.length, 0);
});
