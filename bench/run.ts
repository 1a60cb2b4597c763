/**
 * `npm run bench`: aml-netcheck against what people use by hand, side by side in one run,
 * in a simulated VNet (a network namespace with no route out; needs root). Options: bench/options.ts.
 *
 * 200 targets (150 HTTPS, 50 bare TCP), a third of them silently dropped by nftables, then
 * 1,000 with half dropped; 20 ms added to every round trip, one timeout for every tool. Compared:
 *   - aml-netcheck check (default concurrency, no retries, so each tool waits one timeout);
 *   - a sequential shell loop of curl (HTTPS) and nc (TCP), as an admin would type it (200 only);
 *   - Debian's prometheus-blackbox-exporter, probed for every target at once.
 * Then peak RSS of check for the demo's target set, 1,000 and 5,000 names, and the start-up
 * time of `--version` and `list`. Every goal of issue 21 is printed met or missed, never asserted:
 * the exit code is 0 when the bench ran, 2 when it could not.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Vnet, commandExists, requireRoot } from '../test/helpers/vnet.js';
import { CLI, catalogArgs, measurePeakRss, measureStartup, measureWall, type RssResult } from './aml-netcheck.js';
import { timedRun } from './exec.js';
import { parseOptions, USAGE, type BenchOptions } from './options.js';
import { measureBlackbox, measureShellLoop, type PeerResult } from './peers.js';
import { environment, figuresJson, goals, renderEnvironment, renderGoals, renderRss, renderScenario, type Figures, type Scenario } from './results.js';
import { DEMO_WORKSPACE_FLAGS, aliasHosts, catalogJson, demoHosts, simulatedHosts, targetSet } from './targets.js';

const TIMEOUT_MS = 2000;
const LATENCY_MS = 20;
const RSS_GOALS = [
  { label: 'demo', mib: 96 },
  { label: '5000', mib: 150 },
] as const;

const teardowns: Array<() => unknown> = [];
const harness = {
  teardown: (fn: () => unknown) => void teardowns.push(fn),
  fail: (message: string) => {
    throw new Error(message);
  },
  plan: (_count: number, reason?: string) => void process.stderr.write(`bench: cannot build the simulated VNet: ${reason ?? 'unknown reason'}\n`),
};

/** A peer's figures, or why there are none. */
async function peer(skipped: boolean, commands: readonly string[], measure: () => Promise<PeerResult>): Promise<PeerResult | string> {
  if (skipped) return 'skipped';
  const missing = commands.filter((c) => !commandExists(c));
  return missing.length > 0 ? `not installed (${missing.join(', ')})` : measure();
}

async function bench(options: BenchOptions, print: (text: string) => void): Promise<Figures> {
  const skip = options.skip;
  const small = targetSet('bench', 200, 3, 99);
  const large = targetSet('large', 1000, 2, 98);
  const sets = skip.has('large') ? [small] : [small, large];
  const rssSizes = skip.has('rss') ? [] : [1000, 5000];
  const listed = await timedRun(null, process.execPath, [CLI, 'list', ...DEMO_WORKSPACE_FLAGS, '-o', 'json'], 60_000);
  const demo = skip.has('rss') ? [] : demoHosts(listed.stdout, 97);
  const hosts = [...sets.flatMap(simulatedHosts), ...aliasHosts('many', Math.max(0, ...rssSizes), small), ...demo];
  const vnet = await Vnet.start(harness, { hosts, latencyMs: LATENCY_MS });
  const dir = await mkdtemp(path.join(tmpdir(), 'amlnc-bench-'));
  teardowns.push(() => rm(dir, { recursive: true, force: true }));
  // curl, nc and blackbox_exporter resolve through /etc/resolv.conf, which `ip netns exec`
  // replaces with this file; the harness removes it with the namespace.
  await mkdir(`/etc/netns/${vnet.namespace}`, { recursive: true });
  await writeFile(`/etc/netns/${vnet.namespace}/resolv.conf`, `nameserver ${vnet.dnsServer}\noptions timeout:${TIMEOUT_MS / 1000} attempts:1\n`);
  await vnet.firewall(...sets.flatMap((s) => s.targets.filter((t) => t.dropped).map((t) => ({ address: t.address, port: t.port, action: 'drop' as const }))));

  const env = environment();
  print(`aml-netcheck benchmark, ${renderEnvironment(env)}`);
  print(`${LATENCY_MS} ms per round trip, ${TIMEOUT_MS} ms timeout for every tool, no retries\n`);
  print('(latency is added by the simulated DNS server and endpoints: this kernel has no netem)\n\n');

  const scenarios: Scenario[] = [];
  for (const set of sets) {
    const ours = await measureWall(vnet, await catalogArgs(dir, set.name, catalogJson(set.targets)), set, TIMEOUT_MS);
    const blackbox = await peer(skip.has('blackbox'), ['prometheus-blackbox-exporter'], () => measureBlackbox(vnet, dir, set, TIMEOUT_MS));
    // The loop's time is the sum of every probe's: on 1,000 targets, 500 timeouts alone are 1,000 s.
    const curl = set === small ? await peer(skip.has('curl'), ['curl', 'nc'], () => measureShellLoop(vnet, dir, set, TIMEOUT_MS)) : 'not run (sequential: over 1,000 s)';
    const scenario = { set, ours, peers: { blackbox, curl } };
    scenarios.push(scenario);
    print(`${renderScenario(scenario)}\n`);
  }

  const rss: RssResult[] = [];
  if (!skip.has('rss')) {
    rss.push(await measurePeakRss(vnet, dir, 'demo', DEMO_WORKSPACE_FLAGS, TIMEOUT_MS));
    for (const size of rssSizes) {
      const names = Array.from({ length: size }, (_, i) => ({ host: `many-${i}.sim.test`, port: 443 }));
      rss.push(await measurePeakRss(vnet, dir, String(size), await catalogArgs(dir, `many-${size}`, catalogJson(names)), TIMEOUT_MS));
    }
    print(`${renderRss(rss)}\n`);
  }
  const startup = skip.has('startup') ? null : { versionMs: await measureStartup(['--version']), listMs: await measureStartup(['list', ...DEMO_WORKSPACE_FLAGS]) };
  if (startup !== null) print(`Start-up (median of 11): --version ${startup.versionMs.toFixed(0)} ms, list ${startup.listMs.toFixed(0)} ms\n\n`);
  return { environment: env, settings: { timeoutMs: TIMEOUT_MS, latencyMs: LATENCY_MS }, scenarios, rss, startup };
}

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message} (npm run bench -- --help)\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!requireRoot(harness, options.skip.has('rss') ? [] : ['time'])) return 2;
  // With the JSON on stdout, the table goes to stderr so that stdout parses.
  const human = options.json === '-' ? process.stderr : process.stdout;
  const figures = await bench(options, (text) => void human.write(text));
  const list = goals(figures, RSS_GOALS);
  human.write(renderGoals(list));
  if (options.json === '-') process.stdout.write(figuresJson(figures, list));
  else if (options.json !== null) await writeFile(options.json, figuresJson(figures, list));
  return 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  process.stderr.write(`bench: ${(error as Error).message}\n`);
  process.exitCode = 2;
} finally {
  for (const fn of teardowns.reverse()) await fn();
}
