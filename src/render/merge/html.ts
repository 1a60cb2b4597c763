import { FEATURE_STATUS_ORDER } from '../../report/features.js';
import { blockedByReason, featureCauses, mergedFix, warnedByReason, FEATURE_STATUS_LABEL, TARGET_STATUS_LABEL, TARGET_STATUS_ORDER, type FeatureMergeStatus, type MergedFeature, type MergedReport, type MergedTarget, type NodeInfo, type TargetStatus } from '../../report/merge.js';
import { mergeHeadline } from './table.js';
import { badge, breakable, FEATURE_TONE, html, renderPage, RUNS_STYLE, sortableTable, tableFilter, tile, warningsBanner, type Html, type Row, type Tone } from '../shared/html.js';

/**
 * `merge -o html`: a fleet's reports as one self-contained page. A node × feature matrix
 * shows at a glance which node pools break what (nodes are rows, so hundreds of them scroll
 * rather than widen the page), and a filterable table lists each target with the nodes it
 * fails on. Built from the same blocks as the check report.
 */

const TARGET_TONE: Readonly<Record<TargetStatus, Tone>> = {
  'blocked-everywhere': 'bad',
  'blocked-on-some': 'bad',
  'no-verdict-on-some': 'unknown',
  'warning-everywhere': 'warn',
  'warning-on-some': 'warn',
  'reachable-everywhere': 'good',
  'not-checked': 'muted',
};

const FEATURE_MERGE_TONE: Readonly<Record<FeatureMergeStatus, Tone>> = {
  'broken-everywhere': 'bad',
  'broken-on-some': 'bad',
  'unknown-on-some': 'unknown',
  'degraded-on-some': 'warn',
  'ok-everywhere': 'good',
  'not-checked': 'muted',
};

function summarySection(merged: MergedReport): Html {
  const { summary } = merged;
  const warned = summary.requiredWarning.length > 0;
  const tone: Tone = summary.exitCode === 1 ? 'bad' : summary.exitCode === 3 ? 'unknown' : warned ? 'warn' : 'good';
  const meaning =
    summary.exitCode === 1
      ? 'a required target is blocked on some node'
      : summary.exitCode === 3
        ? 'some nodes have no verdict for a required target, or no report'
        : warned
          ? 'nothing required is blocked; a warning does not fail the run, but it is not reachable either'
          : 'every required target reachable from every node';
  const statusTile = (status: TargetStatus): Html => tile(summary.targets[status], TARGET_STATUS_LABEL[status], TARGET_TONE[status]);
  return html`<header>
<h1>aml-netcheck merge</h1>
<nav aria-label="Sections"><a href="#matrix">Nodes and features</a><a href="#targets">Targets</a></nav>
</header>
<section id="summary" aria-label="Summary">
<div class="banner tone-${tone}"><strong>${mergeHeadline(merged)}.</strong> <span class="exit">Exit code ${summary.exitCode}: ${meaning}.</span></div>
${warningsBanner('Read with care:', merged.warnings)}
<div class="tiles">${TARGET_STATUS_ORDER.map(statusTile)}</div>
</section>`;
}

/** A node without a report: a row of its own, so that a silent node is seen, not missed. */
function silentRow(node: NodeInfo, features: number): Row {
  const nothing = { content: html`<span class="muted">no report</span>`, sort: null };
  return {
    tags: ['no-report'],
    className: 'tone-unknown',
    cells: [{ content: html`<code>${breakable(node.node)}</code> <span class="muted">(no report yet: ${node.source})</span>`, sort: node.node }, nothing, ...Array.from({ length: features }, () => nothing)],
  };
}

/** One row per node, one column per feature: the colour says at a glance where what breaks. */
function matrix(merged: MergedReport): Html {
  const features = merged.features;
  const rows: Row[] = merged.nodes.map((node) => {
    if (node.status === 'no-report') return silentRow(node, features.length);
    const statuses = features.map((f) => f.nodes.find((n) => n.node === node.node));
    const worst = Math.min(...statuses.map((s) => (s === undefined ? 5 : FEATURE_STATUS_ORDER[s.status])));
    return {
      tags: [...new Set(statuses.filter((s) => s !== undefined).map((s) => s.status))],
      cells: [
        { content: html`<code>${breakable(node.node)}</code>${node.stoppedBy === null ? '' : html` <span class="muted">(cut short: ${node.stoppedBy})</span>`}`, sort: node.node },
        { content: node.requiredBlocked, sort: node.requiredBlocked },
        ...statuses.map((s) => (s === undefined ? { content: html`<span class="muted">absent</span>`, sort: 5 } : { content: badge(s.status, FEATURE_TONE[s.status]), sort: FEATURE_STATUS_ORDER[s.status], className: `cell tone-${FEATURE_TONE[s.status]}` })),
      ],
      className: worst === 0 ? 'tone-bad' : undefined,
    };
  });
  return sortableTable({
    id: 'node-features',
    caption: 'Each node and how each feature fares there. Click a header to sort, for example by a feature to group the nodes it breaks on.',
    columns: [{ label: 'Node' }, { label: 'Required blocked', numeric: true }, ...features.map((f) => ({ label: f.name, title: `${f.id}: ${FEATURE_STATUS_LABEL[f.status]}`, numeric: true }))],
    rows,
  });
}

/** Each feature's verdict over the fleet, above the matrix: what a reader looks for first. */
function featureList(merged: MergedReport): Html {
  return html`<ul class="plain features">${merged.features.map((f) => html`<li>${badge(FEATURE_STATUS_LABEL[f.status], FEATURE_MERGE_TONE[f.status])} <strong>${f.name}</strong> <code class="muted">${f.id}</code>${causes(f)}</li>`)}</ul>`;
}

/** Per node where the feature is not ok, the targets behind it. */
function causes(feature: MergedFeature): Html | '' {
  const lines = featureCauses(feature).map(({ status, targets, nodes }) => html`<li>${status} on ${nodes.join(', ')}${targets.length === 0 ? '' : html` by ${targets.map((id, i) => html`${i === 0 ? '' : ', '}<code>${breakable(id)}</code>`)}`}</li>`);
  if (feature.absent.length > 0) lines.push(html`<li>not in the reports of ${feature.absent.join(', ')}</li>`);
  return lines.length === 0 ? '' : html`<ul class="plain causes">${lines}</ul>`;
}

function warnedOn(target: MergedTarget): Html {
  const groups = warnedByReason(target).map(({ reason, text, nodes }) => html`<li>${reason === null ? '' : html`<code>${reason}</code> `}on ${nodes.join(', ')}: ${text}</li>`);
  return groups.length === 0 ? html`<span class="muted">—</span>` : html`<ul class="plain">${groups}</ul>`;
}

function failing(target: MergedTarget): Html {
  const groups = blockedByReason(target).map(({ reason, nodes }) => html`<li><code>${reason}</code> on ${nodes.join(', ')}</li>`);
  const unknown = target.noVerdict.length === 0 ? '' : html`<li>no verdict on ${target.noVerdict.join(', ')}</li>`;
  return groups.length === 0 && unknown === '' ? html`<span class="muted">—</span>` : html`<ul class="plain">${groups}${unknown}</ul>`;
}

function targetRows(targets: readonly MergedTarget[]): Row[] {
  return targets.map((target) => {
    const fix = mergedFix(target);
    const rank = TARGET_STATUS_ORDER.indexOf(target.status);
    return {
      tags: [target.status, ...(target.required ? [] : ['optional'])],
      className: target.status === 'reachable-everywhere' || target.status === 'not-checked' ? undefined : `tone-${TARGET_TONE[target.status]}`,
      cells: [
        { content: badge(TARGET_STATUS_LABEL[target.status], TARGET_TONE[target.status]), sort: rank },
        { content: html`<code>${breakable(target.id)}</code>${target.required ? '' : html` <span class="muted">(optional)</span>`}`, sort: target.id },
        { content: target.features.join(', ') },
        { content: failing(target), className: 'detail', sort: target.blocked.length + target.noVerdict.length },
        { content: warnedOn(target), className: 'detail', sort: target.warning.length },
        { content: target.reaching.length === target.nodes.length ? 'every node' : target.reaching.join(', '), className: 'detail', sort: target.reaching.length },
        { content: fix.length === 0 ? '' : html`<ul class="plain">${fix.map((line) => html`<li class="fix">${line}</li>`)}</ul>` },
      ],
    };
  });
}

const STYLE = `${RUNS_STYLE}td.cell{text-align:center}
.features li{margin:4px 0}
.causes{margin-left:1.5em}
`;

/** The whole merge as one HTML document; every value from the reports is escaped. */
export function renderMergeHtml(merged: MergedReport): string {
  const statuses = TARGET_STATUS_ORDER.filter((status) => merged.targets.some((t) => t.status === status));
  const body = html`<main>
${summarySection(merged)}
<section id="matrix"><h2>Nodes and features</h2>
${featureList(merged)}
${matrix(merged)}
</section>
<section id="targets"><h2>Targets</h2>
${tableFilter({
  table: 'merged-targets',
  label: 'Filter',
  choiceLabel: 'Show',
  choices: [{ value: '', label: 'every target' }, ...statuses.map((status) => ({ value: status, label: TARGET_STATUS_LABEL[status] }))],
})}
${sortableTable({
  id: 'merged-targets',
  caption: 'Every target of any node, matched by host, port and direction, with the nodes it fails or warns on: only a node that said reachable reaches it. Click a header to sort.',
  columns: [{ label: 'Status', numeric: true }, { label: 'Target' }, { label: 'Features' }, { label: 'Fails on', numeric: true }, { label: 'Warns on', numeric: true }, { label: 'Reachable from', numeric: true }, { label: 'Fix' }],
  rows: targetRows(merged.targets),
  sortedBy: { column: 0, direction: 'ascending' },
})}
</section>
</main>`;
  return renderPage({ title: `aml-netcheck merge: ${mergeHeadline(merged)}`, body, style: STYLE });
}
