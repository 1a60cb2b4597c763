import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createPki } from '../../src/simulate/pki.js';
import { startDnsServer } from '../../src/simulate/dns-server.js';
import { respondWith, startHttpServer, started } from '../helpers/servers.js';
import { runCli, spawnCli } from '../helpers/cli.js';
import { SIMULATED_ROOT_VARIABLE } from '../../src/runner/trust.js';
import { loopbackNet } from '../helpers/loopback.js';

const CATALOG = 'test/fixtures/catalog/sim/hostile.yaml';
const ESC = '\x1b';
/** Clear screen, set the window title, recolour: what a hostile page would send a terminal. */
const HOSTILE = `${ESC}[2J${ESC}]0;owned${ESC}\\${ESC}[31m`;

function noRawControls(t: { notOk(v: unknown, m: string): void; notMatch(v: unknown, p: RegExp, m: string): void }, text: string, what: string): void {
  t.notOk(text.includes(ESC), `${what}: no raw ESC`);
  t.notMatch(text, /[\x00-\x08\x0b-\x1f\x7f-\x9f]/, `${what}: no other control character`);
}

t.test('deny pages, certificate names and catalog text reach the table and stderr escaped', async (t) => {
  const pki = createPki();
  // A certificate no one trusts, whose subject carries escape sequences: its name is shown in the verdict.
  const hostileCert = pki.selfSigned(`cert.sim.test${HOSTILE}`);
  const net = loopbackNet();
  const dns = await startDnsServer({ 'deny.sim.test': { a: [`${net}.2`] }, 'cert.sim.test': { a: [`${net}.3`] } }, { address: `${net}.1` });
  t.teardown(() => dns.close());
  await started(t, startHttpServer(respondWith(470, `HTTP request to deny.sim.test:80. Action: Deny. ${HOSTILE} No rule matched.`), undefined, { address: `${net}.2`, port: 18480 }));
  await started(t, startHttpServer(respondWith(200, 'ok'), hostileCert, { address: `${net}.3`, port: 18443 }));
  const dir = mkdtempSync(join(tmpdir(), 'amlnc-esc-'));
  writeFileSync(join(dir, 'ca.pem'), pki.trusted.cert);
  // The simulated Azure's root plays the public roots' part (every run of this file inherits it).
  process.env[SIMULATED_ROOT_VARIABLE] = join(dir, 'ca.pem');
  const args = ['check', '--catalog', CATALOG, '--features', 'hostile', '--dns-server', `${dns.server.address}:${dns.server.port}`, '--allow-loopback-answers', '--ca-file', join(dir, 'ca.pem'), '--retries', '0', '--timeout', '3s'];

  const table = await spawnCli(args);
  t.equal(table.code, 1, table.stderr);
  // The table wraps long details to the terminal's width; read them as one line.
  const unwrapped = table.stdout.replace(/\n +/g, ' ');
  t.match(unwrapped, /Action: Deny\. \\x1b\[2J\\x1b\]0;owned\\x1b\\\\?\\x1b\[31m No rule matched/, 'the deny page is shown, escaped');
  // Certificate names are written escaped in RFC 4514 style (a control character as \1B), so no escape sequence is left.
  t.match(unwrapped, /cert\.sim\.test\\1B\[2J/, 'the certificate name is shown, escaped');
  t.match(table.stdout, /Hostile \\x1b\]0;owned\\x07 service/, 'the catalog feature name is shown, escaped');
  noRawControls(t, table.stdout, 'table');
  noRawControls(t, table.stderr, 'stderr');

  const json = await spawnCli([...args, '-o', 'json', '--out', join(dir, 'report.json')]);
  const report = JSON.parse(json.stdout) as { targets: Array<{ detail: string }> };
  t.ok(
    report.targets.some((x) => x.detail.includes(ESC)),
    'JSON keeps the text as it came (JSON.stringify escapes it)',
  );
  t.notOk(json.stdout.includes(ESC), 'and the JSON bytes hold no raw ESC');

  const explained = await runCli(['explain', 'deny.sim.test', '--catalog', CATALOG]);
  t.equal(explained.code, 0, explained.stderr);
  t.match(explained.stdout, /why: +A firewall deny page with escape sequences \\x1b\[31m in it\./);
  t.match(explained.stdout, /Hostile \\x1b\[2J simulation: deny\.sim\.test/);
  noRawControls(t, explained.stdout, 'explain');

  const features = await runCli(['features', '--catalog', CATALOG]);
  noRawControls(t, features.stdout, 'features');
});

t.test('escape sequences in flags and in file names reach stderr escaped, on one line', async (t) => {
  for (const args of [
    ['explain', `login.microsoftonline.com${HOSTILE}`],
    ['explain', 'x.sim.test', '--catalog', `missing${HOSTILE}\n.yaml`],
    ['features', '--out', `/nonexistent${HOSTILE}/x.json`],
    ['list', `--bogus${HOSTILE}`],
    ['check', '--dns-server', `127.0.0.1:5${HOSTILE}`],
  ]) {
    const run = await spawnCli(args);
    t.equal(run.code, 2, JSON.stringify(args));
    noRawControls(t, run.stderr, JSON.stringify(args));
    t.equal(run.stderr.trim().split('\n').length, 1, 'one line');
    t.match(run.stderr, /\\x1b\[2J/, 'shown as visible escapes');
  }
});
