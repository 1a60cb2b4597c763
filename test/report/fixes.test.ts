import { readdirSync, readFileSync } from 'node:fs';
import t from 'tap';
import { withFixes, type CheckReport } from '../../src/report/report.js';

const DIR = new URL('../fixtures/reports/', import.meta.url);
const reports = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ name: f, report: JSON.parse(readFileSync(new URL(f, DIR), 'utf8')) as CheckReport }));

// The runner once wrote each fix; the report attaches it now. Every recorded target, whatever
// its verdict, gets back the sentences it was recorded with, so the reporters, bundle, merge
// and diff that read `fix` see no change.
t.test('the report attaches the fix each recorded target was recorded with', async (t) => {
  t.ok(reports.length > 5, `read the recorded reports (${reports.length})`);
  let withFix = 0;
  for (const { name, report } of reports) {
    const attached = withFixes(report.targets, report.facts.cloud, report.settings.proxy !== null);
    t.same(
      attached.map((target) => target.fix),
      report.targets.map((target) => target.fix),
      name,
    );
    withFix += report.targets.filter((target) => target.fix.length > 0).length;
  }
  t.ok(withFix > 10, `recorded fixes compared (${withFix})`);
});
