/** What the bench measures of aml-netcheck itself: wall time, peak RSS, start-up. */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Vnet } from '../test/helpers/vnet.js';
import { median, timedRun } from './exec.js';
import type { TargetSet } from './targets.js';

export const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

export interface WallResult {
  readonly ms: number;
  readonly blocked: number;
}

/** One check of `set` at the default concurrency, no retries (so each tool waits one timeout); every verdict must be right. */
export async function measureWall(vnet: Vnet, catalog: readonly string[], set: TargetSet, timeoutMs: number): Promise<WallResult> {
  const run = await vnet.check([...catalog, '--timeout', `${timeoutMs}ms`, '--retries', '0', '--deadline', '10m'], { timeoutMs: 15 * 60_000 });
  if (!run.json) throw new Error(`aml-netcheck printed no report: ${run.stderr.slice(-500)}`);
  const blocked = new Set(run.json.targets.filter((t) => t.verdict === 'blocked').map((t) => t.host));
  const wrong = set.targets.filter((t) => blocked.has(t.host) !== t.dropped);
  if (wrong.length > 0) {
    const samples = wrong
      .slice(0, 5)
      .map((w) => run.json?.targets.find((t) => t.host === w.host))
      .map((t) => `${t?.id} ${t?.verdict} ${t?.reason} ${JSON.stringify(t?.timings)}`);
    throw new Error(`aml-netcheck got ${wrong.length} verdicts wrong in the ${set.targets.length}-target run:\n  ${samples.join('\n  ')}`);
  }
  return { ms: run.ms, blocked: blocked.size };
}

export interface RssResult {
  readonly label: string;
  readonly targets: number;
  readonly reachable: number;
  readonly kib: number;
  readonly ms: number;
}

/** Peak RSS (/usr/bin/time's maximum resident set) of one `check` in the VNet with `args` added. */
export async function measurePeakRss(vnet: Vnet, dir: string, label: string, args: readonly string[], timeoutMs: number): Promise<RssResult> {
  const out = path.join(dir, `${label}-report.json`);
  const all = [CLI, 'check', ...args, '--dns-server', vnet.dnsServer, '--ca-file', vnet.caFile, '--timeout', `${timeoutMs}ms`, '--retries', '0', '--deadline', '10m', '--no-progress', '--out', out];
  // Exit 1 is expected when anything is blocked; the report file and the RSS line are what count.
  const { stderr, ms } = await timedRun(vnet.namespace, '/usr/bin/time', ['-f', 'PEAK_RSS_KIB %M', process.execPath, ...all], 15 * 60_000, vnet.checkEnvironment()).catch((error: { stderr?: string }) => ({ stderr: error.stderr ?? '', ms: Number.NaN }));
  const kib = Number(/PEAK_RSS_KIB (\d+)/.exec(stderr)?.[1] ?? Number.NaN);
  const report = JSON.parse(await readFile(out, 'utf8').catch(() => 'null')) as { durationMs: number; targets: Array<{ verdict: string }> } | null;
  if (report === null) throw new Error(`the ${label} RSS run wrote no report: ${stderr.slice(-500)}`);
  return { label, targets: report.targets.length, reachable: report.targets.filter((t) => t.verdict === 'reachable').length, kib, ms: Number.isNaN(ms) ? report.durationMs : ms };
}

/** A catalog of `entries` written to `dir`, for a run with `--catalog FILE --features bench`. */
export async function catalogArgs(dir: string, name: string, json: string): Promise<string[]> {
  const file = path.join(dir, `${name}.json`);
  await writeFile(file, json);
  return ['--catalog', file, '--features', 'bench'];
}

/** Median of 11 runs of the CLI with `args`, outside any namespace: start-up and the command's own work. */
export async function measureStartup(args: readonly string[]): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 11; i++) times.push((await timedRun(null, process.execPath, [CLI, ...args], 60_000)).ms);
  return median(times);
}
