/** Why a probe stopped early: its own time budget ran out, or the caller cancelled it. */
export type Interruption = 'timeout' | 'aborted';

/**
 * One probe's time budget merged with the caller's cancel signal, so each prober listens
 * to a single signal yet can still tell "timed out" (a finding) from "aborted" (not one).
 * Always dispose(): it owns a timer and a listener on the caller's signal.
 */
export class Deadline {
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  readonly #controller = new AbortController();
  readonly #outer: AbortSignal | undefined;
  readonly #expiresAt: number;
  #timer: NodeJS.Timeout | null = null;
  #interruption: Interruption | null = null;

  constructor(timeoutMs: number, outer?: AbortSignal) {
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new RangeError(`timeoutMs must be a positive number, got ${timeoutMs}`);
    }
    this.timeoutMs = timeoutMs;
    this.signal = this.#controller.signal;
    this.#outer = outer;
    this.#expiresAt = performance.now() + timeoutMs;
    if (outer?.aborted) {
      this.#interrupt('aborted');
      return;
    }
    outer?.addEventListener('abort', this.#onOuterAbort, { once: true });
    this.#timer = setTimeout(() => this.#interrupt('timeout'), timeoutMs);
  }

  get interruption(): Interruption | null {
    return this.#interruption;
  }

  remainingMs(): number {
    return Math.max(0, this.#expiresAt - performance.now());
  }

  dispose(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#outer?.removeEventListener('abort', this.#onOuterAbort);
  }

  readonly #onOuterAbort = (): void => {
    this.#interrupt('aborted');
  };

  #interrupt(why: Interruption): void {
    if (this.#interruption !== null) return;
    this.#interruption = why;
    this.dispose();
    this.#controller.abort(why);
  }
}
