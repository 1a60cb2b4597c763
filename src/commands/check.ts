import { expandCatalog } from '../catalog/expand.js';
import { InputError } from '../model/errors.js';
import { parseDuration } from '../model/duration.js';
import { createLogger } from '../io/log.js';
import type { DnsServer } from '../probers/dns.js';
import { maskProxyUrl, resolveProxyConfig } from '../runner/proxy.js';
import { buildReport, type CheckReport } from '../report/report.js';
import { checkJsonChunks } from '../reporters/check-json.js';
import { renderCheckTable } from '../reporters/check-table.js';
import { runChecks, type RunOptions } from '../runner/runner.js';
import type { Catalog } from '../catalog/types.js';
import type { Target } from '../model/target.js';
import { loadTrust } from '../runner/trust.js';
import { resolveWorkspace } from './workspace.js';
import type { CheckOptions } from './check-options.js';
import type { Write } from '../io/stdout.js';
import { formatEndpoint, parseHostPort } from '../model/hosts.js';
import { quote } from '../model/text.js';
import net from 'node:net';
import type { WorkspaceFacts } from '../model/facts.js';
import { emit, prepareOutput } from './emit.js';

function parseCount(text: string, flag: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < min || value > max) throw new InputError(flag, `${quote(text)} is not a whole number from ${min} to ${max}`);
  return value;
}

function parseDnsServers(specs: readonly string[]): DnsServer[] {
  return specs.map((spec) => {
    const parsed = parseHostPort(spec.trim());
    if (!parsed.ok) throw new InputError('--dns-server', `${quote(spec)}: ${parsed.problem}`);
    if (net.isIP(parsed.host) === 0) throw new InputError('--dns-server', `${quote(spec)} is not an IP address with an optional port, like 10.0.0.4 or 10.0.0.4:53 or [fd00::4]:53`);
    return { address: parsed.host, port: parsed.port ?? 53 };
  });
}

function progressReporter(enabled: boolean): { update: (done: number, total: number) => void; clear: () => void } {
  if (!enabled || !process.stderr.isTTY) return { update: () => {}, clear: () => {} };
  return {
    update: (done, total) => process.stderr.write(`\r\x1b[2Kchecking ${done}/${total}`),
    clear: () => process.stderr.write('\r\x1b[2K'),
  };
}

/** Everything a run needs once the flags are read; `check` and `demo` both build one. */
export interface CheckRun {
  readonly catalog: Catalog;
  readonly facts: WorkspaceFacts;
  readonly targets: readonly Target[];
  readonly options: Omit<RunOptions, 'signal' | 'onProgress'>;
  readonly version: string;
  readonly progress: boolean;
}

/**
 * Runs the checks and builds the report. The first Ctrl-C (or SIGTERM) ends the run
 * early and the report is still built, with unfinished targets marked; a second one quits.
 */
export async function executeCheck(run: CheckRun): Promise<CheckReport> {
  const { options } = run;
  const interrupt = new AbortController();
  let interrupts = 0;
  const onSignal = (): void => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    options.logger.warn('interrupted: finishing the report');
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const progress = progressReporter(run.progress);
  const startedAt = new Date();
  const started = performance.now();
  options.logger.info({ targets: run.targets.length, concurrency: options.concurrency, timeoutMs: options.timeoutMs, deadlineMs: options.deadlineMs }, 'starting checks');
  let checked;
  try {
    checked = await runChecks(run.targets, { ...options, signal: interrupt.signal, onProgress: (done, total) => progress.update(done, total) });
  } finally {
    progress.clear();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const { proxy } = options;
  return buildReport({
    catalog: run.catalog,
    version: run.version,
    startedAt,
    durationMs: Math.round(performance.now() - started),
    facts: run.facts,
    settings: {
      timeoutMs: options.timeoutMs,
      deadlineMs: options.deadlineMs,
      concurrency: options.concurrency,
      retries: options.retries,
      dnsServers: (options.dnsServers ?? []).map((s) => formatEndpoint(s.address, s.port)),
      proxy: proxy.https ? maskProxyUrl(proxy.https) : proxy.http ? maskProxyUrl(proxy.http) : null,
      proxySource: proxy.source,
    },
    targets: checked,
  });
}

/** Writes the report to --out (JSON), then prints it; see emit.ts. */
export async function emitReport(report: CheckReport, output: 'table' | 'json', out: string | undefined, write: Write): Promise<void> {
  await emit({ json: () => checkJsonChunks(report), text: () => renderCheckTable(report) }, output, out, write);
}

/** `check`: reads the flags, runs every check, prints the report; resolves to the exit code. */
export async function runCheck(options: CheckOptions, version: string, write: Write): Promise<number> {
  prepareOutput(options.out);
  const { catalog, facts, features } = resolveWorkspace(options);
  const timeoutMs = parseDuration(options.timeout, '--timeout');
  const deadlineMs = parseDuration(options.deadline, '--deadline');
  const concurrency = parseCount(options.concurrency, '--concurrency', 1, 1024);
  const retries = parseCount(options.retries, '--retries', 0, 5);
  const dnsServers = parseDnsServers(options.dnsServer ?? []);
  const proxy = resolveProxyConfig(options.proxy, process.env);
  const trust = loadTrust(options.caFile ?? [], process.env);
  const logger = createLogger(options.logLevel, options.logFile);
  const targets = expandCatalog(catalog, facts, { features });
  const report = await executeCheck({
    catalog,
    facts,
    targets,
    version,
    progress: options.progress,
    options: {
      concurrency,
      timeoutMs,
      retries,
      deadlineMs,
      dnsServers: dnsServers.length > 0 ? dnsServers : undefined,
      ca: trust.extraCas.length > 0 ? trust.extraCas : undefined,
      proxy,
      privateEndpoint: facts.privateEndpoint,
      inboundFromHere: options.inboundFromHere !== undefined,
      isVouchedIssuer: trust.isVouchedIssuer,
      logger,
    },
  });
  await emitReport(report, options.output, options.out, write);
  logger.flush?.();
  return report.summary.exitCode;
}
