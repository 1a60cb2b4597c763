import { CLOUD_NAMES } from '../../model/clouds.js';
import { formatDuration } from '../../model/duration.js';
import type { CheckedTarget, FeatureResult } from '../../model/result.js';
import { requirementsOf, unverifiedFindings, type CheckReport } from '../../report/report.js';
import { byImpact } from '../../report/features.js';
import { planFromReport, type RulesPlan } from '../../remedies/plan.js';
import { addressOutcomes } from './addresses.js';
import { auditHeadline, auditNotes } from '../../report/audit-join.js';
import { cell, code, table, details } from '../shared/markdown.js';

/**
 * `check -o markdown`: ready to paste into a support ticket or a GitHub issue. One summary
 * line, what is broken, a table of the blocked targets with the reason and the fix, and the
 * rest in collapsed sections so the ticket stays readable.
 */

function summaryLine(report: CheckReport): string {
  const { summary, facts } = report;
  const where = [CLOUD_NAMES[facts.cloud], facts.region, requirementsOf(report)].filter(Boolean).join(', ');
  const verdict =
    summary.featuresBroken.length > 0
      ? `**${summary.featuresBroken.length} feature(s) broken**, ${summary.requiredBlocked} required endpoint(s) blocked`
      : summary.featuresUnknown.length > 0
        ? `**no verdict for ${summary.featuresUnknown.length} feature(s)**`
        : unverifiedFindings(report).length > 0
          ? `**not verified**: ${cell(unverifiedFindings(report).join(' '))}`
          : '**every required endpoint is reachable**';
  const incomplete = summary.stoppedBy === null ? '' : `; the run was cut short (${summary.stoppedBy})`;
  return `aml-netcheck ${cell(report.tool.version)}: ${verdict} (${cell(where)}; ${summary.reachable} reachable, ${summary.blocked} blocked, ${summary.warning} warnings, ${summary.unknown} without a verdict, ${summary.skipped} skipped; ${formatDuration(report.durationMs)}${incomplete}).`;
}

function featureNames(report: CheckReport, status: FeatureResult['status']): string {
  return report.features
    .filter((f) => f.status === status)
    .map((f) => `${cell(f.name)} (${code(f.id)})`)
    .join(', ');
}

/** The detail, and for a name with several addresses what each one gave. */
function detailOf(target: CheckedTarget): string {
  return [target.detail, addressOutcomes(target)].filter((part) => part !== null).join('; ');
}

/** With --config, a last column: the admin's rule that decides, and a contradiction when there is one. */
function problemRows(targets: readonly CheckedTarget[], audit: CheckReport['audit']): string[][] {
  return targets.map((t) => [code(t.id), cell(t.features.join(', ')), t.reason === null ? '' : code(t.reason), cell(detailOf(t)), cell(t.fix.join('; ') || '—'), ...(audit === undefined ? [] : [rulesCell(audit, t)])]);
}

function rulesCell(audit: NonNullable<CheckReport['audit']>, target: CheckedTarget): string {
  const notes = auditNotes(audit, target);
  return cell([notes.rules ?? '—', ...(notes.contradiction === null ? [] : [`**Contradiction:** ${notes.contradiction}`])].join('; '));
}

const PROBLEM_COLUMNS = ['Target', 'Features', 'Reason', 'Detail', 'Fix'];

function problemColumns(audit: CheckReport['audit']): string[] {
  return audit === undefined ? PROBLEM_COLUMNS : [...PROBLEM_COLUMNS, 'Your rules'];
}

/** With --config: every contradiction between the rules and the probes, those of reachable targets too. */
function auditSection(report: CheckReport): string[] {
  const { audit } = report;
  if (audit === undefined) return [];
  const contradicted = report.targets.filter((t) => auditNotes(audit, t).contradiction !== null);
  const rows = contradicted.map((t) => [code(t.id), t.verdict, t.reason === null ? '' : code(t.reason), cell(auditNotes(audit, t).contradiction ?? '')]);
  return ['### Your rules', '', cell(auditHeadline(audit)), '', ...(rows.length === 0 ? [] : [...table(['Target', 'Probe', 'Reason', 'Contradiction'], rows), ''])];
}

/**
 * `firewallCommands` writes the Azure Firewall Policy commands that allow what a firewall
 * blocked; they are the rules' own (`rules -o az`), handed in by the registry.
 */
export function renderCheckMarkdown(report: CheckReport, firewallCommands: (plan: RulesPlan) => string): string {
  const out: string[] = [`## aml-netcheck report`, '', summaryLine(report), ''];
  const broken = report.features.filter((f) => f.status === 'broken');
  if (broken.length > 0) {
    out.push('**Broken**, and what their users see:', '');
    for (const f of broken) out.push(`- ${cell(f.name)} (${code(f.id)})${f.impact === null ? '' : `: ${cell(f.impact)}`}`);
    out.push('');
  }
  for (const [status, label] of [
    ['unknown', 'No verdict'],
    ['degraded', 'Degraded'],
  ] as const) {
    const names = featureNames(report, status);
    if (names !== '') out.push(`- **${label}:** ${names}`);
  }
  if (out[out.length - 1] !== '') out.push('');

  const blocked = report.targets.filter((t) => t.verdict === 'blocked');
  if (blocked.length > 0) {
    out.push('### Blocked', '', ...table(problemColumns(report.audit), problemRows(blocked, report.audit)), '');
    // Only what a firewall blocked: DNS and TLS causes get no rule (see `aml-netcheck rules --from-report`).
    const plan = planFromReport(report.targets, report.facts, report.settings.proxy !== null);
    if (plan.allow.length > 0) {
      const script = firewallCommands({ ...plan, findings: [] })
        .trimEnd()
        .split('\n');
      out.push(...details('Azure Firewall Policy commands for the blocked targets', ['```sh', ...script, '```']));
    }
  }
  out.push(...auditSection(report));
  const unknown = report.targets.filter((t) => t.verdict === 'unknown');
  if (unknown.length > 0) out.push(...details(`Without a verdict (${unknown.length})`, table(PROBLEM_COLUMNS, problemRows(unknown, undefined))));
  const warned = report.targets.filter((t) => t.verdict === 'warning');
  if (warned.length > 0) {
    // A silent UDP port warns in its detail alone, and says what to confirm in its fix.
    const said = (t: CheckedTarget): string[] => [...(t.warnings.length > 0 ? t.warnings : [t.detail]), ...[addressOutcomes(t)].filter((a) => a !== null), ...t.fix];
    out.push(
      ...details(
        `Warnings (${warned.length})`,
        table(
          ['Target', 'Warning'],
          warned.map((t) => [code(t.id), cell(said(t).join('; '))]),
        ),
      ),
    );
  }
  const features = [...report.features].sort(byImpact);
  out.push(
    ...details(
      `Features (${features.length})`,
      table(
        ['Feature', 'Status', 'Targets', 'Because of'],
        features.map((f) => [`${cell(f.name)} (${code(f.id)})`, f.status, String(f.targets), cell(f.blockedBy.join(', '))]),
      ),
    ),
  );
  out.push(
    ...details(
      `Every target (${report.targets.length})`,
      table(
        ['Target', 'Verdict', 'Reason', 'Via', 'Time'],
        report.targets.map((t) => [code(t.id), t.verdict, t.reason === null ? '' : code(t.reason), t.via, t.timings.total === undefined ? '' : formatDuration(t.timings.total)]),
      ),
    ),
  );
  return `${out.join('\n').trimEnd()}\n`;
}
