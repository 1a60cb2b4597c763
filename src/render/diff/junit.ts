import { CHANGE_LABEL, describeFeatureTransition, describeTransition, type FeatureDiff, type ReportDiff, type TargetDiff } from '../../report/diff.js';
import { junitDocument, testcaseMarkup, type JunitOutcome } from '../shared/junit.js';

/**
 * `diff -o junit`: one testsuite per feature, one testcase for the feature itself and one per
 * target of it. Failures are exactly what makes `diff` exit 1: a feature newly broken, a
 * required target newly blocked. What was broken in both runs (still broken, or blocked for
 * another reason now), what one run has no verdict for and what only the before run has are
 * skipped, with the reason as the message: a pipeline that fails on test failures gates on
 * regressions, and the known problems stay visible. Everything else passes.
 */

/** Never an error: a comparison has no check of its own that could fail to finish. */
type Outcome = Exclude<JunitOutcome, 'error'>;

function targetOutcome(target: TargetDiff): Outcome {
  if (target.change === 'newly-broken') return target.after?.required === true ? 'failure' : 'passed';
  if (target.change === 'still-broken' || target.change === 'changed' || target.change === 'no-verdict' || target.change === 'removed') return 'skipped';
  return 'passed';
}

function featureOutcome(feature: FeatureDiff): Outcome {
  if (feature.change === 'newly-broken') return 'failure';
  if (feature.change === 'still-broken' || feature.change === 'no-verdict' || feature.change === 'removed') return 'skipped';
  return 'passed';
}

function testcase(name: string, classname: string, outcome: Outcome, message: string, body: string, type: string): string {
  return testcaseMarkup({ name, classname, time: '0.000' }, outcome, { type, message, text: outcome === 'passed' ? (body === '' ? message : `${message}\n${body}`) : body });
}

function targetCase(target: TargetDiff, feature: string): string {
  const message = `${CHANGE_LABEL[target.change].toLowerCase()}: ${describeTransition(target)}`;
  const body = target.after === null ? '' : [target.after.detail, ...target.after.warnings.map((w) => `warning: ${w}`), ...target.after.fix.map((f) => `fix: ${f}`)].join('\n');
  return testcase(target.id, `aml-netcheck.diff.${feature}`, targetOutcome(target), message, body, target.after?.reason ?? target.change);
}

function featureCase(feature: FeatureDiff): string {
  const message = `${CHANGE_LABEL[feature.change].toLowerCase()}: ${describeFeatureTransition(feature)}`;
  const body = [feature.impact === null ? '' : `users see: ${feature.impact}`, ...(feature.after?.blockedBy ?? []).map((id) => `because of ${id}`)].filter(Boolean).join('\n');
  return testcase(`feature ${feature.name} (${feature.id})`, `aml-netcheck.diff.${feature.id}`, featureOutcome(feature), message, body, feature.change);
}

export function renderDiffJunit(diff: ReportDiff): string {
  const timestamp = diff.after.startedAt.replace(/Z$/, '');
  const suites = diff.features.map((feature) => {
    const targets = diff.targets.filter((t) => t.features.includes(feature.id));
    return {
      name: `${feature.name} (${feature.id})`,
      timestamp,
      timeMs: 0,
      cases: [{ outcome: featureOutcome(feature), markup: featureCase(feature) }, ...targets.map((t) => ({ outcome: targetOutcome(t), markup: targetCase(t, feature.id) }))],
    };
  });
  return junitDocument('aml-netcheck diff', 0, suites);
}
