import { renameSync, writeFileSync } from 'node:fs';
import { expandCatalog } from '../catalog/expand.js';
import { InputError } from '../errors.js';
import { parseDuration } from '../duration.js';
import { createLogger } from '../log.js';
import { parseServerSpec, type DnsServer } from '../probers/dns.js';
import { formatEndpoint } from '../probers/result.js';
import { maskProxyUrl, resolveProxyConfig } from '../proxy.js';
import { buildReport, type CheckReport } from '../report.js';
import { renderCheckJson } from '../reporters/check-json.js';
import { renderCheckTable } from '../reporters/check-table.js';
import { runChecks } from '../runner.js';
import { loadExtraCas } from '../trust.js';
import { resolveWorkspace } from './workspace-options.js';
import type { CheckOptions } from './check-options.js';

function parseCount(text: string, flag: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < min || value > max) throw new InputError(flag, `'${text}' is not a whole number from ${min} to ${max}`);
  return value;
}

function parseDnsServers(specs: readonly string[]): DnsServer[] {
  return specs.map((spec) => {
    const server = parseServerSpec(spec.trim());
    if (!server) throw new InputError('--dns-server', `'${spec}' is not an IP address with an optional port, like 10.0.0.4 or 10.0.0.4:53 or [fd00::4]:53`);
    return server;
  });
}

function writeReportFile(file: string, text: string): void {
  // Write beside and rename, so a reader never sees half a report.
  const partial = `${file}.partial-${process.pid}`;
  try {
    writeFileSync(partial, text);
    renameSync(partial, file);
  } catch (error) {
    throw new InputError('--out', `cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

function progressReporter(enabled: boolean): { update: (done: number, total: number) => void; clear: () => void } {
  if (!enabled || !process.stderr.isTTY) return { update: () => {}, clear: () => {} };
  return {
    update: (done, total) => process.stderr.write(`\r\x1b[2Kchecking ${done}/${total}`),
    clear: () => process.stderr.write('\r\x1b[2K'),
  };
}

/** Runs every check and prints the report; resolves to the exit code. */
export async function runCheck(options: CheckOptions, version: string, write: (text: string) => void): Promise<number> {
  const { catalog, facts, features } = resolveWorkspace(options);
  const timeoutMs = parseDuration(options.timeout, '--timeout');
  const deadlineMs = parseDuration(options.deadline, '--deadline');
  const concurrency = parseCount(options.concurrency, '--concurrency', 1, 1024);
  const retries = parseCount(options.retries, '--retries', 0, 5);
  const dnsServers = parseDnsServers(options.dnsServer ?? []);
  const proxy = resolveProxyConfig(options.proxy, process.env);
  const ca = loadExtraCas(options.caFile ?? [], process.env);
  const logger = createLogger(options.logLevel, options.logFile);
  const targets = expandCatalog(catalog, facts, { features });

  const interrupt = new AbortController();
  let interrupts = 0;
  const onSignal = (): void => {
    interrupts++;
    // The first Ctrl-C ends the run and still prints the report; a second one quits now.
    if (interrupts > 1) process.exit(130);
    logger.warn('interrupted: finishing the report');
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const progress = progressReporter(options.progress);
  const startedAt = new Date();
  const started = performance.now();
  logger.info({ targets: targets.length, concurrency, timeoutMs, deadlineMs, proxy: proxy.https ? maskProxyUrl(proxy.https) : null }, 'starting checks');
  let checked;
  try {
    checked = await runChecks(targets, {
      concurrency,
      timeoutMs,
      retries,
      deadlineMs,
      dnsServers: dnsServers.length > 0 ? dnsServers : undefined,
      ca: ca.length > 0 ? ca : undefined,
      proxy,
      privateEndpoint: facts.privateEndpoint,
      inboundFromHere: options.inboundFromHere !== undefined,
      signal: interrupt.signal,
      logger,
      onProgress: (done, total) => progress.update(done, total),
    });
  } finally {
    progress.clear();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const report: CheckReport = buildReport({
    catalog,
    version,
    startedAt,
    durationMs: Math.round(performance.now() - started),
    facts,
    settings: {
      timeoutMs,
      deadlineMs,
      concurrency,
      retries,
      dnsServers: dnsServers.map((s) => formatEndpoint(s.address, s.port)),
      proxy: proxy.https ? maskProxyUrl(proxy.https) : proxy.http ? maskProxyUrl(proxy.http) : null,
      proxySource: proxy.source,
    },
    targets: checked,
  });
  const text = options.output === 'json' ? renderCheckJson(report) : renderCheckTable(report);
  write(text);
  if (options.out !== undefined) writeReportFile(options.out, options.output === 'json' ? text : renderCheckJson(report));
  logger.flush?.();
  return report.summary.exitCode;
}
