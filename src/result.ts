import type { DnsResult } from './probers/dns.js';
import type { HttpResult } from './probers/http.js';
import type { Phase, ReasonCode } from './probers/result.js';
import type { TcpResult } from './probers/tcp.js';
import type { TlsResult } from './probers/tls.js';
import type { Target } from './target.js';

export type Verdict = 'reachable' | 'blocked' | 'warning' | 'skipped';

/** Everything each phase saw, in the order the checks ran. TCP has one result per address tried. */
export interface PhaseResults {
  readonly dns: DnsResult | null;
  readonly tcp: readonly TcpResult[];
  readonly tls: TlsResult | null;
  readonly http: HttpResult | null;
}

/** A probe's reason codes, plus the one for a check that crashed (a bug, logged). */
export type OutcomeReason = ReasonCode | 'internal-error';

export interface TargetOutcome {
  readonly verdict: Verdict;
  /** Stable code of what went wrong; null when reachable (or skipped as the catalog said). */
  readonly reason: OutcomeReason | null;
  /** The phase that failed, or that raised the warning. */
  readonly phase: Phase | null;
  /** One sentence for the admin reading the report. */
  readonly detail: string;
  readonly warnings: readonly string[];
  /** What to change so the target works: an allow rule, a DNS or TLS-inspection change. */
  readonly fix: readonly string[];
  /** How the check went out: straight from here, or through the HTTP proxy. */
  readonly via: 'direct' | 'proxy';
  /** Tries of the phase that decided, when a timeout was retried. */
  readonly attempts: number;
  readonly timings: Readonly<Partial<Record<Phase | 'total', number>>>;
  readonly phases: PhaseResults;
}

export type CheckedTarget = Target & TargetOutcome;

export type FeatureStatus = 'ok' | 'broken' | 'degraded' | 'not-checked';

export interface FeatureResult {
  readonly id: string;
  readonly name: string;
  readonly status: FeatureStatus;
  /** Ids of the targets that break it (required) or degrade it (optional, or warnings). */
  readonly blockedBy: readonly string[];
  readonly targets: number;
}

export const EMPTY_PHASES: PhaseResults = { dns: null, tcp: [], tls: null, http: null };
