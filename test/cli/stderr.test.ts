/**
 * stderr carries our one-line messages and nothing of Node's own: no warning text, no raw
 * log line for an interrupt, and an interrupt while a command starts still says so.
 */
import https from 'node:https';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import t from 'tap';
import { createPki } from '../../src/simulate/pki.js';
import { spawnCli } from '../helpers/cli.js';

const SIGNAL_AT_START = pathToFileURL(fileURLToPath(new URL('../fixtures/faults/signal-at-start.mjs', import.meta.url))).href;

t.test('a YAML warning in a catalog is our one-line error, not a Node warning before it', async (t) => {
  const run = await spawnCli(['list', '--region', 'westus2', '--catalog', 'test/fixtures/catalog/invalid/yaml-unknown-tag.yaml']);
  t.equal(run.code, 2);
  t.equal(run.stderr, 'aml-netcheck: test/fixtures/catalog/invalid/yaml-unknown-tag.yaml:3:14: not valid YAML: Unresolved tag: !corp\n');
});

t.test('an https:// proxy given by IP address draws no Node deprecation warning (no SNI for an address)', async (t) => {
  const pki = createPki();
  const credentials = pki.issue({ names: ['127.0.0.1'] });
  // Refuses every tunnel: the point is the TLS connection to the proxy, not the target.
  const proxy = https.createServer({ cert: credentials.cert, key: credentials.key });
  proxy.on('connect', (_request, socket) => socket.end('HTTP/1.1 403 Forbidden\r\n\r\n'));
  proxy.listen(0, '127.0.0.1');
  await once(proxy, 'listening');
  t.teardown(() => proxy.close());
  const { port } = proxy.address() as AddressInfo;
  const caFile = `${t.testdir({ 'ca.pem': pki.trusted.cert })}/ca.pem`;
  const run = await spawnCli(['check', '--region', 'westus2', '--features', 'azure-ad', '--proxy', `https://127.0.0.1:${port}`, '--ca-file', caFile, '--dns-server', '127.0.0.1:9', '--timeout', '2s', '-o', 'json']);
  t.equal(run.code, 1, 'the proxy refuses: blocked');
  const report = JSON.parse(run.stdout) as { targets: Array<{ reason: string | null; via: string }> };
  t.ok(
    report.targets.some((target) => target.via === 'proxy' && target.reason === 'proxy-denied'),
    'the check reached the proxy over TLS',
  );
  t.notMatch(run.stderr, /DEP0123|DeprecationWarning|\(node:\d+\)/);
});

for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  t.test(`${signal} while the demo starts: one line in our words, exit ${code}`, async (t) => {
    const run = await spawnCli(['demo'], { nodeArgs: ['--import', SIGNAL_AT_START], env: { AMLNC_SIGNAL: signal } });
    t.equal(run.code, code);
    t.equal(run.stderr, `aml-netcheck: ${signal}: stopped before any report was made\n`);
  });
}
