import { CHANGE_LABEL, describeFeatureTransition, describeTransition, type FeatureDiff, type ReportDiff, type TargetDiff } from '../report/diff.js';
import { xml } from './check-junit.js';

/**
 * `diff -o junit`: one testsuite per feature, one testcase for the feature itself and one per
 * target of it. Failures are exactly what makes `diff` exit 1: a feature newly broken, a
 * required target newly blocked. What was broken in both runs (still broken, or blocked for
 * another reason now), what one run has no verdict for and what only the before run has are
 * skipped, with the reason as the message: a pipeline that fails on test failures gates on
 * regressions, and the known problems stay visible. Everything else passes.
 */

type Outcome = 'passed' | 'failure' | 'skipped';

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
  const head = `    <testcase name="${xml(name)}" classname="${xml(classname)}" time="0.000"`;
  if (outcome === 'failure') return `${head}>\n      <failure type="${xml(type)}" message="${xml(message)}">${xml(body)}</failure>\n    </testcase>`;
  if (outcome === 'skipped') return `${head}>\n      <skipped message="${xml(message)}"/>\n    </testcase>`;
  return `${head}>\n      <system-out>${xml(body === '' ? message : `${message}\n${body}`)}</system-out>\n    </testcase>`;
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
  const suites: string[] = [];
  const totals = { tests: 0, failures: 0, skipped: 0 };
  for (const feature of diff.features) {
    const targets = diff.targets.filter((t) => t.features.includes(feature.id));
    const outcomes = [featureOutcome(feature), ...targets.map(targetOutcome)];
    const counts = { tests: outcomes.length, failures: outcomes.filter((o) => o === 'failure').length, skipped: outcomes.filter((o) => o === 'skipped').length };
    for (const key of Object.keys(totals) as Array<keyof typeof totals>) totals[key] += counts[key];
    suites.push(
      `  <testsuite name="${xml(`${feature.name} (${feature.id})`)}" tests="${counts.tests}" failures="${counts.failures}" errors="0" skipped="${counts.skipped}" time="0.000" timestamp="${xml(diff.after.startedAt.replace(/Z$/, ''))}">`,
      featureCase(feature),
      ...targets.map((t) => targetCase(t, feature.id)),
      '  </testsuite>',
    );
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="aml-netcheck diff" tests="${totals.tests}" failures="${totals.failures}" errors="0" skipped="${totals.skipped}" time="0.000">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
