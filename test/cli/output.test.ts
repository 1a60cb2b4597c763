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

t.test('each --out gets the format its name ends in, from one run', async (t) => {
  const dir = scratch();
  const file = (name: string): string => join(dir, name);
  const run = await runCli(['demo', '-o', 'json', '--out', file('r.md'), '--out', file('r.xml'), '--out', file('r.txt'), '--out', file('r.JSON'), '--out', file('r.report')], {
    env: { FORCE_COLOR: '1', COLUMNS: '300' },
  });
  t.equal(run.code, 1, `the demo breaks endpoints on purpose: ${run.stderr}`);
  const report = JSON.parse(run.stdout) as { summary: { targets: number; featuresBroken: string[] }; durationMs: number };
  t.equal(readFileSync(file('r.JSON'), 'utf8'), run.stdout, '.JSON (any case) is the JSON stdout printed: the same run');
  t.equal(readFileSync(file('r.report'), 'utf8'), run.stdout, 'a name that says no format gets JSON');
  const markdown = readFileSync(file('r.md'), 'utf8');
  t.match(markdown, /^## aml-netcheck report\n\naml-netcheck \S+: \*\*\d+ feature\(s\) broken\*\*/, '.md is the Markdown report');
  t.match(markdown, /\n\| --- \|/, 'with its tables');
  const xml = readFileSync(file('r.xml'), 'utf8');
  t.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites /, '.xml is the JUnit report');
  const table = readFileSync(file('r.txt'), 'utf8');
  t.notMatch(table, /\x1b/, '.txt is plain: FORCE_COLOR is for the terminal, not for files');
  const widest = Math.max(...table.split('\n').map((line) => line.length));
  t.ok(widest <= 100, `.txt keeps to 100 columns whatever COLUMNS says (${widest})`);
  for (const name of report.summary.featuresBroken) t.ok(table.includes(name) || markdown.includes(name), `${name} is in the reports`);
  t.same(readdirSync(dir).sort(), ['r.JSON', 'r.md', 'r.report', 'r.txt', 'r.xml'], 'no temporary file left');
});

t.test('an --out a command cannot write is refused before any work', async (t) => {
  const dir = scratch();
  const markdown = join(dir, 'targets.md');
  const list = await runCli(['list', '--region', 'westus2', '--out', markdown]);
  t.equal(list.code, 2);
  t.equal(list.stderr, `aml-netcheck: --out: '${markdown}' names markdown by its ending .md, which this command does not write; it writes .json json; .txt table; and JSON for any other name\n`);
  t.equal(list.stdout, '', 'nothing printed');
  const twice = join(dir, 'r.json');
  const demo = await runCli(['demo', '--out', twice, '--out', join(dir, '.', 'r.json')]);
  t.equal(demo.code, 2);
  t.equal(demo.stderr, `aml-netcheck: --out: '${join(dir, '.', 'r.json')}' is named twice\n`);
  t.equal(demo.stdout, '', 'the demo did not run');
  t.same(readdirSync(dir), [], 'no file made');
});
