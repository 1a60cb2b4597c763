import { blockedByReason, FEATURE_STATUS_LABEL, TARGET_STATUS_LABEL, type MergedReport, type MergedTarget } from '../report/merge.js';
import { cell } from './check-markdown.js';
import { mergeHeadline, nameNodes } from './merge-table.js';

/**
 * `merge -o markdown`: for the ticket to the network team. The headline, the warnings, the
 * features with the nodes they break on, then the targets that fail somewhere with the nodes
 * and reasons; what works everywhere and the nodes themselves are collapsed.
 */

function code(text: string): string {
  return text.includes('`') ? cell(text) : `\`${cell(text)}\``;
}

function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)];
}

function details(summary: string, lines: readonly string[]): string[] {
  return ['<details>', `<summary>${cell(summary)}</summary>`, '', ...lines, '', '</details>', ''];
}

function nodes(list: readonly string[], other = false): string {
  return list.length === 0 ? '—' : cell(nameNodes(list, Number.POSITIVE_INFINITY, other));
}

function failing(target: MergedTarget): string {
  const parts = blockedByReason(target).map(({ reason, nodes: on }) => `${code(reason)} on ${cell(on.join(', '))}`);
  if (target.noVerdict.length > 0) parts.push(`no verdict on ${cell(target.noVerdict.join(', '))}`);
  return parts.join('<br>') || '—';
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
        ['Feature', 'Status', 'Broken on', 'Degraded or unknown on', 'Users see'],
        features.map((f) => [`${cell(f.name)} (${code(f.id)})`, FEATURE_STATUS_LABEL[f.status], nodes(f.broken), nodes([...f.degraded, ...f.unknown]), f.broken.length > 0 ? cell(f.impact ?? '') : '']),
      ),
      '',
    );
  }
  const targets = merged.targets.filter((t) => t.status !== 'reachable-everywhere' && t.status !== 'not-checked');
  if (targets.length > 0) {
    out.push('### Targets that fail on some node', '');
    out.push(
      ...table(
        ['Target', 'Features', 'Status', 'Fails on', 'Reachable from', 'Fix'],
        targets.map((t) => [
          code(t.id) + (t.required ? '' : ' (optional)'),
          cell(t.features.join(', ')),
          TARGET_STATUS_LABEL[t.status],
          failing(t),
          nodes(t.reaching),
          cell(t.nodes.find((v) => v.verdict === 'blocked')?.fix.join('; ') || '—'),
        ]),
      ),
      '',
    );
  }
  const fine = merged.targets.filter((t) => t.status === 'reachable-everywhere');
  if (fine.length > 0) out.push(...details(`Reachable from every node (${fine.length})`, table(['Target', 'Features'], fine.map((t) => [code(t.id), cell(t.features.join(', '))]))));
  const okFeatures = merged.features.filter((f) => f.status === 'ok-everywhere');
  if (okFeatures.length > 0) out.push(...details(`Features ok on every node (${okFeatures.length})`, table(['Feature'], okFeatures.map((f) => [`${cell(f.name)} (${code(f.id)})`]))));
  out.push(
    ...details(
      `Nodes (${merged.nodes.length})`,
      table(
        ['Node', 'Started', 'Targets', 'Required blocked', 'Exit', 'Source'],
        merged.nodes.map((n) => [code(n.node), cell(n.startedAt), String(n.targets), String(n.requiredBlocked), String(n.exitCode), cell(n.source)]),
      ),
    ),
  );
  return `${out.join('\n').trimEnd()}\n`;
}
