import type { WorkspaceFacts } from '../model/facts.js';
import type { CheckedTarget, FeatureResult, FeatureStatus, Verdict } from '../model/result.js';
import { EXIT } from '../model/exit-codes.js';
import type { ReasonCode } from '../model/reasons.js';
import { quote } from '../model/text.js';
import { identityOf, revisionIdOf, targetKey, type CheckReport, type StoppedBy, type TargetIdentity } from './report.js';

/**
 * `aml-netcheck diff BEFORE AFTER`: what changed between two check reports, per target and
 * per feature, so an admin can show that a firewall change fixed what it was meant to and
 * broke nothing else, and a pipeline can gate on it. A pure function of the two reports;
 * every format renders the ReportDiff it returns, and `-o json` prints it as it is.
 */

/** Bump when a consumer of the JSON diff would have to change. */
const DIFF_SCHEMA_VERSION = 1;
export const DIFF_KIND = 'aml-netcheck-diff';

/**
 * How a target or a feature went from one run to the other.
 *
 * - `newly-broken`: blocked (a feature: broken) now, and not known to be before: it was
 *   reachable, had a warning, was skipped, absent, or had no verdict. A gate fails closed:
 *   nothing showed it was broken already.
 * - `fixed`: blocked or warning (a feature: broken or degraded) before, reachable (ok) now.
 *   Blocked before and reachable with a warning now is fixed too.
 * - `still-broken`: blocked for the same reason in both runs (a feature: broken in both).
 * - `changed`: blocked in both for different reasons (tcp-timeout, now http-denied: the
 *   packets get further), or reachable before and with a warning now (a feature: degraded).
 * - `no-verdict`: one run has no verdict for it (cut short, or aml-netcheck failed on it), so
 *   nothing can be said: neither fixed nor broken.
 * - `unchanged`: the same in both runs (reachable, the same warning, or skipped).
 * - `added`, `removed`: checked in one run only (absent or skipped in the other); a target
 *   blocked in the new run only is `newly-broken` instead.
 */
export type ChangeKind = 'newly-broken' | 'fixed' | 'changed' | 'still-broken' | 'no-verdict' | 'added' | 'removed' | 'unchanged';

/** The order every format lists the kinds in: what needs action first. */
export const CHANGE_ORDER: readonly ChangeKind[] = ['newly-broken', 'fixed', 'changed', 'still-broken', 'no-verdict', 'added', 'removed', 'unchanged'];

export const CHANGE_LABEL: Readonly<Record<ChangeKind, string>> = {
  'newly-broken': 'Newly broken',
  fixed: 'Fixed',
  changed: 'Changed',
  'still-broken': 'Still broken',
  'no-verdict': 'No verdict',
  added: 'Added',
  removed: 'Removed',
  unchanged: 'Unchanged',
};

/** A target as one run saw it: what a reader of the diff needs, not every phase's record. */
export interface TargetSide {
  readonly verdict: Verdict;
  readonly reason: ReasonCode | null;
  readonly phase: CheckedTarget['phase'];
  readonly detail: string;
  readonly warnings: readonly string[];
  readonly fix: readonly string[];
  readonly via: CheckedTarget['via'];
  readonly required: boolean;
}

export interface TargetDiff extends TargetIdentity {
  /** Required in the newer run that has it (the after run, else the before run). */
  readonly required: boolean;
  readonly change: ChangeKind;
  /** Null when the run does not list it. */
  readonly before: TargetSide | null;
  readonly after: TargetSide | null;
}

export interface FeatureSide {
  readonly status: FeatureStatus;
  readonly blockedBy: readonly string[];
}

export interface FeatureDiff {
  readonly id: string;
  readonly name: string;
  readonly impact: string | null;
  readonly change: ChangeKind;
  readonly before: FeatureSide | null;
  readonly after: FeatureSide | null;
}

/** Which run a side is, as the reports say. */
export interface RunInfo {
  readonly toolVersion: string;
  readonly startedAt: string;
  readonly facts: WorkspaceFacts;
  readonly stoppedBy: StoppedBy | null;
  readonly complete: boolean;
  readonly exitCode: number;
  readonly targets: number;
}

export type DiffExitCode = typeof EXIT.ok | typeof EXIT.blocked;

export interface DiffSummary {
  readonly targets: Readonly<Record<ChangeKind, number>>;
  readonly features: Readonly<Record<ChangeKind, number>>;
  /** Ids of the features that are broken now and were not known broken before. */
  readonly featuresNewlyBroken: readonly string[];
  /** Ids of required targets blocked now and not known blocked before: each breaks a feature. */
  readonly requiredNewlyBlocked: readonly string[];
  /** Either run was cut short or has targets without a verdict: some targets cannot be compared. */
  readonly partial: boolean;
  /**
   * 1 when something newly broke (a feature, or a required target), else 0. Targets without
   * a verdict in one run do not change it: the summary counts them as `no-verdict`.
   */
  readonly exitCode: DiffExitCode;
}

/** The JSON `diff -o json` prints: this, as it is. */
export interface ReportDiff {
  readonly kind: typeof DIFF_KIND;
  readonly schemaVersion: number;
  readonly before: RunInfo;
  readonly after: RunInfo;
  /** Why the comparison may mislead: other workspace, other catalog or version, a partial run. */
  readonly warnings: readonly string[];
  readonly summary: DiffSummary;
  /** In CHANGE_ORDER, then in the order of the after run (the before run for removed ones). */
  readonly features: readonly FeatureDiff[];
  readonly targets: readonly TargetDiff[];
}

type TargetState = Verdict | 'absent';

function targetChange(before: CheckedTarget | undefined, after: CheckedTarget | undefined): ChangeKind {
  const was: TargetState = before?.verdict ?? 'absent';
  const now: TargetState = after?.verdict ?? 'absent';
  const gone = (state: TargetState): boolean => state === 'absent' || state === 'skipped';
  if (now === 'blocked') {
    if (was !== 'blocked') return 'newly-broken';
    return before?.reason === after?.reason ? 'still-broken' : 'changed';
  }
  if (gone(was) && gone(now)) return was === now ? 'unchanged' : was === 'absent' ? 'added' : 'removed';
  if (gone(now)) return 'removed';
  if (now === 'unknown' || was === 'unknown') return 'no-verdict';
  if (gone(was)) return 'added';
  if (was === 'blocked') return 'fixed';
  if (was === 'warning' && now === 'reachable') return 'fixed';
  if (was === 'reachable' && now === 'warning') return 'changed';
  if (was === 'warning' && now === 'warning' && before?.phase !== after?.phase) return 'changed';
  return 'unchanged';
}

type FeatureState = FeatureStatus | 'absent';

function featureChange(before: FeatureResult | undefined, after: FeatureResult | undefined): ChangeKind {
  const was: FeatureState = before?.status ?? 'absent';
  const now: FeatureState = after?.status ?? 'absent';
  const gone = (state: FeatureState): boolean => state === 'absent' || state === 'not-checked';
  if (now === 'broken') return was === 'broken' ? 'still-broken' : 'newly-broken';
  if (gone(was) && gone(now)) return was === now ? 'unchanged' : was === 'absent' ? 'added' : 'removed';
  if (gone(now)) return 'removed';
  if (now === 'unknown' || was === 'unknown') return 'no-verdict';
  if (gone(was)) return 'added';
  if (was === 'broken') return 'fixed';
  if (was === 'degraded' && now === 'ok') return 'fixed';
  if (was === 'ok' && now === 'degraded') return 'changed';
  return 'unchanged';
}

function sideOf(target: CheckedTarget | undefined): TargetSide | null {
  if (target === undefined) return null;
  const { verdict, reason, phase, detail, warnings, fix, via, required } = target;
  return { verdict, reason, phase, detail, warnings, fix, via, required };
}

/** Both runs' items, matched by key: the after run's order, then what only the before run has. */
function pair<T>(before: readonly T[], after: readonly T[], key: (item: T) => string): Array<[T | undefined, T | undefined]> {
  const earlier = new Map(before.map((item) => [key(item), item]));
  const later = new Set(after.map(key));
  return [...after.map((item): [T | undefined, T | undefined] => [earlier.get(key(item)), item]), ...before.filter((item) => !later.has(key(item))).map((item): [T | undefined, T | undefined] => [item, undefined])];
}

function byChange<T extends { change: ChangeKind }>(items: T[]): T[] {
  // Array.prototype.sort is stable: within a kind, the run's own order stays.
  return items.sort((a, b) => CHANGE_ORDER.indexOf(a.change) - CHANGE_ORDER.indexOf(b.change));
}

function countByKind(items: ReadonlyArray<{ change: ChangeKind }>): Record<ChangeKind, number> {
  const counts = Object.fromEntries(CHANGE_ORDER.map((kind) => [kind, 0])) as Record<ChangeKind, number>;
  for (const item of items) counts[item.change] += 1;
  return counts;
}

function runInfo(report: CheckReport): RunInfo {
  const { summary } = report;
  return { toolVersion: report.tool.version, startedAt: report.startedAt, facts: report.facts, stoppedBy: summary.stoppedBy, complete: summary.complete, exitCode: summary.exitCode, targets: summary.targets };
}

/** Facts that say which workspace a run was about; the others say how it is set up. */
const IDENTITY_FACTS = ['cloud', 'region', 'workspaceId', 'workspaceName'] as const;

function factText(value: unknown): string {
  if (value === undefined) return '(none)';
  if (Array.isArray(value)) return value.length === 0 ? '[]' : quote(value.join(','));
  return typeof value === 'string' ? quote(value) : String(value);
}

function factChanges(before: WorkspaceFacts, after: WorkspaceFacts, keys: readonly string[]): string[] {
  const a = before as unknown as Record<string, unknown>;
  const b = after as unknown as Record<string, unknown>;
  return keys.filter((key) => JSON.stringify(a[key]) !== JSON.stringify(b[key])).map((key) => `${key} ${factText(a[key])} → ${factText(b[key])}`);
}

/**
 * Catalog files the user gave (`--catalog`), as the targets' sources name them. The shipped
 * ones sit in a `probes/` folder wherever aml-netcheck is installed, so only the others tell
 * two runs' catalogs apart.
 */
function userCatalogFiles(report: CheckReport): Set<string> {
  const files = report.targets.flatMap((t) => t.sources.map((s) => s.file));
  return new Set(files.filter((file) => !/(^|[\\/])probes[\\/][^\\/]+$/.test(file)));
}

function comparisonWarnings(before: CheckReport, after: CheckReport): string[] {
  const warnings: string[] = [];
  const identityKeys = IDENTITY_FACTS.filter((key) => before.facts[key] !== undefined && after.facts[key] !== undefined);
  const identity = factChanges(before.facts, after.facts, identityKeys);
  if (identity.length > 0) warnings.push(`the reports are of different workspaces (${identity.join('; ')}); compared anyway, target by target`);
  const otherKeys = [...new Set([...Object.keys(before.facts), ...Object.keys(after.facts)])].filter((key) => !(identityKeys as readonly string[]).includes(key));
  const other = factChanges(before.facts, after.facts, otherKeys);
  if (other.length > 0) warnings.push(`the runs were given different workspace facts (${other.join('; ')}): some targets differ for that reason alone`);
  if (before.tool.version !== after.tool.version) warnings.push(`the reports come from different aml-netcheck versions (${quote(before.tool.version)} → ${quote(after.tool.version)}), whose catalogs may differ`);
  const [revisionBefore, revisionAfter] = [revisionIdOf(before), revisionIdOf(after)];
  if (revisionBefore !== revisionAfter) {
    warnings.push(`the runs checked against different revisions of the article (${revisionBefore ?? 'none'} → ${revisionAfter ?? 'none'}): targets added or removed may come from the requirements, not the network`);
  }
  const [mine, theirs] = [userCatalogFiles(before), userCatalogFiles(after)];
  const onlyBefore = [...mine].filter((f) => !theirs.has(f));
  const onlyAfter = [...theirs].filter((f) => !mine.has(f));
  if (onlyBefore.length > 0 || onlyAfter.length > 0) {
    const parts = [onlyBefore.length > 0 ? `only BEFORE: ${onlyBefore.map((f) => quote(f)).join(', ')}` : '', onlyAfter.length > 0 ? `only AFTER: ${onlyAfter.map((f) => quote(f)).join(', ')}` : ''];
    warnings.push(`the runs used different catalog files (${parts.filter(Boolean).join('; ')})`);
  }
  for (const [name, report] of [
    ['BEFORE', before],
    ['AFTER', after],
  ] as const) {
    const { summary } = report;
    if (summary.stoppedBy !== null) warnings.push(`the ${name} run was cut short (${summary.stoppedBy}): ${summary.unknown} target(s) have no verdict there, so the comparison is partial`);
    else if (summary.unknown > 0) warnings.push(`aml-netcheck failed on ${summary.unknown} target(s) in the ${name} run: they have no verdict there, so the comparison is partial`);
  }
  if (Date.parse(after.startedAt) < Date.parse(before.startedAt)) warnings.push(`AFTER (${after.startedAt}) ran before BEFORE (${before.startedAt}): are the files the wrong way round?`);
  return warnings;
}

export function diffReports(before: CheckReport, after: CheckReport): ReportDiff {
  const targets = byChange(
    pair(before.targets, after.targets, targetKey).map(([was, now]): TargetDiff => {
      const seen = [now, was].filter((t): t is CheckedTarget => t !== undefined);
      return {
        ...identityOf(seen),
        required: (seen[0] as CheckedTarget).required,
        change: targetChange(was, now),
        before: sideOf(was),
        after: sideOf(now),
      };
    }),
  );
  const features = byChange(
    pair(before.features, after.features, (f) => f.id).map(([was, now]): FeatureDiff => {
      const either = (now ?? was) as FeatureResult;
      const side = (f: FeatureResult | undefined): FeatureSide | null => (f === undefined ? null : { status: f.status, blockedBy: f.blockedBy });
      return { id: either.id, name: either.name, impact: either.impact, change: featureChange(was, now), before: side(was), after: side(now) };
    }),
  );
  const featuresNewlyBroken = features.filter((f) => f.change === 'newly-broken').map((f) => f.id);
  const requiredNewlyBlocked = targets.filter((t) => t.change === 'newly-broken' && t.after?.required === true).map((t) => t.id);
  const partial = before.summary.stoppedBy !== null || after.summary.stoppedBy !== null || targets.some((t) => t.before?.verdict === 'unknown' || t.after?.verdict === 'unknown');
  return {
    kind: DIFF_KIND,
    schemaVersion: DIFF_SCHEMA_VERSION,
    before: runInfo(before),
    after: runInfo(after),
    warnings: comparisonWarnings(before, after),
    summary: {
      targets: countByKind(targets),
      features: countByKind(features),
      featuresNewlyBroken,
      requiredNewlyBlocked,
      partial,
      exitCode: featuresNewlyBroken.length > 0 || requiredNewlyBlocked.length > 0 ? EXIT.blocked : EXIT.ok,
    },
    features,
    targets,
  };
}

/** The targets of one kind, in the diff's order. */
export function targetsOf(diff: ReportDiff, change: ChangeKind): TargetDiff[] {
  return diff.targets.filter((t) => t.change === change);
}

/** What a side says in a few words: `blocked (tcp-timeout)`, `reachable`, `not in this run`. */
export function describeSide(side: TargetSide | null): string {
  if (side === null) return 'absent';
  if (side.verdict === 'unknown') return `no verdict (${side.reason ?? 'unknown'})`;
  return side.reason === null ? side.verdict : `${side.verdict} (${side.reason})`;
}

/** Before → after in a few words; a target blocked in both says only how the reason changed. */
export function describeTransition(target: TargetDiff): string {
  const { before, after } = target;
  if (before !== null && after !== null && before.verdict === after.verdict && before.reason !== null && after.reason !== null) {
    return before.reason === after.reason ? describeSide(after) : `${after.verdict} (${before.reason} → ${after.reason})`;
  }
  const [was, now] = [describeSide(before), describeSide(after)];
  return was === now ? now : `${was} → ${now}`;
}

export function describeFeatureSide(side: FeatureSide | null): string {
  return side === null ? 'absent' : side.status;
}

export function describeFeatureTransition(feature: FeatureDiff): string {
  const [was, now] = [describeFeatureSide(feature.before), describeFeatureSide(feature.after)];
  return was === now ? now : `${was} → ${now}`;
}
