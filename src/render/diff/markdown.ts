import { CHANGE_LABEL, describeFeatureSide, describeSide, targetsOf, type ChangeKind, type ReportDiff, type TargetDiff } from '../../report/diff.js';
import { diffHeadline } from './table.js';
import { cell, code, table, details } from '../shared/markdown.js';

/**
 * `diff -o markdown`: for the change ticket. One summary line, the comparison's warnings,
 * the features that changed, then a table per kind: newly broken first, then fixed, changed,
 * still broken; what cannot be compared, what only one run has and what stayed the same are
 * collapsed.
 */

/** Kinds whose targets are a problem in the after run: the detail and the fix matter. */
const PROBLEM: ReadonlySet<ChangeKind> = new Set(['newly-broken', 'changed', 'still-broken']);
const SHOWN: readonly ChangeKind[] = ['newly-broken', 'fixed', 'changed', 'still-broken'];
const COLLAPSED: readonly ChangeKind[] = ['no-verdict', 'added', 'removed', 'unchanged'];

function targetTable(targets: readonly TargetDiff[], change: ChangeKind): string[] {
  const side = (t: TargetDiff): string[] => [code(t.id), cell(t.features.join(', ')), cell(describeSide(t.before)), cell(describeSide(t.after))];
  if (!PROBLEM.has(change)) return table(['Target', 'Features', 'Before', 'After'], targets.map(side));
  return table(
    ['Target', 'Features', 'Before', 'After', 'Detail', 'Fix'],
    targets.map((t) => [...side(t), cell(t.after?.detail ?? ''), cell(t.after?.fix.join('; ') || '—')]),
  );
}

export function renderDiffMarkdown(diff: ReportDiff): string {
  const out: string[] = ['## aml-netcheck diff', ''];
  const headline = cell(diffHeadline(diff));
  out.push(`**${headline}** (before: ${cell(diff.before.startedAt)}, after: ${cell(diff.after.startedAt)}).`, '');
  if (diff.warnings.length > 0) out.push('**Warnings**, the comparison may mislead:', '', ...diff.warnings.map((w) => `- ${cell(w)}`), '');

  const features = diff.features.filter((f) => f.change !== 'unchanged');
  if (features.length > 0) {
    out.push('### Features', '');
    out.push(
      ...table(
        ['Feature', 'Change', 'Before', 'After'],
        features.map((f) => [`${cell(f.name)} (${code(f.id)})`, CHANGE_LABEL[f.change], cell(describeFeatureSide(f.before)), cell(describeFeatureSide(f.after))]),
      ),
      '',
    );
    const broken = features.filter((f) => f.change === 'newly-broken' && f.impact !== null);
    if (broken.length > 0) out.push('Newly broken, and what their users will see:', '', ...broken.map((f) => `- ${cell(f.name)} (${code(f.id)}): ${cell(f.impact ?? '')}`), '');
  }
  for (const change of SHOWN) {
    const targets = targetsOf(diff, change);
    if (targets.length > 0) out.push(`### ${CHANGE_LABEL[change]} (${targets.length})`, '', ...targetTable(targets, change), '');
  }
  for (const change of COLLAPSED) {
    const targets = targetsOf(diff, change);
    if (targets.length > 0) out.push(...details(`${CHANGE_LABEL[change]} (${targets.length})`, targetTable(targets, change)));
  }
  const sameFeatures = diff.features.filter((f) => f.change === 'unchanged');
  if (sameFeatures.length > 0) {
    out.push(
      ...details(
        `Features unchanged (${sameFeatures.length})`,
        table(
          ['Feature', 'Status'],
          sameFeatures.map((f) => [`${cell(f.name)} (${code(f.id)})`, cell(describeFeatureSide(f.after))]),
        ),
      ),
    );
  }
  return `${out.join('\n').trimEnd()}\n`;
}
