import { CLOUD_NAMES } from '../../model/clouds.js';
import { formatDuration } from '../../model/duration.js';
import { requirementsOf, unverifiedFindings, type CheckReport } from '../../report/report.js';
import { auditHeadline, auditNotes } from '../../report/audit-join.js';
import { byImpact } from '../../report/features.js';
import type { CheckedTarget, FeatureResult } from '../../model/result.js';
import { addressOutcomes } from './addresses.js';
import { layoutRows } from '../shared/columns.js';
import { escapeControl } from '../../model/text.js';
import { PLAIN, paint, wrap, type Colour, type TextOptions } from '../shared/terminal.js';

const STATUS_LABEL: Record<FeatureResult['status'], string> = { broken: 'BROKEN', unknown: 'UNKNOWN', degraded: 'DEGRADED', ok: 'ok', 'not-checked': 'not checked' };
const VERDICT_LABEL: Record<CheckedTarget['verdict'], string> = { reachable: 'ok', blocked: 'BLOCKED', warning: 'warning', skipped: 'skipped', unknown: 'ERROR' };

function targetRow(target: CheckedTarget): string[] {
  const via = target.via === 'proxy' ? ' (proxy)' : '';
  const label = target.reason === 'aborted' ? 'UNFINISHED' : VERDICT_LABEL[target.verdict];
  // The TCP target on the same port has the same host:port: UDP says so.
  return [`  ${label}`, `${target.host}:${target.port}${target.probe === 'udp' ? '/udp' : ''}`, target.reason ?? '', `${target.detail}${via}`];
}

const NOTE_INDENT = '            ';

function problemLines(target: CheckedTarget, options: TextOptions, audit: CheckReport['audit']): string[] {
  const addresses = addressOutcomes(target);
  const lines = [...(addresses === null ? [] : [`      ${escapeControl(addresses)}`]), ...target.warnings.map((w) => `      note: ${escapeControl(w)}`)];
  const notes = auditNotes(audit, target);
  if (notes.rules !== null) lines.push(`      rules: ${escapeControl(notes.rules)}`);
  if (notes.contradiction !== null) lines.push(`      CONTRADICTION: ${escapeControl(notes.contradiction)}`);
  // A warning's remedies (a silent UDP port: confirm the rule) are things to check, not fixes.
  if (target.verdict === 'warning') for (const check of target.fix) lines.push(`      check: ${escapeControl(check)}`);
  if (target.verdict === 'blocked') {
    for (const fix of target.fix) lines.push(`      fix:  ${escapeControl(fix)}`);
    if (target.representative) lines.push(`      (${escapeControl(target.host)} stands for ${escapeControl(target.pattern)})`);
  }
  return lines.flatMap((line) => wrap(line, options.width, NOTE_INDENT));
}

const STATUS_COLOUR: Record<FeatureResult['status'], Colour> = { broken: 'red', unknown: 'magenta', degraded: 'yellow', ok: 'green', 'not-checked': 'dim' };
const VERDICT_COLOUR: Record<CheckedTarget['verdict'], Colour> = { reachable: 'green', blocked: 'red', warning: 'yellow', skipped: 'dim', unknown: 'magenta' };

/** Colours the label a laid-out row starts with; the layout was measured without colour. */
function paintLead(line: string, label: string, colour: Colour, options: TextOptions): string {
  const at = line.indexOf(label);
  return at === -1 ? line : `${line.slice(0, at)}${paint(label, colour, options)}${line.slice(at + label.length)}`;
}

const INCOMPLETE: Record<NonNullable<CheckReport['summary']['stoppedBy']> | 'none', string> = {
  none: '',
  deadline: 'Incomplete: the --deadline ended the run; unfinished endpoints are not proven reachable.',
  SIGINT: 'Incomplete: interrupted (SIGINT); unfinished endpoints are not proven reachable.',
  SIGTERM: 'Incomplete: stopped (SIGTERM); unfinished endpoints are not proven reachable.',
  'internal-error': 'Incomplete: aml-netcheck hit an internal error; unfinished endpoints are not proven reachable.',
};

/** With --config: what the rules say, and every contradiction, in ok features too (a probe that got through a denying rule). */
function auditSection(report: CheckReport, options: TextOptions): string[] {
  const audit = report.audit;
  if (audit === undefined) return [];
  const lines = wrap(escapeControl(auditHeadline(audit)), options.width, '  ');
  for (const target of report.targets) {
    const notes = auditNotes(audit, target);
    if (notes.contradiction === null) continue;
    const [first = '', ...rest] = wrap(`  ${escapeControl(`CONTRADICTION ${target.host}:${target.port}${target.probe === 'udp' ? '/udp' : ''} (${target.verdict}${target.reason === null ? '' : ` ${target.reason}`}): ${notes.contradiction}`)}`, options.width, NOTE_INDENT);
    lines.push(paintLead(first, 'CONTRADICTION', 'magenta', options), ...rest);
  }
  return lines;
}

/** `check` as text: features first, broken ones on top, each with the targets behind it and the rule that would fix them. */
export function renderCheckTable(report: CheckReport, options: TextOptions = PLAIN): string {
  const { facts, summary } = report;
  const out: string[] = [];
  const where = escapeControl([CLOUD_NAMES[facts.cloud], facts.region, requirementsOf(report)].filter(Boolean).join(', '));
  const checked = summary.targets - summary.skipped - summary.unknown;
  const noVerdict = summary.unknown > 0 ? `, ${summary.unknown} without a verdict` : '';
  out.push(...wrap(`aml-netcheck ${report.tool.version}: ${where}; ${checked} target(s) checked${noVerdict} in ${formatDuration(report.durationMs)}`, options.width, '  '));
  out.push('');
  const features = [...report.features].sort(byImpact);
  for (const feature of features) {
    if (feature.status === 'not-checked') continue;
    const mine = report.targets.filter((t) => t.features.includes(feature.id) && t.verdict !== 'skipped');
    const [title = '', ...more] = wrap(`${STATUS_LABEL[feature.status].padEnd(9)} ${escapeControl(`${feature.name} (${feature.id})`)}`, options.width, ' '.repeat(10));
    out.push(paintLead(title, STATUS_LABEL[feature.status], STATUS_COLOUR[feature.status], options), ...more);
    if (feature.status === 'broken' && feature.impact !== null) out.push(...wrap(`  users see: ${escapeControl(feature.impact)}`, options.width, '             '));
    const shown = feature.status === 'ok' ? mine : mine.filter((t) => t.verdict !== 'reachable');
    const rows = shown.map(targetRow);
    if (rows.length > 0) {
      // One layout for the feature's rows; a row may wrap onto several lines.
      const table = layoutRows(rows, new Set(), options.width);
      shown.forEach((target, i) => {
        const [first = '', ...rest] = table[i] ?? [];
        out.push(paintLead(first, (rows[i]?.[0] ?? '').trim(), VERDICT_COLOUR[target.verdict], options), ...rest);
        if (feature.status !== 'ok') out.push(...problemLines(target, options, report.audit));
      });
    }
    if (feature.status !== 'ok' && shown.length < mine.length) out.push(`  ok       ${mine.length - shown.length} more target(s)`);
    out.push('');
  }
  const notChecked = features.filter((f) => f.status === 'not-checked');
  if (notChecked.length > 0) out.push(...wrap(`Not checked: ${escapeControl(notChecked.map((f) => f.id).join(', '))} (see \`aml-netcheck list\` for why)`, options.width, '  '), '');
  if (report.audit !== undefined) out.push(...auditSection(report, options), '');
  const closing: string[] = [];
  const parts = [`${summary.reachable} reachable`, `${summary.blocked} blocked`, `${summary.warning} warnings`, `${summary.skipped} skipped`];
  if (summary.unfinished > 0) parts.push(`${summary.unfinished} unfinished`);
  if (summary.internalErrors > 0) parts.push(`${summary.internalErrors} internal errors`);
  closing.push(`Summary: ${parts.join(', ')}.`);
  if (summary.featuresBroken.length > 0) closing.push(`Broken: ${escapeControl(summary.featuresBroken.join(', '))}; ${summary.requiredBlocked} required endpoint(s) blocked.`);
  if (summary.featuresUnknown.length > 0) closing.push(`Unknown: ${escapeControl(summary.featuresUnknown.join(', '))}; some of their endpoints have no verdict.`);
  const incomplete = INCOMPLETE[summary.stoppedBy ?? 'none'];
  const unverified = unverifiedFindings(report).map(escapeControl);
  closing.push(...unverified);
  if (incomplete !== '') closing.push(incomplete);
  else if (summary.internalErrors > 0) closing.push('aml-netcheck failed on some targets (a bug: see the log); they are not proven reachable.');
  else if (summary.featuresBroken.length === 0 && unverified.length === 0) closing.push('Every required endpoint is reachable.');
  out.push(...closing.flatMap((line) => wrap(line, options.width, '  ')));
  return `${out.join('\n')}\n`;
}
