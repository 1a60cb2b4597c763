import net from 'node:net';
import { CONDITIONS } from '../../catalog/conditions.js';
import { loadCatalog } from '../../catalog/load.js';
import { InputError } from '../../model/errors.js';
import { parseDuration, formatDuration } from '../../model/duration.js';
import { formatColumns } from '../../render/shared/columns.js';
import { portRanges, quote } from '../../model/text.js';
import { emit, jsonDocument, prepareOutput } from '../shared/emit.js';
import { LIST_RENDERERS } from '../../render/lists/registry.js';
import { EXIT } from '../../model/exit-codes.js';
import { trapSignals, type StopSignal } from '../shared/signals.js';
import type { Invocation } from '../shared/spec.js';
import type { ListenOptions } from './spec.js';

/** An inbound service-tag rule of the catalog: who must be able to call in, on which ports. */
export interface InboundRequirement {
  readonly serviceTag: string;
  readonly ports: readonly number[];
  /** "needed only when ..." text, or null when always needed. */
  readonly when: string | null;
}

export interface PortWatch {
  readonly port: number;
  /** False when the port could not be opened, e.g. the node agent already holds it. */
  readonly listening: boolean;
  readonly error: string | null;
  readonly connections: Array<{ readonly from: string; readonly at: string }>;
}

export interface ListenReport {
  /** The revision of the article whose inbound rules the advice names. */
  readonly revision: string | null;
  readonly inbound: readonly InboundRequirement[];
  readonly address: string;
  readonly durationMs: number;
  readonly ports: readonly PortWatch[];
  /** The signal that ended the watch early, or null when it lasted its --duration. */
  readonly stoppedBy: StopSignal | null;
  /** 0 every port saw a connection, 1 one did not; 130 / 143 when a signal cut the watch short. */
  readonly exitCode: 0 | 1 | 130 | 143;
}

/** The inbound rules of a revision. */
function inboundRequirements(revision: string | undefined): { revision: string | null; inbound: InboundRequirement[] } {
  const catalog = loadCatalog({ revision });
  const inbound = catalog.entries
    .filter((e) => e.direction === 'inbound' && e.kind === 'service-tag')
    .map((e) => ({
      serviceTag: e.kind === 'service-tag' ? e.tagName : '',
      ports: [...new Set(e.ports.filter((p) => p.protocol !== 'udp').map((p) => p.port))],
      when: e.condition === null ? null : `needed only when ${CONDITIONS.get(e.condition)?.when ?? e.condition}`,
    }));
  return { revision: catalog.revision?.id ?? null, inbound };
}

function parsePorts(text: string | undefined, inbound: readonly InboundRequirement[]): number[] {
  if (text === undefined) return [...new Set(inbound.flatMap((r) => r.ports))].sort((a, b) => a - b);
  const ports = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (ports.length === 0) throw new InputError('--ports', 'needs at least one port');
  const numbers = ports.map((p) => {
    const port = Number(p);
    if (!/^\d+$/.test(p) || port < 1 || port > 65535) throw new InputError('--ports', `${quote(p)} is not a port from 1 to 65535`);
    return port;
  });
  // A port named twice is one port: a second listener on it would report our own first one as a stranger.
  return [...new Set(numbers)];
}

const NOT_HERE = 'EADDRNOTAVAIL';

function closeAll(servers: ReadonlyArray<net.Server | null>): Promise<unknown> {
  return Promise.all(servers.map((s) => new Promise((resolve) => (s ? s.close(resolve) : resolve(undefined)))));
}

function openPort(address: string, port: number, watch: PortWatch): Promise<net.Server | null> {
  return new Promise((resolve) => {
    const server = net.createServer((socket) => {
      watch.connections.push({ from: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`, at: new Date().toISOString() });
      socket.destroy();
    });
    server.once('error', (error: NodeJS.ErrnoException) => {
      (watch as { listening: boolean; error: string | null }).error = error.code === 'EADDRINUSE' ? `port ${port} is already in use here (a node agent may hold it): test it from outside with check --inbound-from-here` : `${error.code ?? error.message}`;
      resolve(null);
    });
    server.listen({ host: address, port }, () => {
      (watch as { listening: boolean }).listening = true;
      resolve(server);
    });
  });
}

/**
 * Opens the inbound ports for a bounded time and records who connects: the only way
 * to see from inside the node whether Azure's management traffic gets through.
 */
export async function run({ options: given, context }: Invocation): Promise<number> {
  const options = given as unknown as ListenOptions;
  const { revision, inbound } = inboundRequirements(options.revision);
  const ports = parsePorts(options.ports, inbound);
  if (ports.length === 0) throw new InputError('--revision', `revision ${revision ?? '(none)'} lists no inbound port; give --ports`);
  const durationMs = parseDuration(options.duration, '--duration');
  if (net.isIP(options.address) === 0) throw new InputError('--address', `${quote(options.address)} is not an IP address`);
  const files = prepareOutput(options.out, LIST_RENDERERS, []);
  const watches: PortWatch[] = ports.map((port) => ({ port, listening: false, error: null, connections: [] }));
  const servers = await Promise.all(watches.map((w) => openPort(options.address, w.port, w)));
  if (watches.some((w) => w.error === NOT_HERE)) {
    await closeAll(servers);
    throw new InputError('--address', `${quote(options.address)} is not an address of this machine (EADDRNOTAVAIL)`);
  }
  const started = performance.now();
  // SIGTERM (a service manager, `timeout`, Kubernetes) ends the watch like Ctrl-C: the report still comes.
  const signals = trapSignals();
  const stoppedBy = await new Promise<StopSignal | null>((resolve) => {
    const timer = setTimeout(() => stop(null), durationMs);
    const onTrapped = (): void => stop(signals.received());
    function stop(by: StopSignal | null): void {
      clearTimeout(timer);
      signals.signal.removeEventListener('abort', onTrapped);
      resolve(by);
    }
    signals.signal.addEventListener('abort', onTrapped, { once: true });
  });
  await closeAll(servers);
  const report: ListenReport = {
    revision,
    inbound,
    address: options.address,
    durationMs: Math.round(performance.now() - started),
    ports: watches,
    stoppedBy,
    // A watch cut short proves nothing about the ports that saw no one yet.
    exitCode: stoppedBy !== null ? EXIT[stoppedBy] : watches.every((w) => w.connections.length > 0) ? EXIT.ok : EXIT.blocked,
  };
  try {
    await emit({ registry: LIST_RENDERERS, render: { json: () => [jsonDocument(report)], table: () => [renderListen(report)] } }, options.output, files, context);
  } finally {
    signals.dispose();
  }
  return report.exitCode;
}

function renderListen(report: ListenReport): string {
  const rows = [['PORT', 'STATE', 'CONNECTIONS', 'FROM']];
  for (const w of report.ports) {
    const from = [...new Set(w.connections.map((c) => c.from.replace(/:\d+$/, '')))].join(', ');
    rows.push([String(w.port), w.listening ? 'listened' : `not opened: ${w.error ?? ''}`, String(w.connections.length), from]);
  }
  const silent = report.ports.filter((w) => w.listening && w.connections.length === 0).map((w) => w.port);
  const cut = report.stoppedBy === null ? '' : `, cut short by ${report.stoppedBy}`;
  const lines = [`Listened on ${report.address} for ${formatDuration(report.durationMs)}${cut} (inbound-management).`, '', formatColumns(rows), ''];
  if (report.stoppedBy !== null && silent.length > 0) {
    lines.push(`No connection reached port(s) ${silent.join(', ')} before the watch was stopped; listen for longer to tell whether Azure can call in.`);
  } else if (silent.length > 0) {
    const rules = report.inbound.map((r) => `${r.serviceTag} (${portRanges(r.ports).join(', ')}${r.when === null ? '' : `; ${r.when}`})`);
    const advice = rules.length > 0 ? `allow inbound TCP from service tag${rules.length > 1 ? 's' : ''} ${rules.join(' and ')} in the NSG` : 'allow the inbound management traffic in the NSG';
    const of = report.revision === null ? '' : ` (requirements of ${report.revision})`;
    lines.push(`No connection reached port(s) ${silent.join(', ')}. If Azure should have called in, ${advice}${of}, and route that traffic around the firewall.`);
  }
  return `${lines.join('\n')}\n`;
}
