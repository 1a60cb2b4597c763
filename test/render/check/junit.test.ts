import { XMLValidator } from 'fast-xml-parser';
import t from 'tap';
import { renderCheckJunit } from '../../../src/render/check/junit.js';
import { parseJunit, type JunitTestcase as Case } from '../../helpers/junit.js';
import { sampleReport } from '../../helpers/sample-report.js';

const report = sampleReport();
const text = renderCheckJunit(report);

const parsed = parseJunit(text);

t.test('it is XML, with no character XML forbids', async (t) => {
  t.equal(XMLValidator.validate(text), true);
  t.notMatch(text, /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
});

t.test('one testsuite per feature, one testcase per target of it, and the counts match the report', async (t) => {
  const suites = parsed.testsuites.testsuite;
  t.same(
    suites.map((s) => s['@_name']).map((name) => /\(([a-z-]+)\)$/.exec(name)?.[1]),
    report.features.map((f) => f.id),
  );
  for (const suite of suites) {
    const id = /\(([a-z-]+)\)$/.exec(suite['@_name'])?.[1] as string;
    const feature = report.features.find((f) => f.id === id);
    const mine = report.targets.filter((x) => x.features.includes(id));
    t.equal(Number(suite['@_tests']), mine.length, `${id}: tests`);
    t.equal(suite.testcase.length, mine.length, `${id}: testcases`);
    t.equal(Number(suite['@_failures']), suite.testcase.filter((c) => c.failure).length, `${id}: failures attribute`);
    t.equal(Number(suite['@_errors']), suite.testcase.filter((c) => c.error).length, `${id}: errors attribute`);
    t.equal(Number(suite['@_skipped']), suite.testcase.filter((c) => c.skipped !== undefined).length, `${id}: skipped attribute`);
    // A failing suite is exactly a broken feature; its failures are what the report says breaks it.
    const failing = suite.testcase.filter((c) => c.failure).map((c) => c['@_name']);
    t.same(failing.sort(), feature?.status === 'broken' ? [...feature.blockedBy].sort() : [], `${id}: failures are the targets that break it`);
  }
  const all = suites.flatMap((s) => s.testcase);
  t.equal(Number(parsed.testsuites['@_tests']), all.length);
  t.equal(Number(parsed.testsuites['@_failures']), all.filter((c) => c.failure).length);
});

t.test('failures carry the reason code and the detail; no verdict is an error; skipped is skipped; warnings pass with a note', async (t) => {
  const all = parsed.testsuites.testsuite.flatMap((s) => s.testcase);
  const one = (name: string, classname: string): Case | undefined => all.find((c) => c['@_name'] === name && c['@_classname'] === `aml-netcheck.${classname}`);
  t.match(one('st1.file.core.windows.net:445', 'workspace-storage')?.failure, { '@_type': 'tcp-timeout', '@_message': 'st1.file.core.windows.net:445 blocked' });
  t.match(one('pypi.org:443', 'python-packages')?.failure, { '@_type': 'http-denied', '@_message': /Action: Deny \| <script>/ });
  t.notOk(one('download.pytorch.org:443', 'python-packages')?.failure, 'an optional target does not fail the suite');
  t.match(one('ml.azure.com:443', 'studio')?.error, { '@_type': 'aborted' });
  t.ok(one('gcr.io:443', 'arc-extension')?.skipped !== undefined);
  t.match(one('login.microsoftonline.com:443', 'azure-ad')?.['system-out'], /^warning: [^\n]*\nwarning: DNS servers disagree$/);
});
