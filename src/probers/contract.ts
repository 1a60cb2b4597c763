import { Deadline, type Interruption } from './deadline.js';
import { fail, startClock, type Phase, type PhaseFailure, type PhaseResult } from '../model/phases.js';
import { errorCode, errorMessage } from './errors.js';

export type { Interruption } from './deadline.js';

/**
 * Called by a prober at each I/O event, synchronously inside the handler, and awaited at each
 * async checkpoint. Tracing and fault injection share it: a trace that throws is a handler that
 * throws, a trace that rejects is a promise that rejects.
 */
export type Trace = (event: string) => void | Promise<void>;

/** What every prober takes besides its target. */
export interface ProbeContext {
  /** Budget of this one phase. */
  readonly timeoutMs: number;
  /** The caller's cancel signal (run deadline, interrupt): ends the phase as `aborted`, not as a timeout. */
  readonly signal?: AbortSignal;
  readonly trace?: Trace;
}

/** A prober: one protocol, one target, one phase result; never throws for a network outcome. */
export type Prober<T, C extends ProbeContext, D> = (target: T, context: C) => Promise<PhaseResult<D>>;

/** Sockets and the like a probe closes when it settles: net/tls sockets, dgram sockets, undici agents. */
export type Resource = { destroy(): unknown } | { close(): unknown };

type Listenable = Pick<NodeJS.EventEmitter, 'on' | 'off'>;

export interface ProbeSpec<D> {
  readonly phase: Phase;
  /** The operation and its target, as messages start: `connect to 10.0.0.4:443`, `HTTP request to https://…`. */
  readonly what: string;
  readonly context: ProbeContext;
  /** The evidence gathered so far: an internal error or an early abort keeps it. */
  readonly details: () => D;
  /**
   * The failure a timeout or an abort ends the phase with. Omitted when the body turns the
   * interruption into a result itself (it sees `scope.signal`), because only it holds the
   * evidence (which DNS server was silent, how far the HTTP exchange got).
   */
  readonly interrupted?: (why: Interruption, ms: number) => PhaseFailure<D>;
  /** Resources the caller handed in: closed on settle unless the body releases them. */
  readonly owns?: readonly (Resource | undefined)[];
  /** Removes secrets (proxy credentials) from the messages this helper writes. */
  readonly scrub?: (message: string) => string;
}

/** A failure that is our bug, not a network finding; keeps the thrown value for the log. */
export interface InternalFailure<D> extends PhaseFailure<D> {
  readonly reason: 'internal-error';
  readonly error: unknown;
}

/** The value thrown behind an internal-error result, when there is one; not part of the JSON report. */
export function internalErrorOf(result: PhaseResult<unknown>): unknown {
  return !result.ok && result.reason === 'internal-error' ? (result as Partial<InternalFailure<unknown>>).error : undefined;
}

/**
 * The one running probe: owns its Deadline, settles exactly once, and on settling removes the
 * listeners it installed and closes the resources it was given. Every handler installed through
 * it is guarded: a throw becomes an `internal-error` result, never an uncaught exception and
 * never a success.
 */
export class ProbeScope<D> {
  readonly deadline: Deadline;
  readonly elapsed: () => number;
  readonly #spec: ProbeSpec<D>;
  readonly #resolve: (result: PhaseResult<D>) => void;
  readonly #listeners: Array<() => void> = [];
  readonly #resources = new Set<Resource>();
  readonly #cleanups: Array<() => unknown> = [];
  #settled = false;

  constructor(spec: ProbeSpec<D>, resolve: (result: PhaseResult<D>) => void) {
    this.#spec = spec;
    this.#resolve = resolve;
    this.elapsed = startClock();
    this.deadline = new Deadline(spec.context.timeoutMs, spec.context.signal);
    for (const resource of spec.owns ?? []) if (resource !== undefined) this.#resources.add(resource);
  }

  get signal(): AbortSignal {
    return this.deadline.signal;
  }

  get settled(): boolean {
    return this.#settled;
  }

  /** Ends the probe with this result; later calls are ignored. */
  settle(result: PhaseResult<D>): void {
    if (this.#settled) return;
    this.#settled = true;
    this.deadline.dispose();
    for (const remove of [...this.#listeners]) remove();
    // Closed on the next turn: destroying a socket under a TLS socket from inside one of its own
    // callbacks (where a crash can land) kills Node with SIGSEGV.
    const resources = [...this.#resources];
    this.#resources.clear();
    if (resources.length > 0) setImmediate(() => resources.forEach(closeQuietly));
    for (const cleanup of this.#cleanups.splice(0)) {
      try {
        void Promise.resolve(cleanup()).catch(ignore);
      } catch {
        // Cleanup is best effort: the result is already decided.
      }
    }
    this.#resolve(result);
  }

  /** Turns anything thrown or rejected into the phase's internal-error result. */
  crash(error: unknown): void {
    if (this.#settled) return;
    const { phase, what } = this.#spec;
    const scrub = this.#spec.scrub ?? ((text: string) => text);
    const named = error instanceof Error ? `${error.name}: ${error.message}` : errorMessage(error);
    const failure = fail(phase, this.elapsed(), 'internal-error', scrub(`aml-netcheck failed in the ${phase} phase (${what}): ${named}`), errorCode(error) ?? (error instanceof Error ? error.name : null), this.#currentDetails());
    // Not enumerable: the report's JSON keeps its shape, the log still gets the stack.
    this.settle(Object.defineProperty(failure, 'error', { value: error, enumerable: false }) as InternalFailure<D>);
  }

  /** Wraps a callback handed to code we do not control (undici's connector, a socket callback). */
  guard<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R | undefined {
    return (...args: A): R | undefined => {
      if (this.#settled) return undefined;
      try {
        return fn(...args);
      } catch (error) {
        this.crash(error);
        return undefined;
      }
    };
  }

  /**
   * Installs a guarded handler that traces `name` (default: the event) before it runs, so no
   * handler can skip the hook; removed on settle.
   */
  on<A extends unknown[]>(emitter: Listenable, event: string, handler: (...args: A) => void, name: string = event): () => void {
    const wrapped = this.guard((...args: A) => this.traced(name, () => handler(...args))) as (...args: unknown[]) => void;
    emitter.on(event, wrapped);
    return this.#track(() => emitter.off(event, wrapped));
  }

  /** Like `on`, for one occurrence. */
  once<A extends unknown[]>(emitter: Listenable, event: string, handler: (...args: A) => void, name: string = event): () => void {
    let fired = false;
    return this.on(
      emitter,
      event,
      (...args: A) => {
        if (fired) return;
        fired = true;
        handler(...args);
      },
      name,
    );
  }

  /** Runs when the deadline expires or the caller aborts, before the spec's interrupted failure (if any) settles. */
  onInterrupt(handler: (why: Interruption) => void): () => void {
    const listener = this.guard(() => this.traced('interrupt', () => handler(this.deadline.interruption ?? 'aborted')));
    this.signal.addEventListener('abort', listener, { once: true });
    return this.#track(() => this.signal.removeEventListener('abort', listener));
  }

  /** Keeps a listener's removal for settle; the returned function removes it earlier. */
  #track(remove: () => void): () => void {
    let removed = false;
    const once = (): void => {
      if (removed) return;
      removed = true;
      remove();
      const index = this.#listeners.indexOf(once);
      if (index >= 0) this.#listeners.splice(index, 1);
    };
    this.#listeners.push(once);
    return once;
  }

  /**
   * Runs `fn`, the body of a handler, after telling the trace hook. A throwing hook is a throwing
   * handler. A hook that returns a promise holds the handler until it settles, so a rejection
   * ends the probe as an internal error before the handler could settle it otherwise.
   */
  traced(name: string, fn: () => void): void {
    const outcome = this.#spec.context.trace?.(name);
    if (isThenable(outcome)) {
      outcome.then(this.guard(fn), (error: unknown) => this.crash(error));
      return;
    }
    fn();
  }

  /** Awaits the trace hook at an async checkpoint of the body. */
  async checkpoint(name: string): Promise<void> {
    await this.#spec.context.trace?.(name);
  }

  /** Closes the resource when the probe settles, unless released first. */
  own<R extends Resource>(resource: R): R {
    if (this.#settled) closeQuietly(resource);
    else this.#resources.add(resource);
    return resource;
  }

  /** The resource is no longer ours to close: handed to the caller, or closed by the body itself. */
  release(resource: Resource | undefined): void {
    if (resource !== undefined) this.#resources.delete(resource);
  }

  /** Runs on settle, after the resources are closed (destroying an undici agent, say). */
  cleanup(fn: () => unknown): void {
    if (this.#settled) fn();
    else this.#cleanups.push(fn);
  }

  #currentDetails(): D {
    try {
      return this.#spec.details();
    } catch {
      // The evidence getter is ours too; a result without it beats no result.
      return undefined as D;
    }
  }
}

/**
 * Runs one probe on a ProbeScope. The body installs its handlers through the scope and either
 * returns the result or leaves a handler to settle it; whatever it throws or rejects with is
 * an internal-error result.
 */
export function runProbe<D>(spec: ProbeSpec<D>, body: (scope: ProbeScope<D>) => Promise<PhaseResult<D> | void> | PhaseResult<D> | void): Promise<PhaseResult<D>> {
  return new Promise<PhaseResult<D>>((resolve) => {
    const scope = new ProbeScope(spec, resolve);
    const interruption = scope.deadline.interruption;
    if (interruption !== null) {
      scope.settle(interruption === 'aborted' || spec.interrupted === undefined ? fail(spec.phase, scope.elapsed(), 'aborted', `${spec.what} aborted before it started`, null, spec.details()) : spec.interrupted(interruption, scope.elapsed()));
      return;
    }
    const interrupted = spec.interrupted;
    if (interrupted !== undefined) scope.onInterrupt((why) => scope.settle(interrupted(why, scope.elapsed())));
    let returned: ReturnType<typeof body>;
    try {
      returned = body(scope);
    } catch (error) {
      scope.crash(error);
      return;
    }
    Promise.resolve(returned).then(
      (result) => {
        if (result !== undefined) scope.settle(result);
      },
      (error: unknown) => scope.crash(error),
    );
  });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function closeQuietly(resource: Resource): void {
  try {
    if ('destroy' in resource) void Promise.resolve(resource.destroy()).catch(ignore);
    else void Promise.resolve(resource.close()).catch(ignore);
  } catch {
    // Already closed (a dgram socket throws ERR_SOCKET_DGRAM_NOT_RUNNING): nothing left to free.
  }
}

function ignore(): void {}
