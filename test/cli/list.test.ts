import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, mkdtempSync, openSync, truncateSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { CLI, runCli } from '../helpers/cli.js';
import { sampleWorkspaceFlags } from '../helpers/sample-workspace.js';

const FULL = ['list', '--cloud', 'public', ...sampleWorkspaceFlags(), '--online-endpoint', 'ep1', '--inbound-from-here', '10.0.0.4', '--private-endpoint', '--hbi', '-o', 'json'];

t.test('the full example prints every target, none with a placeholder, without touching the network', async (t) => {
  const run = await runCli(FULL, { forbidNetwork: true });
  t.equal(run.code, 0, run.stderr);
  t.equal(run.stderr, '');
  const { targets } = JSON.parse(run.stdout) as { targets: Array<Record<string, unknown>> };
  t.ok(targets.length > 60, `${targets.length} targets`);
  for (const target of targets) {
    for (const key of ['host', 'port', 'protocol', 'direction', 'pattern', 'features', 'required', 'condition', 'representative', 'skipped']) {
      t.ok(key in target, `${String(target['host'])}:${String(target['port'])} has ${key}`);
    }
    t.notMatch(String(target['host']), /[<>]/, `${String(target['host'])} has no placeholder`);
    t.type(target['port'], 'number');
  }
  const pe = targets.find((x) => x['host'] === 'ci1.westus2.instances.azureml.ms' && x['port'] === 18881);
  // The firewall article needs 18881 only with a private endpoint; the training-network article
  // always (a disagreement explain names), so the merged target carries no condition.
  t.match(pe, { skipped: null, condition: null, required: true, features: ['compute-instance'] });
  t.same((pe?.['sources'] as Array<{ section: string; condition: string | null }>).map((s) => `${s.section} ${s.condition ?? 'always'}`).sort(), ['basic-configuration private-endpoint', 'compute-hosts private-endpoint', 'training-vnet-no-public-ip always']);
  const skipped = targets.find((x) => x['host'] === 'archive.ubuntu.com');
  t.match(skipped, { skipped: { reason: /opt-in/, flag: '--features kubernetes-training' } });
});

/**
 * A table row as one line: the lines from its host to the next row, spaces squeezed. A long
 * host stands on a line of its own and the row's text wraps under its last column.
 */
function rowOf(table: string, host: string, port: number): string {
  const lines = table.split('\n');
  const start = lines.findIndex((line, i) => (line.startsWith(`${host} `) ? new RegExp(`^\\S+\\s+${port}\\s`).test(line) : line === host && new RegExp(`^\\s+${port}\\s`).test(lines[i + 1] ?? '')));
  if (start === -1) return '';
  const end = lines.findIndex((line, i) => i > start && !/^\s/.test(line) && !(lines[start] === host && i === start + 1));
  return lines
    .slice(start, end === -1 ? undefined : end)
    .join(' ')
    .replace(/\s+/g, ' ');
}

t.test('the table names what is checked and what is skipped, with the flag to add it', async (t) => {
  const run = await runCli(['list', '--region', 'westus2']);
  t.equal(run.code, 0);
  t.match(run.stdout, /^\d+ targets to check, \d+ skipped \(Azure public, region westus2\)/);
  t.equal(rowOf(run.stdout, 'login.microsoftonline.com', 443), 'login.microsoftonline.com 443 tcp azure-ad');
  t.match(run.stdout, /Skipped:/);
  t.match(rowOf(run.stdout, '<storage>.file.core.windows.net', 445), /^<storage>\.file\.core\.windows\.net 445 .*workspace-storage.*\[--storage-account\b.*\]$/);
});

t.test('the table fits the width and keeps every host whole', async (t) => {
  const args = ['list', '--region', 'westus2', '--storage-account', 'st1', '--compute-instance', 'ci1', '--workspace-id', '0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11', '--private-endpoint'];
  const json = JSON.parse((await runCli([...args, '-o', 'json'])).stdout) as { targets: Array<{ host: string; port: number }> };
  for (const columns of [60, 80, 100, 200]) {
    const run = await runCli(args, { env: { COLUMNS: String(columns) } });
    t.equal(run.code, 0);
    const hosts = new Set(json.targets.map((x) => x.host));
    const long = run.stdout.split('\n').filter((line) => line.length > columns && !hosts.has(line));
    t.same(long, [], `COLUMNS=${columns}: no line is wider, but for a host name longer than the width on a line of its own`);
    const missing = json.targets.filter((x) => rowOf(run.stdout, x.host, x.port) === '').map((x) => `${x.host}:${x.port}`);
    t.same(missing, [], `COLUMNS=${columns}: every target has its row, its host whole`);
  }
});

t.test('--workspace-json feeds the facts; flags override it', async (t) => {
  const run = await runCli(['list', '--workspace-json', 'test/fixtures/workspace/arm.json', '--storage-account', 'flagst', '-o', 'json']);
  t.equal(run.code, 0, run.stderr);
  const hosts = (JSON.parse(run.stdout) as { targets: Array<{ host: string; skipped: unknown }> }).targets.filter((x) => x.skipped === null).map((x) => x.host);
  t.ok(hosts.includes('flagst.file.core.windows.net'));
  t.notOk(hosts.includes('st1.file.core.windows.net'));
  t.ok(hosts.includes('kv1.vault.azure.net'), 'hbiWorkspace from the file brings Key Vault in');
  t.ok(hosts.includes('ml-ws1-westus2-0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11.westus2.notebooks.azure.net'));
});

const BAD_INPUT: Array<[string[], RegExp]> = [
  [['list', '--bogus'], /^aml-netcheck: unknown option '--bogus'/],
  [['list', '--cloud', 'mars'], /argument 'mars' is invalid\. Allowed choices are public, usgov, china/],
  [['list', '--workspace-id', 'abc'], /^aml-netcheck: --workspace-id: 'abc' is not a GUID/],
  [['list', '--cloud', 'public', '--region', 'chinaeast2'], /^aml-netcheck: --region: region 'chinaeast2' belongs to Azure China/],
  [['list', '--private-resources', 'storage,cosmos'], /^aml-netcheck: --private-resources: unknown private resource 'cosmos' \(known: storage, key-vault, container-registry\)\n$/],
  [['list', '--workspace-json', 'test/fixtures/workspace/arm-list.json'], /^aml-netcheck: test\/fixtures\/workspace\/arm-list\.json: value: holds 2 workspaces \(ws1, ws2\); pick one with --workspace-name\n$/],
  [['list', '--workspace-json', 'test/fixtures/workspace/arm-foreign-key.json'], /^aml-netcheck: test\/fixtures\/workspace\/arm-foreign-key\.json: storage_account: is how `az ml workspace show` \(v2\) spells it/],
  [['list', '--workspace-json', 'test/fixtures/workspace/no-shape.json'], /^aml-netcheck: test\/fixtures\/workspace\/no-shape\.json: matches no workspace JSON shape; expected an ARM resource/],
  [['list', '--workspace-json', 'test/fixtures/workspace/template-unevaluable.json'], /cannot evaluate the ARM expression .*; give --storage-account instead\n$/],
  [['list', '--workspace-json', '/dev/zero'], /^aml-netcheck: --workspace-json: '\/dev\/zero': holds more than the 16 MiB/],
  [['list', '--features', 'azure-ad,bogus'], /^aml-netcheck: --features: unknown feature 'bogus'/],
  [['list', '--features', ','], /^aml-netcheck: --features: needs at least one feature id/],
  [['list', '--catalog', 'test/fixtures/catalog/invalid/port-out-of-range.yaml'], /^aml-netcheck: test\/fixtures\/catalog\/invalid\/port-out-of-range\.yaml:5: entries\[0\]\.ports\[1\]: port 70000/],
  [['list', '--catalog', 'missing.yaml'], /^aml-netcheck: missing\.yaml: cannot read catalog file: no such file \(ENOENT\)/],
  [['list', '--workspace-json', 'test/fixtures/workspace/malformed.json'], /^aml-netcheck: test\/fixtures\/workspace\/malformed\.json: not valid JSON: .* at line 6 column 4/],
  [['list', '-o', 'xml'], /argument 'xml' is invalid/],
  [['nosuchcommand'], /^aml-netcheck: unknown command 'nosuchcommand'/],
  [['explain'], /missing required argument 'host'/],
];

t.test('bad input: one line on stderr naming the flag or file, exit 2, no stack trace, no stdout', async (t) => {
  for (const [args, message] of BAD_INPUT) {
    const run = await runCli(args);
    t.equal(run.code, 2, `${args.join(' ')} exits 2`);
    t.match(run.stderr, message, args.join(' '));
    t.equal(run.stderr.trim().split('\n').length, 1, `${args.join(' ')}: one line`);
    t.notMatch(run.stderr, /\n\s+at /, 'no stack trace');
    t.equal(run.stdout, '');
  }
});

t.test('every command has --help with an example; --version is quick', async (t) => {
  for (const command of ['list', 'check', 'explain', 'features', 'listen', 'demo']) {
    const run = await runCli([command, '--help']);
    t.equal(run.code, 0, `${command} --help`);
    t.match(run.stdout, /Example/, `${command} --help shows an example`);
    t.match(run.stdout, /--output|-o/);
  }
  const version = await runCli(['--version']);
  t.equal(version.code, 0);
  t.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
});

t.test('a reader that stops early (| head) ends the output quietly, not with a stack trace', async (t) => {
  const child = spawn(process.execPath, [CLI, 'list', '--region', 'westus2', '--storage-account', 'st1', '-o', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout.destroy();
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  t.equal(stderr, '');
  t.equal(code, 0);
});

t.test('a stdout that cannot be written is one line and exit code 2', { skip: existsSync('/dev/full') ? false : 'no /dev/full here' }, async (t) => {
  const out = openSync('/dev/full', 'w');
  const child = spawn(process.execPath, [CLI, 'list', '--region', 'westus2', '-o', 'json'], { stdio: ['ignore', out, 'pipe'] });
  closeSync(out);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  t.equal(stderr, 'aml-netcheck: cannot write to stdout: ENOSPC\n');
  t.equal(code, 2);
});

type ListedTarget = { host: string; port: number; direction: string; skipped: { reason: string; flag: string | null } | null };

function listed(stdout: string): ListedTarget[] {
  return (JSON.parse(stdout) as { targets: ListedTarget[] }).targets;
}

t.test('without --inbound-from-here the inbound ports are listed as skipped with the flag that enables them', async (t) => {
  const run = await runCli(['list', '--region', 'westus2', '--revision', '2021-11', '-o', 'json']);
  t.equal(run.code, 0, run.stderr);
  const inbound = listed(run.stdout).filter((x) => x.direction === 'inbound');
  t.same(inbound.map((x) => x.port).sort(), [29876, 29877, 44224]);
  t.ok(
    inbound.every((x) => x.host === '<node>' && x.skipped?.flag === '--inbound-from-here'),
    'skipped, naming --inbound-from-here, with no host made up',
  );
  const table = await runCli(['list', '--region', 'westus2', '--revision', '2021-11']);
  t.match(rowOf(table.stdout, '<node>', 29876), /\[--inbound-from-here\]$/);
  const given = listed((await runCli(['list', '--region', 'westus2', '--revision', '2021-11', '--inbound-from-here', '10.0.0.4', '-o', 'json'])).stdout).filter((x) => x.direction === 'inbound');
  t.ok(given.every((x) => x.host === '10.0.0.4' && x.skipped === null));
});

t.test('2026-03 asks for inbound 44224 only, and only for compute with a public IP', async (t) => {
  const bare = listed((await runCli(['list', '--region', 'westus2', '-o', 'json'])).stdout).filter((x) => x.direction === 'inbound');
  t.same(
    bare.map((x) => `${x.host}:${x.port}`),
    ['<node>:44224'],
  );
  t.equal(bare[0]?.skipped?.flag, '--public-ip-compute --inbound-from-here', 'both flags that bring it in');
  const withNode = listed((await runCli(['list', '--region', 'westus2', '--inbound-from-here', '10.0.0.4', '-o', 'json'])).stdout).filter((x) => x.direction === 'inbound');
  t.match(withNode, [{ host: '10.0.0.4', port: 44224, skipped: { flag: '--public-ip-compute' } }]);
  const given = listed((await runCli(['list', '--region', 'westus2', '--inbound-from-here', '10.0.0.4', '--public-ip-compute', '-o', 'json'])).stdout).filter((x) => x.direction === 'inbound');
  t.match(given, [{ host: '10.0.0.4', port: 44224, skipped: null }]);
});

t.test('region names: normalised the same from flags and JSON; a sovereign region implies its cloud; an unknown one warns', async (t) => {
  for (const spelling of ['West US 2', 'WESTUS2', ' westus2 ']) {
    const run = await runCli(['list', '--region', spelling]);
    t.equal(run.code, 0, run.stderr);
    t.match(run.stdout, /\(Azure public, region westus2\)/, JSON.stringify(spelling));
    t.equal(run.stderr, '');
  }
  const gov = await runCli(['list', '--region', 'usgovtexas']);
  t.match(gov.stdout, /\(Azure Government, region usgovtexas\)/, 'usgovtexas alone means Azure Government');
  const china = await runCli(['list', '--region', 'chinanorth3']);
  t.match(china.stdout, /\(Azure China \(21Vianet\), region chinanorth3\)/);
  const unknown = await runCli(['list', '--region', 'westus9']);
  t.equal(unknown.code, 0);
  t.equal(unknown.stderr, "aml-netcheck: warning: --region: 'westus9' is not an Azure region aml-netcheck knows; host names are built from it as given\n");
  const fromJson = await runCli(['list', '--workspace-json', 'test/fixtures/workspace/cli-v2-full.json']);
  t.match(fromJson.stdout, /region westeurope\)/, '"West Europe" in the JSON');
});

t.test('--workspace-json reads every shape, the encodings Windows writes, and standard input', async (t) => {
  for (const [file, args, host] of [
    ['arm-utf8-bom.json', [], 'st1.file.core.windows.net'],
    ['arm-utf16le.json', [], 'st1.file.core.windows.net'],
    ['sdk-v1.json', [], 'st4.file.core.chinacloudapi.cn'],
    ['cli-v2-full.json', [], 'st3.file.core.windows.net'],
    ['arm-list.json', ['--workspace-name', 'ws2'], 'st2.file.core.windows.net'],
    ['cli-v2-list.json', ['--workspace-name', 'ws5'], 'st5.file.core.usgovcloudapi.net'],
    ['template.json', [], 'st1.file.core.windows.net'],
  ] as const) {
    const run = await runCli(['list', '--workspace-json', `test/fixtures/workspace/${file}`, ...args, '-o', 'json']);
    t.equal(run.code, 0, `${file}: ${run.stderr}`);
    t.ok(
      listed(run.stdout).some((x) => x.host === host && x.skipped === null),
      `${file} gives ${host}`,
    );
  }
  // A shell pipe, as users pipe `az ml workspace show` into it (node's own stdio pipes are sockets).
  const child = spawn('sh', ['-c', `cat test/fixtures/workspace/arm.json | "${process.execPath}" "${CLI}" list --workspace-json - -o json`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  t.equal(code, 0, '- reads standard input');
  t.ok(listed(stdout).some((x) => x.host === 'kv1.vault.azure.net' && x.skipped === null));
});

t.test('--workspace-json that is no usable file: one line, exit 2', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'aml-netcheck-list-'));
  const huge = join(dir, 'huge.json');
  writeFileSync(huge, '');
  truncateSync(huge, 17 * 1024 * 1024);
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  for (const [file, message] of [
    [huge, /--workspace-json: '.*huge\.json': is \d+ bytes, more than the 16 MiB/],
    [fifo, /fifo: not valid JSON/],
    ['test/fixtures/workspace/not-utf8.json', /not-utf8\.json: is not UTF-8 or UTF-16 text/],
    ['test/fixtures/workspace/nope.json', /--workspace-json: 'test\/fixtures\/workspace\/nope\.json': cannot open: no such file \(ENOENT\)/],
  ] as const) {
    // The FIFO's writer sends something that is no JSON (test/io/input-file.test.ts covers one nobody writes to).
    const writer = file === fifo ? spawn('sh', ['-c', 'printf "{" > "$0"', fifo], { stdio: 'ignore' }) : null;
    const run = await runCli(['list', '--workspace-json', file]);
    if (writer !== null) await once(writer, 'close');
    t.equal(run.code, 2, file);
    t.match(run.stderr, message);
    t.equal(run.stderr.trim().split('\n').length, 1, 'one line');
    t.equal(run.stdout, '');
  }
});
