import { XMLValidator } from 'fast-xml-parser';
import t from 'tap';
import { renderDiffJunit } from '../../../src/render/diff/junit.js';
import { diffReports } from '../../../src/report/diff.js';
import { parseJunit as parse } from '../../helpers/junit.js';
import { recordedReport, sampleDiff } from '../../helpers/sample-diff.js';

const diff = sampleDiff();
const text = renderDiffJunit(diff);
const parsed = parse(text);

t.test('it is XML, with no character XML forbids', async (t) => {
  t.equal(XMLValidator.validate(text), true);
  t.notMatch(text, /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
});

t.test('one testsuite per feature: its own testcase, then one per target; the counts match', async (t) => {
  const suites = parsed.testsuites.testsuite;
  t.same(
    suites.map((s) => /\(([a-z-]+)\)$/.exec(s['@_name'])?.[1]),
    diff.features.map((f) => f.id),
  );
  for (const suite of suites) {
    const id = /\(([a-z-]+)\)$/.exec(suite['@_name'])?.[1] as string;
    const mine = diff.targets.filter((x) => x.features.includes(id));
    t.equal(suite.testcase.length, mine.length + 1, `${id}: testcases`);
    t.equal(Number(suite['@_tests']), suite.testcase.length, `${id}: tests`);
    t.equal(Number(suite['@_failures']), suite.testcase.filter((c) => c.failure).length, `${id}: failures`);
    t.equal(Number(suite['@_skipped']), suite.testcase.filter((c) => c.skipped !== undefined).length, `${id}: skipped`);
  }
  const all = suites.flatMap((s) => s.testcase);
  t.equal(Number(parsed.testsuites['@_tests']), all.length);
  t.equal(Number(parsed.testsuites['@_failures']), all.filter((c) => c.failure).length);
  t.equal(Number(parsed.testsuites['@_skipped']), all.filter((c) => c.skipped !== undefined).length);
});

t.test('failures are exactly what makes diff exit 1; still broken, changed, no verdict are skipped with the reason', async (t) => {
  const all = parsed.testsuites.testsuite.flatMap((s) => s.testcase);
  t.same(
    all
      .filter((c) => c.failure)
      .map((c) => c['@_name'])
      .sort(),
    [...diff.summary.requiredNewlyBlocked].sort(),
  );
  const login = all.find((c) => c['@_name'] === 'login.microsoftonline.com:443');
  t.match(login?.failure, { '@_type': 'proxy-auth-required', '@_message': 'newly broken: reachable → blocked (proxy-auth-required)' });
  t.match(all.find((c) => c['@_name'] === 'st1.file.core.windows.net:445')?.skipped, { '@_message': 'changed: blocked (tcp-timeout → tcp-refused)' });
  t.match(all.find((c) => c['@_name'] === 'slow.example.com:443')?.skipped, { '@_message': 'no verdict: reachable → no verdict (aborted)' });
  t.match(all.find((c) => c['@_name'] === 'new.example.com:443')?.['system-out'], /^added: absent → reachable/);
  t.match(all.find((c) => /^feature Workspace storage/.test(c['@_name']))?.skipped, { '@_message': 'still broken: broken' });
});

t.test('a newly broken feature fails its own testcase, users-see text in the body', async (t) => {
  const before = recordedReport('dns-every-endpoint-reachable-exit-0-every-target-reachable-every-feature-ok');
  const after = recordedReport('firewall-the-firewall-drops-smb-and-resets-http-tcp-timeout-and-tcp-refused-each-breaking-');
  const out = parse(renderDiffJunit(diffReports(before, after)));
  const feature = out.testsuites.testsuite.flatMap((s) => s.testcase).find((c) => c['@_name'] === 'feature Azure AD sign-in (azure-ad)');
  t.match(feature?.failure, { '@_type': 'newly-broken', '@_message': 'newly broken: ok → broken' });
  t.match(String((feature?.failure as unknown as Record<string, unknown>)['#text']), /users see: Nobody can sign in/);
  t.equal(Number(out.testsuites['@_failures']), 4, 'two features and two required targets');
});
