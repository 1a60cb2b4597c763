import type { AuditedTarget, AuditResult, AuditVerdict, RuleRef } from '../../audit/types.js';
import { AUDIT_EXIT_MEANING } from '../../audit/exit-meaning.js';
import { plural } from '../../model/text.js';
import { badge, breakable, html, renderPage, RUNS_STYLE, sortableTable, tableFilter, tile, warningsBanner, type Html, type Row, type Tone } from '../shared/html.js';
import { besideRule, BLOCKING, byRule, inputsOf, layerName, ruleKey, ruleOf, rulePath, rulePriority, ruleKind, verdictCounts, verdictRank, type LayerEntry } from './by-rule.js';
import { explainVerdict, LABEL } from './table.js';

/**
 * `audit -o html`: one self-contained page (the check report's shell: its strict CSP, no
 * request, complete with JavaScript off). Two views joined by links: by target (each verdict,
 * each layer's own, the rule linked) and by rule (each of the admin's rules that decides a
 * target, in processing order, with the targets it allows or denies), then the targets that
 * fall to the implicit deny, that cannot work as configured, and that depend on data not given.
 * Anchors and `:target` do the navigation, so it works without the script.
 */

const VERDICT_TONE: Readonly<Record<AuditVerdict['verdict'], Tone>> = { allowed: 'good', denied: 'bad', 'no-rule': 'bad', inexpressible: 'bad', depends: 'unknown', 'not-audited': 'muted' };

/** An optional target that is blocked breaks nothing: a warning, as in check's report. */
function toneOf(verdict: AuditVerdict, required: boolean): Tone {
  return !required && BLOCKING.includes(verdict.verdict) ? 'warn' : VERDICT_TONE[verdict.verdict];
}

function verdictBadge(verdict: AuditVerdict, required: boolean): Html {
  return badge(LABEL[verdict.verdict], toneOf(verdict, required));
}

/** Where each target and rule is on the page: anchors the two views link each other by. */
interface Anchors {
  readonly target: ReadonlyMap<AuditedTarget, string>;
  readonly rule: ReadonlyMap<string, string>;
}

function targetLink(target: AuditedTarget, anchors: Anchors): Html {
  return html`<a href="#${anchors.target.get(target) ?? ''}"><code>${breakable(target.id)}</code></a>`;
}

/** The verdict's reason, its rule a link to that rule in the by-rule view. */
function reason(verdict: AuditVerdict, anchors: Anchors): Html {
  const rule = ruleOf(verdict);
  const anchor = rule === null ? undefined : anchors.rule.get(ruleKey(rule));
  const text = explainVerdict(verdict);
  return anchor === undefined ? html`${text}` : html`<a href="#${anchor}">${text}</a>`;
}

function headline(result: AuditResult): { text: string; tone: Tone } {
  const audited = result.targets.filter((t) => t.verdict.verdict !== 'not-audited');
  const allowed = audited.filter((t) => t.verdict.verdict === 'allowed').length;
  const tone: Tone = result.exitCode === 0 ? 'good' : result.exitCode === 1 ? 'bad' : 'unknown';
  return { text: `${allowed} of ${plural(audited.length, 'target')} allowed`, tone };
}

function summarySection(result: AuditResult, turned: ReturnType<typeof byRule>): Html {
  const top = headline(result);
  const meaning = AUDIT_EXIT_MEANING[result.exitCode];
  const sections: Array<[string, string, number]> = [
    ['by-target', 'By target', result.targets.length],
    ['by-rule', 'By rule', turned.layers.reduce((n, l) => n + l.rules.length, 0)],
    ['no-rule', 'No rule', turned.noRule.length],
    ['inexpressible', 'Cannot work', turned.inexpressible.length],
    ['depends', 'Depends', turned.depends.length],
    ['inputs', 'Inputs', inputsOf(result).length],
  ];
  return html`<header>
<h1>aml-netcheck audit</h1>
<p class="muted">${inputsOf(result).join(' · ')}</p>
<nav aria-label="Views">${sections.map(([id, label, n]) => html`<a href="#${id}">${label} (${n})</a>`)}</nav>
</header>
<section id="summary" aria-label="Summary">
<div class="banner tone-${top.tone}"><strong>${top.text}.</strong> Exit code ${result.exitCode}${meaning === undefined ? '' : `: ${meaning}`}.</div>
${warningsBanner('Warnings:', result.warnings ?? [])}
<div class="tiles">${verdictCounts(result).map(([verdict, n]) => tile(n, LABEL[verdict].toLowerCase(), VERDICT_TONE[verdict]))}</div>
</section>`;
}

function targetView(result: AuditResult, anchors: Anchors): Html {
  const layers = [...new Set(result.targets.flatMap((t) => t.layers.map((l) => l.layer)))];
  const ordered = [...result.targets].sort((a, b) => verdictRank(a.verdict) - verdictRank(b.verdict));
  const rows: Row[] = ordered.map((t) => {
    const tone = toneOf(t.verdict, t.required);
    const problem = t.verdict.verdict !== 'allowed' && t.verdict.verdict !== 'not-audited';
    return {
      tags: [t.verdict.verdict, ...(problem ? ['problem'] : []), t.required ? 'required' : 'optional'],
      className: problem ? `tone-${tone}` : undefined,
      cells: [
        { content: html`<code id="${anchors.target.get(t) ?? ''}">${breakable(t.id)}</code>`, sort: t.id },
        { content: t.features.join(', ') },
        { content: html`${verdictBadge(t.verdict, t.required)}${t.required ? '' : html` <span class="muted">optional</span>`}`, sort: verdictRank(t.verdict) },
        { content: reason(t.verdict, anchors) },
        ...layers.map((layer) => {
          const found = t.layers.find((l) => l.layer === layer);
          return found === undefined ? { content: '—', sort: null, className: 'muted' } : { content: html`${verdictBadge(found.verdict, t.required)} ${reason(found.verdict, anchors)}`, sort: verdictRank(found.verdict) };
        }),
      ],
    };
  });
  const count = (tag: string): number => rows.filter((r) => r.tags.includes(tag)).length;
  const choices = [{ value: '', label: `all (${rows.length})` }, { value: 'problem', label: `not allowed (${count('problem')})` }, ...verdictCounts(result).map(([verdict, n]) => ({ value: verdict, label: `${LABEL[verdict].toLowerCase()} (${n})` }))];
  return html`${tableFilter({ table: 'target-table', label: 'Filter', choiceLabel: 'Show', choices })}${sortableTable({
    id: 'target-table',
    caption: 'Every target, problems first: the verdict of all layers together (the first that blocks decides), then each layer’s own in path order. A rule links to the targets it decides.',
    columns: [
      { label: 'Target' },
      { label: 'Features' },
      { label: 'Verdict', numeric: true, title: 'Sorts by severity' },
      { label: 'Rule or reason', className: 'detail' },
      ...layers.map((layer) => ({ label: layerName(layer), numeric: true, className: 'detail', title: `The ${layerName(layer)} layer’s own verdict` })),
    ],
    rows,
    sortedBy: { column: 2, direction: 'ascending' },
  })}`;
}

function entryItem(entry: LayerEntry, anchors: Anchors): Html {
  const { target, verdict } = entry;
  const overall = target.verdict.verdict !== verdict.verdict ? html` <span class="muted">(all layers: ${LABEL[target.verdict.verdict]})</span>` : '';
  const beside = besideRule(verdict);
  const why = beside === '' ? '' : html` <span class="muted">${beside}</span>`;
  return html`<li>${verdictBadge(verdict, target.required)} ${targetLink(target, anchors)}${target.required ? '' : html` <span class="muted">optional</span>`}${overall}${why}</li>`;
}

function ruleCard(rule: RuleRef, entries: readonly LayerEntry[], anchor: string, anchors: Anchors): Html {
  const action = 'action' in rule ? rule.action : '';
  const tone: Tone = action === 'Allow' ? 'good' : action === 'Deny' ? 'bad' : 'muted';
  const counts = [...new Set(entries.map((e) => e.verdict.verdict))].map((v) => `${entries.filter((e) => e.verdict.verdict === v).length} ${LABEL[v].toLowerCase()}`).join(', ');
  return html`<article class="card rule tone-${tone}" id="${anchor}">
<h4><code>${breakable(rulePath(rule))}</code> ${action === '' ? '' : badge(action, tone)}</h4>
<p class="muted">${[rulePriority(rule), ruleKind(rule), counts].filter(Boolean).join(' · ')}</p>
<ul class="plain targets">${entries.map((e) => entryItem(e, anchors))}</ul>
</article>`;
}

function ruleView(turned: ReturnType<typeof byRule>, anchors: Anchors): Html {
  if (turned.layers.length === 0) return html`<p class="muted">No rule decides any target.</p>`;
  const index = turned.layers.map(
    ({ layer, rules }) =>
      html`<li><strong>${layerName(layer)}</strong><ol>${rules.map(({ key, rule, entries }) => html`<li><a href="#${anchors.rule.get(key) ?? ''}">${rulePath(rule)}</a> <span class="muted">${rulePriority(rule)} · ${plural(entries.length, 'target')}</span></li>`)}</ol></li>`,
  );
  const layers = turned.layers.map(
    ({ layer, rules }) => html`<section class="layer" aria-label="${layerName(layer)}"><h3>${layerName(layer)}: ${plural(rules.length, 'rule')}, in the order they are processed</h3>
${rules.map(({ key, rule, entries }) => ruleCard(rule, entries, anchors.rule.get(key) ?? '', anchors))}
</section>`,
  );
  return html`<nav class="rule-index card" aria-label="Rules"><ul class="plain">${index}</ul></nav>
${layers}`;
}

function entryTable(id: string, caption: string, entries: readonly LayerEntry[], anchors: Anchors, empty: string): Html {
  if (entries.length === 0) return html`<p class="muted">${empty}</p>`;
  return html`<table id="${id}-table" class="data"><caption>${caption}</caption>
<thead><tr><th scope="col">Target</th><th scope="col">Layer</th><th scope="col">Verdict</th><th scope="col">Why</th></tr></thead>
<tbody>${entries.map((e) => html`<tr><td>${targetLink(e.target, anchors)}${e.target.required ? '' : html` <span class="muted">optional</span>`}</td><td>${layerName(e.layer)}</td><td>${verdictBadge(e.verdict, e.target.required)}</td><td class="detail">${reason(e.verdict, anchors)}</td></tr>\n`)}</tbody>
</table>`;
}

const STYLE = `
header p{margin:0}
.rule{margin:10px 0;border-left:5px solid var(--tone)}
.rule h4{margin:0;font-size:14px;overflow-wrap:anywhere}
.rule p{margin:2px 0 6px;font-size:13px}
.rule ul.targets li{margin:2px 0}
.rule:target,tr:target,code:target{outline:2px solid var(--accent);outline-offset:2px}
.rule-index ol{margin:4px 0 8px;padding-left:24px}
.rule-index code,.rule-index a{overflow-wrap:anywhere}
section.layer h3{margin:18px 0 6px}
#target-table td:first-child{min-width:12em;max-width:22em;overflow-wrap:anywhere}
`;

/** The whole audit as one HTML document; every value from the exports is escaped. */
export function renderAuditHtml(result: AuditResult): string {
  const turned = byRule(result);
  const ruleAnchors = new Map<string, string>();
  for (const { rules } of turned.layers) for (const { key } of rules) ruleAnchors.set(key, `rule-${ruleAnchors.size + 1}`);
  const anchors: Anchors = { target: new Map(result.targets.map((t, i) => [t, `target-${i + 1}`])), rule: ruleAnchors };
  const skipped = result.targets.filter((t) => t.verdict.verdict === 'not-audited');
  const body = html`<main>
${summarySection(result, turned)}
<section id="by-target"><h2>By target</h2>
${targetView(result, anchors)}
</section>
<section id="by-rule"><h2>By rule</h2>
<p class="muted">Each of your rules that decides a target, layer by layer in path order, with the targets it allows, denies or cannot decide.</p>
${ruleView(turned, anchors)}
</section>
<section id="no-rule"><h2>No rule: the implicit deny</h2>
${entryTable('no-rule', 'Targets no rule of a layer matches: that layer drops them.', turned.noRule, anchors, 'Every audited target meets a rule on every layer.')}
</section>
<section id="inexpressible"><h2>Cannot work as configured</h2>
${entryTable('inexpressible', 'Targets whose matching rule cannot work as it is written.', turned.inexpressible, anchors, 'No rule that matches a target is written in a way that cannot work.')}
</section>
<section id="depends"><h2>Depends on data not given</h2>
${entryTable('depends', 'Targets whose verdict needs more than the exports hold.', turned.depends, anchors, 'Every verdict was decided from the exports given.')}
</section>
${skipped.length === 0 ? '' : html`<section id="not-audited"><h2>Not audited</h2><ul>${skipped.map((t) => html`<li>${targetLink(t, anchors)}: ${explainVerdict(t.verdict)}</li>`)}</ul></section>`}
<section id="inputs"><h2>Inputs</h2>
<ul class="card plain">${inputsOf(result).map((line) => html`<li>${line}</li>`)}</ul>
</section>
</main>`;
  return renderPage({ title: `aml-netcheck audit: ${headline(result).text}`, body, style: RUNS_STYLE + STYLE });
}
