import { blockedByReason, featureCauses, FEATURE_STATUS_LABEL, mergedFix, TARGET_STATUS_LABEL, warnedByReason, type MergedFeature, type MergedReport, type MergedTarget, type NodeInfo } from '../../report/merge.js';
import { mergeHeadline, nameNodes } from './table.js';
import { cell, code, table, details } from '../shared/markdown.js';

/**
 * `merge -o markdown`: for the ticket to the network team. The headline, the warnings, the
 * features with, per node, the targets that break them, then the targets that fail or warn
 * somewhere with the nodes and reasons; what works everywhere is collapsed, and so are the
 * nodes while each of them has a complete report.
 */

function nodes(list: readonly string[], other = false): string {
  return list.length === 0 ? '—' : cell(nameNodes(list, Number.POSITIVE_INFINITY, other));
}

function failing(target: MergedTarget): string {
  const parts = blockedByReason(target).map(({ reason, nodes: on }) => `${code(reason)} on ${cell(on.join(', '))}`);
  if (target.noVerdict.length > 0) parts.push(`no verdict on ${cell(target.noVerdict.join(', '))}`);
  return parts.join('<br>') || '—';
}

function warned(target: MergedTarget): string {
  const parts = warnedByReason(target).map(({ reason, text, nodes: on }) => `${reason === null ? '' : `${code(reason)} `}on ${cell(on.join(', '))}: ${cell(text)}`);
  return parts.join('<br>') || '—';
}

function causes(feature: MergedFeature): string {
  const lines = featureCauses(feature).map(({ status, targets, nodes: on }) => `${status} on ${cell(on.join(', '))}${targets.length === 0 ? '' : ` by ${targets.map(code).join(', ')}`}`);
  if (feature.absent.length > 0) lines.push(`not in the reports of ${cell(feature.absent.join(', '))}`);
  return lines.join('<br>') || '—';
}

function nodeRow(n: NodeInfo): string[] {
  if (n.status === 'no-report') return [code(n.node), 'no report yet', '—', '—', '—', '—', cell(n.source)];
  const report = n.status === 'complete' ? 'complete' : n.stoppedBy === null ? 'incomplete' : `cut short (${n.stoppedBy})`;
  return [code(n.node), report, cell(n.startedAt), String(n.targets), String(n.requiredBlocked), String(n.exitCode), cell(n.source)];
}

export function renderMergeMarkdown(merged: MergedReport): string {
  const out: string[] = ['## aml-netcheck merge', ''];
  out.push(`**${cell(mergeHeadline(merged))}.**`, '');
  if (merged.warnings.length > 0) out.push('**Warnings**, the view may mislead:', '', ...merged.warnings.map((w) => `- ${cell(w)}`), '');

  const features = merged.features.filter((f) => f.status !== 'ok-everywhere' && f.status !== 'not-checked');
  if (features.length > 0) {
    out.push('### Features', '');
    out.push(
      ...table(
        ['Feature', 'Status', 'Not ok on, by', 'Users see'],
        features.map((f) => [`${cell(f.name)} (${code(f.id)})`, FEATURE_STATUS_LABEL[f.status], causes(f), f.broken.length > 0 ? cell(f.impact ?? '') : '']),
      ),
      '',
    );
  }
  const targets = merged.targets.filter((t) => t.status !== 'reachable-everywhere' && t.status !== 'not-checked');
  if (targets.length > 0) {
    out.push('### Targets not reachable from every node', '');
    out.push(
      ...table(
        ['Target', 'Features', 'Status', 'Fails on', 'Warns on', 'Reachable from', 'Fix'],
        targets.map((t) => [code(t.id) + (t.required ? '' : ' (optional)'), cell(t.features.join(', ')), TARGET_STATUS_LABEL[t.status], failing(t), warned(t), nodes(t.reaching), cell(mergedFix(t).join('; ') || '—')]),
      ),
      '',
    );
  }
  const fine = merged.targets.filter((t) => t.status === 'reachable-everywhere');
  if (fine.length > 0)
    out.push(
      ...details(
        `Reachable from every node (${fine.length})`,
        table(
          ['Target', 'Features'],
          fine.map((t) => [code(t.id), cell(t.features.join(', '))]),
        ),
      ),
    );
  const okFeatures = merged.features.filter((f) => f.status === 'ok-everywhere');
  if (okFeatures.length > 0)
    out.push(
      ...details(
        `Features ok on every node (${okFeatures.length})`,
        table(
          ['Feature'],
          okFeatures.map((f) => [`${cell(f.name)} (${code(f.id)})`]),
        ),
      ),
    );
  out.push(
    ...details(
      `Nodes (${merged.nodes.length})`,
      table(['Node', 'Report', 'Started', 'Targets', 'Required blocked', 'Exit', 'Source'], merged.nodes.map(nodeRow)),
      // A node without a complete report is a finding of its own: shown, not folded away.
      merged.nodes.some((n) => n.status !== 'complete'),
    ),
  );
  return `${out.join('\n').trimEnd()}\n`;
}
