import type { AuditedTarget, AuditResult } from '../../audit/types.js';
import { AUDIT_EXIT_MEANING } from '../../audit/exit-meaning.js';
import { plural } from '../../model/text.js';
import { cell, code, details, table } from '../shared/markdown.js';
import { byRule, inputsOf, layerName, rulePath, rulePriority, ruleKind, verdictCounts, verdictRank, verdictSentence, type LayerEntry } from './by-rule.js';
import { explainVerdict, LABEL } from './table.js';

/**
 * `audit -o markdown`: for a change request or a ticket. A summary line, the targets that are
 * not allowed with the rule or reason, each layer's own verdict, the warnings; the allowed
 * targets, the rules turned around (which targets each one decides) and the inputs collapsed.
 */

/** The layers any target passed, in path order. */
function layersOf(result: AuditResult): string[] {
  return [...new Set(result.targets.flatMap((t) => t.layers.map((l) => l.layer)))];
}

function layerCell(target: AuditedTarget, layer: string): string {
  const found = target.layers.find((l) => l.layer === layer);
  return found === undefined ? '—' : cell(verdictSentence(found.verdict));
}

function targetRows(targets: readonly AuditedTarget[], layers: readonly string[]): string[][] {
  return targets.map((t) => [code(t.id), t.required ? 'required' : 'optional', `**${LABEL[t.verdict.verdict]}**`, cell(explainVerdict(t.verdict)), ...layers.map((layer) => layerCell(t, layer))]);
}

function entryRows(entries: readonly LayerEntry[]): string[][] {
  return entries.map((e) => [code(e.target.id), cell(layerName(e.layer)), e.target.required ? 'required' : 'optional', cell(verdictSentence(e.target.verdict))]);
}

export function renderAuditMarkdown(result: AuditResult): string {
  const audited = result.targets.filter((t) => t.verdict.verdict !== 'not-audited');
  const ordered = [...audited].sort((a, b) => verdictRank(a.verdict) - verdictRank(b.verdict));
  const allowed = audited.filter((t) => t.verdict.verdict === 'allowed');
  const counts = verdictCounts(result)
    .map(([verdict, n]) => `${n} ${LABEL[verdict].toLowerCase()}`)
    .join(', ');
  const meaning = AUDIT_EXIT_MEANING[result.exitCode];
  const out: string[] = ['## aml-netcheck audit', '', `**${allowed.length} of ${plural(audited.length, 'target')} allowed** (${counts}); exit code ${result.exitCode}${meaning === undefined ? '' : `: ${meaning}`}.`, '', ...inputsOf(result).map((line) => `- ${cell(line)}`), ''];
  const layers = layersOf(result);
  const header = ['Target', 'Required', 'Verdict', 'Rule or reason', ...layers.map(layerName)];
  const problems = ordered.filter((t) => t.verdict.verdict !== 'allowed');
  if (problems.length > 0) out.push(`### Not allowed (${problems.length})`, '', ...table(header, targetRows(problems, layers)), '');
  const warnings = result.warnings ?? [];
  if (warnings.length > 0) out.push(`### Warnings (${warnings.length})`, '', ...warnings.map((w) => `- ${cell(w)}`), '');
  if (allowed.length > 0) out.push(...details(`Allowed (${allowed.length})`, table(header, targetRows(allowed, layers))));

  const turned = byRule(result);
  const ruleLines = turned.layers.flatMap(({ layer, rules }) => [
    `**${cell(layerName(layer))}**`,
    '',
    ...table(
      ['Rule', 'Priority', 'Kind', 'Targets'],
      rules.map(({ rule, entries }) => [code(rulePath(rule)), cell(rulePriority(rule)), cell(ruleKind(rule)), entries.map((e) => `${code(e.target.id)} ${LABEL[e.verdict.verdict].toLowerCase()}`).join(', ')]),
    ),
    '',
  ]);
  if (ruleLines.length > 0) out.push(...details('By rule: the targets each rule decides', ruleLines));
  if (turned.noRule.length > 0) out.push(...details(`No rule: the implicit deny (${turned.noRule.length})`, table(['Target', 'Layer', 'Required', 'All layers'], entryRows(turned.noRule))));
  const skipped = result.targets.filter((t) => t.verdict.verdict === 'not-audited');
  if (skipped.length > 0)
    out.push(
      ...details(
        `Not audited (${skipped.length})`,
        table(
          ['Target', 'Why'],
          skipped.map((t) => [code(t.id), cell(explainVerdict(t.verdict))]),
        ),
      ),
    );
  return `${out.join('\n').trimEnd()}\n`;
}
