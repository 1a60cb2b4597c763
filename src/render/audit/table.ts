import { describeRuleRef, explainVerdict } from '../../audit/describe.js';
import type { AuditedTarget, AuditResult, AuditVerdict, LayerVerdict } from '../../audit/types.js';
import { escapeControl, plural } from '../../model/text.js';
import { formatColumns } from '../shared/columns.js';
import { managedClosingLines } from './managed.js';
import { PLAIN, wrap, type TextOptions } from '../shared/terminal.js';
import { block, closingChangeLines } from './close-text.js';

// Moved to audit/describe.ts, which `check --config` shares; kept importable from here.
export { describeRuleRef, explainVerdict } from '../../audit/describe.js';

export const LABEL: Record<AuditVerdict['verdict'], string> = {
  allowed: 'allowed',
  denied: 'DENIED',
  'no-rule': 'NO RULE',
  inexpressible: 'CANNOT WORK',
  depends: 'depends',
  'not-audited': 'not audited',
};

/** Plain cells: formatColumns escapes them, so a host or rule name from the export cannot reach the terminal as a control sequence. */
function row(target: AuditedTarget): string[] {
  // An allow passes every layer: name each layer's rule. Anything else is the verdict of the layer that decided.
  const onPath = target.layers.filter((l) => l.bypassed === undefined);
  const why = target.verdict.verdict === 'allowed' && onPath.length > 1 ? onPath.map((l) => explainVerdict(l.verdict)).join('; ') : explainVerdict(target.verdict);
  // A private endpoint reached within the VNet passes no firewall by design: JSON says so, the table does not alarm.
  const bypass = target.layers.filter((l): l is LayerVerdict & { bypassed: NonNullable<LayerVerdict['bypassed']> } => l.bypassed !== undefined && !l.bypassed.expected).map((l) => bypassNote(l));
  return [target.host, String(target.port), LABEL[target.verdict.verdict], `${[why, ...bypass].join('; ')}${target.required ? '' : ' [optional]'}`];
}

/** A layer the routes take the traffic past: its own verdict does not apply, and the admin needs to know. */
function bypassNote(layer: LayerVerdict & { bypassed: NonNullable<LayerVerdict['bypassed']> }): string {
  const own = layer.verdict.verdict === 'not-audited' ? '' : ` (it would say ${LABEL[layer.verdict.verdict]})`;
  return `${layer.bypassed.always ? 'BYPASSES' : 'MAY BYPASS'} THE ${layer.layer.toUpperCase()}: ${layer.bypassed.reason}${own}`;
}

/** `audit` as a table: the targets that are not allowed first, then those allowed, then those not audited. */
export function renderAuditTable(result: AuditResult, options: TextOptions = PLAIN): string {
  const audited = result.targets.filter((t) => t.verdict.verdict !== 'not-audited');
  const order: ReadonlyArray<AuditVerdict['verdict']> = ['denied', 'no-rule', 'inexpressible', 'depends', 'allowed'];
  const sorted = [...audited].sort((a, b) => order.indexOf(a.verdict.verdict) - order.indexOf(b.verdict.verdict));
  const allowed = audited.filter((t) => t.verdict.verdict === 'allowed').length;
  const nsgs = result.nsgs.map((n) => `NSG ${n.name}${n.effective ? ' (effective rules)' : ''}`);
  const routes = (result.routeTables ?? []).map((r) => (r.effective ? 'effective routes' : `route table ${r.name} (with the system routes audit added: ${r.systemRoutesAdded.join(', ')})`));
  const firewalls = (result.firewalls ?? []).map((f) => `firewall ${f.name} (${f.policy === null ? `classic rules, DNS proxy ${f.dnsProxy ? 'on' : 'off'}` : `policy ${f.policy}`}${f.privateIp === null ? '' : `, private IP ${f.privateIp}`})`);
  const firewall =
    result.policies.length === 0
      ? firewalls.length > 0 || !result.targets.some((t) => t.layers.some((l) => l.layer === 'firewall'))
        ? []
        : ['rule collection groups only (no policy given)']
      : result.policies.map((p) => `${p.name}${p.basePolicy === null ? '' : ` (parent ${p.basePolicy})`}, DNS proxy ${p.dnsProxy ? 'on' : 'off'}`);
  const managed = result.managed === undefined ? [] : [`managed network (${result.managed.mode ?? 'isolation mode not given'}, ${plural(result.managed.rules, 'outbound rule')})`];
  const policies = [...managed, ...nsgs, ...routes, ...firewalls, ...firewall].join('; ');
  // An allow that never meets the firewall is not the firewall's allow: the header says how many, the rows which.
  const past = audited.filter((t) => t.layers.some((l) => l.bypassed !== undefined && l.bypassed.always && !l.bypassed.expected)).length;
  const bypass = past === 0 ? '' : `; ${plural(past, 'target')} BYPASS THE FIREWALL (a route takes them past it)`;
  const out: string[] = [...wrap(escapeControl(`${allowed} of ${plural(audited.length, 'target')} allowed by ${policies}; sources ${result.sources.length === 0 ? 'not given (--source)' : result.sources.join(', ')}${bypass}`), options.width, ''), ''];
  if (sorted.length > 0) out.push(formatColumns([['HOST', 'PORT', 'VERDICT', 'RULE OR REASON'], ...sorted.map(row)], new Set([1]), options.width, true), '');
  if (result.managed !== undefined) out.push(...managedClosingLines(result.managed).map((line) => escapeControl(line)));
  const skipped = result.targets.filter((t) => t.verdict.verdict === 'not-audited');
  if (skipped.length > 0) {
    out.push('Not audited:');
    out.push(formatColumns([['HOST', 'PORT', 'WHY'], ...skipped.map((t) => [t.host, String(t.port), explainVerdict(t.verdict)])], new Set([1]), options.width, true), '');
  }
  out.push(...closingChangeLines(result, options), ...advisoryLines(result, options));
  return out.join('\n');
}

function advisoryLines(result: AuditResult, options: TextOptions): string[] {
  if (result.advisories.length === 0) return [];
  return [
    ...block(['Advisory: rules that allow more than the workspace needs (no effect on the verdicts or the exit code):'], options, ''),
    ...block(
      result.advisories.map((a) => `${describeRuleRef(a.rule)}: ${a.why}`),
      options,
      '  ',
    ),
    '',
  ];
}
