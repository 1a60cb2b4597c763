import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import t from 'tap';
import { runCli, spawnCli } from '../helpers/cli.js';

const REPORTS = 'test/fixtures/reports';
const WITHOUT_PROXY = `${REPORTS}/proxy-without-the-proxy-nothing-gets-out.json`;
const WITH_PROXY = `${REPORTS}/proxy-with-proxy.json`;
const dir = mkdtempSync(path.join(tmpdir(), 'amlnc-diff-'));

t.test('a change that fixed things and broke nothing: exit 0, fixed and still broken listed', async (t) => {
  const run = await runCli(['diff', WITHOUT_PROXY, WITH_PROXY]);
  t.equal(run.code, 0, run.stderr);
  t.equal(run.stderr, '', 'the same workspace: nothing to warn about');
  t.match(run.stdout, /^aml-netcheck diff: nothing newly broken; targets: 4 fixed, 1 still broken\.\n/);
  t.match(run.stdout, /FIXED +login\.microsoftonline\.com:443 +blocked \(tcp-refused\) → reachable/);
  t.match(run.stdout, /STILL BROKEN +st1\.file\.core\.windows\.net:445 +blocked \(tcp-refused\)/);
});

t.test('the change undone: exit 1, and what newly broke is named', async (t) => {
  const run = await runCli(['diff', WITH_PROXY, WITHOUT_PROXY]);
  t.equal(run.code, 1, run.stderr);
  t.match(run.stdout, /NEWLY BROKEN +Azure AD sign-in \(azure-ad\) +ok → broken/);
  t.match(run.stdout, /\nNewly broken: azure-ad, login\.microsoftonline\.com:80, /);
});

t.test('every format prints the same comparison; --out saves the format its name ends in', async (t) => {
  const out = path.join(dir, 'diff.json');
  const json = await runCli(['diff', WITH_PROXY, WITHOUT_PROXY, '-o', 'json', '--out', out]);
  t.equal(json.code, 1);
  const printed = JSON.parse(json.stdout) as { kind: string; summary: { exitCode: number; featuresNewlyBroken: string[] } };
  t.match(printed, { kind: 'aml-netcheck-diff', summary: { exitCode: 1, featuresNewlyBroken: ['azure-ad'] } });
  t.equal(readFileSync(out, 'utf8'), json.stdout, '--out holds what -o json prints');
  const markdown = await runCli(['diff', WITH_PROXY, WITHOUT_PROXY, '-o', 'markdown', '--out', path.join(dir, 'again.json')]);
  t.match(markdown.stdout, /^## aml-netcheck diff\n\n\*\*1 feature newly broken, 4 required targets newly blocked; targets: 1 still broken\*\*/);
  t.same(JSON.parse(readFileSync(path.join(dir, 'again.json'), 'utf8')), printed, '--out is JSON whatever -o prints');
  const junit = await runCli(['diff', WITH_PROXY, WITHOUT_PROXY, '-o', 'junit']);
  t.equal(XMLValidator.validate(junit.stdout), true);
  t.match(junit.stdout, /<testsuites name="aml-netcheck diff" tests="7" failures="5" errors="0" skipped="2"/);
  const page = path.join(dir, 'diff.html');
  const html = await runCli(['diff', WITH_PROXY, WITHOUT_PROXY, '-o', 'html', '--out', page]);
  t.equal(html.code, 1);
  t.match(html.stdout, /^<!doctype html>\n[\s\S]*<h1>aml-netcheck diff<\/h1>[\s\S]*1 feature newly broken/);
  t.equal(readFileSync(page, 'utf8'), html.stdout, '.html gets the page');
});

t.test('- reads a report from standard input, as a pipe from check -o json gives it', async (t) => {
  const run = await spawnCli(['diff', WITHOUT_PROXY, '-'], { input: readFileSync(WITH_PROXY, 'utf8') });
  t.equal(run.code, 0, run.stderr);
  t.match(run.stdout, /4 fixed, 1 still broken/);
  const before = await spawnCli(['diff', '-', WITHOUT_PROXY], { input: readFileSync(WITH_PROXY, 'utf8') });
  t.equal(before.code, 1, before.stderr);
});

t.test('bad input: one line naming the file and the problem, exit 2, nothing on stdout', async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [['test/fixtures/report-invalid/not-json.json', WITH_PROXY], /^aml-netcheck: test\/fixtures\/report-invalid\/not-json\.json: is not an aml-netcheck report: not valid JSON/],
    [[WITH_PROXY, 'test/fixtures/report-invalid/schema-version-99.json'], /^aml-netcheck: test\/fixtures\/report-invalid\/schema-version-99\.json: is schema version 99; this aml-netcheck reads versions 2 to 3/],
    [[WITH_PROXY, 'test/fixtures/report-invalid/other-tool.json'], /: is not an aml-netcheck report \(tool\.name is "blackbox_exporter"\)$/m],
    [[WITH_PROXY, 'test/fixtures/report-invalid/bad-verdict.json'], /: targets\[1\]\.verdict is "maybe", not one of/],
    [[path.join(dir, 'missing.json'), WITH_PROXY], /missing\.json: cannot read the report: no such file \(ENOENT\)$/m],
    [[REPORTS, WITH_PROXY], /^aml-netcheck: test\/fixtures\/reports: cannot read the report: is a directory, not a file$/m],
    [['-', '-'], /^aml-netcheck: diff: BEFORE and AFTER cannot both be standard input \(-\)$/m],
    [[WITH_PROXY], /^aml-netcheck: missing required argument 'after'/],
    [[WITH_PROXY, WITH_PROXY, '-o', 'bicep'], /^aml-netcheck: option '-o, --output <format>' argument 'bicep' is invalid/],
    [[WITH_PROXY, WITH_PROXY, '--out', path.join(dir, 'diff.bicep')], /^aml-netcheck: --out: '.*diff\.bicep' names bicep by its ending \.bicep, which this command does not write/],
    [[WITH_PROXY, WITH_PROXY, '--out', path.join(dir, 'no-such-dir', 'x.json')], /^aml-netcheck: --out: cannot write/],
  ];
  for (const [args, message] of cases) {
    const run = await runCli(['diff', ...args]);
    t.equal(run.code, 2, args.join(' '));
    t.match(run.stderr, message, args.join(' '));
    t.equal(run.stderr.trim().split('\n').length, 1, `${args.join(' ')}: one line`);
    t.equal(run.stdout, '', `${args.join(' ')}: no report`);
  }
});

t.test('reports of different workspaces are compared, with a warning on stderr', async (t) => {
  const other = JSON.parse(readFileSync(WITH_PROXY, 'utf8')) as { facts: Record<string, unknown> };
  other.facts['region'] = 'eastus';
  other.facts['storageAccount'] = 'st2';
  const file = path.join(dir, 'eastus.json');
  writeFileSync(file, JSON.stringify(other));
  const run = await runCli(['diff', WITHOUT_PROXY, file]);
  t.equal(run.code, 0);
  t.match(run.stderr, /^aml-netcheck: warning: the reports are of different workspaces \(region 'westus2' → 'eastus'\); compared anyway, target by target\naml-netcheck: warning: the runs were given different workspace facts \(storageAccount 'st1' → 'st2'\)/);
  t.match(run.stdout, /4 fixed/);
});

t.test('--help shows an example and the exit codes', async (t) => {
  const run = await runCli(['diff', '--help']);
  t.equal(run.code, 0);
  t.match(run.stdout, /Usage: aml-netcheck diff \[options\] <before> <after>/);
  t.match(run.stdout, /\$ aml-netcheck diff before\.json after\.json/);
  t.match(run.stdout, /1 a feature newly\s+broken or a required endpoint newly blocked/);
});
