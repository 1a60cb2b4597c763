import { CLOUD_NAMES } from '../../model/clouds.js';
import type { Target } from '../../model/target.js';
import { formatColumns } from '../shared/columns.js';
import { PLAIN, wrap, type TextOptions } from '../shared/terminal.js';
import { escapeControl } from '../../model/text.js';
import type { WorkspaceFacts } from '../../model/facts.js';

function notes(target: Target): string {
  const parts: string[] = [];
  if (target.direction === 'inbound') parts.push('inbound');
  if (target.condition) parts.push(`if ${target.condition}`);
  if (target.representative) parts.push('representative');
  if (!target.required) parts.push('optional');
  if (target.path) parts.push(`path ${target.path}`);
  return parts.join(', ');
}

/**
 * `list` as a table: what will be checked, then what will not and the flag that would add it.
 * Host names stay whole (admins copy them into firewall rules); the long lists go last and
 * wrap to the width.
 */
export function renderTargetsTable(targets: readonly Target[], facts: WorkspaceFacts, options: TextOptions = PLAIN): string {
  const checked = targets.filter((t) => t.skipped === null);
  const skipped = targets.filter((t) => t.skipped !== null);
  const scope = escapeControl([CLOUD_NAMES[facts.cloud], facts.region ? `region ${facts.region}` : 'no region given'].join(', '));
  const out: string[] = [...wrap(`${checked.length} targets to check, ${skipped.length} skipped (${scope})`, options.width, ''), ''];
  if (checked.length > 0) {
    const rows = [['HOST', 'PORT', 'PROTO', 'FEATURES (NOTES)']];
    for (const t of checked) {
      const note = notes(t);
      rows.push([t.host, String(t.port), t.protocol, `${t.features.join(', ')}${note === '' ? '' : ` (${note})`}`]);
    }
    out.push(formatColumns(rows, new Set([1]), options.width, true), '');
  }
  if (skipped.length > 0) {
    out.push('Skipped:');
    const rows = [['HOST', 'PORT', 'FEATURES: WHY [FLAG TO ADD IT]']];
    for (const t of skipped) {
      const flag = t.skipped?.flag ? ` [${t.skipped.flag}]` : '';
      rows.push([t.host, String(t.port), `${t.features.join(', ')}: ${t.skipped?.reason ?? ''}${flag}`]);
    }
    out.push(formatColumns(rows, new Set([1]), options.width, true), '');
  }
  return `${out.join('\n')}`;
}
