/**
 * `npm run bench`: aml-netcheck against what people use by hand, side by side in one run,
 * in a simulated VNet (a network namespace with no route out; needs root).
 *
 * 200 targets (150 HTTPS, 50 bare TCP), a third of them silently dropped by nftables,
 * 20 ms added to every round trip, one timeout for every tool. Compared:
 *   - aml-netcheck check (concurrency 32, no retries, so each tool waits one timeout);
 *   - a sequential shell loop of curl (HTTPS) and nc (TCP), as an admin would type it;
 *   - Debian's prometheus-blackbox-exporter, probed for every target, 32 at a time.
 * Then peak RSS of aml-netcheck for 5,000 targets, and the time of `--version`.
 *
 * On the RSS goal: after a 5,000-target run the live heap, report included, is about
 * 45 MB; the report is streamed out, not built as one string. The rest of the peak is
 * V8 letting the heap grow well past that before a full collection, plus Node, undici
 * and OpenSSL themselves (some 90 MB before the first check). Node reads heap limits only
 * at start-up, so a CLI cannot tighten them for itself without a second process.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Vnet, requireRoot } from '../test/helpers/vnet.js';
import type { SimulatedHost } from '../src/simulate/azure.js';

const execFileAsync = promisify(execFile);
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const TARGETS = 200;
const TCP_EVERY = 4; // every 4th target is bare TCP (port 445), the rest HTTPS
const DROP_EVERY = 3; // every 3rd target is silently dropped
const TIMEOUT_MS = 2000;
const LATENCY_MS = 20;
const CONCURRENCY = 32;
const RSS_TARGETS = 5000;

interface BenchTarget {
  readonly host: string;
  readonly address: string;
  readonly port: number;
  readonly dropped: boolean;
}

const teardowns: Array<() => unknown> = [];
const harness = {
  teardown: (fn: () => unknown) => void teardowns.push(fn),
  fail: (message: string) => {
    throw new Error(message);
  },
  plan: (_count: number, reason?: string) => void process.stderr.write(`bench: cannot build the simulated VNet: ${reason ?? 'unknown reason'}\n`),
};

function address(index: number): string {
  return `10.99.${1 + Math.floor(index / 250)}.${(index % 250) + 1}`;
}

function benchTargets(): BenchTarget[] {
  return Array.from({ length: TARGETS }, (_, i) => ({
    host: `bench-${String(i).padStart(3, '0')}.sim.test`,
    address: address(i),
    port: i % TCP_EVERY === TCP_EVERY - 1 ? 445 : 443,
    dropped: i % DROP_EVERY === DROP_EVERY - 1,
  }));
}

/**
 * A catalog file in the probes/ format (JSON, which the loader accepts as well as YAML and
 * parses without YAML's per-node bookkeeping): one entry per host, one feature for the lot.
 */
function catalogJson(entries: ReadonlyArray<{ host: string; port: number }>): string {
  return JSON.stringify({
    section: 'bench',
    title: 'Benchmark',
    features: [{ id: 'bench', name: 'Benchmark targets' }],
    entries: entries.map((e) => ({ pattern: e.host, ports: [`tcp:${e.port}`], clouds: ['public'], features: ['bench'], purpose: 'Benchmark target.' })),
  });
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)}s`;
}

async function runInNamespace(namespace: string, command: string, args: readonly string[], timeoutMs: number): Promise<{ stdout: string; stderr: string; ms: number }> {
  const started = performance.now();
  const { stdout, stderr } = await execFileAsync('ip', ['netns', 'exec', namespace, command, ...args], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' });
  return { stdout, stderr, ms: performance.now() - started };
}

async function measureAmlNetcheck(vnet: Vnet, catalog: string, targets: readonly BenchTarget[]): Promise<{ ms: number; blocked: number }> {
  const run = await vnet.check(['--catalog', catalog, '--features', 'bench', '--timeout', `${TIMEOUT_MS}ms`, '--retries', '0', '--concurrency', String(CONCURRENCY), '--deadline', '60s'], { timeoutMs: 120_000 });
  if (!run.json) throw new Error(`aml-netcheck printed no report: ${run.stderr.slice(-500)}`);
  const blocked = new Set(run.json.targets.filter((t) => t.verdict === 'blocked').map((t) => t.host));
  const wrong = targets.filter((t) => blocked.has(t.host) !== t.dropped);
  if (wrong.length > 0) {
    const samples = wrong
      .slice(0, 5)
      .map((w) => run.json?.targets.find((t) => t.host === w.host))
      .map((t) => `${t?.id} ${t?.verdict} ${t?.reason} ${JSON.stringify(t?.timings)}`);
    throw new Error(`aml-netcheck got ${wrong.length} verdicts wrong:\n  ${samples.join('\n  ')}`);
  }
  return { ms: run.ms, blocked: blocked.size };
}

async function measureShellLoop(vnet: Vnet, dir: string, targets: readonly BenchTarget[]): Promise<{ ms: number; blocked: number }> {
  const seconds = TIMEOUT_MS / 1000;
  const lines = ['#!/bin/sh', 'failed=0'];
  for (const t of targets) {
    const probe = t.port === 443 ? `curl -s -o /dev/null --cacert ${vnet.caFile} --connect-timeout ${seconds} -m ${seconds} https://${t.host}/` : `nc -z -w ${seconds} ${t.host} ${t.port}`;
    lines.push(`${probe} || failed=$((failed+1))`);
  }
  lines.push('echo "$failed"');
  const script = path.join(dir, 'loop.sh');
  await writeFile(script, `${lines.join('\n')}\n`, { mode: 0o755 });
  const { stdout, ms } = await runInNamespace(vnet.namespace, 'sh', [script], 15 * 60_000);
  return { ms, blocked: Number(stdout.trim()) };
}

async function measureBlackbox(vnet: Vnet, dir: string, targets: readonly BenchTarget[]): Promise<{ ms: number; blocked: number }> {
  const config = path.join(dir, 'blackbox.yml');
  await writeFile(
    config,
    [
      'modules:',
      '  https:',
      '    prober: http',
      `    timeout: ${TIMEOUT_MS}ms`,
      '    http:',
      '      preferred_ip_protocol: ip4',
      '      ip_protocol_fallback: false',
      '      valid_status_codes: [401]',
      `      tls_config: { ca_file: ${vnet.caFile} }`,
      '  tcp:',
      '    prober: tcp',
      `    timeout: ${TIMEOUT_MS}ms`,
      '    tcp: { preferred_ip_protocol: ip4, ip_protocol_fallback: false }',
      '',
    ].join('\n'),
  );
  const exporter = spawn('ip', ['netns', 'exec', vnet.namespace, 'prometheus-blackbox-exporter', `--config.file=${config}`, '--web.listen-address=127.0.0.1:9115', '--log.level=error'], { stdio: 'ignore' });
  try {
    // The client runs in the namespace too: the exporter listens on the namespace's loopback.
    const client = `
      const targets = JSON.parse(process.argv[1]);
      // Prometheus scrapes every target on its own schedule: all probes at once is its best case.
      const limit = targets.length;
      let next = 0, failed = 0;
      const wait = (ms) => new Promise((r) => setTimeout(r, ms));
      for (let i = 0; i < 100; i++) { try { await fetch('http://127.0.0.1:9115/'); break; } catch { await wait(50); } }
      const started = performance.now();
      async function worker() {
        while (next < targets.length) {
          const t = targets[next++];
          const module = t.port === 443 ? 'https' : 'tcp';
          const target = t.port === 443 ? 'https://' + t.host + '/' : t.host + ':' + t.port;
          const body = await (await fetch('http://127.0.0.1:9115/probe?module=' + module + '&target=' + encodeURIComponent(target))).text();
          if (!/^probe_success 1$/m.test(body)) failed++;
        }
      }
      await Promise.all(Array.from({ length: limit }, worker));
      console.log(JSON.stringify({ ms: performance.now() - started, failed }));
    `;
    const { stdout } = await runInNamespace(vnet.namespace, process.execPath, ['--input-type=module', '-e', client, JSON.stringify(targets)], 10 * 60_000);
    const result = JSON.parse(stdout) as { ms: number; failed: number };
    return { ms: result.ms, blocked: result.failed };
  } finally {
    exporter.kill('SIGTERM');
  }
}

/** 5,000 names, spread over the healthy HTTPS servers: DNS, TCP, TLS and HTTP for each. */
async function measurePeakRss(vnet: Vnet, dir: string): Promise<{ kib: number; ms: number; targets: number }> {
  const entries = Array.from({ length: RSS_TARGETS }, (_, i) => ({ host: `many-${i}.sim.test`, port: 443 }));
  const catalog = path.join(dir, 'many.json');
  await writeFile(catalog, catalogJson(entries));
  const out = path.join(dir, 'many-report.json');
  const args = [CLI, 'check', '--catalog', catalog, '--features', 'bench', '--dns-server', vnet.dnsServer, '--ca-file', vnet.caFile, '--timeout', `${TIMEOUT_MS}ms`, '--retries', '0', '--deadline', '5m', '--no-progress', '--out', out];
  // Exit 1 is expected if anything is blocked; the report file and the RSS line are what count.
  const { stderr, ms } = await runInNamespace(vnet.namespace, '/usr/bin/time', ['-f', 'PEAK_RSS_KIB %M', process.execPath, ...args], 10 * 60_000).catch((error: { stderr?: string }) => ({ stderr: error.stderr ?? '', ms: Number.NaN }));
  const kib = Number(/PEAK_RSS_KIB (\d+)/.exec(stderr)?.[1] ?? Number.NaN);
  const report = JSON.parse(await readFile(out, 'utf8')) as { durationMs: number; targets: Array<{ verdict: string }> };
  const reachable = report.targets.filter((t) => t.verdict === 'reachable').length;
  if (reachable !== RSS_TARGETS) throw new Error(`only ${reachable} of ${RSS_TARGETS} targets were reachable in the RSS run`);
  return { kib, ms: Number.isNaN(ms) ? report.durationMs : ms, targets: report.targets.length };
}

async function measureVersion(): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 11; i++) {
    const started = performance.now();
    await execFileAsync(process.execPath, [CLI, '--version']);
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[5] as number;
}

async function main(): Promise<number> {
  if (!requireRoot(harness, ['curl', 'nc', 'prometheus-blackbox-exporter'])) return 2;
  const targets = benchTargets();
  const many: SimulatedHost[] = Array.from({ length: RSS_TARGETS }, (_, i) => {
    const server = targets.filter((t) => !t.dropped && t.port === 443)[i % 100] as BenchTarget;
    return { name: `many-${i}.sim.test`, address: server.address, ports: {} };
  });
  const hosts: SimulatedHost[] = [...targets.map((t) => ({ name: t.host, address: t.address, ports: { [t.port]: 'ok' as const } })), ...many];
  const vnet = await Vnet.start(harness, { hosts, latencyMs: LATENCY_MS });
  const dir = await mkdtemp(path.join(tmpdir(), 'amlnc-bench-'));
  // curl, nc and blackbox_exporter resolve through /etc/resolv.conf, which `ip netns exec`
  // replaces with this file; the harness removes it with the namespace.
  await mkdir(`/etc/netns/${vnet.namespace}`, { recursive: true });
  await writeFile(`/etc/netns/${vnet.namespace}/resolv.conf`, `nameserver ${vnet.dnsServer}\noptions timeout:${TIMEOUT_MS / 1000} attempts:1\n`);
  await vnet.firewall(...targets.filter((t) => t.dropped).map((t) => ({ address: t.address, port: t.port, action: 'drop' as const })));
  const catalog = path.join(dir, 'bench.json');
  await writeFile(catalog, catalogJson(targets));
  const dropped = targets.filter((t) => t.dropped).length;

  process.stdout.write(`aml-netcheck benchmark: ${TARGETS} targets (${targets.filter((t) => t.port === 443).length} HTTPS, ${targets.filter((t) => t.port !== 443).length} TCP), ${dropped} silently dropped, ${LATENCY_MS} ms per round trip, ${TIMEOUT_MS} ms timeout\n`);
  process.stdout.write('(latency is added by the simulated DNS server and endpoints: this kernel has no netem)\n\n');
  const ours = await measureAmlNetcheck(vnet, catalog, targets);
  const blackbox = await measureBlackbox(vnet, dir, targets);
  const loop = await measureShellLoop(vnet, dir, targets);
  const rows = [
    ['tool', 'wall time', 'found blocked', 'time vs aml-netcheck'],
    [`aml-netcheck (concurrency ${CONCURRENCY})`, seconds(ours.ms), `${ours.blocked}/${dropped}`, '1.0x'],
    ['blackbox_exporter (all probes at once)', seconds(blackbox.ms), `${blackbox.blocked}/${dropped}`, `${(blackbox.ms / ours.ms).toFixed(1)}x`],
    ['curl/nc sequential loop', seconds(loop.ms), `${loop.blocked}/${dropped}`, `${(loop.ms / ours.ms).toFixed(1)}x`],
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  for (const row of rows) process.stdout.write(`${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ')}\n`);

  const rss = await measurePeakRss(vnet, dir);
  const version = await measureVersion();
  const goals = [
    [`full run within one timeout + 1 s`, ours.ms <= TIMEOUT_MS + 1000, `${seconds(ours.ms)} (goal ${seconds(TIMEOUT_MS + 1000)})`],
    [`peak RSS for ${rss.targets} targets under 150 MB`, rss.kib < 150 * 1024, `${(rss.kib / 1024).toFixed(0)} MB in ${seconds(rss.ms)}`],
    ['--version under 300 ms', version < 300, `${version.toFixed(0)} ms (median of 11)`],
  ] as const;
  process.stdout.write('\nGoals:\n');
  for (const [what, met, value] of goals) process.stdout.write(`  ${met ? 'met   ' : 'MISSED'}  ${what}: ${value}\n`);
  await rm(dir, { recursive: true, force: true });
  return goals.every(([, met]) => met) ? 0 : 1;
}

try {
  process.exitCode = await main();
} catch (error) {
  process.stderr.write(`bench: ${(error as Error).message}\n`);
  process.exitCode = 2;
} finally {
  for (const fn of teardowns.reverse()) await fn();
}
