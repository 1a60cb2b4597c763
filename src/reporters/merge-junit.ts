import { blockedByReason, TARGET_STATUS_LABEL, type MergedReport, type MergedTarget } from '../report/merge.js';
import { junitDocument, xml, type JunitOutcome } from './junit.js';

/**
 * `merge -o junit`: one testsuite per feature, one testcase per target of it (not per target
 * and node: a fleet of hundreds would bury the test view). A required target blocked on any
 * node fails, and the failure names the nodes and their reasons; one without a verdict on
 * some node and blocked on none is an error, as in `check`; one skipped everywhere is
 * skipped. The rest passes, the nodes that warn or block an optional target in system-out.
 */

function outcomeOf(target: MergedTarget): JunitOutcome {
  if (target.status === 'not-checked') return 'skipped';
  if (target.blocked.length > 0) return target.required ? 'failure' : 'passed';
  return target.noVerdict.length > 0 ? 'error' : 'passed';
}

function nodesSaying(target: MergedTarget): string {
  const lines = blockedByReason(target).map(({ reason, nodes }) => `${reason} on ${nodes.join(', ')}`);
  if (target.noVerdict.length > 0) lines.push(`no verdict on ${target.noVerdict.join(', ')}`);
  return lines.join('; ');
}

function testcase(target: MergedTarget, feature: string, outcome: JunitOutcome): string {
  const head = `    <testcase name="${xml(target.id)}" classname="aml-netcheck.merge.${xml(feature)}" time="0.000"`;
  const message = `${TARGET_STATUS_LABEL[target.status]}: ${nodesSaying(target)}`;
  const body = [
    ...target.nodes.filter((v) => v.verdict !== 'reachable').map((v) => `${v.node}: ${v.verdict}${v.reason === null ? '' : ` (${v.reason})`}: ${v.detail}`),
    ...(target.nodes.find((v) => v.verdict === 'blocked')?.fix ?? []).map((f) => `fix: ${f}`),
    target.reaching.length > 0 ? `reachable from: ${target.reaching.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('\n');
  switch (outcome) {
    case 'skipped':
      return `${head}>\n      <skipped message="not checked on any node"/>\n    </testcase>`;
    case 'failure':
    case 'error':
      return `${head}>\n      <${outcome} type="${xml(target.status)}" message="${xml(message)}">${xml(body)}</${outcome}>\n    </testcase>`;
    default:
      return target.nodes.every((v) => v.verdict === 'reachable' || v.verdict === 'skipped') ? `${head}/>` : `${head}>\n      <system-out>${xml(body)}</system-out>\n    </testcase>`;
  }
}

export function renderMergeJunit(merged: MergedReport): string {
  const timestamp = merged.nodes.map((n) => n.startedAt).sort()[0]?.replace(/Z$/, '') ?? '';
  const suites = merged.features.map((feature) => {
    const targets = merged.targets.filter((t) => t.features.includes(feature.id));
    const cases = targets.map((t) => {
      const outcome = outcomeOf(t);
      return { outcome, markup: testcase(t, feature.id, outcome) };
    });
    return { name: `${feature.name} (${feature.id})`, timestamp, timeMs: 0, cases };
  });
  return junitDocument('aml-netcheck merge', 0, suites);
}
