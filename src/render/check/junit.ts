import { breaksFeature } from '../../report/features.js';
import type { CheckedTarget } from '../../model/result.js';
import { unverifiedFindings, type CheckReport } from '../../report/report.js';
import { junitDocument, seconds, testcaseMarkup, xml, type JunitOutcome } from '../shared/junit.js';
import { auditNotes } from '../../report/audit-join.js';

/**
 * `check -o junit`: one testsuite per feature, one testcase per target of it, so Azure
 * Pipelines and GitHub Actions show the run in their own test views. A required target that
 * is blocked fails; one without a verdict is an error (the check itself did not finish); a
 * skipped one is skipped; warnings and optional targets that fail pass, with the note in
 * system-out, since they do not break the feature.
 */

function outcomeOf(target: CheckedTarget): JunitOutcome {
  if (target.verdict === 'skipped') return 'skipped';
  if (target.verdict === 'unknown') return 'error';
  return breaksFeature(target) ? 'failure' : 'passed';
}

/** With --config, the rules' verdict and a contradiction go with the probe's words; neither changes the outcome. */
function testcase(target: CheckedTarget, feature: string, outcome: JunitOutcome, audit: CheckReport['audit']): string {
  const notes = auditNotes(audit, target);
  const said = [...(notes.rules === null ? [] : [`rules: ${notes.rules}`]), ...(notes.contradiction === null ? [] : [`contradiction: ${notes.contradiction}`])];
  const body = [target.detail, ...target.warnings.map((w) => `warning: ${w}`), ...target.fix.map((f) => `fix: ${f}`), ...said].join('\n');
  const text = outcome === 'failure' || outcome === 'error' ? body : target.verdict === 'reachable' && notes.contradiction === null ? '' : `${target.verdict}: ${body}`;
  return testcaseMarkup({ name: target.id, classname: `aml-netcheck.${feature}`, time: seconds(target.timings.total) }, outcome, { type: target.reason ?? 'unknown', message: target.detail, text });
}

export function renderCheckJunit(report: CheckReport): string {
  const timestamp = report.startedAt.replace(/Z$/, '');
  const suites = report.features.map((feature) => {
    const targets = report.targets.filter((t) => t.features.includes(feature.id));
    return {
      name: `${feature.name} (${feature.id})`,
      timestamp,
      timeMs: targets.reduce((sum, t) => sum + (t.timings.total ?? 0), 0),
      cases: targets.map((t) => {
        const outcome = outcomeOf(t);
        return { outcome, markup: testcase(t, feature.id, outcome, report.audit) };
      }),
    };
  });
  // A run that verified nothing required exits 3; a test view must not show it green.
  const unverified = unverifiedFindings(report);
  if (unverified.length > 0) {
    suites.push({
      name: 'Verification (aml-netcheck)',
      timestamp,
      timeMs: 0,
      cases: unverified.map((line, i) => ({
        outcome: 'error' as const,
        markup: `    <testcase name="not-verified-${i + 1}" classname="aml-netcheck.verification" time="0">\n      <error type="no-verdict" message="${xml(line)}">${xml(line)}</error>\n    </testcase>`,
      })),
    });
  }
  return junitDocument('aml-netcheck', report.durationMs, suites);
}
