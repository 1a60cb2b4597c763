import { plural } from '../../model/text.js';
import { CLOUD_NAMES } from '../../model/clouds.js';
import { formatDuration } from '../../model/duration.js';
import type { Phase } from '../../model/phases.js';
import { REASONS } from '../../model/reasons.js';
import type { CheckedTarget, FeatureResult, Verdict } from '../../model/result.js';
import { byImpact, FEATURE_STATUS_ORDER } from '../../report/features.js';
import { requirementsOf, unverifiedFindings, type CheckReport, type ExitCode, type StoppedBy } from '../../report/report.js';
import { addressOutcomes } from './addresses.js';
import { auditHeadline, auditOf } from '../../report/audit-join.js';
import { badge, breakable, FEATURE_TONE, html, renderPage, sortableTable, tableFilter, tile, VERDICT_TONE, type Html, type Row, type Tone } from '../shared/html.js';

/**
 * `check -o html`: one file to attach to a ticket or open offline. The summary, a matrix of
 * features against target verdicts with what users of a broken feature see, the fixes grouped
 * by rule, and every target in a table to sort and filter (per-phase timings included).
 */

const EXIT_MEANING: Readonly<Record<ExitCode, string>> = {
  0: 'every required endpoint is reachable',
  1: 'a required endpoint is blocked',
  2: 'aml-netcheck failed on a target, or hit an internal error',
  3: 'nothing required was found blocked, but not everything needed got a verdict',
  130: 'interrupted by SIGINT (Ctrl-C)',
  143: 'stopped by SIGTERM',
};

const CUT_SHORT: Readonly<Record<StoppedBy, string>> = {
  deadline: 'the --deadline ended the run',
  SIGINT: 'the run was interrupted (SIGINT)',
  SIGTERM: 'the run was stopped (SIGTERM)',
  'internal-error': 'aml-netcheck hit an internal error',
};

const STATUS_LABEL: Readonly<Record<FeatureResult['status'], string>> = { broken: 'BROKEN', unknown: 'NO VERDICT', degraded: 'DEGRADED', ok: 'ok', 'not-checked': 'not checked' };

const PHASES: readonly Phase[] = ['dns', 'tcp', 'tls', 'http'];

/** UDP's column and colour only where a report has UDP targets: other reports look as they always did. */
function phasesOf(report: CheckReport): readonly Phase[] {
  return report.targets.some((t) => t.timings.udp !== undefined) ? [...PHASES, 'udp'] : PHASES;
}
const UDP_STYLE = '.p-udp{fill:#d9607e;background:#d9607e}\n';

/** Problems first: what breaks a feature, then what might, then what only warns. */
function rank(target: CheckedTarget): number {
  if (target.verdict === 'blocked') return target.required ? 0 : 1;
  return { unknown: 2, warning: 3, reachable: 4, skipped: 5 }[target.verdict];
}

function verdictLabel(target: CheckedTarget): string {
  if (target.reason === 'aborted') return 'UNFINISHED';
  if (target.reason === 'internal-error') return 'ERROR';
  return { blocked: 'BLOCKED', warning: 'WARNING', unknown: 'NO VERDICT', reachable: 'reachable', skipped: 'skipped' }[target.verdict];
}

function headline(report: CheckReport): { text: string; tone: Tone } {
  const { summary } = report;
  if (summary.featuresBroken.length > 0) {
    return { text: `${plural(summary.featuresBroken.length, 'feature')} broken: ${plural(summary.requiredBlocked, 'required endpoint')} blocked`, tone: 'bad' };
  }
  if (summary.featuresUnknown.length > 0) return { text: `No verdict for ${plural(summary.featuresUnknown.length, 'feature')}`, tone: 'unknown' };
  if (summary.requiredVerified === 0) return { text: 'No required endpoint was checked', tone: 'unknown' };
  if ((summary.featuresNotChecked ?? []).length > 0) return { text: `${plural(summary.featuresNotChecked?.length ?? 0, 'feature')} asked for but not checked`, tone: 'unknown' };
  const degraded = report.features.filter((f) => f.status === 'degraded').length;
  if (degraded > 0) return { text: `Every required endpoint is reachable; ${plural(degraded, 'feature')} degraded`, tone: 'warn' };
  return { text: 'Every required endpoint is reachable', tone: 'good' };
}

function where(report: CheckReport): string {
  const { facts } = report;
  return [CLOUD_NAMES[facts.cloud], facts.region, facts.workspaceName ?? facts.workspaceId].filter(Boolean).join(' · ');
}

function facts(report: CheckReport): Html {
  const { facts: f, settings: s } = report;
  const options = [
    f.hbi && 'high business impact',
    f.customImages && 'custom images',
    f.userManagedDependencies && 'user-managed dependencies',
    f.customPackageIndex && 'custom package index',
    f.publicIpCompute && 'compute with a public IP',
    f.rstudio && 'RStudio',
    f.storageFirewall && 'firewall before storage',
    f.privateAzureMonitor && 'private Azure Monitor',
  ].filter((x): x is string => typeof x === 'string');
  const workspace: Array<[string, string | undefined]> = [
    ['Cloud', CLOUD_NAMES[f.cloud]],
    ['Region', f.region],
    ['Workspace', f.workspaceName],
    ['Workspace id', f.workspaceId],
    ['Private endpoint', f.privateEndpoint ? 'yes' : 'no'],
    ['Own private endpoints', f.privateResources.length > 0 ? f.privateResources.join(', ') : undefined],
    ['Storage account', f.storageAccount],
    ['Key vault', f.keyVault],
    ['Container registry', f.containerRegistry],
    ['Compute instances', f.computeInstances.length > 0 ? f.computeInstances.join(', ') : undefined],
    ['Notebook host', f.notebookFqdn],
    ['Node address', f.nodeAddress],
    ['Options', options.length > 0 ? options.join(', ') : undefined],
    ['Requirements', requirementsOf(report) ?? undefined],
  ];
  const run: Array<[string, string | undefined]> = [
    ['Started', report.startedAt],
    ['Took', formatDuration(report.durationMs)],
    ['Timeout per phase', formatDuration(s.timeoutMs)],
    ['Deadline', s.deadlineMs === null ? 'none' : formatDuration(s.deadlineMs)],
    ['Concurrency', String(s.concurrency)],
    ['Retries', String(s.retries)],
    ['DNS servers', s.dnsServers.length > 0 ? s.dnsServers.join(', ') : "this machine's"],
    ['Proxy', s.proxy === null ? 'none (direct)' : `${s.proxy}${s.proxySource === null ? '' : ` (from ${s.proxySource})`}`],
    ['Tool', `${report.tool.name} ${report.tool.version}, report schema ${report.schemaVersion}`],
  ];
  const list = (title: string, rows: Array<[string, string | undefined]>): Html => html`<section class="card"><h3>${title}</h3><dl>${rows.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl></section>`;
  return html`<div class="facts">${list('Workspace', workspace)}${list('Run', run)}</div>`;
}

function summarySection(report: CheckReport): Html {
  const { summary } = report;
  const top = headline(report);
  const cutShort =
    summary.stoppedBy === null
      ? ''
      : html`<div class="banner tone-unknown" role="note"><strong>Incomplete:</strong> ${CUT_SHORT[summary.stoppedBy]}; ${plural(summary.unfinished, 'target')} did not finish and ${summary.unfinished === 1 ? 'is' : 'are'} not proven reachable.</div>`;
  const failures = summary.internalErrors === 0 ? '' : html`<div class="banner tone-unknown" role="note"><strong>aml-netcheck failed on ${plural(summary.internalErrors, 'target')}</strong> (a bug: the log has the details); they are not proven reachable.</div>`;
  const unverified = unverifiedFindings(report).map((line) => html`<div class="banner tone-unknown" role="note"><strong>Not verified:</strong> ${line}</div>`);
  return html`<header>
<h1>aml-netcheck report</h1>
<p class="muted">${where(report)} · ${report.startedAt} · took ${formatDuration(report.durationMs)} · ${report.tool.name} ${report.tool.version}</p>
<nav aria-label="Sections"><a href="#features">Features</a>${report.audit === undefined ? '' : html`<a href="#rules">Your rules</a>`}<a href="#fixes">Fixes</a><a href="#targets">Targets</a><a href="#settings">Workspace and run</a></nav>
</header>
<section id="summary" aria-label="Summary">
<div class="banner tone-${top.tone}"><strong>${top.text}.</strong> <span class="exit">Exit code ${summary.exitCode}: ${EXIT_MEANING[summary.exitCode]}.</span></div>
${cutShort}${failures}${unverified}
<div class="tiles">${tile(summary.targets, 'targets', 'muted')}${tile(summary.reachable, 'reachable', 'good')}${tile(summary.blocked, `blocked (${summary.requiredBlocked} required)`, 'bad')}${tile(summary.warning, 'warnings', 'warn')}${tile(summary.unknown, 'without a verdict', 'unknown')}${tile(summary.skipped, 'skipped', 'muted')}</div>
</section>`;
}

function featureMatrix(report: CheckReport): Html {
  const byId = new Map(report.targets.map((t) => [t.id, t]));
  const verdicts: ReadonlyArray<[Verdict, string]> = [
    ['reachable', 'Reachable'],
    ['blocked', 'Blocked'],
    ['warning', 'Warning'],
    ['unknown', 'No verdict'],
    ['skipped', 'Skipped'],
  ];
  const features = [...report.features].sort(byImpact);
  const rows: Row[] = features.map((feature) => {
    const mine = report.targets.filter((t) => t.features.includes(feature.id));
    const counts = verdicts.map(([verdict]) => {
      const these = mine.filter((t) => t.verdict === verdict);
      const tone: Tone = verdict === 'blocked' && !these.some((t) => t.required) ? 'warn' : VERDICT_TONE[verdict];
      return { content: these.length === 0 ? '·' : these.length, sort: these.length, className: these.length === 0 ? 'count zero' : `count tone-${tone}` };
    });
    const causes = feature.blockedBy.map((id) => {
      const reason = byId.get(id)?.reason;
      return html`<li><code>${breakable(id)}</code>${reason ? html` <span class="muted nowrap">(${reason})</span>` : ''}</li>`;
    });
    const tone = FEATURE_TONE[feature.status];
    return {
      tags: [feature.status],
      className: feature.status === 'ok' || feature.status === 'not-checked' ? undefined : `tone-${tone}`,
      cells: [
        {
          content: html`<strong>${feature.name}</strong> <code class="muted">${feature.id}</code>${feature.status === 'broken' && feature.impact !== null ? html`<div class="impact"><span>Users see:</span> ${feature.impact}</div>` : ''}`,
          sort: feature.name,
        },
        { content: badge(STATUS_LABEL[feature.status], tone), sort: FEATURE_STATUS_ORDER[feature.status] },
        ...counts,
        { content: causes.length === 0 ? '' : html`<ul class="plain">${causes}</ul>`, sort: feature.blockedBy.length },
      ],
    };
  });
  return sortableTable({
    id: 'feature-matrix',
    caption: 'Each feature against the verdicts of its targets; broken first, then degraded, without a verdict, ok, not checked.',
    columns: [
      { label: 'Feature' },
      { label: 'Status', numeric: true },
      ...verdicts.map(([, label]) => ({ label, numeric: true, className: 'num' })),
      { label: 'Because of', numeric: true, title: 'The targets that break the feature (required) or degrade it (optional, or a warning)' },
    ],
    rows,
    sortedBy: { column: 1, direction: 'ascending' },
  });
}

/** The phases as one bar each, laid end to end on a scale shared by every row: slow phases stand out. */
function waterfall(target: CheckedTarget, scaleMs: number, phases: readonly Phase[]): Html | '' {
  const total = target.timings.total;
  if (total === undefined) return '';
  const width = 96;
  let x = 0;
  const bars = phases.flatMap((phase) => {
    const ms = target.timings[phase];
    if (ms === undefined) return [];
    const w = Math.max(1, (ms / scaleMs) * width);
    const bar = html`<rect class="p-${phase}" x="${x.toFixed(1)}" y="1" width="${w.toFixed(1)}" height="10"></rect>`;
    x += w;
    return [bar];
  });
  const label = [...phases.filter((p) => target.timings[p] !== undefined).map((p) => `${p} ${target.timings[p]} ms`), `total ${total} ms`].join(', ');
  return html`<svg class="waterfall" width="${width}" height="12" viewBox="0 0 ${width} 12" role="img" aria-label="${label}"><title>${label}</title>${bars}</svg>`;
}

function timingCell(ms: number | undefined): { content: string; sort: number | null; className: string } {
  return ms === undefined ? { content: '—', sort: null, className: 'muted' } : { content: String(ms), sort: ms, className: '' };
}

function targetTable(report: CheckReport, ordered: readonly CheckedTarget[]): Html {
  const phases = phasesOf(report);
  const scaleMs = Math.max(1, ...report.targets.map((t) => t.timings.total ?? 0));
  const rows: Row[] = ordered.map((t) => {
    const problem = t.verdict === 'blocked' || t.verdict === 'unknown' || t.verdict === 'warning';
    const tone: Tone = t.verdict === 'blocked' && !t.required ? 'warn' : VERDICT_TONE[t.verdict];
    const addresses = addressOutcomes(t);
    const notes = [addresses === null ? '' : html`<div class="muted">${addresses}</div>`, ...t.warnings.map((w) => html`<div class="note">${w}</div>`), t.representative ? html`<div class="note muted">${t.host} stands for ${t.pattern}</div>` : ''];
    return {
      tags: [t.verdict, ...(problem ? ['problem'] : []), t.required ? 'required' : 'optional'],
      className: problem ? `tone-${tone}` : undefined,
      cells: [
        { content: html`<code>${breakable(t.id)}</code>` },
        { content: t.features.join(', ') },
        { content: html`${badge(verdictLabel(t), tone)}${t.required ? '' : html` <span class="muted">optional</span>`}`, sort: rank(t) },
        { content: t.reason === null ? '' : html`<code title="${REASONS[t.reason].summary}">${t.reason}</code>` },
        { content: t.phase ?? '' },
        { content: html`${t.detail}${notes}` },
        ...phases.map((p) => timingCell(t.timings[p])),
        timingCell(t.timings.total),
        { content: waterfall(t, scaleMs, phases), sort: t.timings.total ?? null },
        { content: t.via },
      ],
    };
  });
  const count = (tag: string): number => rows.filter((r) => r.tags.includes(tag)).length;
  const choices = [
    { value: '', label: `all (${rows.length})` },
    { value: 'problem', label: `problems (${count('problem')})` },
    ...(['blocked', 'unknown', 'warning', 'reachable', 'skipped'] as const).map((v) => ({ value: v, label: `${v === 'unknown' ? 'no verdict' : v} (${count(v)})` })),
  ];
  const legend = html`<p class="legend muted">Times in milliseconds; the bars share one scale (longest total ${scaleMs} ms): ${phases.map((p) => html`<span class="key p-${p}"></span>${p.toUpperCase()} `)}</p>`;
  return html`${tableFilter({ table: 'target-table', label: 'Filter', choiceLabel: 'Show', choices })}${legend}${sortableTable({
    id: 'target-table',
    caption: 'Every target, problems first. Click a header to sort.',
    columns: [
      { label: 'Target' },
      { label: 'Features' },
      { label: 'Verdict', numeric: true, title: 'Sorts by severity' },
      { label: 'Reason', title: 'Hover a reason code for what it means' },
      { label: 'Phase' },
      { label: 'Detail', className: 'detail' },
      ...phases.map((p) => ({ label: p.toUpperCase(), numeric: true, className: 'num', title: `${p.toUpperCase()} phase, ms` })),
      { label: 'Total', numeric: true, className: 'num', title: 'Whole check, ms' },
      { label: 'Timeline', numeric: true, title: 'The phases end to end; sorts by total' },
      { label: 'Via' },
    ],
    rows,
    sortedBy: { column: 2, direction: 'ascending' },
  })}`;
}

const CONTRADICTION_LABEL = { 'allowed-but-blocked': 'allowed, yet blocked', 'denied-but-reached': 'denied, yet got through' } as const;

/**
 * With --config: each target the rules decide, the probe beside the rule, contradictions first
 * and marked. The probe's verdict is the one the rest of the page counts.
 */
function rulesSection(report: CheckReport, ordered: readonly CheckedTarget[]): Html | '' {
  const { audit } = report;
  if (audit === undefined) return '';
  const joined = ordered.map((t) => ({ t, a: auditOf(audit, t) })).filter(({ a }) => a !== undefined && a.verdict.verdict !== 'not-audited');
  const rows: Row[] = joined
    .map(({ t, a }, i) => ({ t, a, i }))
    .sort((x, y) => Number(x.a?.contradiction === null) - Number(y.a?.contradiction === null) || x.i - y.i)
    .map(({ t, a }) => {
      const contradiction = a?.contradiction ?? null;
      const tone: Tone = t.verdict === 'blocked' && !t.required ? 'warn' : VERDICT_TONE[t.verdict];
      return {
        tags: [contradiction === null ? 'agrees' : 'contradiction'],
        className: contradiction === null ? undefined : 'tone-unknown',
        cells: [
          { content: html`<code>${breakable(t.id)}</code>` },
          { content: html`${badge(verdictLabel(t), tone)}${t.reason === null ? '' : html` <code class="muted">${t.reason}</code>`}`, sort: rank(t) },
          { content: a?.explanation ?? '' },
          { content: contradiction === null ? '' : html`${badge(CONTRADICTION_LABEL[contradiction.kind], 'unknown')} ${contradiction.explanation}`, sort: contradiction === null ? 1 : 0 },
        ],
      };
    });
  const banner = html`<div class="banner tone-${audit.contradictions === 0 ? 'good' : 'unknown'}" role="note">${auditHeadline(audit)}</div>`;
  return html`<section id="rules"><h2>Your rules</h2>
${banner}${sortableTable({
    id: 'rules-table',
    caption: 'Each target under the rules given with --config, contradictions with the probe first.',
    columns: [{ label: 'Target' }, { label: 'Probe', numeric: true, title: 'Sorts by severity' }, { label: 'Your rules' }, { label: 'Contradiction', numeric: true }],
    rows,
  })}
</section>
`;
}

/** One entry per distinct fix, with every blocked target it opens: one firewall change often opens several. */
function fixesSection(ordered: readonly CheckedTarget[], features: ReadonlyMap<string, FeatureResult>): Html {
  const groups = new Map<string, CheckedTarget[]>();
  for (const target of ordered.filter((t) => t.verdict === 'blocked')) {
    for (const fix of target.fix) groups.set(fix, [...(groups.get(fix) ?? []), target]);
  }
  if (groups.size === 0) return html`<p class="muted">No blocked target, so nothing to fix.</p>`;
  const items = [...groups].map(([fix, targets]) => {
    const required = targets.some((t) => t.required);
    const names = [...new Set(targets.flatMap((t) => t.features))].map((id) => features.get(id)?.name ?? id);
    return html`<li class="card tone-${required ? 'bad' : 'warn'}"><div class="fix">${fix}</div>
<div class="muted">${required ? '' : html`${badge('optional', 'warn')} `}for ${targets.map((t, i) => html`${i > 0 ? ', ' : ''}<code>${breakable(t.id)}</code>`)} · ${names.join(', ')}</div></li>`;
  });
  return html`<ol class="fixes">${items}</ol>
<details><summary>All fixes as plain text, to paste into a change request</summary><pre>${[...groups.keys()].join('\n')}</pre></details>`;
}

const STYLE = `
header p{margin:0}
.tiles{display:flex;gap:10px;flex-wrap:wrap;margin:12px 0}
.tile{background:var(--card);border:1px solid var(--line);border-top:4px solid var(--tone);border-radius:8px;padding:8px 14px;min-width:120px;color:var(--muted)}
.tile .n{display:block;font-size:24px;font-weight:700;color:var(--tone);font-variant-numeric:tabular-nums}
.facts{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:12px}
.facts dl{display:grid;grid-template-columns:max-content 1fr;gap:3px 14px;margin:8px 0 0}
.facts dt{color:var(--muted)}.facts dd{margin:0;overflow-wrap:anywhere}
.impact{margin-top:3px;color:var(--bad)}.impact span{font-weight:600}
td.count{text-align:center;font-variant-numeric:tabular-nums;font-weight:600;color:var(--tone);background:var(--tone-bg)}
td.count.zero{color:var(--muted);background:none;font-weight:400}
#feature-matrix th[data-type=number]{text-align:center}
#feature-matrix th:last-child{text-align:left}
ul.plain{list-style:none;margin:0;padding:0}
.nowrap{white-space:nowrap}
#target-table td:first-child code{overflow-wrap:anywhere}
#target-table td:first-child{min-width:12em;max-width:22em}
#target-table td.detail{min-width:18em;overflow-wrap:anywhere}
#target-table td:nth-child(2){max-width:10em}
.note{margin-top:3px;color:var(--warn)}
.waterfall{display:block;margin-top:4px}
.p-dns{fill:var(--dns);background:var(--dns)}.p-tcp{fill:var(--tcp);background:var(--tcp)}.p-tls{fill:var(--tls);background:var(--tls)}.p-http{fill:var(--http);background:var(--http)}
.key{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 3px 0 8px;vertical-align:-1px}
.legend{font-size:13px;margin:0 0 6px}
ol.fixes{list-style:none;padding:0;margin:0;display:grid;gap:8px}
ol.fixes li{border-left:4px solid var(--tone)}
.fix{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:13px;margin-bottom:4px;overflow-wrap:anywhere}
details{margin-top:10px}details pre{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:10px;overflow:auto;white-space:pre-wrap}
.exit{color:var(--fg)}
`;

/** The whole report as one HTML document; every value from the report is escaped. */
export function renderCheckHtml(report: CheckReport): string {
  const ordered = report.targets
    .map((t, i) => ({ t, i }))
    .sort((a, b) => rank(a.t) - rank(b.t) || a.i - b.i)
    .map(({ t }) => t);
  const features = new Map(report.features.map((f) => [f.id, f]));
  const body = html`<main>
${summarySection(report)}
<section id="features"><h2>Features</h2>
${featureMatrix(report)}
</section>
${rulesSection(report, ordered)}<section id="fixes"><h2>Fixes</h2>
${fixesSection(ordered, features)}
</section>
<section id="targets"><h2>Targets</h2>
${targetTable(report, ordered)}
</section>
<section id="settings"><h2>Workspace and run</h2>
${facts(report)}
</section>
</main>`;
  return renderPage({ title: `aml-netcheck: ${headline(report).text} (${where(report)})`, body, style: phasesOf(report).includes('udp') ? `${STYLE}${UDP_STYLE}` : STYLE });
}
