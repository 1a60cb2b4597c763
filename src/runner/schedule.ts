import pLimit, { type LimitFunction } from 'p-limit';
import type { PhaseResult } from '../model/phases.js';

/**
 * Bounds on what is in flight. A TLS handshake or an HTTP exchange costs CPU and is held
 * to --concurrency; a connection mostly waits (a dropped SYN costs a whole timeout and
 * nothing else), so many more targets may be connecting, or connected and queued for an
 * exchange, at once. Without that, 60 dropped ports would hold every slot for a timeout
 * each and the run would take several timeouts instead of one. The wait bound also caps
 * the sockets open at once, far below the usual limit of 1024 descriptors.
 */
export interface Slots {
  readonly exchange: LimitFunction;
  readonly wait: LimitFunction;
  readonly dns: LimitFunction;
}

/**
 * Host names resolved at once (each is an A and an AAAA query). A resolver on a VM drops
 * UDP queries that arrive faster than it reads them: a burst of hundreds from us would
 * make it look lossy, and cost a retransmit, when it is not.
 */
const DNS_IN_FLIGHT = 64;

/** How many more waiting operations than exchanges may be in flight. */
const WAITING_PER_EXCHANGE = 8;

export function createSlots(concurrency: number): Slots {
  const exchanges = Math.max(1, concurrency);
  return {
    exchange: pLimit(exchanges),
    wait: pLimit(exchanges * WAITING_PER_EXCHANGE),
    dns: pLimit(Math.min(DNS_IN_FLIGHT, exchanges * WAITING_PER_EXCHANGE)),
  };
}

export function clearSlots(slots: Slots): void {
  slots.exchange.clearQueue();
  slots.wait.clearQueue();
  slots.dns.clearQueue();
}

function isTimeout(result: PhaseResult<unknown>): boolean {
  return !result.ok && result.reason.endsWith('-timeout');
}

/**
 * Runs a phase again when it timed out, up to `retries` more times, so one lost packet does
 * not fail a target. `ms` is the time spent over every try: what the phase cost the run.
 */
export async function withRetries<R extends PhaseResult<unknown>>(retries: number, signal: AbortSignal, attempt: () => Promise<R>): Promise<{ result: R; attempts: number; ms: number }> {
  const started = performance.now();
  let attempts = 1;
  let result = await attempt();
  while (isTimeout(result) && attempts <= retries && !signal.aborted) {
    attempts++;
    result = await attempt();
  }
  return { result, attempts, ms: Math.round(performance.now() - started) };
}
