import { breaksFeature } from '../report/features.js';
import type { CheckedTarget } from '../model/result.js';
import type { CheckReport } from '../report/report.js';

/**
 * `check -o junit`: one testsuite per feature, one testcase per target of it, so Azure
 * Pipelines and GitHub Actions show the run in their own test views. A required target that
 * is blocked fails; one without a verdict is an error (the check itself did not finish); a
 * skipped one is skipped; warnings and optional targets that fail pass, with the note in
 * system-out, since they do not break the feature.
 */

/** XML 1.0 allows no control characters but tab and line breaks, even escaped. */
export function xml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function seconds(ms: number | undefined): string {
  return ((ms ?? 0) / 1000).toFixed(3);
}

type Outcome = 'passed' | 'failure' | 'error' | 'skipped';

function outcomeOf(target: CheckedTarget): Outcome {
  if (target.verdict === 'skipped') return 'skipped';
  if (target.verdict === 'unknown') return 'error';
  return breaksFeature(target) ? 'failure' : 'passed';
}

function testcase(target: CheckedTarget, feature: string): string {
  const head = `    <testcase name="${xml(target.id)}" classname="aml-netcheck.${xml(feature)}" time="${seconds(target.timings.total)}"`;
  const outcome = outcomeOf(target);
  const body = [target.detail, ...target.warnings.map((w) => `warning: ${w}`), ...target.fix.map((f) => `fix: ${f}`)].join('\n');
  switch (outcome) {
    case 'skipped':
      return `${head}>\n      <skipped message="${xml(target.detail)}"/>\n    </testcase>`;
    case 'failure':
    case 'error':
      return `${head}>\n      <${outcome} type="${xml(target.reason ?? 'unknown')}" message="${xml(target.detail)}">${xml(body)}</${outcome}>\n    </testcase>`;
    default:
      return target.verdict === 'reachable' ? `${head}/>` : `${head}>\n      <system-out>${xml(`${target.verdict}: ${body}`)}</system-out>\n    </testcase>`;
  }
}

export function renderCheckJunit(report: CheckReport): string {
  const suites: string[] = [];
  const totals = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  for (const feature of report.features) {
    const targets = report.targets.filter((t) => t.features.includes(feature.id));
    const outcomes = targets.map(outcomeOf);
    const count = (o: Outcome): number => outcomes.filter((x) => x === o).length;
    const counts = { tests: targets.length, failures: count('failure'), errors: count('error'), skipped: count('skipped') };
    for (const key of Object.keys(totals) as Array<keyof typeof totals>) totals[key] += counts[key];
    const time = targets.reduce((sum, t) => sum + (t.timings.total ?? 0), 0);
    suites.push(
      `  <testsuite name="${xml(`${feature.name} (${feature.id})`)}" tests="${counts.tests}" failures="${counts.failures}" errors="${counts.errors}" skipped="${counts.skipped}" time="${seconds(time)}" timestamp="${xml(report.startedAt.replace(/Z$/, ''))}">`,
      ...targets.map((t) => testcase(t, feature.id)),
      '  </testsuite>',
    );
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="aml-netcheck" tests="${totals.tests}" failures="${totals.failures}" errors="${totals.errors}" skipped="${totals.skipped}" time="${seconds(report.durationMs)}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
