import type net from 'node:net';
import { probeHttp } from '../probers/http.js';
import { connectTcp, type TcpConnection } from '../probers/tcp.js';
import { probeTls } from '../probers/tls.js';
import { probeUdp } from '../probers/udp.js';
import { udpVerdict } from '../probers/classify/udp.js';
import { formatDuration } from '../model/duration.js';
import { formatEndpoint } from '../model/hosts.js';
import type { DnsResult, HttpResult, Phase, PhaseFailure, TcpResult, TlsResult, UdpResult } from '../model/phases.js';
import { EMPTY_PHASES, type PhaseResults, type TargetOutcome } from '../model/result.js';
import { bypassesWebProxy, type Target } from '../model/target.js';
import { traceOf, type CheckContext, type CheckSettings } from './context.js';
import { maskedUrl } from '../model/redact.js';
import { hasProxy, proxyFor } from './proxy.js';
import { withRetries } from './schedule.js';
import { computeInstanceAddressWarning, dnsWarnings, everyAddressFailed, failedAt, inspectionWarning, outcome, privateNameProblem, someAddressesFailed, tlsSummary, urlFor } from './verdicts.js';

/** What a direct check adds to its detail: why it went direct, and on failure what that means for the fix. */
interface DirectNotes {
  readonly reached: string;
  readonly failed: string;
}

const NO_NOTES: DirectNotes = { reached: '', failed: '' };

/**
 * With a web proxy configured, a bare TCP port or UDP still goes direct, because no web proxy
 * carries it. A failure there is the firewall's direct egress, not the proxy: the detail says so.
 */
function directNotes(target: Target, settings: CheckSettings): DirectNotes {
  if (!hasProxy(settings.proxy) || !bypassesWebProxy(target)) return NO_NOTES;
  const traffic = target.probe === 'udp' ? 'UDP' : `port ${target.port}`;
  return {
    reached: ` (checked directly: a web proxy cannot carry ${traffic})`,
    failed: `; a web proxy cannot carry ${traffic}, so this needs direct egress through the firewall`,
  };
}

/** Ports a web proxy cannot carry: checked directly, and the report says so. */
function usesProxy(target: Target, settings: CheckSettings): string | null {
  if (target.probe === 'tcp' || target.probe === 'udp' || target.direction === 'inbound') return null;
  return proxyFor(settings.proxy, target.probe, target.host, target.port);
}

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

/** Datagrams to every address at once, as TCP connects to every address. */
async function exchangeAll(target: Target, addresses: readonly string[], context: CheckContext): Promise<{ results: UdpResult[]; ms: number }> {
  const { settings, signal } = context;
  const port = settings.dialPort?.(target.port) ?? target.port;
  // No withRetries: the prober already spreads several datagrams over its budget, and its
  // silence is no timeout to retry but the answer UDP gives when nothing is proven.
  const results = await Promise.all(addresses.map((address) => probeUdp({ address, port }, { timeoutMs: settings.timeoutMs, signal, trace: traceOf(settings, target.id, 'udp') })));
  return { results, ms: Math.max(...results.map((r) => r.ms)) };
}

/**
 * UDP's verdict over every address. A reply from any address proves the path, as one TCP
 * connection does, and the others' failures become a warning. Blocked needs every address to
 * have proved it (an ICMP error, or a local refusal); where some stayed silent the path may
 * still work there, so the target stays a udp-unverified warning that names the blocked ones.
 */
function udpOutcome(target: Target, dns: DnsResult, dnsMs: number, exchange: { results: UdpResult[]; ms: number }, warnings: string[], notes: DirectNotes): TargetOutcome {
  const { results, ms } = exchange;
  const phases: PhaseResults = { ...EMPTY_PHASES, dns, udp: results };
  const timings = { dns: dnsMs, udp: ms, total: dnsMs + ms };
  const dnsWarned = warnings.length > 0;
  const bug = results.find((r) => !r.ok && (r.reason === 'internal-error' || r.reason === 'aborted'));
  if (bug && !bug.ok) return failedAt(bug, { phases, timings, warnings });
  const failures = results.filter((r): r is Extract<UdpResult, { ok: false }> => !r.ok);
  const answered = results.find((r) => r.ok);
  if (answered) {
    if (failures.length > 0) warnings.push(`${failures.length} of ${results.length} addresses failed: ${failures.map((r) => r.message).join('; ')}`);
    const endpoint = formatEndpoint(answered.details.address, target.port);
    const where = target.direction === 'inbound' ? `inbound UDP port ${target.port} on ${target.host} answered from here` : `UDP reply of ${answered.details.replyBytes ?? 0} bytes from ${endpoint}`;
    const detail = `${where} in ${formatDuration(answered.ms)}${notes.reached}`;
    return outcome({ verdict: warnings.length > 0 ? 'warning' : 'reachable', phase: warnings.length > 0 ? (dnsWarned ? 'dns' : 'udp') : null, detail, warnings, phases, timings });
  }
  const blocked = failures.filter((r) => udpVerdict(r).verdict === 'blocked');
  const decided = (blocked.length === failures.length ? failures[0] : failures.find((r) => udpVerdict(r).verdict !== 'blocked')) as Extract<UdpResult, { ok: false }>;
  const { verdict, reason } = udpVerdict(decided);
  if (verdict !== 'blocked' && blocked.length > 0) warnings.push(`${blocked.length} of ${results.length} addresses refused UDP: ${blocked.map((r) => r.message).join('; ')}`);
  return outcome({ verdict, reason, phase: 'udp', detail: `${decided.message}${notes.failed}`, warnings, phases, timings });
}

async function checkInbound(target: Target, context: CheckContext): Promise<TargetOutcome> {
  // --inbound-from-here takes a name too; it is resolved like any host.
  const { result: dns, ms: dnsMs } = await context.dnsCache.resolve(target.host);
  if (!dns.ok) return failedAt(dns, { phases: { ...EMPTY_PHASES, dns }, timings: { dns: dnsMs, total: dnsMs } });
  if (target.probe === 'udp') {
    const exchange = await context.slots.wait(() => exchangeAll(target, dns.details.addresses, context));
    return udpOutcome(target, dns, dnsMs, exchange, [], NO_NOTES);
  }
  const { results, connection, attempts, ms } = await context.slots.wait(() => connectAll(target, dns.details.addresses, context));
  connection?.socket?.destroy();
  const tcp = results.find((r) => !r.ok && r.reason === 'internal-error') ?? results.find((r) => r.ok) ?? (results[0] as TcpResult);
  const phases: PhaseResults = { ...EMPTY_PHASES, dns, tcp: results };
  const timings = { dns: dnsMs, tcp: ms, total: dnsMs + ms };
  if (!tcp.ok) return failedAt(tcp, { phases, timings, attempts });
  return outcome({ verdict: 'reachable', detail: `inbound port ${target.port} on ${target.host} accepted a connection from here`, phases, timings, attempts });
}

async function checkViaProxy(target: Target, proxy: string, dns: DnsResult | null, warnings: string[], context: CheckContext): Promise<TargetOutcome> {
  const { settings, signal } = context;
  // Through a proxy the wait is for the proxy to reach the host: mostly waiting.
  const { result: http, attempts, ms } = await context.slots.wait(() =>
    withRetries(settings.retries, signal, () => probeHttp({ url: urlFor(target) }, { timeoutMs: settings.timeoutMs, signal, ca: settings.ca, ...(settings.publicRoots === undefined ? {} : { publicRoots: settings.publicRoots }), proxy: { url: proxy }, trace: traceOf(settings, target.id, 'http') })),
  );
  const phases: PhaseResults = { ...EMPTY_PHASES, dns, http };
  const timings = { dns: dns?.ms, http: ms, total: (dns?.ms ?? 0) + ms };
  const via = 'proxy' as const;
  if (!http.ok) return failedAt(http, { phases, timings, via, attempts, warnings });
  const dnsWarned = warnings.length > 0;
  // The chain inside the tunnel is the host's, or the proxy's own when it inspects TLS.
  const tunnelTls = http.details.tls ?? null;
  const inspection = settings.publicRoots === undefined ? null : inspectionWarning(target, tunnelTls);
  if (inspection) warnings.push(inspection);
  const detail = `HTTP ${http.details.status ?? '?'} from ${target.host} through proxy ${maskedUrl(proxy)}${tunnelTls === null ? '' : tlsSummary(tunnelTls)}`;
  const warnedPhase = dnsWarned ? 'dns' : 'tls';
  return outcome({ verdict: warnings.length > 0 ? 'warning' : 'reachable', phase: warnings.length > 0 ? warnedPhase : null, detail, phases, timings, via, attempts, warnings });
}

/** The workspace API's resolution, for comparing a compute instance's private address with it. */
async function workspaceApiAnswer(target: Target, context: CheckContext): Promise<{ host: string; dns: DnsResult } | null> {
  const host = context.settings.workspaceApiHost;
  if (target.privateName !== 'compute-instance' || !target.mustResolvePrivately || !host) return null;
  return { host, dns: (await context.dnsCache.resolve(host)).result };
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
  if (target.direction === 'inbound') return checkInbound(target, context);
  const proxy = usesProxy(target, context.settings);
  const { result: dns, attempts: dnsAttempts, ms: dnsMs } = await context.dnsCache.resolve(target.host);
  if (!dns.ok) {
    // Behind a proxy only the proxy needs to resolve public names.
    const mayUseProxy = proxy !== null && dns.reason !== 'aborted' && dns.reason !== 'internal-error' && !target.mustResolvePrivately;
    if (mayUseProxy) return checkViaProxy(target, proxy, dns, [`${target.host} does not resolve here (${dns.reason}); the proxy resolves it`], context);
    return failedAt(dns, { phases: { ...EMPTY_PHASES, dns }, timings: { dns: dnsMs, total: dnsMs }, attempts: dnsAttempts });
  }
  const notPrivate = privateNameProblem(target, dns);
  if (notPrivate) {
    return outcome({ verdict: 'blocked', reason: 'dns-not-private', phase: 'dns', detail: notPrivate, phases: { ...EMPTY_PHASES, dns }, timings: { dns: dnsMs, total: dnsMs } });
  }
  const warnings = dnsWarnings(dns);
  const misrouted = computeInstanceAddressWarning(target, dns, await workspaceApiAnswer(target, context));
  if (misrouted) warnings.push(misrouted);
  if (proxy) return checkViaProxy(target, proxy, dns, warnings, context);
  // Not a warning: the proxy simply cannot carry this port, so direct is the only path there is.
  const notes = directNotes(target, context.settings);
  if (target.probe === 'udp') {
    const exchange = await context.slots.wait(() => exchangeAll(target, dns.details.addresses, context));
    return udpOutcome(target, dns, dnsMs, exchange, warnings, notes);
  }
  return context.slots.wait(() => checkDirect(target, dns, dnsMs, warnings, notes, context));
}

/** TCP to every address, then TLS and HTTP over the first connection that opened. */
async function checkDirect(target: Target, dns: Extract<DnsResult, { ok: true }>, dnsMs: number, warnings: string[], notes: DirectNotes, context: CheckContext): Promise<TargetOutcome> {
  const { settings, signal } = context;
  const dnsWarned = warnings.length > 0;
  const { results: tcp, connection, attempts, ms: tcpMs } = await connectAll(target, dns.details.addresses, context);
  const timings: Partial<Record<Phase | 'total', number>> = { dns: dnsMs, tcp: tcpMs };
  const total = (): number => Object.entries(timings).reduce((sum, [k, v]) => (k === 'total' ? sum : sum + (v ?? 0)), 0);
  // A bug on any one address is a bug on the target: never a note beside a working address.
  const failures = tcp.filter((r): r is Extract<TcpResult, { ok: false }> => !r.ok);
  const bug = failures.find((r) => r.reason === 'internal-error');
  if (!connection || bug) {
    connection?.socket.destroy();
    timings.total = total();
    const rest = { phases: { ...EMPTY_PHASES, dns, tcp }, timings, attempts, warnings };
    if (bug) return failedAt(bug, rest);
    return { ...failedAt(failures[0] as PhaseFailure<unknown>, rest), detail: `${everyAddressFailed(failures)}${notes.failed}` };
  }
  const someFailed = someAddressesFailed(tcp);
  if (someFailed !== null) warnings.push(someFailed);
  const address = connection.result.details.address;
  const dialled = settings.dialPort?.(target.port) ?? target.port;

  // TLS and HTTP are the CPU-bound part: they wait for an exchange slot, the socket kept open.
  return context.slots.exchange(async () => {
    let open: net.Socket | null = null;
    let tls: TlsResult | null = null;
    if (target.probe === 'https') {
      tls = await probeTls(
        { host: target.host, address, port: dialled },
        {
          timeoutMs: settings.timeoutMs,
          signal,
          ca: settings.ca,
          ...(settings.publicRoots === undefined ? {} : { publicRoots: settings.publicRoots }),
          socket: connection.socket,
          keepOpen: (socket) => (open = socket),
          trace: traceOf(settings, target.id, 'tls'),
        },
      );
      timings.tls = tls.ms;
      if (!tls.ok) {
        timings.total = total();
        return failedAt(tls, { phases: { ...EMPTY_PHASES, dns, tcp, tls }, timings, attempts, warnings });
      }
      const inspection = settings.publicRoots === undefined ? null : inspectionWarning(target, tls.details);
      if (inspection) warnings.push(inspection);
    } else if (target.probe === 'http') {
      open = connection.socket;
    } else {
      connection.socket.destroy();
    }

    let http: HttpResult | null = null;
    if (target.probe !== 'tcp') {
      const url = settings.dialPort ? urlFor({ ...target, port: dialled }) : urlFor(target);
      // The first try reuses the verified connection: one handshake per target, not two.
      const retried = await withRetries(settings.retries, signal, () => {
        const socket = open ?? undefined;
        open = null;
        return probeHttp({ url, address }, { timeoutMs: settings.timeoutMs, signal, ca: settings.ca, socket, trace: traceOf(settings, target.id, 'http') });
      });
      http = retried.result;
      timings.http = retried.ms;
      if (!http.ok) {
        timings.total = total();
        return failedAt(http, { phases: { dns, tcp, tls, http }, timings, attempts: retried.attempts, warnings });
      }
    }
    timings.total = total();
    const endpoint = formatEndpoint(address, target.port);
    const detail =
      http !== null
        ? `HTTP ${http.details.status ?? '?'} from ${endpoint}${tls?.ok ? tlsSummary(tls.details) : ''}`
        : `TCP connect to ${endpoint} in ${formatDuration(timings.tcp ?? 0)}${notes.reached}`;
    const warnedPhase = dnsWarned ? 'dns' : tcp.some((r) => !r.ok) ? 'tcp' : 'tls';
    return outcome({ verdict: warnings.length > 0 ? 'warning' : 'reachable', phase: warnings.length > 0 ? warnedPhase : null, detail, warnings, phases: { dns, tcp, tls, http }, timings, attempts });
  });
}
