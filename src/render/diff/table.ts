import { describeFeatureTransition, describeTransition, type ChangeKind, type ReportDiff, type TargetDiff } from '../../report/diff.js';
import { escapeControl, plural } from '../../model/text.js';
import { layoutRows } from '../shared/columns.js';
import { PLAIN, paint, wrap, type Colour, type TextOptions } from '../shared/terminal.js';

/**
 * `diff` as text: what newly broke first, then what was fixed, what changed, what is still
 * broken; the unchanged only counted. The comparison's warnings go to stderr, as `check`'s do.
 */

const LABEL: Readonly<Record<ChangeKind, string>> = {
  'newly-broken': 'NEWLY BROKEN',
  fixed: 'FIXED',
  changed: 'CHANGED',
  'still-broken': 'STILL BROKEN',
  'no-verdict': 'NO VERDICT',
  added: 'added',
  removed: 'removed',
  unchanged: 'unchanged',
};

const COLOUR: Readonly<Record<ChangeKind, Colour>> = {
  'newly-broken': 'red',
  fixed: 'green',
  changed: 'yellow',
  'still-broken': 'yellow',
  'no-verdict': 'magenta',
  added: 'dim',
  removed: 'dim',
  unchanged: 'dim',
};

/** Kinds whose targets are still a problem in the after run: their detail and fix are shown. */
const PROBLEM: ReadonlySet<ChangeKind> = new Set(['newly-broken', 'changed', 'still-broken']);

function detailOf(target: TargetDiff): string {
  if (PROBLEM.has(target.change)) return target.after?.detail ?? '';
  if (target.change === 'no-verdict') return (target.after?.verdict === 'unknown' ? target.after : target.before)?.detail ?? '';
  return '';
}

/**
 * Rows of label, name and transition: in three columns when the names fit whole beside the
 * transitions, else the transition under each name. A name is what an admin searches the
 * firewall for, so it is never cut; it wraps only when it is wider than the terminal.
 */
function layout(rows: ReadonlyArray<readonly [string, string, string]>, width: number): string[][] {
  const widest = (i: number): number => Math.max(...rows.map((row) => escapeControl(row[i] ?? '').length));
  if (2 + widest(0) + 2 + widest(1) + 2 + widest(2) <= width)
    return layoutRows(
      rows.map(([label, name, change]) => [`  ${label}`, name, change]),
      new Set(),
      width,
    );
  const labelWidth = widest(0);
  const under = ' '.repeat(labelWidth + 4);
  return rows.map(([label, name, change]) => {
    const shown = escapeControl(name);
    // On a very narrow terminal a name goes under its label rather than being broken.
    const head = under.length + shown.length <= width ? [`  ${label.padEnd(labelWidth)}  ${shown}`] : [`  ${label}`, ...wrap(`    ${shown}`, width, '    ')];
    return [...head, ...wrap(`${under}${escapeControl(change)}`, width, under)];
  });
}

/** Colours the label a laid-out row starts with; the layout was measured without colour. */
function paintLead(line: string, label: string, colour: Colour, options: TextOptions): string {
  const at = line.indexOf(label);
  return at === -1 ? line : `${line.slice(0, at)}${paint(label, colour, options)}${line.slice(at + label.length)}`;
}

/** One line saying what the diff comes to, the same words the exit code stands for. */
export function diffHeadline(diff: ReportDiff): string {
  const { summary } = diff;
  const verdict: string[] = [];
  if (summary.featuresNewlyBroken.length > 0) verdict.push(`${plural(summary.featuresNewlyBroken.length, 'feature')} newly broken`);
  if (summary.requiredNewlyBlocked.length > 0) verdict.push(`${plural(summary.requiredNewlyBlocked.length, 'required target')} newly blocked`);
  if (verdict.length === 0) verdict.push('nothing newly broken');
  const t = summary.targets;
  const counts: string[] = [];
  const optional = t['newly-broken'] - summary.requiredNewlyBlocked.length;
  if (optional > 0) counts.push(`${optional} optional newly blocked`);
  if (t.fixed > 0) counts.push(`${t.fixed} fixed`);
  if (t.changed > 0) counts.push(`${t.changed} changed`);
  if (t['still-broken'] > 0) counts.push(`${t['still-broken']} still broken`);
  if (t['no-verdict'] > 0) counts.push(`${t['no-verdict']} without a verdict in one run`);
  return counts.length === 0 ? verdict.join(', ') : `${verdict.join(', ')}; targets: ${counts.join(', ')}`;
}

export function renderDiffTable(diff: ReportDiff, options: TextOptions = PLAIN): string {
  const out: string[] = [];
  const line = (text: string, indent = '  '): void => void out.push(...wrap(text, options.width, indent));
  line(`aml-netcheck diff: ${diffHeadline(diff)}.`);
  line(`  before: ${escapeControl(diff.before.startedAt)} (aml-netcheck ${escapeControl(diff.before.toolVersion)}, ${diff.before.targets} targets)`, '    ');
  line(`  after:  ${escapeControl(diff.after.startedAt)} (aml-netcheck ${escapeControl(diff.after.toolVersion)}, ${diff.after.targets} targets)`, '    ');
  out.push('');

  const features = diff.features.filter((f) => f.change !== 'unchanged');
  out.push('Features');
  if (features.length > 0) {
    const laid = layout(
      features.map((f) => [LABEL[f.change], `${f.name} (${f.id})`, describeFeatureTransition(f)]),
      options.width,
    );
    features.forEach((feature, i) => {
      const [first = '', ...rest] = laid[i] ?? [];
      out.push(paintLead(first, LABEL[feature.change], COLOUR[feature.change], options), ...rest);
      if (feature.change === 'newly-broken' && feature.impact !== null) line(`      users see: ${escapeControl(feature.impact)}`, '                 ');
    });
  }
  const sameFeatures = diff.summary.features.unchanged;
  if (sameFeatures > 0 || features.length === 0) out.push(`  ${plural(sameFeatures, 'feature')} unchanged`);
  out.push('');

  const targets = diff.targets.filter((t) => t.change !== 'unchanged');
  out.push('Targets');
  if (targets.length > 0) {
    const laid = layout(
      targets.map((t) => [LABEL[t.change], t.id, describeTransition(t)]),
      options.width,
    );
    targets.forEach((target, i) => {
      const [first = '', ...rest] = laid[i] ?? [];
      out.push(paintLead(first, LABEL[target.change], COLOUR[target.change], options), ...rest);
      const detail = detailOf(target);
      if (detail !== '') line(`      ${escapeControl(detail)}`, '      ');
      if (target.change === 'newly-broken' || target.change === 'changed') for (const fix of target.after?.fix ?? []) line(`      fix:  ${escapeControl(fix)}`, '            ');
    });
  }
  const sameTargets = diff.summary.targets.unchanged;
  if (sameTargets > 0 || targets.length === 0) out.push(`  ${plural(sameTargets, 'target')} unchanged`);
  out.push('');

  const { summary } = diff;
  if (summary.exitCode === 1) {
    const what = [...summary.featuresNewlyBroken, ...summary.requiredNewlyBlocked];
    line(`Newly broken: ${escapeControl(what.join(', '))}.`);
  } else line('Nothing newly broken.');
  if (summary.partial) line('Partial: a run has targets without a verdict; they are neither fixed nor broken here.');
  return `${out.join('\n')}\n`;
}
