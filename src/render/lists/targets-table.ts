import { CLOUD_NAMES } from '../../model/clouds.js';
import type { Target } from '../../model/target.js';
import { formatColumns } from '../shared/columns.js';
import { PLAIN, wrap, type TextOptions } from '../shared/terminal.js';
import { escapeControl } from '../../model/text.js';
import type { WorkspaceFacts } from '../../model/facts.js';
import { sourceUrl, type LimitationRow } from '../../model/managed-network.js';
import { summarizeManaged, type ManagedView } from '../../remedies/managed-network.js';

function notes(target: Target): string {
  const parts: string[] = [];
  if (target.direction === 'inbound') parts.push('inbound');
  if (target.condition) parts.push(`if ${target.condition}`);
  if (target.representative) parts.push('representative');
  if (!target.required) parts.push('optional');
  if (target.path) parts.push(`path ${target.path}`);
  return parts.join(', ');
}

/** Each limitation a target ran into, once: what is not possible and what to do instead. */
function limitationNotes(managed: ManagedView, options: TextOptions): string[] {
  const met = new Map<string, LimitationRow>();
  for (const action of managed.actions.values()) if (action.kind === 'cannot') met.set(action.limitation.id, action.limitation);
  if (met.size === 0) return [];
  const out = ['What the managed network cannot express:'];
  for (const limitation of met.values()) {
    out.push(...wrap(`  ${limitation.id}: ${limitation.requirement} is not possible; instead: ${limitation.alternative}.`, options.width, '    '));
    out.push('    Source:', sourceUrl(managed.data.source, limitation.source));
  }
  return [...out, ''];
}

/**
 * `list` as a table: what will be checked, then what will not and the flag that would add it.
 * Host names stay whole (admins copy them into firewall rules); the long lists go last and
 * wrap to the width.
 */
export function renderTargetsTable(targets: readonly Target[], facts: WorkspaceFacts, options: TextOptions = PLAIN, managed: ManagedView | null = null): string {
  const checked = targets.filter((t) => t.skipped === null);
  const skipped = targets.filter((t) => t.skipped !== null);
  const scope = escapeControl([CLOUD_NAMES[facts.cloud], facts.region ? `region ${facts.region}` : 'no region given'].join(', '));
  const out: string[] = [...wrap(`${checked.length} targets to check, ${skipped.length} skipped (${scope})`, options.width, ''), ''];
  if (managed !== null) {
    out.push(...wrap(`Managed virtual network in ${managed.mode.az} mode: the last column says how it meets each target.`, options.width, ''));
    // An address is copied whole: on a line of its own, like a host longer than the width.
    out.push('Source:', sourceUrl(managed.data.source, managed.mode.source), '');
  }
  // The last column wraps to the width, so the managed network's part goes there; a limitation's
  // way around it is said once, after the tables.
  const managedPart = (t: Target): string => {
    const action = managed?.actions.get(t.id);
    if (action === undefined) return '';
    return `; managed network: ${action.kind === 'cannot' ? `cannot be expressed (${action.limitation.id}, below)` : summarizeManaged(action)}`;
  };
  const managedHeader = managed === null ? '' : '; MANAGED NETWORK';
  if (checked.length > 0) {
    const rows = [['HOST', 'PORT', 'PROTO', `FEATURES (NOTES)${managedHeader}`]];
    for (const t of checked) {
      const note = notes(t);
      rows.push([t.host, String(t.port), t.protocol, `${t.features.join(', ')}${note === '' ? '' : ` (${note})`}${managedPart(t)}`]);
    }
    out.push(formatColumns(rows, new Set([1]), options.width, true), '');
  }
  if (skipped.length > 0) {
    out.push('Skipped:');
    const rows = [['HOST', 'PORT', `FEATURES: WHY [FLAG TO ADD IT]${managedHeader}`]];
    for (const t of skipped) {
      const flag = t.skipped?.flag ? ` [${t.skipped.flag}]` : '';
      rows.push([t.host, String(t.port), `${t.features.join(', ')}: ${t.skipped?.reason ?? ''}${flag}${managedPart(t)}`]);
    }
    out.push(formatColumns(rows, new Set([1]), options.width, true), '');
  }
  if (managed !== null) out.push(...limitationNotes(managed, options));
  return `${out.join('\n')}`;
}
