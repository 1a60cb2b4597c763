import { setMaxListeners } from 'node:events';
import type net from 'node:net';
import pLimit, { type LimitFunction } from 'p-limit';
import type { Logger } from 'pino';
import { resolveHost, isPrivateAddress, type DnsServer } from '../probers/dns.js';
import { probeHttp } from '../probers/http.js';
import { type DnsResult, type HttpResult, type Phase, type PhaseFailure, type PhaseResult, type TcpResult, type TlsResult } from '../model/phases.js';
import { connectTcp, type TcpConnection } from '../probers/tcp.js';
import { probeTls } from '../probers/tls.js';
import { maskProxyUrl, proxyFor, type ProxyConfig } from './proxy.js';
import { EMPTY_PHASES, type CheckedTarget, type PhaseResults, type TargetOutcome } from '../model/result.js';
import type { Target } from '../model/target.js';
import { formatDuration } from '../model/duration.js';
import { remediesFor } from './remedies.js';
import { formatEndpoint } from '../model/hosts.js';
import type { ReasonCode } from '../model/reasons.js';

export interface RunOptions {
  readonly concurrency: number;
  /** Budget of each phase of each target. */
  readonly timeoutMs: number;
  /** Extra tries for a phase that timed out, so one lost packet does not fail a target. */
  readonly retries: number;
  /** The whole run's budget; unfinished targets are reported as such. */
  readonly deadlineMs: number | null;
  readonly dnsServers?: readonly DnsServer[];
  readonly ca?: readonly string[];
  readonly proxy: ProxyConfig;
  /** With a private endpoint the workspace's own hosts must resolve to private addresses. */
  readonly privateEndpoint: boolean;
  /** Inbound ports are only checked from outside the node (check --inbound-from-here). */
  readonly inboundFromHere: boolean;
  /** Ctrl-C, or a caller's own cancel. */
  readonly signal?: AbortSignal;
  readonly logger: Logger;
  readonly onProgress?: (done: number, total: number, target: CheckedTarget) => void;
  /**
   * Whether an issuer subject vouches on its own (public roots, --ca-file); a handshake
   * trusted through any other CA is reported as TLS inspection. Unset: no such check.
   */
  readonly isVouchedIssuer?: (issuer: string) => boolean;
  /** Where a catalog port is really served; only the demo maps ports. */
  readonly dialPort?: (port: number) => number;
}

/**
 * Bounds on what is in flight. A TLS handshake or an HTTP exchange costs CPU and is held
 * to --concurrency; a connection mostly waits (a dropped SYN costs a whole timeout and
 * nothing else), so many more targets may be connecting, or connected and queued for an
 * exchange, at once. Without that, 60 dropped ports would hold every slot for a timeout
 * each and the run would take several timeouts instead of one. The wait bound also caps
 * the sockets open at once, far below the usual limit of 1024 descriptors.
 */
interface Slots {
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

/** Ports a web proxy cannot carry: checked directly, and the report says so. */
function usesProxy(target: Target, options: RunOptions): string | null {
  if (target.probe === 'tcp' || target.direction === 'inbound') return null;
  return proxyFor(options.proxy, target.probe, target.host, target.port);
}

function isTimeout(result: PhaseResult<unknown>): boolean {
  return !result.ok && result.reason.endsWith('-timeout');
}

/** Runs a phase again when it timed out, up to `retries` more times; returns the last result and the count. */
/** `ms` is the time spent over every try: what the phase cost the run. */
async function withRetries<R extends PhaseResult<unknown>>(retries: number, signal: AbortSignal, attempt: () => Promise<R>): Promise<{ result: R; attempts: number; ms: number }> {
  const started = performance.now();
  let attempts = 1;
  let result = await attempt();
  while (isTimeout(result) && attempts <= retries && !signal.aborted) {
    attempts++;
    result = await attempt();
  }
  return { result, attempts, ms: Math.round(performance.now() - started) };
}

function outcome(partial: Partial<TargetOutcome> & Pick<TargetOutcome, 'verdict' | 'detail'>): TargetOutcome {
  return {
    reason: null,
    phase: null,
    warnings: [],
    fix: [],
    via: 'direct',
    attempts: 1,
    timings: {},
    phases: EMPTY_PHASES,
    ...partial,
  };
}

function blocked(failure: PhaseFailure<unknown>, rest: Partial<TargetOutcome>): TargetOutcome {
  const verdict = failure.reason === 'aborted' ? 'skipped' : 'blocked';
  return outcome({ ...rest, verdict, reason: failure.reason, phase: failure.phase, detail: failure.message });
}

function urlFor(target: Target): string {
  const scheme = target.probe === 'https' ? 'https' : 'http';
  const defaultPort = scheme === 'https' ? 443 : 80;
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  return `${scheme}://${host}${target.port === defaultPort ? '' : `:${target.port}`}${target.path ?? '/'}`;
}

/** One resolution per host per run, shared by every target on that host. */
class DnsCache {
  readonly #results = new Map<string, Promise<{ result: DnsResult; attempts: number; ms: number }>>();

  constructor(
    private readonly options: RunOptions,
    private readonly signal: AbortSignal,
    private readonly slots: Slots,
  ) {}

  resolve(host: string): Promise<{ result: DnsResult; attempts: number; ms: number }> {
    let pending = this.#results.get(host);
    if (!pending) {
      pending = this.slots.dns(() =>
        withRetries(this.options.retries, this.signal, () => resolveHost({ host }, { servers: this.options.dnsServers, timeoutMs: this.options.timeoutMs, signal: this.signal })),
      );
      this.#results.set(host, pending);
    }
    return pending;
  }
}

function privateEndpointProblem(target: Target, dns: DnsResult, options: RunOptions): string | null {
  if (!options.privateEndpoint || !target.workspaceResource || !dns.ok || dns.details.ipLiteral) return null;
  const publicOnes = dns.details.addresses.filter((a) => !isPrivateAddress(a));
  if (publicOnes.length === 0) return null;
  const chain = dns.details.cnameChain.length > 0 ? ` via ${dns.details.cnameChain.join(' -> ')}` : '';
  const privatelink = dns.details.cnameChain.some((name) => name.includes('.privatelink.'));
  return (
    `${target.host} resolves to public ${publicOnes.join(', ')}${chain} at ${dns.details.answeredBy ?? 'the resolver'}; ` +
    `with a private endpoint it must resolve to a private address` +
    (privatelink ? ' (the privatelink zone answers with a public record)' : ' (no privatelink zone answered: check the conditional forwarder or private DNS zone link)')
  );
}

function dnsWarnings(dns: DnsResult): string[] {
  if (!dns.details.serversDisagree) return [];
  const said = dns.details.servers.map((s) => `${s.server} said ${s.ok ? s.addresses.join(', ') || 'nothing' : (s.reason ?? 'error')}`);
  return [`DNS servers disagree: ${said.join('; ')}`];
}

function inspectionWarning(target: Target, tls: TlsResult, options: RunOptions): string | null {
  if (!options.isVouchedIssuer || !tls.ok) return null;
  const top = tls.details.issuerChain.at(-1) ?? tls.details.certificate?.issuer;
  if (top === undefined || options.isVouchedIssuer(top)) return null;
  return `TLS to ${target.host} is re-signed by "${top}", trusted only through this machine's CA store: TLS inspection; pip, conda and Docker on the compute may reject it`;
}

/** Connects to every address; keeps the first socket (in address order) that connected, closes the rest. */
type OpenConnection = Extract<TcpConnection, { socket: object }>;

async function connectAll(target: Target, addresses: readonly string[], options: RunOptions, signal: AbortSignal): Promise<{ results: TcpResult[]; connection: OpenConnection | null; attempts: number; ms: number }> {
  const port = options.dialPort?.(target.port) ?? target.port;
  const tries = await Promise.all(
    addresses.map(async (address) => {
      let connection: TcpConnection | undefined;
      const { attempts, ms } = await withRetries(options.retries, signal, async () => {
        connection = await connectTcp({ address, port }, { timeoutMs: options.timeoutMs, signal });
        return connection.result;
      });
      return { connection: connection as TcpConnection, attempts, ms };
    }),
  );
  const chosen = (tries.find((t) => t.connection.socket !== null)?.connection ?? null) as OpenConnection | null;
  for (const t of tries) if (t.connection !== chosen) t.connection.socket?.destroy();
  return {
    results: tries.map((t) => t.connection.result),
    connection: chosen,
    attempts: Math.max(...tries.map((t) => t.attempts)),
    ms: Math.max(...tries.map((t) => t.ms)),
  };
}

async function checkInbound(target: Target, dnsCache: DnsCache, options: RunOptions, signal: AbortSignal, slots: Slots): Promise<TargetOutcome> {
  // --inbound-from-here takes a name too; it is resolved like any host.
  const { result: dns, ms: dnsMs } = await dnsCache.resolve(target.host);
  if (!dns.ok) return blocked(dns, { phases: { ...EMPTY_PHASES, dns }, timings: { dns: dnsMs, total: dnsMs } });
  const { results, connection, attempts, ms } = await slots.wait(() => connectAll(target, dns.details.addresses, options, signal));
  connection?.socket?.destroy();
  const tcp = results.find((r) => r.ok) ?? (results[0] as TcpResult);
  const phases: PhaseResults = { ...EMPTY_PHASES, dns, tcp: results };
  const timings = { dns: dnsMs, tcp: ms, total: dnsMs + ms };
  if (!tcp.ok) return blocked(tcp, { phases, timings, attempts });
  return outcome({ verdict: 'reachable', detail: `inbound port ${target.port} on ${target.host} accepted a connection from here`, phases, timings, attempts });
}

async function checkViaProxy(target: Target, proxy: string, dns: DnsResult | null, warnings: string[], options: RunOptions, signal: AbortSignal, slots: Slots): Promise<TargetOutcome> {
  // Through a proxy the wait is for the proxy to reach the host: mostly waiting.
  const { result: http, attempts, ms } = await slots.wait(() =>
    withRetries(options.retries, signal, () => probeHttp({ url: urlFor(target) }, { timeoutMs: options.timeoutMs, signal, ca: options.ca, proxy: { url: proxy } })),
  );
  const phases: PhaseResults = { ...EMPTY_PHASES, dns, http };
  const timings = { dns: dns?.ms, http: ms, total: (dns?.ms ?? 0) + ms };
  const via = 'proxy' as const;
  if (!http.ok) return blocked(http, { phases, timings, via, attempts, warnings });
  const detail = `HTTP ${http.details.status ?? '?'} from ${target.host} through proxy ${maskProxyUrl(proxy)}`;
  return outcome({ verdict: warnings.length > 0 ? 'warning' : 'reachable', phase: warnings.length > 0 ? 'dns' : null, detail, phases, timings, via, attempts, warnings });
}

/** DNS, then TCP to every address, then TLS and HTTP on HTTPS ports, stopping at the first failure. */
async function checkTarget(target: Target, dnsCache: DnsCache, options: RunOptions, signal: AbortSignal, slots: Slots): Promise<TargetOutcome> {
  if (target.direction === 'inbound') return checkInbound(target, dnsCache, options, signal, slots);
  const proxy = usesProxy(target, options);
  const { result: dns, attempts: dnsAttempts, ms: dnsMs } = await dnsCache.resolve(target.host);
  const warnings = dns.ok ? dnsWarnings(dns) : [];
  if (!dns.ok) {
    // Behind a proxy only the proxy needs to resolve public names.
    if (proxy && dns.reason !== 'aborted') return checkViaProxy(target, proxy, dns, [`${target.host} does not resolve here (${dns.reason}); the proxy resolves it`], options, signal, slots);
    return blocked(dns, { phases: { ...EMPTY_PHASES, dns }, timings: { dns: dnsMs, total: dnsMs }, attempts: dnsAttempts });
  }
  const notPrivate = privateEndpointProblem(target, dns, options);
  if (notPrivate) {
    return outcome({ verdict: 'blocked', reason: 'dns-not-private', phase: 'dns', detail: notPrivate, phases: { ...EMPTY_PHASES, dns }, timings: { dns: dnsMs, total: dnsMs } });
  }
  if (proxy) return checkViaProxy(target, proxy, dns, warnings, options, signal, slots);
  // Not a warning: the proxy simply cannot carry this port, so direct is the only path there is.
  const directNote = target.probe === 'tcp' && options.proxy.https !== null ? ` (checked directly: a web proxy cannot carry port ${target.port})` : '';
  return slots.wait(() => checkDirect(target, dns, dnsMs, warnings, directNote, options, signal, slots));
}

/** TCP to every address, then TLS and HTTP over the first connection that opened. */
async function checkDirect(
  target: Target,
  dns: Extract<DnsResult, { ok: true }>,
  dnsMs: number,
  warnings: string[],
  directNote: string,
  options: RunOptions,
  signal: AbortSignal,
  slots: Slots,
): Promise<TargetOutcome> {
  const { results: tcp, connection, attempts, ms: tcpMs } = await connectAll(target, dns.details.addresses, options, signal);
  const timings: Partial<Record<Phase | 'total', number>> = { dns: dnsMs, tcp: tcpMs };
  const total = (): number => Object.entries(timings).reduce((sum, [k, v]) => (k === 'total' ? sum : sum + (v ?? 0)), 0);
  if (!connection) {
    timings.total = total();
    return blocked(tcp[0] as PhaseFailure<unknown>, { phases: { ...EMPTY_PHASES, dns, tcp }, timings, attempts, warnings });
  }
  const failedAddresses = tcp.filter((r) => !r.ok);
  if (failedAddresses.length > 0) {
    warnings.push(`${failedAddresses.length} of ${tcp.length} addresses failed: ${failedAddresses.map((r) => (r.ok ? '' : r.message)).join('; ')}`);
  }
  const address = connection.result.details.address;

  // TLS and HTTP are the CPU-bound part: they wait for an exchange slot, the socket kept open.
  return slots.exchange(async () => {
    let open: net.Socket | null = null;
    let tls: TlsResult | null = null;
    if (target.probe === 'https') {
      tls = await probeTls(
        { host: target.host, address, port: options.dialPort?.(target.port) ?? target.port },
        { timeoutMs: options.timeoutMs, signal, ca: options.ca, socket: connection.socket, keepOpen: (socket) => (open = socket) },
      );
      timings.tls = tls.ms;
      if (!tls.ok) {
        timings.total = total();
        return blocked(tls, { phases: { ...EMPTY_PHASES, dns, tcp, tls }, timings, attempts, warnings });
      }
      const inspection = inspectionWarning(target, tls, options);
      if (inspection) warnings.push(inspection);
    } else if (target.probe === 'http') {
      open = connection.socket;
    } else {
      connection.socket.destroy();
    }

    let http: HttpResult | null = null;
    if (target.probe !== 'tcp') {
      const port = options.dialPort?.(target.port) ?? target.port;
      const url = options.dialPort ? urlFor({ ...target, port }) : urlFor(target);
      // The first try reuses the verified connection: one handshake per target, not two.
      const retried = await withRetries(options.retries, signal, () => {
        const socket = open ?? undefined;
        open = null;
        return probeHttp({ url, address }, { timeoutMs: options.timeoutMs, signal, ca: options.ca, socket });
      });
      http = retried.result;
      timings.http = retried.ms;
      if (!http.ok) {
        timings.total = total();
        return blocked(http, { phases: { dns, tcp, tls, http }, timings, attempts: retried.attempts, warnings });
      }
    }
    timings.total = total();
    const endpoint = formatEndpoint(address, target.port);
    const detail =
      http !== null
        ? `HTTP ${http.details.status ?? '?'} from ${endpoint}${tls?.ok ? ` over ${tls.details.protocol ?? 'TLS'}, certificate issued by ${tls.details.certificate?.issuer ?? 'unknown'}` : ''}`
        : `TCP connect to ${endpoint} in ${formatDuration(timings.tcp ?? 0)}${directNote}`;
    const warnedPhase = dns.details.serversDisagree ? 'dns' : tcp.some((r) => !r.ok) ? 'tcp' : 'tls';
    return outcome({ verdict: warnings.length > 0 ? 'warning' : 'reachable', phase: warnings.length > 0 ? warnedPhase : null, detail, warnings, phases: { dns, tcp, tls, http }, timings, attempts });
  });
}

function skippedOutcome(target: Target): TargetOutcome {
  return outcome({ verdict: 'skipped', detail: target.skipped ? `${target.skipped.reason}${target.skipped.flag ? ` (add ${target.skipped.flag})` : ''}` : 'skipped' });
}

const INBOUND_HELP = 'inbound ports are checked from outside the node: run `aml-netcheck listen` on the node, or `aml-netcheck check --inbound-from-here NODE_IP` from outside';

/**
 * Checks every target with bounded concurrency. Never rejects: a network outcome is a
 * verdict, a bug in a check is logged and reported on that target, and when the
 * deadline or an interrupt comes, unfinished targets are reported as aborted.
 */
export async function runChecks(targets: readonly Target[], options: RunOptions): Promise<CheckedTarget[]> {
  const controller = new AbortController();
  // Every probe in flight listens on this one signal; hundreds at once is expected.
  setMaxListeners(0, controller.signal);
  const abort = (why: string) => () => controller.abort(why);
  const onOuterAbort = abort('interrupted');
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (options.signal?.aborted) controller.abort('interrupted');
  const deadlineTimer = options.deadlineMs === null ? null : setTimeout(abort('deadline'), options.deadlineMs);
  const concurrency = Math.max(1, options.concurrency);
  const slots: Slots = { exchange: pLimit(concurrency), wait: pLimit(concurrency * WAITING_PER_EXCHANGE), dns: pLimit(Math.min(DNS_IN_FLIGHT, concurrency * WAITING_PER_EXCHANGE)) };
  const dnsCache = new DnsCache(options, controller.signal, slots);
  const results: Array<CheckedTarget | undefined> = new Array(targets.length);
  let done = 0;

  const unfinished = (target: Target): CheckedTarget => {
    const why = controller.signal.reason === 'deadline' ? `the ${formatDuration(options.deadlineMs ?? 0)} deadline` : 'the interrupt';
    return { ...target, ...outcome({ verdict: 'skipped', reason: 'aborted', detail: `not finished before ${why}` }) };
  };

  const work = targets.map(async (target, index) => {
    // One child logger per target, made only when something is logged at an enabled level:
    // at the default level most runs log nothing, and a child for each of thousands of targets costs memory.
    let child: Logger | undefined;
    const log = (): Logger => (child ??= options.logger.child({ target: target.id }));
    const debug = options.logger.isLevelEnabled('debug');
    let result: CheckedTarget;
    if (target.skipped) {
      result = { ...target, ...skippedOutcome(target) };
    } else if (target.direction === 'inbound' && !options.inboundFromHere) {
      result = { ...target, ...outcome({ verdict: 'skipped', detail: INBOUND_HELP }) };
    } else if (controller.signal.aborted) {
      result = unfinished(target);
    } else {
      try {
        if (debug) log().debug({ host: target.host, port: target.port, probe: target.probe }, 'checking');
        const checked = await checkTarget(target, dnsCache, options, controller.signal, slots);
        result = checked.reason === 'aborted' ? unfinished(target) : { ...target, ...checked, fix: remediesFor(target, checked.reason) };
        if (debug) log().debug({ verdict: result.verdict, reason: result.reason, ms: result.timings.total }, result.detail);
      } catch (error) {
        // A throw here is a bug in a prober; the run goes on and the report says so.
        log().error({ err: error }, 'check failed unexpectedly');
        result = { ...target, ...outcome({ verdict: 'warning', reason: 'internal-error', detail: `aml-netcheck failed to check this target: ${(error as Error).message}` }) };
      }
    }
    results[index] = result;
    done++;
    options.onProgress?.(done, targets.length, result);
  });

  // Probes honour the abort signal; the grace period only guards against one that does not.
  const settled = Promise.allSettled(work);
  const aborted = new Promise<void>((resolve) => controller.signal.addEventListener('abort', () => setTimeout(resolve, 2000).unref(), { once: true }));
  await Promise.race([settled, aborted]);
  slots.exchange.clearQueue();
  slots.wait.clearQueue();
  slots.dns.clearQueue();
  if (deadlineTimer) clearTimeout(deadlineTimer);
  options.signal?.removeEventListener('abort', onOuterAbort);
  return targets.map((target, index) => results[index] ?? unfinished(target));
}

export type { ReasonCode };
