import { CLOUD_NAMES } from '../../model/clouds.js';
import { CHANGE_LABEL, CHANGE_ORDER, describeFeatureSide, describeSide, type ChangeKind, type FeatureDiff, type ReportDiff, type RunInfo, type TargetDiff } from '../../report/diff.js';
import { diffHeadline } from './table.js';
import { badge, breakable, html, renderPage, RUNS_STYLE, sortableTable, tableFilter, tile, warningsBanner, type Html, type Row, type Tone } from '../shared/html.js';

/**
 * `diff -o html`: the comparison of two runs as one self-contained page, for the change
 * record that shows a firewall change fixed what it was meant to and broke nothing else.
 * Built from the same blocks as the check report: escaping, page shell, sortable table.
 */

const CHANGE_TONE: Readonly<Record<ChangeKind, Tone>> = {
  'newly-broken': 'bad',
  fixed: 'good',
  changed: 'warn',
  'still-broken': 'bad',
  'no-verdict': 'unknown',
  added: 'muted',
  removed: 'muted',
  unchanged: 'muted',
};

const rank = (change: ChangeKind): number => CHANGE_ORDER.indexOf(change);

function runLine(label: string, run: RunInfo): Html {
  const where = [CLOUD_NAMES[run.facts.cloud], run.facts.region, run.facts.workspaceName ?? run.facts.workspaceId].filter(Boolean).join(' · ');
  const cut = run.stoppedBy === null ? '' : html` · <strong>cut short (${run.stoppedBy})</strong>`;
  return html`<dt>${label}</dt><dd>${run.startedAt} · ${where} · ${run.targets} targets · exit ${run.exitCode} · aml-netcheck ${run.toolVersion}${cut}</dd>`;
}

function summarySection(diff: ReportDiff): Html {
  const { summary } = diff;
  const tone: Tone = summary.exitCode === 1 ? 'bad' : summary.partial ? 'unknown' : 'good';
  const changeTile = (change: ChangeKind): Html => tile(summary.targets[change], CHANGE_LABEL[change].toLowerCase(), CHANGE_TONE[change]);
  const meaning = summary.exitCode === 1 ? 'something newly broke' : 'nothing newly broke';
  return html`<header>
<h1>aml-netcheck diff</h1>
<dl class="runs">${runLine('Before', diff.before)}${runLine('After', diff.after)}</dl>
<nav aria-label="Sections"><a href="#features">Features</a><a href="#targets">Targets</a></nav>
</header>
<section id="summary" aria-label="Summary">
<div class="banner tone-${tone}"><strong>${diffHeadline(diff)}.</strong> <span class="exit">Exit code ${summary.exitCode}: ${meaning}.</span></div>
${warningsBanner('Compare with care:', diff.warnings)}
<div class="tiles">${CHANGE_ORDER.filter((c) => c !== 'unchanged').map(changeTile)}</div>
</section>`;
}

function featureRows(features: readonly FeatureDiff[]): Row[] {
  return features.map((feature) => ({
    tags: [feature.change],
    className: feature.change === 'unchanged' ? undefined : `tone-${CHANGE_TONE[feature.change]}`,
    cells: [
      { content: badge(CHANGE_LABEL[feature.change], CHANGE_TONE[feature.change]), sort: rank(feature.change) },
      {
        content: html`<strong>${feature.name}</strong> <code class="muted">${feature.id}</code>${feature.change === 'newly-broken' && feature.impact !== null ? html`<div class="impact"><span>Users see:</span> ${feature.impact}</div>` : ''}`,
        sort: feature.name,
      },
      { content: describeFeatureSide(feature.before) },
      { content: describeFeatureSide(feature.after) },
    ],
  }));
}

function targetRows(targets: readonly TargetDiff[]): Row[] {
  return targets.map((target) => {
    const fix = target.after?.fix ?? [];
    return {
      tags: [target.change, ...(target.required ? [] : ['optional'])],
      className: target.change === 'unchanged' ? undefined : `tone-${CHANGE_TONE[target.change]}`,
      cells: [
        { content: badge(CHANGE_LABEL[target.change], CHANGE_TONE[target.change]), sort: rank(target.change) },
        { content: html`<code>${breakable(target.id)}</code>${target.required ? '' : html` <span class="muted">(optional)</span>`}`, sort: target.id },
        { content: target.features.join(', ') },
        { content: describeSide(target.before), className: 'detail' },
        { content: html`${describeSide(target.after)}${target.after?.detail ? html`<div class="muted">${target.after.detail}</div>` : ''}`, className: 'detail' },
        { content: fix.length === 0 ? '' : html`<ul class="plain">${fix.map((line) => html`<li class="fix">${line}</li>`)}</ul>` },
      ],
    };
  });
}

const STYLE = `${RUNS_STYLE}.runs{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:6px 0 0;font-size:13px}.runs dt{color:var(--muted)}.runs dd{margin:0}
.impact{margin-top:4px;font-size:13px}.impact span{font-weight:600;color:var(--bad)}
`;

/** The whole comparison as one HTML document; every value from the reports is escaped. */
export function renderDiffHtml(diff: ReportDiff): string {
  const changes = CHANGE_ORDER.filter((change) => diff.targets.some((t) => t.change === change));
  const body = html`<main>
${summarySection(diff)}
<section id="features"><h2>Features</h2>
${sortableTable({
  id: 'feature-changes',
  caption: 'Each feature in the run before and after; what needs action first.',
  columns: [{ label: 'Change', numeric: true }, { label: 'Feature' }, { label: 'Before' }, { label: 'After' }],
  rows: featureRows([...diff.features].sort((a, b) => rank(a.change) - rank(b.change))),
  sortedBy: { column: 0, direction: 'ascending' },
})}
</section>
<section id="targets"><h2>Targets</h2>
${tableFilter({
  table: 'target-changes',
  label: 'Filter',
  choiceLabel: 'Show',
  choices: [{ value: '', label: 'every change' }, ...changes.map((change) => ({ value: change, label: CHANGE_LABEL[change] }))],
})}
${sortableTable({
  id: 'target-changes',
  caption: 'Every target of either run, matched by host, port and direction. Click a header to sort.',
  columns: [{ label: 'Change', numeric: true }, { label: 'Target' }, { label: 'Features' }, { label: 'Before' }, { label: 'After' }, { label: 'Fix now' }],
  rows: targetRows([...diff.targets].sort((a, b) => rank(a.change) - rank(b.change))),
  sortedBy: { column: 0, direction: 'ascending' },
})}
</section>
</main>`;
  return renderPage({ title: `aml-netcheck diff: ${diffHeadline(diff)}`, body, style: STYLE });
}
