import type { Catalog } from '../catalog/types.js';
import type { Cloud } from '../model/clouds.js';
import { EXIT, type ExitCode } from '../model/exit-codes.js';
import type { WorkspaceFacts } from '../model/facts.js';
import type { CheckedTarget, FeatureResult, ProbedTarget } from '../model/result.js';
import { fixSentences } from '../remedies/remedy.js';
import type { ManagedNetworkContext } from '../remedies/managed-network.js';
import { breaksFeature, judgeFeatures } from './features.js';
import { managedContextOf } from './managed-context.js';
import type { AuditResult } from '../audit/types.js';
import { joinAudit, type ReportAudit } from './audit-join.js';

/**
 * How two reports' targets are matched (diff, merge): by id (host:port, `inbound:` before an
 * inbound one) and direction.
 */
export function targetKey(target: { readonly direction: string; readonly id: string }): string {
  return `${target.direction} ${target.id}`;
}

/**
 * A target as `diff` and `merge` list it across reports: matched by id (host:port, `inbound:`
 * before an inbound one) and direction, with the features it serves in any of them.
 */
export interface TargetIdentity {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly direction: CheckedTarget['direction'];
  readonly features: readonly string[];
}

/** The identity of one target seen in one or more reports (the first names it). */
export function identityOf(seen: readonly CheckedTarget[]): TargetIdentity {
  const first = seen[0] as CheckedTarget;
  return { id: first.id, host: first.host, port: first.port, direction: first.direction, features: [...new Set(seen.flatMap((t) => t.features))] };
}

/** Bump when a consumer of the JSON report would have to change, or when the report gains a field (3: `audit`). */
export const REPORT_SCHEMA_VERSION = 3;

/** The oldest version this one reads: 3 only added the optional `audit`, so a version 2 report is a valid 3. */
export const OLDEST_READABLE_REPORT_SCHEMA_VERSION = 2;

export interface RunSettings {
  readonly timeoutMs: number;
  readonly deadlineMs: number | null;
  readonly concurrency: number;
  readonly retries: number;
  /** `address:port` of the resolvers used; empty means the machine's own. */
  readonly dnsServers: readonly string[];
  /** The proxy, credentials masked; null when checks go direct. */
  readonly proxy: string | null;
  readonly proxySource: string | null;
  /** The features the run was limited to (--features); null or absent: every feature. */
  readonly features?: readonly string[] | null;
}

/**
 * What ended a run before every target had its verdict: the --deadline, a signal, or a bug
 * that escaped every check (the process guard writes the report so far, then exits 2).
 */
export type StoppedBy = 'deadline' | 'SIGINT' | 'SIGTERM' | 'internal-error';

/** The exit code contract is the model's (model/exit-codes.ts); the report records its run's. */
export type { ExitCode } from '../model/exit-codes.js';

export interface ReportSummary {
  readonly targets: number;
  readonly reachable: number;
  readonly blocked: number;
  readonly warning: number;
  readonly skipped: number;
  /** Targets with no verdict: unfinished plus internal errors. */
  readonly unknown: number;
  /** Targets the deadline or an interrupt cut short. */
  readonly unfinished: number;
  /** Targets aml-netcheck failed to check: bugs, logged. */
  readonly internalErrors: number;
  /** Required targets blocked: each breaks a feature. */
  readonly requiredBlocked: number;
  readonly featuresBroken: readonly string[];
  readonly featuresUnknown: readonly string[];
  /**
   * Required targets that got a verdict (reachable, warning or blocked). Zero means the run
   * proved nothing about what the workspace needs. Absent in reports written before it existed.
   */
  readonly requiredVerified?: number;
  /** Features the run was asked for (--features) none of whose targets got a verdict. */
  readonly featuresNotChecked?: readonly string[];
  /** True when every target that was to be checked got a verdict. */
  readonly complete: boolean;
  readonly stoppedBy: StoppedBy | null;
  readonly exitCode: ExitCode;
}

/** Which revision of the article a run checked against; null for a catalog that defines none. */
export interface ReportRevision {
  readonly id: string;
  readonly date: string;
  readonly url: string;
}

export interface CheckReport {
  readonly schemaVersion: number;
  readonly tool: { readonly name: string; readonly version: string };
  readonly startedAt: string;
  readonly durationMs: number;
  /** Absent in reports written before the catalog had revisions; they followed 2021-11. */
  readonly revision?: ReportRevision | null;
  readonly facts: WorkspaceFacts;
  readonly settings: RunSettings;
  readonly targets: readonly CheckedTarget[];
  readonly features: readonly FeatureResult[];
  readonly summary: ReportSummary;
  /**
   * With --config: each target's verdict under the admin's exported rules, and where it
   * contradicts the probe. It explains; it never changes a verdict, a feature or the exit code.
   */
  readonly audit?: ReportAudit;
}

/** Signals outrank findings (the user asked to stop); a blocked endpoint outranks our own failures. */
function exitCodeFor(summary: Pick<ReportSummary, 'requiredBlocked' | 'internalErrors' | 'unfinished' | 'stoppedBy'> & { readonly requiredVerified: number; readonly featuresNotChecked: readonly string[] }): ExitCode {
  if (summary.stoppedBy === 'SIGINT') return EXIT.SIGINT;
  if (summary.stoppedBy === 'SIGTERM') return EXIT.SIGTERM;
  if (summary.requiredBlocked > 0) return EXIT.blocked;
  if (summary.internalErrors > 0 || summary.stoppedBy === 'internal-error') return EXIT.failure;
  // Exit 0 is a promise that what the workspace needs was seen to work: a run that verified
  // no required target, or none of a feature it was asked for, cannot make it.
  if (summary.unfinished > 0 || summary.requiredVerified === 0 || summary.featuresNotChecked.length > 0) return EXIT.incomplete;
  return EXIT.ok;
}

/** Verdicts that say something about the path; skipped and unknown say nothing. */
function hasVerdict(target: Pick<CheckedTarget, 'verdict'>): boolean {
  return target.verdict === 'reachable' || target.verdict === 'warning' || target.verdict === 'blocked';
}

/**
 * What would make the unchecked required targets checkable: the flags their skips name,
 * each once, in the order first met. Empty when nothing a flag could fix was skipped.
 */
function flagsToCheck(targets: readonly CheckedTarget[], features?: readonly string[]): string[] {
  const flags = targets
    .filter((t) => t.verdict === 'skipped' && t.required && (features === undefined || t.features.some((f) => features.includes(f))))
    .map((t) => t.skipped?.flag ?? null)
    .filter((flag): flag is string => flag !== null && flag !== '');
  return [...new Set(flags)];
}

/** Reports from before revisions existed followed the first one. */
const REVISION_BEFORE_REVISIONS = '2021-11';

/** The revision id a report checked against, for comparing runs; null when its catalog had none. */
export function revisionIdOf(report: Pick<CheckReport, 'revision'>): string | null {
  return report.revision === undefined ? REVISION_BEFORE_REVISIONS : (report.revision?.id ?? null);
}

/** "requirements of 2026-03", for a report's headline; null when its catalog had no revisions. */
export function requirementsOf(report: Pick<CheckReport, 'revision'>): string | null {
  const id = revisionIdOf(report);
  return id === null ? null : `requirements of ${id}`;
}

function reportRevision(catalog: Catalog): ReportRevision | null {
  const { revision } = catalog;
  return revision === null ? null : { id: revision.id, date: revision.date, url: revision.url };
}

/**
 * Each target with its fix, in the words of its remedies: for the run's cloud, and direct
 * egress wording where the run had a web proxy that cannot carry the target's traffic.
 */
export function withFixes(targets: readonly ProbedTarget[], cloud: Cloud, proxied: boolean, managed?: ManagedNetworkContext): CheckedTarget[] {
  return targets.map((target) => ({ ...target, fix: fixSentences(target, target.reason, cloud, proxied, managed) }));
}

export function buildReport(input: {
  catalog: Catalog;
  version: string;
  startedAt: Date;
  durationMs: number;
  facts: WorkspaceFacts;
  settings: RunSettings;
  /** What the runner found; the report attaches each target's fix. */
  targets: readonly ProbedTarget[];
  /** What cut the run short; null when it ran to the end. */
  stoppedBy: StoppedBy | null;
  /** With --config: the audit of the same targets, and the files it read. */
  audit?: { readonly result: AuditResult; readonly inputs: ReportAudit['inputs'] } | undefined;
}): CheckReport {
  const requested = input.settings.features ?? [];
  const targets = withFixes(input.targets, input.facts.cloud, input.settings.proxy !== null, managedContextOf(input.facts, input.catalog));
  const count = (verdict: CheckedTarget['verdict']): number => targets.filter((t) => t.verdict === verdict).length;
  const unfinished = targets.filter((t) => t.reason === 'aborted').length;
  const internalErrors = targets.filter((t) => t.reason === 'internal-error').length;
  const features = judgeFeatures(input.catalog, targets, requested);
  const requiredBlocked = targets.filter(breaksFeature).length;
  const requiredVerified = targets.filter((t) => t.required && hasVerdict(t)).length;
  const featuresNotChecked = features.filter((f) => f.status === 'not-checked' && requested.includes(f.id)).map((f) => f.id);
  const { stoppedBy } = input;
  const counts = { requiredBlocked, internalErrors, unfinished, stoppedBy, requiredVerified, featuresNotChecked };
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'aml-netcheck', version: input.version },
    startedAt: input.startedAt.toISOString(),
    durationMs: input.durationMs,
    revision: reportRevision(input.catalog),
    facts: input.facts,
    settings: input.settings,
    targets,
    features,
    summary: {
      targets: targets.length,
      reachable: count('reachable'),
      blocked: count('blocked'),
      warning: count('warning'),
      skipped: count('skipped'),
      unknown: count('unknown'),
      unfinished,
      internalErrors,
      requiredBlocked,
      featuresBroken: features.filter((f) => f.status === 'broken').map((f) => f.id),
      featuresUnknown: features.filter((f) => f.status === 'unknown').map((f) => f.id),
      requiredVerified,
      featuresNotChecked,
      complete: unfinished === 0 && internalErrors === 0 && stoppedBy === null,
      stoppedBy,
      exitCode: exitCodeFor(counts),
    },
    ...(input.audit === undefined ? {} : { audit: joinAudit(input.targets, input.audit.result, input.audit.inputs) }),
  };
}

/**
 * What a run that found nothing required blocked still could not verify, in sentences, with
 * the flags that would make it checkable; empty when its exit 0 stands. Every report format
 * says these instead of "every required endpoint is reachable".
 */
export function unverifiedFindings(report: Pick<CheckReport, 'summary' | 'targets' | 'features'>): string[] {
  const { summary } = report;
  if (summary.requiredBlocked > 0) return [];
  const lines: string[] = [];
  const flagsHint = (flags: readonly string[]): string => (flags.length === 0 ? '' : `; to check them, give ${flags.join(', ')}`);
  if (summary.requiredVerified === 0) {
    lines.push(`No required endpoint got a verdict, so nothing is proven reachable${flagsHint(flagsToCheck(report.targets))}.`);
  }
  for (const id of summary.featuresNotChecked ?? []) {
    const flags = flagsToCheck(report.targets, [id]);
    const served = report.targets.some((t) => t.features.includes(id));
    const why = served ? (flags.length === 0 ? 'every endpoint it needs was skipped' : `it needs ${flags.join(', ')}`) : 'no endpoint of these requirements serves it with these facts';
    lines.push(`Feature ${id} was asked for but not checked: ${why}.`);
  }
  return lines;
}
