import { CLOUD_NAMES } from '../../model/clouds.js';
import { escapeControl } from '../../model/text.js';
import type { AllowEntry, RulesPlan } from '../../remedies/plan.js';
import { describeRemedy } from '../../remedies/remedy.js';
import { formatColumns } from '../shared/columns.js';
import { PLAIN, wrap, type TextOptions } from '../shared/terminal.js';

export function scopeLine(plan: RulesPlan): string {
  const where = [CLOUD_NAMES[plan.cloud], plan.region ?? 'no region given'].join(', ');
  return plan.origin === 'report' ? `${plan.findings.length} blocked target(s) in the report; ${plan.allow.length} firewall rule(s) fix the ones a firewall blocked (${where})` : `${plan.allow.length} rule(s) to allow for this workspace (${where})`;
}

export function remoteOf(entry: AllowEntry): string {
  return entry.direction === 'inbound' ? `from ${entry.serviceTag ?? ''}` : (entry.fqdn ?? entry.serviceTag ?? '');
}

/** One line per rule; destinations stay whole (they are copied into firewalls), the features wrap in the last column. */
export function allowTable(entries: readonly AllowEntry[], width: number): string {
  const rows = [['DESTINATION', 'DIR', 'PROTO', 'PORT', 'SERVICE TAG', 'FEATURES']];
  for (const e of entries) {
    rows.push([remoteOf(e), e.direction === 'inbound' ? 'in' : 'out', e.protocol, String(e.port), e.serviceTag ?? '', `${e.features.join(', ')}${e.required ? '' : ' (optional)'}`]);
  }
  return formatColumns(
    rows.map((row) => row.map(escapeControl)),
    new Set([3]),
    width,
    true,
  );
}

/**
 * `rules` as a table: the blocked targets and their fixes (from a report), then one line per
 * rule. Fits the width: destinations stay whole (they are copied into firewalls), the
 * features wrap in the last column.
 */
export function renderRulesTable(plan: RulesPlan, options: TextOptions = PLAIN): string {
  const out = [...wrap(escapeControl(scopeLine(plan)), options.width, ''), ''];
  if (plan.findings.length > 0) {
    out.push('Blocked, and what fixes each:');
    for (const f of plan.findings) {
      out.push(...wrap(`  ${escapeControl(f.target)}  ${f.reason ?? ''}`, options.width, '    '));
      for (const sentence of f.remedies.flatMap(describeRemedy)) out.push(...wrap(`      fix:  ${escapeControl(sentence)}`, options.width, '            '));
    }
    out.push('');
  }
  if (plan.allow.length > 0) out.push(allowTable(plan.allow, options.width), '');
  if (plan.allow.length > 0) out.push(...wrap('As commands: -o az (Firewall Policy), -o az-classic, -o nsg, -o bicep; -o csv for other firewalls; -o dns, -o proxy.', options.width, ''));
  else if (plan.findings.length > 0) out.push(...wrap('No firewall rule fixes these: the fixes above are DNS, TLS-inspection or proxy changes (-o dns, -o proxy).', options.width, ''));
  return `${out.join('\n')}\n`;
}
