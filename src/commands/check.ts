import { expandCatalog } from '../catalog/expand.js';
import { InputError } from '../model/errors.js';
import { parseDuration } from '../model/duration.js';
import { createLogger } from '../io/log.js';
import type { DnsServer } from '../probers/dns.js';
import { resolveProxyConfig } from '../runner/proxy.js';
import { redactReport } from '../report/redact-report.js';
import { maskedUrl, SECRETS_ONLY, type Redactor } from '../model/redact.js';
import { buildReport, type CheckReport, type RunSettings, type StoppedBy } from '../report/report.js';
import { CHECK_RENDERERS, type CheckFormat } from '../render/check/registry.js';
import { renderEach } from '../render/format.js';
import { startChecks, type RunOptions } from '../runner/runner.js';
import type { ProbedTarget } from '../model/result.js';
import { workspaceApiHost } from '../model/private-names.js';
import { setRescue } from './guard.js';
import { trapSignals } from './signals.js';
import type { Catalog } from '../catalog/types.js';
import type { Target } from '../model/target.js';
import { loadTrust } from '../runner/trust.js';
import { resolveWorkspace } from './workspace.js';
import type { CheckOptions } from './check-options.js';
import type { Write } from '../io/stdout.js';
import { formatEndpoint, parseHostPort } from '../model/hosts.js';
import { quote } from '../model/text.js';
import net from 'node:net';
import type { Logger } from 'pino';
import type { WorkspaceFacts } from '../model/facts.js';
import { emit, prepareOutput, runFilesOf, type OutputFile } from './emit.js';
import { alsoToConfigMap, prepareConfigMap } from './k8s-report.js';

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
  /** The features the run was limited to (--features); absent: every feature. */
  readonly features?: readonly string[] | undefined;
  readonly options: Omit<RunOptions, 'signal' | 'onProgress'>;
  readonly version: string;
  readonly progress: boolean;
  /** What the report passes before anything sees it; the built-in patterns when not given (`bundle` adds --redact). */
  readonly redactor?: Redactor;
}

/**
 * Runs the checks, then writes and prints the report, whatever ends the run: the last
 * target, the deadline, a signal, or a bug that escapes every check (the process guard then
 * writes the report so far). Resolves to the exit code.
 */
export async function executeCheck(run: CheckRun, emit: (report: CheckReport) => Promise<void>): Promise<number> {
  const { options } = run;
  const signals = trapSignals(options.logger);
  const progress = progressReporter(run.progress);
  const startedAt = new Date();
  const started = performance.now();
  const { proxy } = options;
  const settings: RunSettings = {
    timeoutMs: options.timeoutMs,
    deadlineMs: options.deadlineMs,
    concurrency: options.concurrency,
    retries: options.retries,
    dnsServers: (options.dnsServers ?? []).map((s) => formatEndpoint(s.address, s.port)),
    proxy: proxy.https ? maskedUrl(proxy.https) : proxy.http ? maskedUrl(proxy.http) : null,
    proxySource: proxy.source,
    features: run.features === undefined ? null : [...run.features],
  };
  // Server text (a deny page, a header) reaches the report's details: it is redacted here, as
  // data, so every format, file and ConfigMap gets the same redacted report.
  const report = (targets: readonly ProbedTarget[], stoppedBy: StoppedBy | null): CheckReport =>
    redactReport(
      buildReport({ catalog: run.catalog, version: run.version, startedAt, durationMs: Math.round(performance.now() - started), facts: run.facts, settings, targets, stoppedBy }),
      run.redactor ?? SECRETS_ONLY,
    );

  options.logger.info({ targets: run.targets.length, concurrency: options.concurrency, timeoutMs: options.timeoutMs, deadlineMs: options.deadlineMs }, 'starting checks');
  const checks = startChecks(run.targets, { ...options, signal: signals.signal, onProgress: (done, total) => progress.update(done, total) });
  setRescue(async (why) => {
    progress.clear();
    await emit(report(checks.snapshot(`aml-netcheck hit an internal error (${why})`), 'internal-error'));
  });
  try {
    const checked = await checks.done;
    progress.clear();
    const stoppedBy: StoppedBy | null = signals.received() ?? (checks.stoppedBy() === 'deadline' ? 'deadline' : null);
    const final = report(checked, stoppedBy);
    setRescue(null);
    await emit(final);
    return final.summary.exitCode;
  } finally {
    setRescue(null);
    progress.clear();
    signals.dispose();
  }
}

/** Writes the report to each --out file, then prints it; see emit.ts. */
export async function emitReport(report: CheckReport, output: CheckFormat, files: readonly OutputFile<CheckFormat>[], write: Write): Promise<void> {
  await emit(renderEach(CHECK_RENDERERS, (render, options) => render(report, options)), output, files, write);
}

/**
 * Reads and checks every flag of `check` (facts, catalog, timing, proxy, trust), before any
 * probing; `bundle` shares it. `warn` gets each warning line; the logger is made last, so a
 * bad flag fails before a --log-file is touched.
 */
export function checkRunFromOptions(options: CheckOptions, version: string, hooks: { warn: (line: string) => void; logger: () => Logger }): CheckRun {
  const { catalog, facts, features, warnings } = resolveWorkspace(options);
  for (const warning of warnings) hooks.warn(`aml-netcheck: warning: ${warning}\n`);
  const timeoutMs = parseDuration(options.timeout, '--timeout');
  const deadlineMs = parseDuration(options.deadline, '--deadline');
  const concurrency = parseCount(options.concurrency, '--concurrency', 1, 1024);
  const retries = parseCount(options.retries, '--retries', 0, 5);
  const dnsServers = parseDnsServers(options.dnsServer ?? []);
  const proxy = resolveProxyConfig(options.proxy, process.env);
  const trust = loadTrust(options.caFile ?? [], process.env);
  const logger = hooks.logger();
  const targets = expandCatalog(catalog, facts, { features });
  return {
    catalog,
    facts,
    targets,
    features,
    version,
    progress: options.progress,
    options: {
      concurrency,
      timeoutMs,
      retries,
      deadlineMs,
      dnsServers: dnsServers.length > 0 ? dnsServers : undefined,
      allowLoopbackAnswers: options.allowLoopbackAnswers === true,
      ca: trust.extraCas.length > 0 ? trust.extraCas : undefined,
      proxy,
      workspaceApiHost: workspaceApiHost(facts),
      inboundFromHere: options.inboundFromHere !== undefined,
      publicRoots: trust.publicRoots,
      logger,
    },
  };
}

/** `check`: reads the flags, runs every check, prints the report; resolves to the exit code. */
export async function runCheck(options: CheckOptions, version: string, write: Write): Promise<number> {
  const files = prepareOutput(options.out, CHECK_RENDERERS, runFilesOf(options));
  const configMap = prepareConfigMap(options.k8sConfigmap, options.k8sLabel, process.env);
  const run = checkRunFromOptions(options, version, { warn: (line) => process.stderr.write(line), logger: () => createLogger(options.logLevel, options.logFile) });
  const handler = alsoToConfigMap(configMap, (report) => emitReport(report, options.output, files, write));
  const code = await executeCheck(run, handler.emit);
  run.options.logger.flush?.();
  return handler.exitCode(code);
}
