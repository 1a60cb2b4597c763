import type { AllowEntry, RulesPlan } from '../../remedies/plan.js';
import { describeRemedy } from '../../remedies/remedy.js';
import { remoteOf, scopeLine } from './table.js';
import { cell, code } from '../shared/markdown.js';

/** The allow-list as Markdown table lines, header first. */
export function allowMarkdownTable(entries: readonly AllowEntry[]): string[] {
  const out = ['| Direction | Destination | Protocol | Port | Service tag | Features | Required |', '| --- | --- | --- | ---: | --- | --- | --- |'];
  for (const e of entries) {
    out.push(`| ${e.direction} | ${code(remoteOf(e))} | ${e.protocol} | ${e.port} | ${e.serviceTag === null ? '' : code(e.serviceTag)} | ${cell(e.features.join(', '))} | ${e.required ? 'yes' : 'optional'} |`);
  }
  return out;
}

/** `rules -o markdown`: for a ticket or a wiki page. Every value goes through cell(): nothing breaks the table or renders as HTML. */
export function renderRulesMarkdown(plan: RulesPlan): string {
  const out = ['## aml-netcheck rules', '', `${cell(scopeLine(plan))}.`, ''];
  if (plan.findings.length > 0) {
    out.push('| Target | Reason | Fix |', '| --- | --- | --- |');
    for (const f of plan.findings) out.push(`| ${code(f.target)} | ${f.reason === null ? '' : code(f.reason)} | ${cell(f.remedies.flatMap(describeRemedy).join('; ') || '—')} |`);
    out.push('');
  }
  if (plan.allow.length > 0) out.push(...allowMarkdownTable(plan.allow));
  return `${out.join('\n').trimEnd()}\n`;
}
