import type { Phase } from '../model/phases.js';
import { EMPTY_PHASES, type PhaseResults, type TargetOutcome } from '../model/result.js';
import type { ProbeDepth, Target } from '../model/target.js';
import type { CheckContext, CheckSettings } from './context.js';
import { proxyFor } from './proxy.js';
import { accept, connect, exchange, handshake, NOTHING_REACHED, request, requestVia, resolve, resolveDirect, resolveForProxy, type Reached, type ResolveStep, type Step, type StepResult, type Stop, type Warning } from './steps.js';
import { failedAt, outcome } from './verdicts.js';

/** The steps of one target's check, in order, each stopping the check when it decides the target. */
interface Route {
  readonly resolve: ResolveStep;
  /** The step that goes out on the network: mostly waiting, so many run at once (Slots.wait). */
  readonly reach: Step;
  /** Steps over the connection it opened: the CPU-bound part, held to --concurrency (Slots.exchange). */
  readonly exchange: readonly Step[];
}

/** Outbound, straight from here: as deep as the target's probe goes. */
const DIRECT: Record<ProbeDepth, Route> = {
  tcp: { resolve: resolveDirect, reach: connect, exchange: [] },
  http: { resolve: resolveDirect, reach: connect, exchange: [request] },
  https: { resolve: resolveDirect, reach: connect, exchange: [handshake, request] },
  udp: { resolve: resolveDirect, reach: exchange, exchange: [] },
};

/** Inbound (check --inbound-from-here): whether the port lets a connection or a datagram in, whatever it serves. */
const INBOUND: Record<ProbeDepth, Route> = {
  tcp: { resolve, reach: accept, exchange: [] },
  http: { resolve, reach: accept, exchange: [] },
  https: { resolve, reach: accept, exchange: [] },
  udp: { resolve, reach: exchange, exchange: [] },
};

/** Through the web proxy, which does the connecting, tunnelling and TLS inside one request. */
function viaProxy(proxy: string): Route {
  return { resolve: resolveForProxy, reach: requestVia(proxy), exchange: [] };
}

/** Ports a web proxy cannot carry: checked directly, and the report says so. */
function usesProxy(target: Target, settings: CheckSettings): string | null {
  if (target.probe === 'tcp' || target.probe === 'udp' || target.direction === 'inbound') return null;
  return proxyFor(settings.proxy, target.probe, target.host, target.port);
}

function routeFor(target: Target, settings: CheckSettings): Route {
  if (target.direction === 'inbound') return INBOUND[target.probe];
  const proxy = usesProxy(target, settings);
  return proxy === null ? DIRECT[target.probe] : viaProxy(proxy);
}

/** The steps' findings added up, in the order they ran, into the target's outcome. */
class Tally {
  #phases: Partial<PhaseResults> = {};
  #timings: Partial<Record<Phase, number>> = {};
  readonly #warnings: Warning[] = [];
  /** Tries of the phase that decided: the step that stopped the check, else the first step that counted its tries. */
  #attempts: number | undefined;
  #via: 'direct' | 'proxy' = 'direct';
  #detail = '';
  reached: Reached = NOTHING_REACHED;

  /** Takes one step's findings; returns how the check ends, if it ends there. */
  add(step: StepResult): Stop | undefined {
    this.#phases = { ...this.#phases, ...step.phases };
    this.#timings = { ...this.#timings, ...step.timings };
    this.#warnings.push(...step.warnings);
    if (step.stop !== undefined) this.#attempts = step.attempts ?? this.#attempts;
    else this.#attempts ??= step.attempts;
    if (step.via !== undefined) this.#via = step.via;
    if (step.detail !== undefined) this.#detail = step.detail;
    if (step.reached !== undefined) this.reached = { ...this.reached, ...step.reached };
    return step.stop;
  }

  outcome(stop?: Stop): TargetOutcome {
    const phases: PhaseResults = { ...EMPTY_PHASES, ...this.#phases };
    const timings = { ...this.#timings, total: Object.values(this.#timings).reduce((sum, ms) => sum + (ms ?? 0), 0) };
    const warnings = this.#warnings.map((w) => w.text);
    const rest = { phases, timings, warnings, via: this.#via, attempts: this.#attempts ?? 1 };
    if (stop === undefined) {
      const first = this.#warnings[0];
      return outcome({ ...rest, verdict: first ? 'warning' : 'reachable', phase: first ? first.phase : null, detail: this.#detail });
    }
    if (!('failure' in stop)) return outcome({ ...rest, verdict: stop.verdict, reason: stop.reason, phase: stop.phase, detail: stop.detail });
    const failed = failedAt(stop.failure, rest);
    return stop.detail === undefined ? failed : { ...failed, detail: stop.detail };
  }
}

/** DNS, then TCP to every address, then TLS and HTTP on HTTPS ports, stopping at the first failure; or DNS, then UDP to every address. */
export async function checkTarget(target: Target, context: CheckContext): Promise<TargetOutcome> {
  const { dialPort, showCatalogPorts } = context.settings;
  const checked = await checkTargetAt(target, context);
  return dialPort === undefined || showCatalogPorts !== true ? checked : atCatalogPort(checked, target.port, dialPort(target.port));
}

/**
 * Where the demo serves a catalog port at a port of its own (445 at 20445, needing no root),
 * the sentences a person reads name the catalog's port, as on a real network: the dialled one
 * stays in the phases' evidence. Each catalog port has a dialled port of its own, so this is
 * the exact inverse of the mapping.
 */
function atCatalogPort(checked: TargetOutcome, port: number, dialled: number): TargetOutcome {
  if (dialled === port) return checked;
  // After a host, an IPv4 address or `]`, never inside an IPv6 address (whose groups are at most four digits).
  const pattern = new RegExp(`(?<=[A-Za-z0-9.\\]]):${dialled}(?![0-9])`, 'g');
  const shown = (text: string): string => text.replace(pattern, `:${port}`);
  return { ...checked, detail: shown(checked.detail), warnings: checked.warnings.map(shown) };
}

async function checkTargetAt(target: Target, context: CheckContext): Promise<TargetOutcome> {
  const route = routeFor(target, context.settings);
  const tally = new Tally();
  const resolved = tally.add(await route.resolve(target, context));
  if (resolved !== undefined) return tally.outcome(resolved);
  return context.slots.wait(async () => {
    try {
      const reached = tally.add(await route.reach(target, tally.reached, context));
      if (reached !== undefined || route.exchange.length === 0) return tally.outcome(reached);
      // The connection stays open while it waits for an exchange slot.
      return await context.slots.exchange(async () => {
        for (const step of route.exchange) {
          const stop = tally.add(await step(target, tally.reached, context));
          if (stop !== undefined) return tally.outcome(stop);
        }
        return tally.outcome();
      });
    } finally {
      // A connection no step took over (a bare TCP port's, or one left by a step that threw).
      tally.reached.socket?.destroy();
    }
  });
}
