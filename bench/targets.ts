/** The bench's target sets and the catalog files that ask aml-netcheck for them. */
import type { SimulatedHost } from '../src/simulate/azure.js';

export interface BenchTarget {
  readonly host: string;
  readonly address: string;
  readonly port: number;
  readonly dropped: boolean;
}

/** A set of bare-TCP and HTTPS targets, every `dropEvery`-th one silently dropped by the firewall. */
export interface TargetSet {
  readonly name: string;
  readonly targets: readonly BenchTarget[];
  readonly dropped: number;
  readonly https: number;
}

const TCP_EVERY = 4; // every 4th target is bare TCP (port 445), the rest HTTPS

/** Each set gets a /16 of its own in 10.0.0.0/8, one address per target. */
function address(block: number, index: number): string {
  return `10.${block}.${1 + Math.floor(index / 250)}.${(index % 250) + 1}`;
}

export function targetSet(name: string, count: number, dropEvery: number, block: number): TargetSet {
  const targets = Array.from({ length: count }, (_, i) => ({
    host: `${name}-${String(i).padStart(4, '0')}.sim.test`,
    address: address(block, i),
    port: i % TCP_EVERY === TCP_EVERY - 1 ? 445 : 443,
    dropped: i % dropEvery === dropEvery - 1,
  }));
  return { name, targets, dropped: targets.filter((t) => t.dropped).length, https: targets.filter((t) => t.port === 443).length };
}

export function simulatedHosts(set: TargetSet): SimulatedHost[] {
  return set.targets.map((t) => ({ name: t.host, address: t.address, ports: { [t.port]: 'ok' as const } }));
}

/** `count` names spread over the healthy HTTPS servers of `set`: DNS, TCP, TLS and HTTP for each. */
export function aliasHosts(prefix: string, count: number, set: TargetSet): SimulatedHost[] {
  const servers = set.targets.filter((t) => !t.dropped && t.port === 443);
  return Array.from({ length: count }, (_, i) => ({ name: `${prefix}-${i}.sim.test`, address: (servers[i % servers.length] as BenchTarget).address, ports: {} }));
}

/**
 * A catalog file in the probes/ format (JSON, which the loader accepts as well as YAML and
 * parses without YAML's per-node bookkeeping): one entry per host, one feature for the lot.
 */
export function catalogJson(entries: ReadonlyArray<{ host: string; port: number }>): string {
  return JSON.stringify({
    section: 'bench',
    title: 'Benchmark',
    features: [{ id: 'bench', name: 'Benchmark targets' }],
    entries: entries.map((e) => ({ pattern: e.host, ports: [`tcp:${e.port}`], clouds: ['public'], features: ['bench'], purpose: 'Benchmark target.' })),
  });
}

/** The workspace `demo` checks (src/commands/demo/run.ts), as flags, so `list` and `check` expand the demo's target set. */
export const DEMO_WORKSPACE_FLAGS = ['--cloud', 'public', '--region', 'westus2', '--workspace-id', '0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11', '--workspace-name', 'demo-ws', '--storage-account', 'demodata', '--compute-instance', 'ci-demo'] as const;

interface ListedTarget {
  readonly host: string;
  readonly port: number;
  readonly protocol: string;
  readonly direction: string;
  readonly skipped: unknown;
}

/** Every host the demo's workspace needs, each port healthy, addressed in `block`. */
export function demoHosts(listJson: string, block: number): SimulatedHost[] {
  const listed = (JSON.parse(listJson) as { targets: ListedTarget[] }).targets.filter((t) => t.skipped === null && t.direction === 'outbound');
  const hosts = [...new Set(listed.map((t) => t.host))];
  return hosts.map((name, i) => {
    const mine = listed.filter((t) => t.host === name);
    return {
      name,
      address: address(block, i),
      ports: Object.fromEntries(mine.filter((t) => t.protocol !== 'udp').map((t) => [String(t.port), 'ok' as const])),
      udpPorts: Object.fromEntries(mine.filter((t) => t.protocol === 'udp').map((t) => [String(t.port), 'ok' as const])),
    };
  });
}
