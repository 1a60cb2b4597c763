import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { startSimulatedAzure } from '../../src/simulate/azure.js';
import type { Manifest } from '../../src/bundle/manifest.js';
import { CLI, spawnCli as spawnBuiltCli } from '../helpers/cli.js';
import { reportSchemaErrors } from '../helpers/schema.js';
import { startHttpServer, startProxy } from '../helpers/servers.js';
import { SIMULATED_ROOT_VARIABLE } from '../../src/runner/trust.js';
import { leakyCatalog, unpackBundle } from '../helpers/denied-service.js';
import { loopbackNet } from '../helpers/loopback.js';
import { HANG_LIMIT_MS } from '../helpers/timing.js';

const CATALOG = join(process.cwd(), 'test/fixtures/catalog/sim/loopback.yaml');
/** Addresses of our own, so a check test running at the same time never holds the same ports. */
const NET = loopbackNet();
const DNS_ADDRESS = `${NET}.1`;
const WEB = `${NET}.2`;
const SHARE = `${NET}.3`;
const LEAKY = `${NET}.4`;

interface Spawned {
  readonly child: ChildProcess;
  stderrLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: Buffer; stderr: string }>;
}

/** The built CLI with its stdout kept as bytes (a tarball with --stdout). */
function spawnCli(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Spawned {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy']) delete env[name];
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? process.cwd(), env: { ...env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: Buffer[] = [];
  let stderr = '';
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    for (const waiter of [...waiters]) {
      const line = stderr.split('\n').find((l) => waiter.pattern.test(l));
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: Buffer; stderr: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`aml-netcheck ${args.join(' ')} did not finish; stderr: ${stderr.slice(-2000)}`));
    }, options.timeoutMs ?? HANG_LIMIT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(stdout), stderr });
    });
  });
  const stderrLine = (pattern: RegExp, timeoutMs = HANG_LIMIT_MS): Promise<string> =>
    new Promise((resolve, reject) => {
      const line = stderr.split('\n').find((l) => pattern.test(l));
      if (line !== undefined) return resolve(line);
      const timer = setTimeout(() => reject(new Error(`no stderr line matching ${pattern}: ${stderr.slice(-1000)}`)), timeoutMs);
      waiters.push({ pattern, resolve: (found) => (clearTimeout(timer), resolve(found)) });
    });
  return { child, stderrLine, done };
}

function scratch(t: { teardown(fn: () => unknown): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'amlnc-bundle-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function simulation(t: { teardown(fn: () => unknown): void }, share: 'drop' | 'ok' = 'drop') {
  const azure = await startSimulatedAzure({
    dns: { address: DNS_ADDRESS, port: 0 },
    hosts: [
      { name: 'web.sim.test', address: WEB, ports: { 18443: 'ok' } },
      { name: 'share.sim.test', address: SHARE, ports: { 18445: share } },
      { name: 'leaky.sim.test', address: LEAKY, ports: {} },
    ],
    schemes: { 18443: 'https' },
  });
  t.teardown(() => azure.close());
  const dir = scratch(t);
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, azure.caPem);
  // The simulated Azure's root plays the public roots' part (every run of this file inherits it).
  process.env[SIMULATED_ROOT_VARIABLE] = caFile;
  const dns = `${azure.dnsServer.address}:${azure.dnsServer.port}`;
  return { dir, dns, caFile, args: ['bundle', '--catalog', CATALOG, '--features', 'sim-test', '--dns-server', dns, '--allow-loopback-answers', '--ca-file', caFile, '--retries', '0', '--no-progress'] };
}

function partials(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.includes('.partial'));
}

t.test('bad flags and unwritable outputs: exit 2 before any check, nothing written', async (t) => {
  const dir = scratch(t);
  const cases: Array<[string[], RegExp]> = [
    [['--stdout', '--out', join(dir, 'b.tar.gz')], /^aml-netcheck: --stdout: writes the bundle to standard output: give --out or --stdout, not both$/],
    [['--out', join(dir, 'a.tar.gz'), '--out', join(dir, 'b.tar.gz')], /^aml-netcheck: --out: a bundle is one file: give --out once$/],
    [['--out', join(dir, 'missing', 'b.tar.gz')], /^aml-netcheck: --out: cannot write '.*missing\/b\.tar\.gz': its directory does not exist/],
    [['--out', dir], /^aml-netcheck: --out: cannot write '.*': is a directory, not a file$/],
    [['--redact', '(unclosed'], /^aml-netcheck: --redact: '\(unclosed' is not a regular expression/],
    [['--redact', 'x*'], /^aml-netcheck: --redact: 'x\*' matches the empty string/],
    [['--timeout', 'soon'], /^aml-netcheck: --timeout: /],
    [['--proxy', 'http://svc:Bad-Flag-S3cret@[::1'], /^aml-netcheck: --proxy: /],
  ];
  for (const [args, message] of cases) {
    const run = await spawnBuiltCli(['bundle', '--features', 'azure-ad', '--dns-server', '127.0.0.1:9', ...args], { env: { HTTPS_PROXY: '', HTTP_PROXY: '' } });
    t.equal(run.code, 2, args.join(' '));
    t.match(run.stderr.trimEnd(), message, args.join(' '));
    t.equal(run.stderr.trim().split('\n').length, 1, 'one line');
    t.notMatch(run.stderr, /Bad-Flag-S3cret/, 'a password in a bad flag is not echoed');
    t.equal(run.stdout, '');
  }
  t.same(readdirSync(dir), [], 'nothing written');
  const verifyMissing = await spawnBuiltCli(['bundle', 'verify', join(dir, 'none.tar.gz')]);
  t.equal(verifyMissing.code, 2);
  t.match(verifyMissing.stderr, /^aml-netcheck: .*none\.tar\.gz: cannot read: no such file \(ENOENT\)\n$/);
  writeFileSync(join(dir, 'report.json'), '{}');
  const notBundle = await spawnBuiltCli(['bundle', 'verify', join(dir, 'report.json')]);
  t.equal(notBundle.code, 2);
  t.match(notBundle.stderr, /^aml-netcheck: .*report\.json: not a readable gzipped tarball: /);
});

t.test('a bundle on loopback: the report on stdout, the same report inside, every file verified', async (t) => {
  const { dir, args } = await simulation(t);
  const file = join(dir, 'ticket.tar.gz');
  const started = Date.now();
  // The healthy target must be reachable: each phase gets the room a busy machine needs.
  const run = await spawnBuiltCli([...args, '--timeout', '2s', '-o', 'json', '--out', file]);
  t.equal(run.code, 1, `check's exit code: the dropped port breaks sim-test (${run.stderr})`);
  t.match(run.stderr, /^aml-netcheck: bundle .*ticket\.tar\.gz \(\d+\.\d KiB, \d+ files\)\n$/, 'one line on stderr names the bundle, its size and file count');
  t.comment(`bundle: ${statSync(file).size} bytes, made in ${Date.now() - started} ms including a 2 s timeout`);
  t.equal(statSync(file).mode & 0o777, 0o600, 'mode 0600');
  const printed = JSON.parse(run.stdout) as { summary: { exitCode: number }; targets: Array<{ id: string; verdict: string; reason: string | null }> };
  t.same(reportSchemaErrors(printed), []);
  const top = unpackBundle(file, dir);
  const inside = JSON.parse(readFileSync(join(top, 'report.json'), 'utf8')) as typeof printed;
  t.same(inside, printed, 'report.json in the bundle is the report of the run');
  t.same(
    inside.targets.map((x) => [x.id, x.verdict, x.reason]),
    [
      ['share.sim.test:18445', 'blocked', 'tcp-timeout'],
      ['web.sim.test:18443', 'reachable', null],
    ],
  );
  t.match(readFileSync(join(top, 'report.md'), 'utf8'), /\| `share\.sim\.test:18445` \| sim-test \| `tcp-timeout` \|/);
  const manifest = JSON.parse(readFileSync(join(top, 'manifest.json'), 'utf8')) as Manifest;
  t.match(manifest, { bundleFormat: 1, tool: { name: 'aml-netcheck' }, check: { exitCode: 1, complete: true, featuresBroken: ['sim-test'] } });
  t.same(manifest.command.slice(0, 3), ['aml-netcheck', 'bundle', '--catalog']);
  t.ok(
    manifest.files.some((f) => f.name === 'catalog/user/1-loopback.yaml'),
    'the user catalog is inside',
  );
  t.match(readFileSync(join(top, 'catalog/user/1-loopback.yaml'), 'utf8'), readFileSync(CATALOG, 'utf8'));
  const log = readFileSync(join(top, 'log.ndjson'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { level: number; msg: string });
  t.ok(
    log.some((line) => line.level === 20),
    'the log is at debug level though stderr was at warn',
  );
  t.match(JSON.parse(readFileSync(join(top, 'environment/clock.json'), 'utf8')), { basis: 'https', skewed: false, samples: [{ target: 'web.sim.test:18443' }] }, 'the clock against the HTTPS answer');
  t.match(readFileSync(join(top, 'environment/routes.txt'), 'utf8'), /^# IPv4 \(\/proc\/net\/route\)\n/);

  const verified = await spawnBuiltCli(['bundle', 'verify', file]);
  t.equal(verified.code, 0, verified.stderr);
  t.match(
    verified.stdout,
    new RegExp(
      `^'.*ticket\\.tar\\.gz': made by aml-netcheck \\S+ on \\S+ at \\S+\\n  command: aml-netcheck bundle --catalog [^\\n]+\\n  check: exit 1, broken: sim-test\\n  parts: report\\.table ok, report\\.json ok, [^\\n]*allow-list ok[^\\n]*\\n[^]*  ${manifest.files.length} files, every one matches the manifest \\(size and SHA-256\\)\\n$`,
    ),
  );

  // Packed again by the system tar, file by file, then one byte changed.
  const repacked = join(dir, 'repacked.tar.gz');
  const names = [...manifest.files.map((f) => f.name), 'manifest.json'].map((name) => join(top.slice(dir.length + 1), name));
  execFileSync('tar', ['-czf', repacked, '-C', dir, '--no-recursion', ...names]);
  t.equal((await spawnBuiltCli(['bundle', 'verify', repacked])).code, 0, 'the same files packed by another tar still verify');
  const md = join(top, 'report.md');
  writeFileSync(md, readFileSync(md, 'utf8').replace('tcp-timeout', 'tcp-timeouT'));
  execFileSync('tar', ['-czf', repacked, '-C', dir, '--no-recursion', ...names]);
  const tampered = await spawnBuiltCli(['bundle', 'verify', repacked]);
  t.equal(tampered.code, 1);
  t.match(tampered.stdout, /  1 problem\(s\); \d+ of \d+ files match the manifest:\n    report\.md: SHA-256 differs from the manifest's\n$/);
});

t.test('--stdout: the tarball and nothing else on stdout; the default name otherwise', async (t) => {
  const { dir, args } = await simulation(t, 'ok');
  // Nothing is dropped here: a long budget costs nothing, and a busy machine needs it.
  const run = await spawnCli([...args, '--timeout', '20s', '--stdout'], { cwd: dir }).done;
  t.equal(run.code, 0, run.stderr);
  t.same([...run.stdout.subarray(0, 2)], [0x1f, 0x8b], 'gzip on stdout');
  t.match(run.stderr, /^aml-netcheck: bundle written to standard output \(\d+\.\d KiB, \d+ files\)\n$/);
  t.same(readdirSync(dir).sort(), ['ca.pem'], 'no file written');
  writeFileSync(join(dir, 'piped.tar.gz'), run.stdout);
  t.equal((await spawnBuiltCli(['bundle', 'verify', join(dir, 'piped.tar.gz')])).code, 0, 'what came out of stdout verifies');

  const named = await spawnCli([...args, '--timeout', '20s'], { cwd: dir }).done;
  t.equal(named.code, 0, named.stderr);
  const made = readdirSync(dir).filter((name) => /^aml-netcheck-.+-\d{8}T\d{6}Z\.tar\.gz$/.test(name));
  t.equal(made.length, 1, `the default name, from the host and the UTC time: ${made.join(', ')}`);
  t.match(named.stdout.toString('utf8'), /ok +Simulated service \(sim-test\)/, 'the table report on stdout');
  t.match(named.stderr, new RegExp(`^aml-netcheck: bundle .*${(made[0] ?? '').replace(/\./g, '\\.')} \\(`));
});

/** A pattern that finds each text, in this order, anything between. */
function inOrder(texts: readonly string[]): RegExp {
  return new RegExp(texts.map((text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^]*'));
}

/** Secrets of every kind, each planted in an input the run reads. */
const JWT = 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJvaWQiOiJQbGFudGVkSnd0In0.UGxhbnRlZEp3dFNpZ25hdHVyZQ';
const STORAGE_KEY = `${'Pl4nted+Key/'.repeat(7)}Ab==`;
const SECRETS = {
  proxyFlagPassword: 'Flag-Pr0xy-Pass-913',
  proxyEnvPassword: 'Env-Pr0xy-Pass-417',
  sasSig: 'SasSigSecret%2Bq7',
  sasExpiry: '2031-07-07T07%3A07Z',
  sasVersion: '2030-05-05',
  bearer: 'BearerTok3nSecret99',
  jwt: JWT,
  cookie: 'PlantedCookieValue42',
  storageKey: STORAGE_KEY,
  connectionKey: 'ConnStr1ngK3ySecret',
  userPattern: 'corp-secret-7781',
  userPatternInFlag: 'corp-secret-5512',
};

t.test('secrets planted in every input are in neither the bundle nor stdout nor stderr', async (t) => {
  const { dir, dns, caFile } = await simulation(t);
  // The service answers with a SAS in its redirect, a cookie and a token where a header shows.
  const leaky = await startHttpServer((_request, response) => {
    response.writeHead(302, {
      location: `https://st1.blob.core.windows.net/c/b.txt?sv=${SECRETS.sasVersion}&se=${SECRETS.sasExpiry}&sr=b&sp=r&sig=${SECRETS.sasSig}`,
      'set-cookie': `session=${SECRETS.cookie}; HttpOnly`,
      server: `gateway Authorization: Bearer ${SECRETS.bearer}`,
    });
    response.end(`token=${JWT}`);
  });
  t.teardown(() => leaky.close());
  const username = 'svc-aml';
  const proxy = await startProxy({ routes: { 'leaky.sim.test:18480': leaky.port }, credentials: { username, password: SECRETS.proxyFlagPassword } });
  t.teardown(() => proxy.close());
  const catalog = join(dir, 'corp.yaml');
  writeFileSync(
    catalog,
    [
      '# Kept with the catalog, one secret a line, as people do:',
      `# curl -H 'Authorization: Bearer ${SECRETS.bearer}' https://leaky.sim.test`,
      `# token ${JWT}`,
      `# Cookie: x=${SECRETS.cookie}`,
      `# key ${STORAGE_KEY}`,
      `# DefaultEndpointsProtocol=https;AccountName=st1;AccountKey=${SECRETS.connectionKey};EndpointSuffix=core.windows.net`,
      leakyCatalog(18480, `Reached with bearer ${SECRETS.bearer} (owner ${SECRETS.userPattern})`),
    ].join('\n'),
  );
  const workspaceJson = join(dir, 'ws.json');
  writeFileSync(
    workspaceJson,
    JSON.stringify({
      id: '/subscriptions/0/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/corp-secret-7781',
      name: SECRETS.userPattern,
      type: 'Microsoft.MachineLearningServices/workspaces',
      location: 'westus2',
      properties: { workspaceId: '0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11', storageAccount: `/subscriptions/0/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1`, description: `SharedAccessSignature=sv=${SECRETS.sasVersion}&sig=${SECRETS.sasSig}` },
    }),
  );
  const file = join(dir, 'b.tar.gz');
  const run = await spawnCli(
    [
      'bundle',
      '--workspace-json',
      workspaceJson,
      '--catalog',
      catalog,
      '--features',
      'leak-test',
      '--compute-instance',
      SECRETS.userPatternInFlag,
      '--dns-server',
      dns,
      '--allow-loopback-answers',
      '--ca-file',
      caFile,
      '--retries',
      '0',
      '--timeout',
      '2s',
      '--no-progress',
      '--proxy',
      `http://${username}:${SECRETS.proxyFlagPassword}@127.0.0.1:${proxy.port}`,
      '--redact',
      'corp-secret-[0-9]+',
      '--log-level',
      'debug',
      '-o',
      'markdown',
      '--out',
      file,
    ],
    {
      env: {
        HTTPS_PROXY: `http://${username}:${SECRETS.proxyEnvPassword}@127.0.0.1:1`,
        NO_PROXY: 'localhost',
        AZURE_STORAGE_CONNECTION_STRING: `AccountName=st1;AccountKey=${SECRETS.connectionKey}`,
        AML_TOKEN: JWT,
      },
    },
  ).done;
  const stdout = run.stdout.toString('utf8');
  t.equal(run.code, 0, `the service answered through the proxy (${run.stderr.slice(-500)})`);
  t.ok(
    proxy.seen.some((r) => r.target === 'http://leaky.sim.test:18480/' && r.authorization !== undefined),
    'the run went through the proxy with its credentials',
  );
  const top = unpackBundle(file, dir);
  const manifest = JSON.parse(readFileSync(join(top, 'manifest.json'), 'utf8')) as Manifest;
  const files = [...manifest.files.map((f) => f.name), 'manifest.json'];
  const contents = new Map(files.map((name) => [name, readFileSync(join(top, name), 'utf8')]));
  for (const [kind, secret] of Object.entries(SECRETS)) {
    const decoded = decodeURIComponent(secret);
    for (const [name, text] of contents) t.notOk(text.includes(secret) || text.includes(decoded), `${kind} is not in ${name}`);
    t.notOk(stdout.includes(secret) || stdout.includes(decoded), `${kind} is not on stdout`);
    t.notOk(run.stderr.includes(secret) || run.stderr.includes(decoded), `${kind} is not on stderr`);
  }
  // Each secret reached the bundle's inputs and was redacted there, rather than missed altogether.
  const report = contents.get('report.json') ?? '';
  t.match(report, /"location": "https:\/\/st1\.blob\.core\.windows\.net\/c\/b\.txt\?sv=\[redacted\]&se=\[redacted\]&sr=\[redacted\]&sp=\[redacted\]&sig=\[redacted\]"/, 'the SAS of the HTTP answer');
  t.match(report, /"server": "gateway Authorization: \[redacted\]"/, 'a header of the HTTP answer');
  t.match(report, /"workspaceName": "\[redacted\]"/, 'the --redact pattern in the workspace JSON');
  t.match(
    contents.get('catalog/user/1-corp.yaml'),
    inOrder([
      "# curl -H 'Authorization: [redacted]",
      '# token [redacted]',
      '# Cookie: [redacted]',
      '# key [redacted]',
      '# DefaultEndpointsProtocol=https;AccountName=st1;AccountKey=[redacted];EndpointSuffix=core.windows.net',
      'purpose: "Reached with bearer [redacted] (owner [redacted])"',
    ]),
    'the user catalog, each secret in its place',
  );
  t.match(JSON.parse(contents.get('environment/proxy.json') ?? '{}'), { variables: { HTTPS_PROXY: `http://${username}:[redacted]@127.0.0.1:1` }, flag: `http://${username}:[redacted]@127.0.0.1:${proxy.port}` });
  t.ok(manifest.command.includes('[redacted]'), 'the --compute-instance value matched by --redact');
  t.ok(manifest.command.includes(`http://${username}:[redacted]@127.0.0.1:${proxy.port}`), 'the --proxy password');
  t.match(contents.get('log.ndjson'), /leaky\.sim\.test/, 'the log is there');
  t.match(run.stderr, /"level":20/, 'stderr had the debug log, redacted as well');
  t.match(stdout, /leaky\.sim\.test:18480/, 'the Markdown report on stdout');
  t.notOk(JSON.stringify(JSON.parse(contents.get('environment/system.json') ?? '{}')).includes('AML_TOKEN'), 'variables that do not bear on the network are not collected');
});

t.test('an interrupted bundle run leaves a complete bundle or none, and never a temporary file', async (t) => {
  const { dir, args } = await simulation(t);
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    const file = join(dir, `${signal}.tar.gz`);
    const running = spawnCli([...args, '--timeout', '8s', '--deadline', '60s', '--log-level', 'debug', '-o', 'json', '--out', file], { cwd: dir });
    await running.stderrLine(/"target":"web\.sim\.test:18443".*"verdict":"reachable"/);
    running.child.kill(signal);
    const run = await running.done;
    t.equal(run.code, code, `${signal}: exit ${code}`);
    t.same(partials(dir), [], `${signal}: no temporary file left`);
    t.ok(existsSync(file), `${signal}: the bundle of the run so far was made`);
    const verified = await spawnBuiltCli(['bundle', 'verify', file]);
    t.equal(verified.code, 0, `${signal}: it verifies`);
    t.match(verified.stdout, new RegExp(`check: exit ${code}, cut short \\(${signal}\\)`));
    const top = unpackBundle(file, mkdtempSync(join(dir, 'x-')));
    t.match(JSON.parse(readFileSync(join(top, 'report.json'), 'utf8')), { summary: { stoppedBy: signal, exitCode: code } }, `${signal}: the report inside says so`);
  }
  // Two signals at once: the second quits at once, wherever the run is.
  for (let i = 0; i < 2; i++) {
    const file = join(dir, `twice-${i}.tar.gz`);
    const running = spawnCli([...args, '--timeout', '8s', '--deadline', '60s', '--log-level', 'debug', '--out', file], { cwd: dir });
    await running.stderrLine(/"target":"web\.sim\.test:18443".*"verdict":"reachable"/);
    running.child.kill('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, i * 15));
    running.child.kill('SIGINT');
    const run = await running.done;
    t.equal(run.code, 130, `double Ctrl-C ${i}: exit 130`);
    t.same(partials(dir), [], `double Ctrl-C ${i}: no temporary file left`);
    if (existsSync(file)) t.equal((await spawnBuiltCli(['bundle', 'verify', file])).code, 0, `double Ctrl-C ${i}: the bundle there is complete`);
    else t.pass(`double Ctrl-C ${i}: no bundle`);
  }
});
