/** The bench's figures: the goals of issue 21 read against them, the table, the JSON. */
import os from 'node:os';
import type { RssResult, WallResult } from './aml-netcheck.js';
import type { PeerResult } from './peers.js';
import type { TargetSet } from './targets.js';

export interface Scenario {
  readonly set: TargetSet;
  readonly ours: WallResult;
  /** Each peer's result, or why it has none. */
  readonly peers: Readonly<Record<string, PeerResult | string>>;
}

export interface Figures {
  readonly environment: ReturnType<typeof environment>;
  readonly settings: { readonly timeoutMs: number; readonly latencyMs: number };
  readonly scenarios: readonly Scenario[];
  readonly rss: readonly RssResult[];
  readonly startup: { readonly versionMs: number; readonly listMs: number } | null;
}

export function environment(): { date: string; cores: number; cpu: string; node: string; kernel: string; loadAverage: number[] } {
  return {
    date: new Date().toISOString(),
    cores: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    kernel: os.release(),
    loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
  };
}

export interface Goal {
  readonly goal: string;
  /** null when the figure it reads was not measured in this run. */
  readonly met: boolean | null;
  readonly value: string;
}

const MIB = 1024;

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function mib(kib: number): string {
  return `${(kib / MIB).toFixed(0)} MiB`;
}

interface Slope {
  readonly from: string;
  readonly to: string;
  readonly kibPerTarget: number;
}

/** KiB per added target between each RSS run and the next larger one: falling slopes mean sub-linear growth. */
function rssSlopes(rss: readonly RssResult[]): Slope[] {
  const sorted = [...rss].sort((a, b) => a.targets - b.targets);
  return sorted.slice(1).map((to, i) => {
    const from = sorted[i] as RssResult;
    return { from: from.label, to: to.label, kibPerTarget: Number(((to.kib - from.kib) / (to.targets - from.targets)).toFixed(1)) };
  });
}

/** Issue 21's goals, read against the figures: met, missed, or not measured. */
export function goals(figures: Figures, rssGoals: ReadonlyArray<{ label: string; mib: number }>): Goal[] {
  const { timeoutMs } = figures.settings;
  const list: Goal[] = [];
  for (const { set, ours, peers } of figures.scenarios) {
    const what = `${set.targets.length} targets, ${set.dropped} dropped`;
    const blackbox = peers['blackbox'];
    list.push({
      goal: `${what}: wall ≤ blackbox_exporter's`,
      met: typeof blackbox === 'object' ? ours.ms <= blackbox.ms : null,
      value:
        typeof blackbox === 'object'
          ? `${seconds(ours.ms)} vs ${seconds(blackbox.ms)}${blackbox.blocked === set.dropped ? '' : ` (blackbox_exporter called ${blackbox.blocked} failed, ${set.dropped} were dropped)`}`
          : `${seconds(ours.ms)}; blackbox_exporter ${blackbox ?? 'not run'}`,
    });
    list.push({ goal: `${what}: wall ≤ timeout + 0.5 s`, met: ours.ms <= timeoutMs + 500, value: `${seconds(ours.ms)} (limit ${seconds(timeoutMs + 500)})` });
  }
  for (const { label, mib: limit } of rssGoals) {
    const run = figures.rss.find((r) => r.label === label);
    list.push({ goal: `peak RSS, ${label} ≤ ${limit} MiB`, met: run === undefined ? null : run.kib <= limit * MIB, value: run === undefined ? 'not measured' : `${mib(run.kib)} for ${run.targets} targets` });
  }
  const startup = figures.startup;
  list.push({ goal: '--version ≤ 150 ms (median of 11)', met: startup === null ? null : startup.versionMs <= 150, value: startup === null ? 'not measured' : `${startup.versionMs.toFixed(0)} ms` });
  list.push({ goal: 'list ≤ 250 ms (median of 11)', met: startup === null ? null : startup.listMs <= 250, value: startup === null ? 'not measured' : `${startup.listMs.toFixed(0)} ms` });
  return list;
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((row) => `  ${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ')}`.trimEnd()).join('\n');
}

const PEER_NAMES: Record<string, string> = { blackbox: 'blackbox_exporter (all probes at once)', curl: 'curl/nc sequential loop' };

/** The scenario's table: each tool's wall time, what it found blocked, and its time over aml-netcheck's (below 1: the peer is faster). */
export function renderScenario({ set, ours, peers }: Scenario): string {
  const rows = [
    ['tool', 'wall time', 'found blocked', 'its time ÷ ours'],
    ['aml-netcheck (default concurrency)', seconds(ours.ms), `${ours.blocked}/${set.dropped}`, '1.00x'],
    ...Object.entries(peers).map(([name, r]) => (typeof r === 'string' ? [PEER_NAMES[name] ?? name, r, '', ''] : [PEER_NAMES[name] ?? name, seconds(r.ms), `${r.blocked}/${set.dropped}`, `${(r.ms / ours.ms).toFixed(2)}x`])),
  ];
  return `${set.targets.length} targets (${set.https} HTTPS, ${set.targets.length - set.https} TCP), ${set.dropped} silently dropped:\n${table(rows)}\n`;
}

export function renderRss(rss: readonly RssResult[]): string {
  const rows = [['target set', 'targets', 'reachable', 'peak RSS', 'wall time'], ...rss.map((r) => [r.label, String(r.targets), String(r.reachable), mib(r.kib), seconds(r.ms)])];
  const slopes = rssSlopes(rss).map((s) => `${s.from} to ${s.to}: ${s.kibPerTarget} KiB per target`);
  return `Peak RSS of check (/usr/bin/time):\n${table(rows)}\n  slope, ${slopes.length > 0 ? slopes.join('; ') : 'needs two runs'}\n`;
}

export function renderGoals(list: readonly Goal[]): string {
  return `Goals (issue 21; read, not asserted):\n${list.map((g) => `  ${g.met === null ? 'n/a   ' : g.met ? 'met   ' : 'MISSED'}  ${g.goal}: ${g.value}`).join('\n')}\n`;
}

export function renderEnvironment(env: Figures['environment']): string {
  return `${env.date}, ${env.cores} cores (${env.cpu}), Node ${env.node}, Linux ${env.kernel}, load average ${env.loadAverage.join(' ')}\n`;
}

/** The figures as JSON, stable in shape so that two runs can be compared key by key. */
export function figuresJson(figures: Figures, list: readonly Goal[]): string {
  return `${JSON.stringify(
    {
      environment: figures.environment,
      settings: figures.settings,
      scenarios: figures.scenarios.map(({ set, ours, peers }) => ({
        targets: set.targets.length,
        https: set.https,
        dropped: set.dropped,
        tools: { 'aml-netcheck': ours, ...peers },
        ratios: Object.fromEntries(Object.entries(peers).flatMap(([name, r]) => (typeof r === 'string' ? [] : [[name, Number((r.ms / ours.ms).toFixed(3))]]))),
      })),
      rss: { runs: figures.rss, slopes: rssSlopes(figures.rss) },
      startup: figures.startup,
      goals: list,
    },
    // Milliseconds to the millisecond: the runs differ by far more than that.
    (key, value: unknown) => (typeof value === 'number' && (key === 'ms' || key.endsWith('Ms')) ? Math.round(value) : value),
    2,
  )}\n`;
}
