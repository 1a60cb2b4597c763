import { escapeControl, plural } from '../../model/text.js';
import { blockedByReason, featureCauses, mergedFix, warnedByReason, FEATURE_STATUS_LABEL, TARGET_STATUS_LABEL, type FeatureMergeStatus, type MergedFeature, type MergedReport, type MergedTarget, type TargetStatus } from '../../report/merge.js';
import { PLAIN, paint, wrap, type Colour, type TextOptions } from '../shared/terminal.js';

/**
 * `merge` as text. A node × target matrix would be as wide as the fleet, so each problem is
 * a block instead: the feature or target, then the nodes it fails on, grouped by reason; the
 * nodes that are fine are named only while they are few. What works everywhere is counted.
 */

/** Past this many, the nodes that are fine are counted rather than named. */
const NAMED_NODES_MAX = 8;

const TARGET_COLOUR: Readonly<Record<TargetStatus, Colour>> = {
  'blocked-everywhere': 'red',
  'blocked-on-some': 'red',
  'no-verdict-on-some': 'magenta',
  'warning-everywhere': 'yellow',
  'warning-on-some': 'yellow',
  'reachable-everywhere': 'green',
  'not-checked': 'dim',
};

const FEATURE_COLOUR: Readonly<Record<FeatureMergeStatus, Colour>> = {
  'broken-everywhere': 'red',
  'broken-on-some': 'red',
  'unknown-on-some': 'magenta',
  'degraded-on-some': 'yellow',
  'ok-everywhere': 'green',
  'not-checked': 'dim',
};

/** Node names, or how many when they are many: `node-a, node-b` / `the other 212 nodes`. */
export function nameNodes(nodes: readonly string[], max = NAMED_NODES_MAX, other = false): string {
  if (nodes.length <= max) return nodes.join(', ');
  return `${other ? 'the other ' : ''}${plural(nodes.length, 'node')}`;
}

/** One line saying what the merge comes to, the same words the exit code stands for. */
export function mergeHeadline(merged: MergedReport): string {
  const { summary } = merged;
  const nodes = plural(summary.nodes, 'node');
  if (summary.exitCode === 1) {
    const everywhere = merged.targets.filter((t) => t.required && t.status === 'blocked-everywhere').length;
    const some = summary.requiredBlocked.length - everywhere;
    const parts = [some > 0 ? `${plural(some, 'required target')} blocked on some nodes` : '', everywhere > 0 ? `${plural(everywhere, 'required target')} blocked everywhere` : ''];
    const silent = summary.nodesWithoutReport.length > 0 ? `; ${plural(summary.nodesWithoutReport.length, 'node')} without a report yet` : '';
    return `${nodes}: ${parts.filter(Boolean).join(', ')}${silent}`;
  }
  if (summary.exitCode === 3) {
    const silent = summary.nodesWithoutReport.length > 0 ? `${plural(summary.nodesWithoutReport.length, 'node')} without a report yet` : '';
    const open = summary.requiredNoVerdict.length > 0 ? `${plural(summary.requiredNoVerdict.length, 'required target')} without a verdict on some nodes` : '';
    return `${nodes}: nothing required blocked, but ${[silent, open].filter(Boolean).join(' and ')}`;
  }
  // A warning does not fail the run, as in `check`, but it is not "reachable" either.
  if (summary.requiredWarning.length > 0) return `${nodes}: nothing required blocked, but ${plural(summary.requiredWarning.length, 'required target')} with a warning (not proven reachable)`;
  return `${nodes}: every required target reachable from every node`;
}

/** A warning's reason and what the node said: `warning (udp-unverified) on node-a: no answer from …`. */
export function describeWarned({ reason, text, nodes }: ReturnType<typeof warnedByReason>[number], named: (nodes: readonly string[]) => string = (list) => list.join(', ')): string {
  return `warning${reason === null ? '' : ` (${reason})`} on ${named(nodes)}: ${text}`;
}

/** One node's causes of a feature not being ok: `broken on node-b by login.microsoftonline.com:443`. */
export function describeCause({ status, targets, nodes }: ReturnType<typeof featureCauses>[number]): string {
  return `${status} on ${nodes.join(', ')}${targets.length === 0 ? '' : ` by ${targets.join(', ')}`}`;
}

function targetLines(target: MergedTarget, options: TextOptions): string[] {
  const out: string[] = [];
  const label = TARGET_STATUS_LABEL[target.status].toUpperCase();
  const name = `${escapeControl(target.id)}${target.required ? '' : ' (optional)'}`;
  const head = wrap(`  ${label}  ${name}`, options.width, '    ');
  out.push(head[0]?.replace(label, paint(label, TARGET_COLOUR[target.status], options)) ?? '', ...head.slice(1));
  const line = (text: string): void => void out.push(...wrap(`      ${text}`, options.width, '        '));
  for (const { reason, nodes } of blockedByReason(target)) line(`${escapeControl(reason)} on ${escapeControl(nodes.join(', '))}`);
  if (target.noVerdict.length > 0) line(`no verdict on ${escapeControl(target.noVerdict.join(', '))}`);
  for (const warned of warnedByReason(target)) line(escapeControl(describeWarned(warned)));
  if (target.status !== 'reachable-everywhere') {
    if (target.reaching.length > 0) line(`reachable from ${escapeControl(nameNodes(target.reaching, NAMED_NODES_MAX, true))}`);
    for (const f of mergedFix(target)) line(`fix:  ${escapeControl(f)}`);
  }
  if (target.absent.length > 0) line(`not in the reports of ${escapeControl(nameNodes(target.absent))}`);
  return out;
}

function featureLines(feature: MergedFeature, options: TextOptions): string[] {
  const out: string[] = [];
  const label = FEATURE_STATUS_LABEL[feature.status].toUpperCase();
  const head = wrap(`  ${label}  ${escapeControl(feature.name)} (${escapeControl(feature.id)})`, options.width, '    ');
  out.push(head[0]?.replace(label, paint(label, FEATURE_COLOUR[feature.status], options)) ?? '', ...head.slice(1));
  const line = (text: string): void => void out.push(...wrap(`      ${text}`, options.width, '        '));
  for (const cause of featureCauses(feature)) line(escapeControl(describeCause(cause)));
  if (feature.absent.length > 0) line(`not in the reports of ${escapeControl(nameNodes(feature.absent))}`);
  if (feature.ok.length > 0) line(`ok on ${escapeControl(nameNodes(feature.ok, NAMED_NODES_MAX, true))}`);
  if (feature.broken.length > 0 && feature.impact !== null) line(`users see: ${escapeControl(feature.impact)}`);
  return out;
}

export function renderMergeTable(merged: MergedReport, options: TextOptions = PLAIN): string {
  const out: string[] = [];
  const line = (text: string, indent = '  '): void => void out.push(...wrap(text, options.width, indent));
  line(`aml-netcheck merge: ${escapeControl(mergeHeadline(merged))}.`);
  for (const node of merged.nodes) {
    if (node.status === 'no-report') {
      line(`  ${escapeControl(node.node)}: no report yet, nothing known from it (${escapeControl(node.source)})`, '    ');
      continue;
    }
    const cut = node.stoppedBy === null ? '' : `, cut short (${node.stoppedBy})`;
    line(`  ${escapeControl(node.node)}: ${escapeControl(node.startedAt)}, ${node.targets} targets, ${node.requiredBlocked} required blocked, exit ${node.exitCode}${cut}`, '    ');
  }
  out.push('');

  out.push('Features');
  const features = merged.features.filter((f) => f.status !== 'ok-everywhere' && f.status !== 'not-checked');
  for (const feature of features) out.push(...featureLines(feature, options));
  const fine = merged.features.filter((f) => f.status === 'ok-everywhere');
  if (fine.length > 0 || features.length === 0) line(`  ${plural(fine.length, 'feature')} ok everywhere${fine.length > 0 ? `: ${escapeControl(fine.map((f) => f.id).join(', '))}` : ''}`, '    ');
  out.push('');

  out.push('Targets');
  const targets = merged.targets.filter((t) => t.status !== 'reachable-everywhere' && t.status !== 'not-checked');
  for (const target of targets) out.push(...targetLines(target, options));
  const reachable = merged.summary.targets['reachable-everywhere'];
  if (reachable > 0 || targets.length === 0) out.push(`  ${plural(reachable, 'target')} reachable everywhere`);
  const notChecked = merged.summary.targets['not-checked'];
  if (notChecked > 0) out.push(`  ${plural(notChecked, 'target')} not checked on any node`);
  out.push('');

  const { summary } = merged;
  if (summary.exitCode === 1) line(`Required targets blocked on some node: ${escapeControl(summary.requiredBlocked.join(', '))} (nodes with any: ${escapeControl(summary.nodesWithBlocked.join(', '))}).`);
  else if (summary.exitCode === 3) {
    if (summary.nodesWithoutReport.length > 0) line(`No report yet from: ${escapeControl(summary.nodesWithoutReport.join(', '))}.`);
    if (summary.requiredNoVerdict.length > 0) line(`No verdict on some nodes for: ${escapeControl(summary.requiredNoVerdict.join(', '))}.`);
  } else if (summary.requiredWarning.length > 0) line(`Nothing required blocked; a warning, not proven reachable, on some nodes for: ${escapeControl(summary.requiredWarning.join(', '))}.`);
  else line('Every required target reachable from every node.');
  return `${out.join('\n')}\n`;
}
