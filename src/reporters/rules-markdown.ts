import type { RulesPlan } from '../remedies/plan.js';
import { describeRemedy } from '../remedies/remedy.js';
import { cell } from './check-markdown.js';
import { remoteOf, scopeLine } from './rules-table.js';

function code(text: string): string {
  return text.includes('`') ? cell(text) : `\`${cell(text)}\``;
}

/** `rules -o markdown`: for a ticket or a wiki page. Every value goes through cell(): nothing breaks the table or renders as HTML. */
export function renderRulesMarkdown(plan: RulesPlan): string {
  const out = ['## aml-netcheck rules', '', `${cell(scopeLine(plan))}.`, ''];
  if (plan.findings.length > 0) {
    out.push('| Target | Reason | Fix |', '| --- | --- | --- |');
    for (const f of plan.findings) out.push(`| ${code(f.target)} | ${f.reason === null ? '' : code(f.reason)} | ${cell(f.remedies.flatMap(describeRemedy).join('; ') || '—')} |`);
    out.push('');
  }
  if (plan.allow.length > 0) {
    out.push('| Direction | Destination | Protocol | Port | Service tag | Features | Required |', '| --- | --- | --- | ---: | --- | --- | --- |');
    for (const e of plan.allow) {
      out.push(`| ${e.direction} | ${code(remoteOf(e))} | ${e.protocol} | ${e.port} | ${e.serviceTag === null ? '' : code(e.serviceTag)} | ${cell(e.features.join(', '))} | ${e.required ? 'yes' : 'optional'} |`);
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}
