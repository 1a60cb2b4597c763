import { explainVerdict } from '../audit/describe.js';
import type { AuditLayer, AuditResult, AuditVerdict, ConfigKind } from '../audit/types.js';
import { REASONS } from '../model/reasons.js';
import type { ProbedTarget } from '../model/result.js';

/**
 * `check --config`: the live probes joined with the audit of the admin's exported rules. The
 * probe stays the truth for every verdict, feature and exit code; the audit only explains it:
 * which of the admin's rules blocks a blocked target, and where the two disagree, what that
 * disagreement says about the network (the block is elsewhere, or the traffic never meets that
 * firewall).
 */

/**
 * The two ways the export and the probe can disagree:
 * - `allowed-but-blocked`: the rules given allow it, yet the probe was blocked, so the block is somewhere the export does not show;
 * - `denied-but-reached`: the rules given deny it (or no rule allows it), yet the probe got through, so the traffic does not pass those rules (or the export is stale).
 */
export type ContradictionKind = 'allowed-but-blocked' | 'denied-but-reached';

/**
 * Where the disagreement more likely comes from, read from the probe's reason code:
 * - `dns`: the name did not resolve as needed, before any firewall saw a packet;
 * - `path`: packets dropped or reset on the way (an NSG not given, a route past the firewall, another appliance);
 * - `deny-page`: a firewall answered with its deny page (a policy not given: a parent, another firewall; or the export is stale);
 * - `tls-middlebox`: something on the path inspects or answers TLS;
 * - `proxy`: the web proxy refused or failed;
 * - `device`: a device on the path answered for the server;
 * - `bypass`: the traffic reached the service without passing those rules;
 * - `proxy-source`: the probe went through the web proxy, so the firewall saw the proxy's traffic, not this machine's.
 */
export type ContradictionCause = 'dns' | 'path' | 'deny-page' | 'tls-middlebox' | 'proxy' | 'device' | 'bypass' | 'proxy-source';

export interface Contradiction {
  readonly kind: ContradictionKind;
  readonly cause: ContradictionCause;
  /** One sentence for the admin. */
  readonly explanation: string;
}

/** One target's audit verdict beside its probe. */
export interface TargetAudit {
  readonly id: string;
  readonly direction: ProbedTarget['direction'];
  readonly verdict: AuditVerdict;
  /** Each layer's own verdict, in path order (NSG, then firewall). */
  readonly layers: ReadonlyArray<{ readonly layer: AuditLayer; readonly verdict: AuditVerdict }>;
  /** The verdict in words: `denied by <group>/<collection>/<rule> (…)`. */
  readonly explanation: string;
  /** Null when the two agree, or when either says nothing (skipped, no verdict, depends, not audited). */
  readonly contradiction: Contradiction | null;
}

/** The audit as a check report carries it (`audit`, absent without --config). */
export interface ReportAudit {
  readonly inputs: ReadonlyArray<{ readonly file: string; readonly kind: ConfigKind }>;
  readonly sources: readonly string[];
  readonly policies: AuditResult['policies'];
  readonly nsgs: AuditResult['nsgs'];
  /** What `audit` alone would exit with; `check` still exits with what the probes found. */
  readonly exitCode: number;
  readonly contradictions: number;
  readonly targets: readonly TargetAudit[];
}

const VERDICT_WORDS: Record<AuditVerdict['verdict'], string> = {
  allowed: 'allowed',
  denied: 'denied',
  'no-rule': 'denied,',
  inexpressible: 'cannot work as configured:',
  depends: 'depends',
  'not-audited': 'not audited:',
};

/** `denied by …`, `allowed by …`, `depends on …`: the verdict of the layers together, in words. */
function auditSentence(verdict: AuditVerdict): string {
  return `${VERDICT_WORDS[verdict.verdict]} ${explainVerdict(verdict)}`;
}

/** Whether the configuration lets the traffic through, stops it, or cannot say. */
function stance(verdict: AuditVerdict): 'allows' | 'blocks' | 'silent' {
  if (verdict.verdict === 'allowed') return 'allows';
  if (verdict.verdict === 'denied' || verdict.verdict === 'no-rule' || verdict.verdict === 'inexpressible') return 'blocks';
  return 'silent';
}

/** Whether the probe passed the network (and so any firewall on its way), was stopped, or proved neither. */
function probeStance(target: ProbedTarget): 'through' | 'blocked' | 'silent' {
  if (target.verdict === 'reachable') return 'through';
  // A warning proves the path only when a connection was made (a TLS or HTTP remark); a silent UDP port proves nothing.
  if (target.verdict === 'warning') return target.phases.tcp.some((t) => t.ok) ? 'through' : 'silent';
  if (target.verdict === 'blocked') return 'blocked';
  return 'silent';
}

/** Where the block more likely is, when the rules given allow the traffic. */
function blockedElsewhere(target: ProbedTarget): { cause: ContradictionCause; where: string } {
  const reason = target.reason;
  if (reason === null) return { cause: 'path', where: 'something on the path the export does not show blocks it' };
  const remedy = REASONS[reason].remedy;
  if (remedy.startsWith('dns-')) return { cause: 'dns', where: `the name did not resolve as needed (${reason}), before any firewall saw a packet: a DNS problem, not the firewall's rules` };
  if (reason === 'http-denied') return { cause: 'deny-page', where: 'a firewall or proxy answered with its deny page: a policy not given (a parent policy, another firewall), or the export is older than the rules in force' };
  if (remedy.startsWith('tls-') || remedy === 'not-tls') return { cause: 'tls-middlebox', where: `something on the path inspects or answers TLS (${reason}): TLS inspection of a firewall or proxy, not an allow rule` };
  if (remedy.startsWith('proxy-')) return { cause: 'proxy', where: `the web proxy stopped it (${reason}); the firewall's rules never came into play` };
  if (remedy === 'device-egress') return { cause: 'device', where: `a device on the path answered for the server (${reason})` };
  return { cause: 'path', where: `packets were ${reason.endsWith('timeout') ? 'dropped' : 'refused or reset'} on the way (${reason}): an NSG not given, a route that sends the traffic past the firewall, or another appliance` };
}

function contradictionOf(target: ProbedTarget, verdict: AuditVerdict, layers: TargetAudit['layers']): Contradiction | null {
  const rules = stance(verdict);
  const probe = probeStance(target);
  if (rules === 'allows' && probe === 'blocked') {
    const { cause, where } = blockedElsewhere(target);
    return { kind: 'allowed-but-blocked', cause, explanation: `the configuration allows it (${explainVerdict(verdict)}), yet the probe was blocked: ${where}` };
  }
  if (rules === 'blocks' && probe === 'through') {
    const layer = layers.find((l) => stance(l.verdict) === 'blocks')?.layer ?? 'firewall';
    const given =
      layer === 'nsg'
        ? 'the NSG given is not on the path from here'
        : layer === 'managed'
          ? "this machine is not in the workspace's managed network, whose rules apply to its compute only"
          : 'the traffic does not pass through that firewall (a route or private endpoint that bypasses it)';
    if (target.via === 'proxy')
      return {
        kind: 'denied-but-reached',
        cause: 'proxy-source',
        explanation: `the configuration denies it (${explainVerdict(verdict)}), yet the probe got through the web proxy: the ${layer === 'nsg' ? 'NSG' : layer === 'managed' ? 'managed network' : 'firewall'} saw the proxy's traffic, not this machine's; or ${given}, or the export is stale`,
      };
    return { kind: 'denied-but-reached', cause: 'bypass', explanation: `the configuration denies it (${explainVerdict(verdict)}), yet the probe got through: ${given}, or the export is older than the rules in force` };
  }
  return null;
}

/**
 * Each probed target beside its audit verdict: the audit ran on the very targets the runner
 * probed (one expansion of the catalog), matched here by id.
 */
export function joinAudit(probed: readonly ProbedTarget[], audit: AuditResult, inputs: ReportAudit['inputs']): ReportAudit {
  const byId = new Map(audit.targets.map((t) => [t.id, t]));
  const targets: TargetAudit[] = [];
  for (const target of probed) {
    // Ids tell directions apart (`inbound:` before an inbound one), as in every report.
    const audited = byId.get(target.id);
    const verdict: AuditVerdict = audited?.verdict ?? { verdict: 'not-audited', reason: 'the audit has no such target' };
    const layers = audited?.layers ?? [];
    targets.push({ id: target.id, direction: target.direction, verdict, layers, explanation: auditSentence(verdict), contradiction: contradictionOf(target, verdict, layers) });
  }
  const { sources, policies, nsgs, exitCode } = audit;
  return { inputs: inputs.map(({ file, kind }) => ({ file, kind })), sources, policies, nsgs, exitCode, contradictions: targets.filter((t) => t.contradiction !== null).length, targets };
}

/** A target's audit in a report, when the run had --config. */
export function auditOf(audit: ReportAudit | undefined, target: Pick<ProbedTarget, 'id' | 'direction'>): TargetAudit | undefined {
  return audit?.targets.find((t) => t.id === target.id && t.direction === target.direction);
}

/** What every format says of one target's audit: the rules' verdict in words and the contradiction, when there is one. */
export function auditNotes(audit: ReportAudit | undefined, target: Pick<ProbedTarget, 'id' | 'direction'>): { readonly rules: string | null; readonly contradiction: string | null } {
  const mine = auditOf(audit, target);
  if (mine === undefined || mine.verdict.verdict === 'not-audited') return { rules: null, contradiction: null };
  return { rules: mine.explanation, contradiction: mine.contradiction?.explanation ?? null };
}

/** The headline of the audit part of a report: what was read, and how many contradictions. */
export function auditHeadline(audit: ReportAudit): string {
  const files = audit.inputs.map((i) => (i.file === '-' ? 'standard input' : i.file)).join(', ');
  const sources = audit.sources.length === 0 ? '' : `; sources ${audit.sources.join(', ')}`;
  const found = audit.contradictions === 0 ? 'they agree with every probe' : `${audit.contradictions} contradiction(s) with the probes`;
  return `Your rules (--config ${files}${sources}): ${found}. The probes decide every verdict and the exit code; the rules explain them.`;
}
