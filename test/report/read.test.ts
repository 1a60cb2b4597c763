import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { InputError } from '../../src/model/errors.js';
import { readReport, REPORT_MAX_BYTES } from '../../src/report/read.js';
import { renderCheckJson } from '../../src/render/check/json.js';

const INVALID = 'test/fixtures/report-invalid';
const GOOD = 'test/fixtures/reports/proxy-with-proxy.json';
const dir = mkdtempSync(path.join(tmpdir(), 'amlnc-read-'));

function lineOf(file: string): string {
  try {
    readReport(file);
  } catch (error) {
    if (error instanceof InputError) return error.toLine();
    throw error;
  }
  return 'no error';
}

/** Each bad file: the line names the file first, then what is wrong with it. */
const CASES: Array<[string, RegExp]> = [
  ['empty.json', /^test\/fixtures\/report-invalid\/empty\.json: is empty, not an aml-netcheck report$/],
  ['not-json.json', /: is not an aml-netcheck report: not valid JSON \(Unexpected token 'a' at line 1 column 1\); it looks like the table output: save the report with --out FILE or -o json$/],
  ['truncated.json', /: is not an aml-netcheck report: not valid JSON \(.* at line 41 column 4\)$/],
  ['list.json', /: is not an aml-netcheck report: the JSON is a list, not an object$/],
  ['workspace.json', /: is not an aml-netcheck report \(it has no tool\.name\)$/],
  ['other-tool.json', /: is not an aml-netcheck report \(tool\.name is "blackbox_exporter"\)$/],
  ['schema-version-1.json', /: is schema version 1; this aml-netcheck reads versions 2 to 3 \(an older aml-netcheck wrote it: run the check again with this one\)$/],
  ['schema-version-99.json', /: is schema version 99; this aml-netcheck reads versions 2 to 3 \(a newer aml-netcheck wrote it: upgrade this one\)$/],
  ['bad-verdict.json', /: is not a valid aml-netcheck report: targets\[1\]\.verdict is "maybe", not one of "reachable", "blocked", "warning", "skipped", "unknown"$/],
  ['missing-key.json', /: is not a valid aml-netcheck report: summary\.exitCode is missing$/],
  ['bad-deadline.json', /: is not a valid aml-netcheck report: settings\.deadlineMs is "2m", not integer or null$/],
  ['duplicate-target.json', /: targets\[1\]\.id: 'login\.microsoftonline\.com:80' is listed twice \(first at targets\[0\]\)$/],
];

t.test('a file that is not a report of this version: one line naming the file and the problem', async (t) => {
  for (const [name, message] of CASES) {
    const line = lineOf(path.join(INVALID, name));
    t.match(line, new RegExp(`^test/fixtures/report-invalid/${name.replace(/\./g, '\\.')}: `), `${name} names the file`);
    t.match(line, message, name);
    t.notMatch(line, /\n/, `${name}: one line`);
  }
});

t.test('a missing file, a directory, a huge file: one line each, the huge one never read', async (t) => {
  t.equal(lineOf(path.join(dir, 'missing.json')), `${path.join(dir, 'missing.json')}: cannot read the report: no such file (ENOENT)`);
  t.equal(lineOf(INVALID), `${INVALID}: cannot read the report: is a directory, not a file`);
  const huge = path.join(dir, 'huge.json');
  // Sparse: the size alone refuses it, so the test writes nothing.
  const fd = openSync(huge, 'w');
  closeSync(fd);
  execFileSync('truncate', ['-s', String(REPORT_MAX_BYTES + 1), huge]);
  t.match(lineOf(huge), /huge\.json: cannot read the report: is 67108865 bytes, more than the 64 MiB an input file may have$/);
  // Refused without reading it, told by what happens rather than by the clock: Node cannot read
  // 3 GiB into one buffer at all, and a reader stopping at the cap says "holds more than".
  execFileSync('truncate', ['-s', String(3 * 1024 ** 3), huge]);
  t.match(lineOf(huge), /huge\.json: cannot read the report: is 3221225472 bytes, more than the 64 MiB an input file may have$/, 'refused without reading it');
});

t.test('the output of diff itself is named as such', async (t) => {
  const file = path.join(dir, 'diff.json');
  writeFileSync(file, JSON.stringify({ kind: 'aml-netcheck-diff', schemaVersion: 1 }));
  t.match(lineOf(file), /diff\.json: is the output of aml-netcheck diff, not a check report/);
});

t.test('control characters in a bad value or a file name do not reach the terminal', async (t) => {
  const report = JSON.parse(readFileSync(GOOD, 'utf8')) as { targets: Array<{ verdict: string }> };
  (report.targets[0] as { verdict: string }).verdict = '\u001b[2Jowned';
  const file = path.join(dir, 'esc\u001b[31m.json');
  writeFileSync(file, JSON.stringify(report));
  const line = lineOf(file);
  t.notMatch(line, /\u001b/);
  t.match(line, /esc\\x1b\[31m\.json: .*targets\[0\]\.verdict is "\\u001b\[2Jowned"/);
});

t.test('--out and -o json save the same report, and both read back as it was', async (t) => {
  const text = readFileSync(GOOD, 'utf8');
  const report = readReport(GOOD);
  t.equal(report.tool.name, 'aml-netcheck');
  t.equal(renderCheckJson(report), text, 'the saved text is what -o json prints');
  // PowerShell's `>` writes UTF-16 with a byte-order mark; Windows tools write UTF-8 with one.
  const utf16 = path.join(dir, 'utf16.json');
  writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
  t.same(readReport(utf16), report);
  const bom = path.join(dir, 'bom.json');
  writeFileSync(bom, `\ufeff${text}`);
  t.same(readReport(bom), report);
});

t.test('every recorded report reads back', async (t) => {
  const reports = 'test/fixtures/reports';
  const names = execFileSync('ls', [reports], { encoding: 'utf8' })
    .split('\n')
    .filter((n) => n.endsWith('.json'));
  t.ok(names.length >= 20);
  for (const name of names) t.equal(readReport(path.join(reports, name)).schemaVersion, 2, name);
});
