import { plural } from '../../model/text.js';
import { blockedByReason, featureCauses, mergedFix, TARGET_STATUS_LABEL, warnedByReason, type MergedReport, type MergedTarget, type NodeInfo } from '../../report/merge.js';
import { junitDocument, testcaseMarkup, xml, type JunitCase, type JunitOutcome } from '../shared/junit.js';
import { describeCause, describeWarned } from './table.js';

/**
 * `merge -o junit`: one testsuite per feature, one testcase per target of it (not per target
 * and node: a fleet of hundreds would bury the test view). A required target blocked on any
 * node fails, and the failure names the nodes and their reasons; one without a verdict on
 * some node (a required one also when a node's report lacks it) and blocked on none is an
 * error, as in `check`, and as the exit code 3 says; one skipped everywhere is
 * skipped. The rest passes, the nodes that warn or block an optional target in system-out:
 * a warning never fails, as in `check`, but it is never listed as reaching. Each feature
 * suite says in its system-out, per node where the feature is not ok, the targets behind it.
 * A last suite, Nodes, has a testcase per node, so that a node without a report (or whose run
 * was cut short) is an error a test view shows, not a green run with exit code 3.
 */

function outcomeOf(target: MergedTarget): JunitOutcome {
  if (target.status === 'not-checked') return 'skipped';
  if (target.blocked.length > 0) return target.required ? 'failure' : 'passed';
  // A required target missing from a node's report has no verdict there: the merge exits 3 for it.
  return target.noVerdict.length > 0 || (target.required && target.absent.length > 0) ? 'error' : 'passed';
}

function nodesSaying(target: MergedTarget): string {
  const lines = blockedByReason(target).map(({ reason, nodes }) => `${reason} on ${nodes.join(', ')}`);
  if (target.noVerdict.length > 0) lines.push(`no verdict on ${target.noVerdict.join(', ')}`);
  if (target.absent.length > 0) lines.push(`not in the reports of ${target.absent.join(', ')}`);
  return lines.join('; ');
}

function testcase(target: MergedTarget, feature: string, outcome: JunitOutcome): string {
  const message = `${TARGET_STATUS_LABEL[target.status]}: ${nodesSaying(target)}`;
  const body = [
    ...target.nodes.filter((v) => v.verdict !== 'reachable' && v.verdict !== 'warning').map((v) => `${v.node}: ${v.verdict}${v.reason === null ? '' : ` (${v.reason})`}: ${v.detail}`),
    ...warnedByReason(target).map((warned) => describeWarned(warned)),
    ...mergedFix(target).map((f) => `fix: ${f}`),
    target.reaching.length > 0 ? `reachable from: ${target.reaching.join(', ')}` : '',
    target.absent.length > 0 ? `not in the reports of: ${target.absent.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('\n');
  const passedQuietly = target.absent.length === 0 && target.nodes.every((v) => v.verdict === 'reachable' || v.verdict === 'skipped');
  return testcaseMarkup({ name: target.id, classname: `aml-netcheck.merge.${feature}`, time: '0.000' }, outcome, {
    type: target.status,
    message: outcome === 'skipped' ? 'not checked on any node' : message,
    text: outcome === 'passed' && passedQuietly ? '' : body,
  });
}

/** What a node's run came to: its report missing or cut short is an error, a required target blocked there a failure. */
function nodeOutcome(node: NodeInfo, merged: MergedReport): { outcome: JunitOutcome; type: string; message: string } {
  const ids = (pick: (t: MergedTarget) => boolean): string[] => merged.targets.filter(pick).map((t) => t.id);
  const noVerdict = ids((t) => t.noVerdict.includes(node.node));
  if (node.status === 'no-report') return { outcome: 'error', type: 'no-report', message: `no report from ${node.node} yet (${node.source}): nothing is known from it` };
  if (node.stoppedBy !== null) return { outcome: 'error', type: 'cut-short', message: `the run on ${node.node} was cut short (${node.stoppedBy}): ${plural(noVerdict.length, 'target')} without a verdict there` };
  const blocked = ids((t) => t.required && t.blocked.includes(node.node));
  if (blocked.length > 0) return { outcome: 'failure', type: 'blocked', message: `${plural(blocked.length, 'required target')} blocked on ${node.node}: ${blocked.join(', ')}` };
  if (noVerdict.length > 0) return { outcome: 'error', type: 'no-verdict', message: `aml-netcheck failed on ${plural(noVerdict.length, 'target')} on ${node.node}: ${noVerdict.join(', ')}` };
  const warned = ids((t) => t.warning.includes(node.node));
  return { outcome: 'passed', type: '', message: warned.length === 0 ? '' : `warning (not proven reachable) on ${node.node}: ${warned.join(', ')}` };
}

function nodeCase(node: NodeInfo, merged: MergedReport): JunitCase {
  const head = `    <testcase name="${xml(node.node)}" classname="aml-netcheck.merge.nodes" time="0.000"`;
  const { outcome, type, message } = nodeOutcome(node, merged);
  const run = node.status === 'no-report' ? '' : `report ${node.source}, started ${node.startedAt}, ${plural(node.targets, 'target')}, exit ${node.exitCode}`;
  if (outcome === 'passed') return { outcome, markup: message === '' ? `${head}/>` : `${head}>\n      <system-out>${xml(`${message}\n${run}`)}</system-out>\n    </testcase>` };
  return { outcome, markup: `${head}>\n      <${outcome} type="${type}" message="${xml(message)}">${xml([message, run].filter(Boolean).join('\n'))}</${outcome}>\n    </testcase>` };
}

export function renderMergeJunit(merged: MergedReport): string {
  const timestamp =
    merged.nodes
      .flatMap((n) => (n.startedAt === null ? [] : [n.startedAt]))
      .sort()[0]
      ?.replace(/Z$/, '') ?? '';
  const suites = merged.features.map((feature) => {
    const targets = merged.targets.filter((t) => t.features.includes(feature.id));
    const cases = targets.map((t) => {
      const outcome = outcomeOf(t);
      return { outcome, markup: testcase(t, feature.id, outcome) };
    });
    const causes = [...featureCauses(feature).map(describeCause), ...(feature.absent.length > 0 ? [`not in the reports of ${feature.absent.join(', ')}`] : [])];
    return { name: `${feature.name} (${feature.id})`, timestamp, timeMs: 0, cases, ...(causes.length === 0 ? {} : { systemOut: causes.join('\n') }) };
  });
  suites.push({ name: 'Nodes', timestamp, timeMs: 0, cases: merged.nodes.map((node) => nodeCase(node, merged)) });
  return junitDocument('aml-netcheck merge', 0, suites);
}
