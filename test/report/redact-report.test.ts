import t from 'tap';
import { createRedactor } from '../../src/model/redact.js';
import { redactReport } from '../../src/report/redact-report.js';
import { sampleReport } from '../helpers/sample-report.js';

// The schema names the reason codes once, in $defs: a value it fixes there stays fixed.
t.test('a --redact pattern that matches reason codes leaves them, and redacts the free text', async (t) => {
  const report = sampleReport();
  const redacted = redactReport(report, createRedactor([/timeout|denied|refused/]));
  t.same(
    redacted.targets.map((target) => target.reason),
    report.targets.map((target) => target.reason),
  );
  t.ok(
    report.targets.some((target) => target.reason === 'http-denied'),
    'the sample has a code the pattern matches',
  );
  const pypi = redacted.targets.find((target) => target.host === 'pypi.org');
  t.match(pypi?.detail, /^a firewall \[redacted\] GET/, 'the detail is redacted');
});
