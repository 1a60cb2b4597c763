import type { AuditedTarget, AuditResult } from '../../audit/types.js';
import { EXIT } from '../../model/exit-codes.js';
import { junitDocument, testcaseMarkup, type JunitCase, type JunitOutcome, type JunitSuite } from '../shared/junit.js';
import { BLOCKING, layerName, verdictSentence } from './by-rule.js';

/**
 * `audit -o junit`: one testsuite per feature, one testcase per audited target of it, as
 * `check -o junit` lays them out, so a pipeline gates on the rules before they are deployed.
 * The outcomes follow the exit code: a required target denied, without a rule, or allowed only
 * by a rule that cannot work fails (exit 1); a required target that depends on data not given
 * is an error, as a target without a verdict is in `check` (exit 3: the audit could not finish
 * the question, and a test view must not show it green); a target not audited (no TCP or UDP
 * port to match) and an optional one that depends are skipped; an optional target that is
 * blocked passes with the verdict in system-out, since it breaks no feature. Each testcase's
 * text names each layer's verdict and rule.
 */

function outcomeOf(target: AuditedTarget): JunitOutcome {
  const { verdict } = target.verdict;
  if (verdict === 'not-audited') return 'skipped';
  if (verdict === 'depends') return target.required ? 'error' : 'skipped';
  return target.required && BLOCKING.includes(verdict) ? 'failure' : 'passed';
}

function testcase(target: AuditedTarget, feature: string, outcome: JunitOutcome): string {
  const message = verdictSentence(target.verdict);
  const text = [message, ...target.layers.map((l) => `${layerName(l.layer)}: ${verdictSentence(l.verdict)}`)].join('\n');
  return testcaseMarkup({ name: target.id, classname: `aml-netcheck.audit.${feature}`, time: '0.000' }, outcome, { type: target.verdict.verdict, message, text });
}

export function renderAuditJunit(result: AuditResult): string {
  // Files are read, nothing is timed: each testcase takes no time, the suites are dated when the audit ran.
  const timestamp = (result.auditedAt ?? '1970-01-01T00:00:00Z').replace(/Z$/, '');
  const features = [...new Set(result.targets.flatMap((t) => t.features))];
  const names = result.featureNames ?? {};
  const suites: JunitSuite[] = features.map((feature) => ({
    name: `${names[feature] ?? feature} (${feature})`,
    timestamp,
    timeMs: 0,
    cases: result.targets
      .filter((t) => t.features.includes(feature))
      .map((t): JunitCase => {
        const outcome = outcomeOf(t);
        return { outcome, markup: testcase(t, feature, outcome) };
      }),
  }));
  // Exit 3 with nothing required audited (no testcase errs): the test view must not show it green either.
  const cases = suites.flatMap((s) => s.cases);
  if (result.exitCode === EXIT.incomplete && !cases.some((c) => c.outcome === 'error')) {
    const line = 'no required target was audited';
    suites.push({
      name: 'Verification (aml-netcheck audit)',
      timestamp,
      timeMs: 0,
      cases: [{ outcome: 'error', markup: testcaseMarkup({ name: 'not-verified-1', classname: 'aml-netcheck.audit.verification', time: '0' }, 'error', { type: 'no-verdict', message: line, text: line }) }],
    });
  }
  return junitDocument('aml-netcheck audit', 0, suites);
}
