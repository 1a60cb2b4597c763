import type { DnsResult, HttpResult, Phase, TcpResult, TlsResult, UdpResult } from './phases.js';
import type { Target } from './target.js';
import type { ReasonCode } from './reasons.js';

/**
 * `unknown`: the check did not come to a verdict, because the run was cut short (reason
 * `aborted`) or aml-netcheck failed on the target (`internal-error`). Never counted as
 * reachable, and never as blocked either.
 */
export type Verdict = 'reachable' | 'blocked' | 'warning' | 'skipped' | 'unknown';

/** Everything each phase saw, in the order the checks ran. TCP and UDP have one result per address tried. */
export interface PhaseResults {
  readonly dns: DnsResult | null;
  readonly tcp: readonly TcpResult[];
  readonly tls: TlsResult | null;
  readonly http: HttpResult | null;
  /** Only on a UDP target: absent elsewhere, so reports of TCP targets keep the shape they always had. */
  readonly udp?: readonly UdpResult[];
}

export interface TargetOutcome {
  readonly verdict: Verdict;
  /** Stable code of what went wrong; null when reachable (or skipped as the catalog said). */
  readonly reason: ReasonCode | null;
  /** The phase that failed, or that raised the warning. */
  readonly phase: Phase | null;
  /** One sentence for the admin reading the report. */
  readonly detail: string;
  readonly warnings: readonly string[];
  /** How the check went out: straight from here, or through the HTTP proxy. */
  readonly via: 'direct' | 'proxy';
  /** Tries of the phase that decided, when a timeout was retried. */
  readonly attempts: number;
  readonly timings: Readonly<Partial<Record<Phase | 'total', number>>>;
  readonly phases: PhaseResults;
}

/** A target with what the runner found: no advice, which is the report's to add. */
export type ProbedTarget = Target & TargetOutcome;

export type CheckedTarget = ProbedTarget & {
  /** What to change so the target works: an allow rule, a DNS or TLS-inspection change (the report attaches it). */
  readonly fix: readonly string[];
};

/** `unknown`: nothing required is known to be blocked, but some target of the feature has no verdict. */
export type FeatureStatus = 'ok' | 'broken' | 'degraded' | 'unknown' | 'not-checked';

export interface FeatureResult {
  readonly id: string;
  readonly name: string;
  readonly status: FeatureStatus;
  /** What the feature's users see when it breaks, in plain words (from the catalog); null when unknown. */
  readonly impact: string | null;
  /** Ids of the targets that break it (required) or degrade it (optional, or warnings). */
  readonly blockedBy: readonly string[];
  readonly targets: number;
}

export const EMPTY_PHASES: PhaseResults = { dns: null, tcp: [], tls: null, http: null };
