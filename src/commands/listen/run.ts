import net from 'node:net';
import { CONDITIONS } from '../../catalog/conditions.js';
import { loadCatalog } from '../../catalog/load.js';
import { InputError } from '../../model/errors.js';
import { parseDuration } from '../../model/duration.js';
import type { InboundRequirement, ListenReport, PortWatch } from '../../model/listen.js';
import { quote } from '../../model/text.js';
import { emit, prepareOutput } from '../shared/emit.js';
import { LIST_RENDERERS } from '../../render/lists/registry.js';
import { renderEach } from '../../render/format.js';
import { EXIT, type StopSignal } from '../../model/exit-codes.js';
import { trapSignals } from '../shared/signals.js';
import type { Invocation } from '../shared/spec.js';
import type { ListenOptions } from './spec.js';

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
    await emit(
      renderEach(LIST_RENDERERS, (renderers) => [renderers.listen(report)]),
      options.output,
      files,
      context,
    );
  } finally {
    signals.dispose();
  }
  return report.exitCode;
}
