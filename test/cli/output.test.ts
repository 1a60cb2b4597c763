import { execFileSync } from 'node:child_process';
import { existsSync, linkSync, lstatSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { runCli, spawnCli } from '../helpers/cli.js';

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
  const lonely = await spawnCli(['features', '--out', fifo], { timeoutMs: 10_000 });
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
  const run = await spawnCli(['demo', '-o', 'json', '--out', file('r.md'), '--out', file('r.xml'), '--out', file('r.txt'), '--out', file('r.JSON'), '--out', file('r.report')], {
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
  const demo = await spawnCli(['demo', '--out', twice, '--out', join(dir, '.', 'r.json')]);
  t.equal(demo.code, 2);
  t.equal(demo.stderr, `aml-netcheck: --out: '${join(dir, '.', 'r.json')}' is named twice\n`);
  t.equal(demo.stdout, '', 'the demo did not run');
  t.same(readdirSync(dir), [], 'no file made');
});

t.test('an --out that is a file the run reads (or logs to) is refused before any work, by any name, and the file is untouched', async (t) => {
  const dir = scratch();
  const copy = (from: string, name: string): string => {
    const to = join(dir, name);
    writeFileSync(to, readFileSync(from));
    return to;
  };
  const ws = copy('test/fixtures/workspace/az-cli.json', 'ws.json');
  const before = copy(`test/fixtures/reports/${readdirSync('test/fixtures/reports').find((f) => f.endsWith('.json')) ?? ''}`, 'before.json');
  const after = copy(before, 'after.json');
  const catalog = copy('test/fixtures/catalog/sim/loopback.yaml', 'c.yaml');
  const log = join(dir, 'run.log');
  symlinkSync(before, join(dir, 'link.json'));
  linkSync(after, join(dir, 'hard.json'));
  const cases: Array<[string, string[], string, RegExp]> = [
    ['diff over its baseline', ['diff', before, after, '--out', before], before, /the BEFORE report/],
    ['diff over AFTER through a relative path', ['diff', before, after, '--out', join(dir, '.', 'after.json')], after, /the AFTER report/],
    ['diff through a symlink to the baseline', ['diff', before, after, '--out', join(dir, 'link.json')], before, /the BEFORE report/],
    ['diff through a hard link to AFTER', ['diff', before, after, '--out', join(dir, 'hard.json')], after, /the AFTER report/],
    ['list over its workspace JSON', ['list', '--workspace-json', ws, '--out', ws], ws, /the file given to --workspace-json/],
    ['rules over its report', ['rules', '--from-report', before, '--out', before], before, /the file given to --from-report/],
    ['list over its catalog', ['list', '--region', 'westus2', '--catalog', catalog, '--out', catalog], catalog, /the file given to --catalog/],
    ['merge over a node report', ['merge', before, after, '--out', after], after, /the REPORT/],
  ];
  for (const [name, args, file, says] of cases) {
    const was = readFileSync(file);
    const run = await runCli(args);
    t.equal(run.code, 2, `${name}: exit 2`);
    t.match(run.stderr, says, name);
    t.match(run.stderr, /^aml-netcheck: --out: '.+' is .+; writing the output there would overwrite it: name another file\n$/, `${name}: one line`);
    t.same(readFileSync(file), was, `${name}: the input is untouched`);
  }
  // Not yet written, so only the path can tell: the log file and the report would share it.
  const logged = await spawnCli(['check', '--region', 'westus2', '--log-file', log, '--out', log, '--dns-server', '127.0.0.1:9']);
  t.equal(logged.code, 2);
  t.match(logged.stderr, /^aml-netcheck: --out: '.+run\.log' is the file given to --log-file/);
  t.notOk(existsSync(log), 'nothing was written');
  const bundled = await spawnCli(['bundle', '--workspace-json', ws, '--out', ws, '--dns-server', '127.0.0.1:9']);
  t.equal(bundled.code, 2);
  t.match(bundled.stderr, /^aml-netcheck: --out: '.+ws\.json' is the file given to --workspace-json/);
  const fine = await runCli(['list', '--workspace-json', ws, '--out', join(dir, 'targets.json')]);
  t.equal(fine.code, 0, 'another name is fine');
});
