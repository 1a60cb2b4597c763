import type net from 'node:net';
import { probeHttp } from '../probers/http.js';
import { connectTcp, type TcpConnection } from '../probers/tcp.js';
import { probeTls } from '../probers/tls.js';
import { probeUdp } from '../probers/udp.js';
import { udpVerdict } from '../probers/classify/udp.js';
import { formatDuration } from '../model/duration.js';
import { formatEndpoint } from '../model/hosts.js';
import type { DnsResult, Phase, PhaseFailure, TcpResult, TlsResult, UdpResult } from '../model/phases.js';
import type { PhaseResults, Verdict } from '../model/result.js';
import type { ReasonCode } from '../model/reasons.js';
import { bypassesWebProxy, type Target } from '../model/target.js';
import { traceOf, type CheckContext, type CheckSettings, type Resolved } from './context.js';
import { maskedUrl } from '../model/redact.js';
import { hasProxy } from './proxy.js';
import { withRetries } from './schedule.js';
import { computeInstanceAddressWarning, dnsWarnings, everyAddressFailed, inspectionWarning, privateNameProblem, someAddressesFailed, tlsSummary, urlFor } from './verdicts.js';

// The steps of one target's check. Each runs one phase (or, through a proxy, the one exchange
// the proxy carries) and returns what it found; check-target.ts chooses the steps and adds up
// their findings into the target's outcome.

/** A warning and the phase that raised it: a target that ends as a warning is put at its first one's phase. */
export interface Warning {
  readonly phase: Phase;
  readonly text: string;
}

/** How a check ends at a step: a phase's failure decides the target, or the step decides it outright. */
export type Stop = { readonly failure: PhaseFailure<unknown>; readonly detail?: string } | { readonly verdict: Verdict; readonly reason: ReasonCode | null; readonly phase: Phase; readonly detail: string };

/** What a step leaves for the next one. */
export interface Reached {
  /** The resolved name, whose addresses the connecting step dials. */
  readonly dns: Extract<DnsResult, { ok: true }> | null;
  /** The address that connected. */
  readonly address: string | null;
  /** An open connection: the next step takes it over; one no step took is closed at the end. */
  readonly socket: net.Socket | null;
  readonly tls: TlsResult | null;
}

export const NOTHING_REACHED: Reached = { dns: null, address: null, socket: null, tls: null };

export interface StepResult {
  /** The results for the report, by phase. */
  readonly phases: Partial<PhaseResults>;
  /** What each phase cost the run, retries included. */
  readonly timings: Partial<Record<Phase, number>>;
  readonly warnings: readonly Warning[];
  /** Tries of this step's phase, where a timeout is retried. */
  readonly attempts?: number;
  readonly via?: 'proxy';
  /** Set when the check ends at this step. */
  readonly stop?: Stop;
  /** What the check proved, for the report, should it end after this step. */
  readonly detail?: string;
  readonly reached?: Partial<Reached>;
}

export type Step = (target: Target, reached: Reached, context: CheckContext) => Promise<StepResult>;

/** The DNS step; later steps dial what it resolved. */
export type ResolveStep = (target: Target, context: CheckContext) => Promise<StepResult>;

const warned = (phase: Phase, texts: readonly (string | null)[]): Warning[] => texts.flatMap((text) => (text === null ? [] : [{ phase, text }]));

/** What a direct check adds to its detail: why it went direct, and on failure what that means for the fix. */
interface DirectNotes {
  readonly reached: string;
  readonly failed: string;
}

const NO_NOTES: DirectNotes = { reached: '', failed: '' };

/**
 * With a web proxy configured, a bare TCP port or UDP still goes direct, because no web proxy
 * carries it. A failure there is the firewall's direct egress, not the proxy: the detail says so.
 * Not a warning: the proxy simply cannot carry this port, so direct is the only path there is.
 */
function directNotes(target: Target, settings: CheckSettings): DirectNotes {
  if (!hasProxy(settings.proxy) || !bypassesWebProxy(target)) return NO_NOTES;
  const traffic = target.probe === 'udp' ? 'UDP' : `port ${target.port}`;
  return {
    reached: ` (checked directly: a web proxy cannot carry ${traffic})`,
    failed: `; a web proxy cannot carry ${traffic}, so this needs direct egress through the firewall`,
  };
}

/** The DNS phase's findings: later steps dial the addresses it resolved. */
function resolvedAs({ result: dns, attempts, ms }: Resolved): StepResult {
  if (!dns.ok) return { phases: { dns }, timings: { dns: ms }, warnings: [], attempts, stop: { failure: dns } };
  return { phases: { dns }, timings: { dns: ms }, warnings: [], reached: { dns } };
}

/** The name as any client resolves it: an inbound check's peer, which has no name rules to meet. */
export const resolve: ResolveStep = async (target, context) => {
  // --inbound-from-here takes a name too; it is resolved like any host.
  return resolvedAs(await context.dnsCache.resolve(target.host));
};

/** The workspace API's resolution, for comparing a compute instance's private address with it. */
async function workspaceApiAnswer(target: Target, context: CheckContext): Promise<{ host: string; dns: DnsResult } | null> {
  const host = context.settings.workspaceApiHost;
  if (target.privateName !== 'compute-instance' || !target.mustResolvePrivately || !host) return null;
  return { host, dns: (await context.dnsCache.resolve(host)).result };
}

/**
 * An outbound target's name: a private endpoint's must resolve privately, and what the answer
 * shows (a sinkhole, servers that disagree, a compute instance's stale record) is a warning.
 * `viaProxy`: behind a proxy only the proxy needs to resolve public names, so a name that does
 * not resolve here is a warning and the check goes on.
 */
function resolveOutbound(viaProxy: boolean): ResolveStep {
  return async (target, context) => {
    const answer = await context.dnsCache.resolve(target.host);
    const resolved = resolvedAs(answer);
    const dns = answer.result;
    if (!dns.ok) {
      const mayUseProxy = viaProxy && dns.reason !== 'aborted' && dns.reason !== 'internal-error' && !target.mustResolvePrivately;
      if (!mayUseProxy) return resolved;
      return { phases: { dns }, timings: resolved.timings, warnings: warned('dns', [`${target.host} does not resolve here (${dns.reason}); the proxy resolves it`]) };
    }
    const notPrivate = privateNameProblem(target, dns);
    if (notPrivate) return { phases: { dns }, timings: resolved.timings, warnings: [], stop: { verdict: 'blocked', reason: 'dns-not-private', phase: 'dns', detail: notPrivate } };
    const misrouted = computeInstanceAddressWarning(target, dns, await workspaceApiAnswer(target, context));
    return { ...resolved, warnings: warned('dns', [...dnsWarnings(dns), misrouted]) };
  };
}

export const resolveDirect = resolveOutbound(false);
export const resolveForProxy = resolveOutbound(true);

type OpenConnection = Extract<TcpConnection, { socket: object }>;

/** Connects to every address; keeps the first socket (in address order) that connected, closes the rest. */
async function connectAll(target: Target, addresses: readonly string[], context: CheckContext): Promise<{ results: TcpResult[]; connection: OpenConnection | null; attempts: number; ms: number }> {
  const { settings, signal } = context;
  const port = settings.dialPort?.(target.port) ?? target.port;
  const tries = await Promise.all(
    addresses.map(async (address) => {
      let connection: TcpConnection | undefined;
      const { attempts, ms } = await withRetries(settings.retries, signal, async () => {
        connection = await connectTcp({ address, port }, { timeoutMs: settings.timeoutMs, signal, trace: traceOf(settings, target.id, 'tcp') });
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

function addressesOf(reached: Reached): readonly string[] {
  return reached.dns?.details.addresses ?? [];
}

/** TCP to every address, keeping the first connection that opened for the steps after it. */
export const connect: Step = async (target, reached, context) => {
  const { results: tcp, connection, attempts, ms } = await connectAll(target, addressesOf(reached), context);
  const found = { phases: { tcp }, timings: { tcp: ms }, attempts };
  // A bug on any one address is a bug on the target: never a note beside a working address.
  const failures = tcp.filter((r): r is Extract<TcpResult, { ok: false }> => !r.ok);
  const bug = failures.find((r) => r.reason === 'internal-error');
  const notes = directNotes(target, context.settings);
  if (!connection || bug) {
    connection?.socket.destroy();
    if (bug) return { ...found, warnings: [], stop: { failure: bug } };
    return { ...found, warnings: [], stop: { failure: failures[0] as PhaseFailure<unknown>, detail: `${everyAddressFailed(failures)}${notes.failed}` } };
  }
  const address = connection.result.details.address;
  return {
    ...found,
    warnings: warned('tcp', [someAddressesFailed(tcp)]),
    detail: `TCP connect to ${formatEndpoint(address, target.port)} in ${formatDuration(ms)}${notes.reached}`,
    reached: { address, socket: connection.socket },
  };
};

/** An inbound port: one connection from here, on any address, proves it open; it is closed at once. */
export const accept: Step = async (target, reached, context) => {
  const { results, connection, attempts, ms } = await connectAll(target, addressesOf(reached), context);
  connection?.socket?.destroy();
  const tcp = results.find((r) => !r.ok && r.reason === 'internal-error') ?? results.find((r) => r.ok) ?? (results[0] as TcpResult);
  const found = { phases: { tcp: results }, timings: { tcp: ms }, attempts, warnings: [] };
  if (!tcp.ok) return { ...found, stop: { failure: tcp } };
  return { ...found, detail: `inbound port ${target.port} on ${target.host} accepted a connection from here` };
};

/** The TLS handshake over the connection the connect step opened, which it verifies and hands on. */
export const handshake: Step = async (target, reached, context) => {
  const { settings, signal } = context;
  let open: net.Socket | null = null;
  const tls = await probeTls(
    { host: target.host, address: reached.address ?? '', port: settings.dialPort?.(target.port) ?? target.port },
    {
      timeoutMs: settings.timeoutMs,
      signal,
      ca: settings.ca,
      ...(settings.publicRoots === undefined ? {} : { publicRoots: settings.publicRoots }),
      ...(reached.socket === null ? {} : { socket: reached.socket }),
      keepOpen: (socket) => (open = socket),
      trace: traceOf(settings, target.id, 'tls'),
    },
  );
  // The prober owns the connection now: it closed it, or handed it to keepOpen.
  const found = { phases: { tls }, timings: { tls: tls.ms }, reached: { socket: open, tls } };
  if (!tls.ok) return { ...found, warnings: [], stop: { failure: tls } };
  return { ...found, warnings: warned('tls', [settings.publicRoots === undefined ? null : inspectionWarning(target, tls.details)]) };
};

/** The HTTP request, its first try over the connection the steps before left open. */
export const request: Step = async (target, reached, context) => {
  const { settings, signal } = context;
  const dialled = settings.dialPort?.(target.port) ?? target.port;
  const url = settings.dialPort ? urlFor({ ...target, port: dialled }) : urlFor(target);
  const address = reached.address ?? '';
  // The first try reuses the verified connection: one handshake per target, not two.
  let open = reached.socket;
  const {
    result: http,
    attempts,
    ms,
  } = await withRetries(settings.retries, signal, () => {
    const socket = open ?? undefined;
    open = null;
    return probeHttp({ url, address }, { timeoutMs: settings.timeoutMs, signal, ca: settings.ca, socket, trace: traceOf(settings, target.id, 'http') });
  });
  const found = { phases: { http }, timings: { http: ms }, attempts, warnings: [], reached: { socket: null } };
  if (!http.ok) return { ...found, stop: { failure: http } };
  const tls = reached.tls;
  return { ...found, detail: `HTTP ${http.details.status ?? '?'} from ${formatEndpoint(address, target.port)}${tls?.ok ? tlsSummary(tls.details) : ''}` };
};

/** The request through the proxy, which connects, tunnels and resolves for us: one exchange for every phase past DNS. */
export function requestVia(proxy: string): Step {
  return async (target, _reached, context) => {
    const { settings, signal } = context;
    const {
      result: http,
      attempts,
      ms,
    } = await withRetries(settings.retries, signal, () =>
      probeHttp({ url: urlFor(target) }, { timeoutMs: settings.timeoutMs, signal, ca: settings.ca, ...(settings.publicRoots === undefined ? {} : { publicRoots: settings.publicRoots }), proxy: { url: proxy }, trace: traceOf(settings, target.id, 'http') }),
    );
    const found = { phases: { http }, timings: { http: ms }, attempts, via: 'proxy' as const };
    if (!http.ok) return { ...found, warnings: [], stop: { failure: http } };
    // The chain inside the tunnel is the host's, or the proxy's own when it inspects TLS.
    const tunnelTls = http.details.tls ?? null;
    return {
      ...found,
      warnings: warned('tls', [settings.publicRoots === undefined ? null : inspectionWarning(target, tunnelTls)]),
      detail: `HTTP ${http.details.status ?? '?'} from ${target.host} through proxy ${maskedUrl(proxy)}${tunnelTls === null ? '' : tlsSummary(tunnelTls)}`,
    };
  };
}

/**
 * Datagrams to every address at once, as TCP connects to every address. A reply from any
 * address proves the path, as one TCP connection does, and the others' failures become a
 * warning. Blocked needs every address to have proved it (an ICMP error, or a local refusal);
 * where some stayed silent the path may still work there, so the target stays a udp-unverified
 * warning that names the blocked ones.
 */
export const exchange: Step = async (target, reached, context) => {
  const { settings, signal } = context;
  const port = settings.dialPort?.(target.port) ?? target.port;
  // No withRetries: the prober already spreads several datagrams over its budget, and its
  // silence is no timeout to retry but the answer UDP gives when nothing is proven.
  const results = await Promise.all(addressesOf(reached).map((address) => probeUdp({ address, port }, { timeoutMs: settings.timeoutMs, signal, trace: traceOf(settings, target.id, 'udp') })));
  const found = { phases: { udp: results }, timings: { udp: Math.max(...results.map((r) => r.ms)) } };
  const bug = results.find((r) => !r.ok && (r.reason === 'internal-error' || r.reason === 'aborted'));
  if (bug && !bug.ok) return { ...found, warnings: [], stop: { failure: bug } };
  const notes = directNotes(target, settings);
  const failures = results.filter((r): r is Extract<UdpResult, { ok: false }> => !r.ok);
  const answered = results.find((r) => r.ok);
  if (answered) {
    const warnings = warned('udp', [failures.length > 0 ? `${failures.length} of ${results.length} addresses failed: ${failures.map((r) => r.message).join('; ')}` : null]);
    const endpoint = formatEndpoint(answered.details.address, target.port);
    const where = target.direction === 'inbound' ? `inbound UDP port ${target.port} on ${target.host} answered from here` : `UDP reply of ${answered.details.replyBytes ?? 0} bytes from ${endpoint}`;
    return { ...found, warnings, detail: `${where} in ${formatDuration(answered.ms)}${notes.reached}` };
  }
  const blocked = failures.filter((r) => udpVerdict(r).verdict === 'blocked');
  const decided = (blocked.length === failures.length ? failures[0] : failures.find((r) => udpVerdict(r).verdict !== 'blocked')) as Extract<UdpResult, { ok: false }>;
  const { verdict, reason } = udpVerdict(decided);
  const warnings = warned('udp', [verdict !== 'blocked' && blocked.length > 0 ? `${blocked.length} of ${results.length} addresses refused UDP: ${blocked.map((r) => r.message).join('; ')}` : null]);
  return { ...found, warnings, stop: { verdict, reason, phase: 'udp', detail: `${decided.message}${notes.failed}` } };
};
