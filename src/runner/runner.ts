import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import { formatDuration } from '../model/duration.js';
import type { ProbedTarget, TargetOutcome } from '../model/result.js';
import { internalErrorOf } from '../probers/contract.js';
import type { Target } from '../model/target.js';
import { checkTarget } from './check-target.js';
import type { CheckSettings } from './context.js';
import { DnsCache } from './dns-cache.js';
import { clearSlots, createSlots } from './schedule.js';
import { outcome } from './verdicts.js';

export interface RunOptions extends CheckSettings {
  /** TLS handshakes and HTTP exchanges at once; connections waiting on the network may be more. */
  readonly concurrency: number;
  /** The whole run's budget; unfinished targets are reported as such. */
  readonly deadlineMs: number | null;
  /** Inbound ports are only checked from outside the node (check --inbound-from-here). */
  readonly inboundFromHere: boolean;
  /** Ctrl-C, or a caller's own cancel. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number, target: ProbedTarget) => void;
}

/** Why a run ended before every target had its verdict. */
export type StopCause = 'deadline' | 'interrupt';

/** A run under way: its result, and what it has so far should the process have to stop early. */
export interface Run {
  readonly done: Promise<ProbedTarget[]>;
  /** Every target: the finished ones with their verdicts, the others marked unfinished because of `why`. */
  snapshot(why: string): ProbedTarget[];
  /** What cut the run short, once it has been. */
  stoppedBy(): StopCause | null;
}

const INBOUND_HELP = 'inbound ports are checked from outside the node: run `aml-netcheck listen` on the node, or `aml-netcheck check --inbound-from-here NODE_IP` from outside';

function unfinishedBecause(target: Target, why: string): ProbedTarget {
  return { ...target, ...outcome({ verdict: 'unknown', reason: 'aborted', detail: `not finished: ${why}` }) };
}

function skippedOutcome(target: Target): ProbedTarget {
  const detail = target.skipped ? `${target.skipped.reason}${target.skipped.flag ? ` (add ${target.skipped.flag})` : ''}` : 'skipped';
  return { ...target, ...outcome({ verdict: 'skipped', detail }) };
}

/** The exception behind a prober's internal-error, for the log: the report keeps only its message. */
function probeBug(outcome: TargetOutcome): unknown {
  const { dns, tcp, tls, http, udp = [] } = outcome.phases;
  const failed = [dns, ...tcp, tls, http, ...udp].find((phase) => phase !== null && !phase.ok && phase.reason === 'internal-error');
  return failed ? internalErrorOf(failed) : undefined;
}

/**
 * A throw out of a check is a bug in aml-netcheck. It is logged and contained to its target,
 * whose verdict becomes unknown: a bug can never make a feature look healthy.
 */
function internalError(target: Target, error: unknown): ProbedTarget {
  const message = error instanceof Error ? error.message : String(error);
  return { ...target, ...outcome({ verdict: 'unknown', reason: 'internal-error', detail: `aml-netcheck failed to check this target: ${message}` }) };
}

/**
 * Starts checking every target with bounded concurrency. `done` never rejects: a network
 * outcome is a verdict, a bug in a check is reported on that target, and when the deadline
 * or an interrupt comes, unfinished targets are reported as such.
 */
export function startChecks(targets: readonly Target[], given: RunOptions): Run {
  const options: RunOptions = given.trace === undefined && given.logger.isLevelEnabled('trace') ? { ...given, trace: (subject, phase, event) => given.logger.trace({ target: subject, phase, event }, 'probe event') } : given;
  const controller = new AbortController();
  // Every probe in flight listens on this one signal; hundreds at once is expected.
  setMaxListeners(0, controller.signal);
  let stopCause: StopCause | null = null;
  const stop = (cause: StopCause) => (): void => {
    stopCause ??= cause;
    controller.abort(cause);
  };
  const onOuterAbort = stop('interrupt');
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (options.signal?.aborted) onOuterAbort();
  const deadlineTimer = options.deadlineMs === null ? null : setTimeout(stop('deadline'), options.deadlineMs);
  const slots = createSlots(options.concurrency);
  const context = { settings: options, dnsCache: new DnsCache(options, controller.signal, slots), signal: controller.signal, slots };
  const results: Array<ProbedTarget | undefined> = new Array(targets.length);
  let finished = 0;

  const stopReason = (): string => (stopCause === 'deadline' ? `the ${formatDuration(options.deadlineMs ?? 0)} deadline came first` : 'the run was interrupted');

  const checkOne = async (target: Target, index: number): Promise<void> => {
    // One child logger per target, made only when something is logged at an enabled level:
    // at the default level most runs log nothing, and a child for each of thousands of targets costs memory.
    let child: Logger | undefined;
    const log = (): Logger => (child ??= options.logger.child({ target: target.id }));
    const debug = options.logger.isLevelEnabled('debug');
    let result: ProbedTarget;
    if (target.skipped) {
      result = skippedOutcome(target);
    } else if (target.direction === 'inbound' && !options.inboundFromHere) {
      result = { ...target, ...outcome({ verdict: 'skipped', detail: INBOUND_HELP }) };
    } else if (controller.signal.aborted) {
      result = unfinishedBecause(target, stopReason());
    } else {
      try {
        if (debug) log().debug({ host: target.host, port: target.port, probe: target.probe }, 'checking');
        const checked = await checkTarget(target, context);
        if (checked.reason === 'aborted') result = unfinishedBecause(target, stopReason());
        else result = { ...target, ...checked };
        if (checked.reason === 'internal-error') log().error({ err: probeBug(checked) }, `a probe failed unexpectedly: ${checked.detail}`);
        else if (debug) log().debug({ verdict: result.verdict, reason: result.reason, ms: result.timings.total }, result.detail);
      } catch (error) {
        log().error({ err: error }, 'check failed unexpectedly');
        result = internalError(target, error);
      }
    }
    results[index] = result;
    finished++;
    options.onProgress?.(finished, targets.length, result);
  };

  const snapshot = (why: string): ProbedTarget[] => targets.map((target, index) => results[index] ?? unfinishedBecause(target, why));

  const done = (async (): Promise<ProbedTarget[]> => {
    // Probes honour the abort signal; the grace period only guards against one that does not.
    const settled = Promise.allSettled(targets.map(checkOne));
    const aborted = new Promise<void>((resolve) => controller.signal.addEventListener('abort', () => setTimeout(resolve, 2000).unref(), { once: true }));
    await Promise.race([settled, aborted]);
    clearSlots(slots);
    if (deadlineTimer) clearTimeout(deadlineTimer);
    options.signal?.removeEventListener('abort', onOuterAbort);
    return snapshot(stopReason());
  })();

  return { done, snapshot, stoppedBy: () => stopCause };
}

/** Checks every target; see startChecks. */
export function runChecks(targets: readonly Target[], options: RunOptions): Promise<ProbedTarget[]> {
  return startChecks(targets, options).done;
}
