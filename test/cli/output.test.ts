import { execFileSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { runCli } from '../helpers/cli.js';

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'amlnc-cli-out-'));
}

t.test('--out saves JSON for list, explain and features while stdout keeps the table', async (t) => {
  const dir = scratch();
  for (const [name, args, key] of [
    ['list', ['list', '--region', 'westus2', '--features', 'azure-ad'], 'targets'],
    ['explain', ['explain', 'login.microsoftonline.com'], 'matches'],
    ['features', ['features'], 'features'],
  ] as const) {
    const out = join(dir, `${name}.json`);
    const run = await runCli([...args, '--out', out]);
    t.equal(run.code, 0, `${name}: ${run.stderr}`);
    t.notOk(run.stdout.trimStart().startsWith('{'), `${name}: stdout is the table`);
    const saved = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
    t.ok(Array.isArray(saved[key]) || typeof saved[key] === 'object', `${name}: the file holds the JSON document`);
    const json = await runCli([...args, '-o', 'json']);
    t.equal(readFileSync(out, 'utf8'), json.stdout, `${name}: the file is what -o json prints`);
  }
  t.same(readdirSync(dir).sort(), ['explain.json', 'features.json', 'list.json'], 'no temporary file left');
});

t.test('output targets that are not regular files', async (t) => {
  const dir = scratch();
  const full = await runCli(['features', '--out', '/dev/full']);
  t.equal(full.code, 2);
  t.equal(full.stderr, "aml-netcheck: --out: cannot write '/dev/full': no space left on the device (ENOSPC)\n");
  t.match(full.stdout, /^ID\s+NAME/, 'stdout still gets the list');

  const fifo = join(dir, 'pipe');
  execFileSync('mkfifo', [fifo]);
  const lonely = await runCli(['features', '--out', fifo], { timeoutMs: 10_000 });
  t.equal(lonely.code, 2, 'a FIFO nobody reads does not hang');
  t.equal(lonely.stderr, `aml-netcheck: --out: cannot write '${fifo}': the FIFO has no reader (ENXIO)\n`);
  t.ok(lstatSync(fifo).isFIFO(), 'still a FIFO');
});

t.test('a character device named by --out stays a device', process.getuid?.() === 0 ? {} : { skip: 'needs root for mknod' }, async (t) => {
  const dir = scratch();
  const device = join(dir, 'null');
  execFileSync('mknod', [device, 'c', '1', '3']);
  const run = await runCli(['features', '--out', device]);
  t.equal(run.code, 0, run.stderr);
  t.ok(lstatSync(device).isCharacterDevice(), 'not turned into a regular file');
});
