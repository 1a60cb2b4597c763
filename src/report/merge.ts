import type { CheckedTarget, FeatureStatus, Verdict } from '../model/result.js';
import { EXIT } from '../model/exit-codes.js';
import type { ReasonCode } from '../model/reasons.js';
import { quote } from '../model/text.js';
// A check report's own order of feature statuses (broken, degraded, unknown), for one node's causes.
import { FEATURE_STATUS_ORDER as IMPACT_RANK } from './features.js';
import { identityOf, revisionIdOf, targetKey, type CheckReport, type StoppedBy, type TargetIdentity } from './report.js';

/**
 * `aml-netcheck merge REPORT...`: the reports of one check run on many nodes (a fleet's
 * Indexed Job) as one view. Egress rules often differ per node pool, so the question is not
 * "is it reachable" but "from which nodes": per target, the nodes that reach it and those
 * that do not; per feature, the nodes it is broken on. A pure function of the named reports;
 * every format renders the MergedReport it returns, and `-o json` prints it as it is.
 */

/** Bump when a consumer of the JSON merge would have to change. */
export const MERGE_SCHEMA_VERSION = 2;
export const MERGE_KIND = 'aml-netcheck-merge';

/** One node's report, named. */
export interface NodeReport {
  readonly node: string;
  /** Where it came from, for messages: a file, or a file and a ConfigMap item. */
  readonly source: string;
  readonly report: CheckReport;
}

/**
 * A target across the nodes. `blocked-on-some` is the finding merge exists for: one node
 * pool's egress rules differ from the others'. "Everywhere" is claimed only when every node
 * said so: a target blocked where it has a verdict and without one elsewhere (cut short, or
 * not in that node's report) is `blocked-on-some`, a reachable one `no-verdict-on-some`.
 * Blocked outranks no verdict, which outranks a warning, which outranks reachable: a warning
 * (UDP silence, a name that resolves where it should not) is doubt, so a node that warned
 * never counts as reaching the target, and `reachable-everywhere` means every node that
 * checked it said reachable.
 */
export type TargetStatus = 'blocked-everywhere' | 'blocked-on-some' | 'no-verdict-on-some' | 'warning-everywhere' | 'warning-on-some' | 'reachable-everywhere' | 'not-checked';

export const TARGET_STATUS_ORDER: readonly TargetStatus[] = ['blocked-everywhere', 'blocked-on-some', 'no-verdict-on-some', 'warning-everywhere', 'warning-on-some', 'reachable-everywhere', 'not-checked'];

export const TARGET_STATUS_LABEL: Readonly<Record<TargetStatus, string>> = {
  'blocked-everywhere': 'blocked everywhere',
  'blocked-on-some': 'blocked on some nodes',
  'no-verdict-on-some': 'no verdict on some',
  'warning-everywhere': 'warning everywhere',
  'warning-on-some': 'warning on some nodes',
  'reachable-everywhere': 'reachable everywhere',
  'not-checked': 'not checked',
};

/** A feature across the nodes, in the same spirit: broken on any node outranks the rest. */
export type FeatureMergeStatus = 'broken-everywhere' | 'broken-on-some' | 'unknown-on-some' | 'degraded-on-some' | 'ok-everywhere' | 'not-checked';

const FEATURE_STATUS_ORDER: readonly FeatureMergeStatus[] = ['broken-everywhere', 'broken-on-some', 'unknown-on-some', 'degraded-on-some', 'ok-everywhere', 'not-checked'];

export const FEATURE_STATUS_LABEL: Readonly<Record<FeatureMergeStatus, string>> = {
  'broken-everywhere': 'broken everywhere',
  'broken-on-some': 'broken on some nodes',
  'unknown-on-some': 'unknown on some',
  'degraded-on-some': 'degraded on some',
  'ok-everywhere': 'ok everywhere',
  'not-checked': 'not checked',
};

/** A target as one node saw it. */
export interface NodeVerdict {
  readonly node: string;
  readonly verdict: Verdict;
  readonly reason: ReasonCode | null;
  readonly detail: string;
  /** What made it a warning (a name that resolves elsewhere, an inspected certificate); empty when the reason says it. */
  readonly warnings: readonly string[];
  readonly fix: readonly string[];
  readonly via: CheckedTarget['via'];
}

export interface MergedTarget extends TargetIdentity {
  /** Required on any node that lists it. */
  readonly required: boolean;
  readonly status: TargetStatus;
  /** Every node that lists it, in the order of the nodes. */
  readonly nodes: readonly NodeVerdict[];
  /** Said reachable, without a warning: the only verdict that counts as reaching. */
  readonly reaching: readonly string[];
  /** Said warning: not known to be blocked, not proven reachable either. */
  readonly warning: readonly string[];
  readonly blocked: readonly string[];
  /** Cut short there, or aml-netcheck failed on it. */
  readonly noVerdict: readonly string[];
  readonly skipped: readonly string[];
  /** Nodes whose report does not list it: they were given other workspace facts or catalogs. */
  readonly absent: readonly string[];
}

export interface NodeFeature {
  readonly node: string;
  readonly status: FeatureStatus;
  readonly blockedBy: readonly string[];
}

export interface MergedFeature {
  readonly id: string;
  readonly name: string;
  readonly impact: string | null;
  readonly status: FeatureMergeStatus;
  readonly nodes: readonly NodeFeature[];
  readonly broken: readonly string[];
  readonly degraded: readonly string[];
  readonly unknown: readonly string[];
  readonly ok: readonly string[];
  readonly notChecked: readonly string[];
  readonly absent: readonly string[];
}

/**
 * How a node's run stands: its report is complete, incomplete (cut short, or aml-netcheck
 * failed on some target), or not written yet (a report ConfigMap still empty).
 */
export type NodeRunStatus = 'complete' | 'incomplete' | 'no-report';

/** A node listed (a report ConfigMap) whose report is not written yet. */
export interface PendingNode {
  readonly node: string;
  /** Where it was listed: a file and a ConfigMap item. */
  readonly source: string;
}

/** A node's run, as its report says. */
export interface ReportedNode {
  readonly node: string;
  readonly source: string;
  readonly status: Exclude<NodeRunStatus, 'no-report'>;
  readonly toolVersion: string;
  readonly startedAt: string;
  readonly stoppedBy: StoppedBy | null;
  readonly complete: boolean;
  readonly exitCode: number;
  readonly targets: number;
  readonly requiredBlocked: number;
  readonly featuresBroken: readonly string[];
}

/** A node without a report: what a report would tell is null, since nothing is known from it. */
export type SilentNode = PendingNode & { readonly status: 'no-report'; readonly complete: false } & {
  readonly [K in 'toolVersion' | 'startedAt' | 'stoppedBy' | 'exitCode' | 'targets' | 'requiredBlocked' | 'featuresBroken']: null;
};

export type NodeInfo = ReportedNode | SilentNode;

/**
 * 1 a required target is blocked on some node; 3 nothing required is blocked anywhere, but a
 * required target has no verdict on some node (a run cut short, aml-netcheck failed on it,
 * or the node's report does not list it), as `check` exits 3 when the deadline leaves
 * targets unchecked; 0 every required target
 * is reachable from every node that checked it.
 */
export type MergeExitCode = typeof EXIT.ok | typeof EXIT.blocked | typeof EXIT.incomplete;

export interface MergeSummary {
  /** Nodes with a report; those without one are in `nodesWithoutReport`. */
  readonly nodes: number;
  readonly targets: Readonly<Record<TargetStatus, number>>;
  readonly features: Readonly<Record<FeatureMergeStatus, number>>;
  /** Ids of the required targets blocked on at least one node. */
  readonly requiredBlocked: readonly string[];
  /** Ids of the required targets blocked on no node, but without a verdict on some (cut short there, or not in its report). */
  readonly requiredNoVerdict: readonly string[];
  /** Ids of the required targets with a verdict on every node and a warning on some: they do not change the exit code. */
  readonly requiredWarning: readonly string[];
  /** Nodes on which some required target is blocked. */
  readonly nodesWithBlocked: readonly string[];
  /** Nodes listed (a report ConfigMap) whose report is not written yet: nothing is known from them. */
  readonly nodesWithoutReport: readonly string[];
  readonly exitCode: MergeExitCode;
}

/** The JSON `merge -o json` prints: this, as it is. */
export interface MergedReport {
  readonly kind: typeof MERGE_KIND;
  readonly schemaVersion: number;
  /** The nodes with a report, in the order given, then those without one. */
  readonly nodes: readonly NodeInfo[];
  /** Why the view may mislead: other workspaces, clouds or versions, runs cut short. */
  readonly warnings: readonly string[];
  readonly summary: MergeSummary;
  /** In FEATURE_STATUS_ORDER, then in the order the nodes' reports list them. */
  readonly features: readonly MergedFeature[];
  /** In TARGET_STATUS_ORDER, then in the order the nodes' reports list them. */
  readonly targets: readonly MergedTarget[];
}

/** Items in the order their first node lists them: the catalog's order, as every report has it. */
function collect<T>(nodes: readonly NodeReport[], itemsOf: (report: CheckReport) => readonly T[], key: (item: T) => string): Map<string, Map<string, T>> {
  const merged = new Map<string, Map<string, T>>();
  for (const { node, report } of nodes) {
    for (const item of itemsOf(report)) {
      const k = key(item);
      const perNode = merged.get(k) ?? new Map<string, T>();
      perNode.set(node, item);
      merged.set(k, perNode);
    }
  }
  return merged;
}

/**
 * "Everywhere" is said only when every node said so: a node without a verdict for it, or
 * whose report does not list it, leaves the question open there.
 */
function targetStatus(verdicts: readonly NodeVerdict[], nodeCount: number): TargetStatus {
  const count = (verdict: Verdict): number => verdicts.filter((v) => v.verdict === verdict).length;
  const checked = verdicts.length - count('skipped');
  if (checked === 0) return 'not-checked';
  if (count('blocked') > 0) return count('blocked') === nodeCount ? 'blocked-everywhere' : 'blocked-on-some';
  if (count('unknown') > 0 || verdicts.length < nodeCount) return 'no-verdict-on-some';
  if (count('warning') > 0) return count('warning') === checked ? 'warning-everywhere' : 'warning-on-some';
  return 'reachable-everywhere';
}

function featureStatus(features: readonly NodeFeature[], nodeCount: number): FeatureMergeStatus {
  const count = (status: FeatureStatus): number => features.filter((f) => f.status === status).length;
  if (count('not-checked') === features.length) return 'not-checked';
  if (count('broken') > 0) return count('broken') === nodeCount ? 'broken-everywhere' : 'broken-on-some';
  if (count('unknown') > 0 || features.length < nodeCount) return 'unknown-on-some';
  return count('degraded') > 0 ? 'degraded-on-some' : 'ok-everywhere';
}

function nodeInfo({ node, source, report }: NodeReport): ReportedNode {
  const { summary } = report;
  return {
    node,
    source,
    status: summary.complete ? 'complete' : 'incomplete',
    toolVersion: report.tool.version,
    startedAt: report.startedAt,
    stoppedBy: summary.stoppedBy,
    complete: summary.complete,
    exitCode: summary.exitCode,
    targets: summary.targets,
    requiredBlocked: summary.requiredBlocked,
    featuresBroken: summary.featuresBroken,
  };
}

/** Distinct values of one thing the reports say, each with the nodes that say it. */
function spread(nodes: readonly NodeReport[], valueOf: (report: CheckReport) => string | undefined): Map<string, string[]> {
  const byValue = new Map<string, string[]>();
  for (const { node, report } of nodes) {
    const value = valueOf(report);
    if (value === undefined) continue;
    byValue.set(value, [...(byValue.get(value) ?? []), node]);
  }
  return byValue;
}

function pendingInfo({ node, source }: PendingNode): SilentNode {
  return { node, source, status: 'no-report', toolVersion: null, startedAt: null, stoppedBy: null, complete: false, exitCode: null, targets: null, requiredBlocked: null, featuresBroken: null };
}

function describeSpread(byValue: Map<string, string[]>): string {
  return [...byValue].map(([value, nodes]) => `${quote(value)} on ${nodes.join(', ')}`).join('; ');
}

function mergeWarnings(nodes: readonly NodeReport[], targets: readonly MergedTarget[]): string[] {
  const warnings: string[] = [];
  const facts = (key: 'cloud' | 'region' | 'workspaceId' | 'workspaceName') => spread(nodes, (r) => r.facts[key]);
  const cloud = facts('cloud');
  if (cloud.size > 1) warnings.push(`the reports are of different clouds (${describeSpread(cloud)}); merged anyway, target by target`);
  for (const key of ['workspaceId', 'workspaceName', 'region'] as const) {
    const values = facts(key);
    if (values.size > 1) warnings.push(`the reports are of different workspaces (${key} ${describeSpread(values)}); merged anyway, target by target`);
  }
  const versions = spread(nodes, (r) => r.tool.version);
  if (versions.size > 1) warnings.push(`the reports come from different aml-netcheck versions (${describeSpread(versions)}), whose catalogs may differ`);
  const revisions = spread(nodes, (r) => revisionIdOf(r) ?? 'none');
  if (revisions.size > 1) warnings.push(`the nodes checked against different revisions of the article (${describeSpread(revisions)}): some targets differ for that reason alone`);
  for (const { node, report } of nodes) {
    const { summary } = report;
    if (summary.stoppedBy !== null) warnings.push(`the run on ${node} was cut short (${summary.stoppedBy}): ${summary.unknown} target(s) have no verdict there`);
    else if (summary.unknown > 0) warnings.push(`aml-netcheck failed on ${summary.unknown} target(s) on ${node}: they have no verdict there`);
  }
  const partial = targets.filter((t) => t.absent.length > 0).length;
  if (partial > 0) warnings.push(`${partial} target(s) are missing from some nodes' reports: those runs were given other workspace facts or catalogs`);
  return warnings;
}

function countBy<S extends string>(order: readonly S[], items: ReadonlyArray<{ status: S }>): Record<S, number> {
  const counts = Object.fromEntries(order.map((status) => [status, 0])) as Record<S, number>;
  for (const item of items) counts[item.status] += 1;
  return counts;
}

function byStatus<S extends string, T extends { status: S }>(order: readonly S[], items: readonly T[]): T[] {
  // Array.prototype.sort is stable: within a status, the reports' own order stays.
  return [...items].sort((a, b) => order.indexOf(a.status) - order.indexOf(b.status));
}

/** Node names must be unique: the caller settles duplicates (see `readMergeInputs`). */
export function mergeReports(nodes: readonly NodeReport[], pending: readonly PendingNode[] = []): MergedReport {
  const names = nodes.map((n) => n.node);
  const missingFrom = (present: ReadonlyMap<string, unknown>): string[] => names.filter((name) => !present.has(name));

  const targets = [...collect(nodes, (r) => r.targets, targetKey).values()].map((perNode): MergedTarget => {
    const seen = [...perNode.values()];
    const verdicts = names.flatMap((node): NodeVerdict[] => {
      const t = perNode.get(node);
      return t === undefined ? [] : [{ node, verdict: t.verdict, reason: t.reason, detail: t.detail, warnings: t.warnings, fix: t.fix, via: t.via }];
    });
    const nodesWith = (wanted: Verdict): string[] => verdicts.filter((v) => v.verdict === wanted).map((v) => v.node);
    return {
      ...identityOf(seen),
      required: seen.some((t) => t.required),
      status: targetStatus(verdicts, names.length),
      nodes: verdicts,
      reaching: nodesWith('reachable'),
      warning: nodesWith('warning'),
      blocked: nodesWith('blocked'),
      noVerdict: nodesWith('unknown'),
      skipped: nodesWith('skipped'),
      absent: missingFrom(perNode),
    };
  });

  const features = [
    ...collect(
      nodes,
      (r) => r.features,
      (f) => f.id,
    ).values(),
  ].map((perNode): MergedFeature => {
    const first = [...perNode.values()][0] as CheckReport['features'][number];
    const perNodeStatus = names.flatMap((node): NodeFeature[] => {
      const f = perNode.get(node);
      return f === undefined ? [] : [{ node, status: f.status, blockedBy: f.blockedBy }];
    });
    const nodesWith = (status: FeatureStatus): string[] => perNodeStatus.filter((f) => f.status === status).map((f) => f.node);
    return {
      id: first.id,
      name: first.name,
      impact: first.impact,
      status: featureStatus(perNodeStatus, names.length),
      nodes: perNodeStatus,
      broken: nodesWith('broken'),
      degraded: nodesWith('degraded'),
      unknown: nodesWith('unknown'),
      ok: nodesWith('ok'),
      notChecked: nodesWith('not-checked'),
      absent: missingFrom(perNode),
    };
  });

  const required = targets.filter((t) => t.required);
  const requiredBlocked = required.filter((t) => t.blocked.length > 0).map((t) => t.id);
  const requiredNoVerdict = required.filter((t) => t.blocked.length === 0 && (t.noVerdict.length > 0 || t.absent.length > 0)).map((t) => t.id);
  const requiredWarning = required.filter((t) => t.status === 'warning-everywhere' || t.status === 'warning-on-some').map((t) => t.id);
  const nodesWithBlocked = names.filter((node) => required.some((t) => t.blocked.includes(node)));
  // A node that has not reported proves nothing reachable from it: no pass while one is missing.
  const exitCode: MergeExitCode = requiredBlocked.length > 0 ? EXIT.blocked : requiredNoVerdict.length > 0 || pending.length > 0 ? EXIT.incomplete : EXIT.ok;
  return {
    kind: MERGE_KIND,
    schemaVersion: MERGE_SCHEMA_VERSION,
    nodes: [...nodes.map(nodeInfo), ...pending.map(pendingInfo)],
    warnings: mergeWarnings(nodes, targets),
    summary: {
      nodes: nodes.length,
      targets: countBy(TARGET_STATUS_ORDER, targets),
      features: countBy(FEATURE_STATUS_ORDER, features),
      requiredBlocked,
      requiredNoVerdict,
      requiredWarning,
      nodesWithBlocked,
      nodesWithoutReport: pending.map((p) => p.node),
      exitCode,
    },
    features: byStatus(FEATURE_STATUS_ORDER, features),
    targets: byStatus(TARGET_STATUS_ORDER, targets),
  };
}

/** Nodes grouped by a key, in the order of the nodes: many nodes that say the same are one line. */
function groupNodes<K>(entries: ReadonlyArray<{ node: string; key: K }>, keyText: (key: K) => string): Array<{ key: K; nodes: string[] }> {
  const groups = new Map<string, { key: K; nodes: string[] }>();
  for (const { node, key } of entries) {
    const text = keyText(key);
    const group = groups.get(text) ?? { key, nodes: [] };
    group.nodes.push(node);
    groups.set(text, group);
  }
  return [...groups.values()];
}

/** The nodes that block a target, grouped by reason: `tcp-refused on node-b, node-c`. */
export function blockedByReason(target: MergedTarget): Array<{ reason: string; nodes: string[] }> {
  const blocked = target.nodes.filter((v) => v.verdict === 'blocked').map((v) => ({ node: v.node, key: v.reason ?? 'blocked' }));
  return groupNodes(blocked, (reason) => reason).map(({ key, nodes }) => ({ reason: key, nodes }));
}

/**
 * The nodes on which a target warns, grouped by reason and what they said: `udp-unverified`
 * with the silence it met, or (reason null) the warning itself, such as a name that resolves
 * away from the private endpoint.
 */
export function warnedByReason(target: MergedTarget): Array<{ reason: ReasonCode | null; text: string; nodes: string[] }> {
  const warned = target.nodes.filter((v) => v.verdict === 'warning').map((v) => ({ node: v.node, key: { reason: v.reason, text: v.warnings.length > 0 ? v.warnings.join('; ') : v.detail } }));
  return groupNodes(warned, (key) => JSON.stringify(key)).map(({ key, nodes }) => ({ ...key, nodes }));
}

/** The fix the nodes that fail a target give: from a node that blocks it, else from one that warns. */
export function mergedFix(target: MergedTarget): readonly string[] {
  return (target.nodes.find((v) => v.verdict === 'blocked') ?? target.nodes.find((v) => v.verdict === 'warning'))?.fix ?? [];
}

/**
 * For each node where a feature is not ok, the targets that made it so there, nodes saying
 * the same grouped: `broken on node-a, node-b by st1.file.core.windows.net:445`.
 */
export function featureCauses(feature: MergedFeature): Array<{ status: FeatureStatus; targets: readonly string[]; nodes: string[] }> {
  const notOk = feature.nodes.filter((f) => f.status === 'broken' || f.status === 'degraded' || f.status === 'unknown');
  const causes = groupNodes(
    notOk.map((f) => ({ node: f.node, key: { status: f.status, targets: f.blockedBy } })),
    (key) => JSON.stringify(key),
  ).map(({ key, nodes }) => ({ ...key, nodes }));
  return causes.sort((a, b) => IMPACT_RANK[a.status] - IMPACT_RANK[b.status]);
}
