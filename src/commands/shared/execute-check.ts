import type { Catalog } from '../../catalog/types.js';
import type { WorkspaceFacts } from '../../model/facts.js';
import { formatEndpoint } from '../../model/hosts.js';
import { maskedUrl, SECRETS_ONLY, type Redactor } from '../../model/redact.js';
import type { ProbedTarget } from '../../model/result.js';
import type { Target } from '../../model/target.js';
import { redactReport } from '../../report/redact-report.js';
import { buildReport, type CheckReport, type RunSettings, type StoppedBy } from '../../report/report.js';
import { CHECK_RENDERERS, type CheckFormat } from '../../render/check/registry.js';
import { renderEach } from '../../render/format.js';
import { startChecks, type RunOptions } from '../../runner/runner.js';
import { emit, type OutputFile, type StdoutOf } from './emit.js';
import { setRescue } from './guard.js';
import { trapSignals } from './signals.js';
import type { RunAudit } from './audit-run.js';

function progressReporter(stderr: ((text: string) => void) | null): { update: (done: number, total: number) => void; clear: () => void } {
  if (stderr === null) return { update: () => {}, clear: () => {} };
  return {
    update: (done, total) => stderr(`\r\x1b[2Kchecking ${done}/${total}`),
    clear: () => stderr('\r\x1b[2K'),
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
  /** Where the progress line goes (stderr, when it is a terminal), or null for none. */
  readonly progress: ((text: string) => void) | null;
  /** What the report passes before anything sees it; the built-in patterns when not given (`bundle` adds --redact). */
  readonly redactor?: Redactor;
  /** With --config: the audit of the same targets, joined into the report. */
  readonly audit?: RunAudit;
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
    redactReport(buildReport({ catalog: run.catalog, version: run.version, startedAt, durationMs: Math.round(performance.now() - started), facts: run.facts, settings, targets, stoppedBy, audit: run.audit }), run.redactor ?? SECRETS_ONLY);

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
export async function emitReport(report: CheckReport, output: CheckFormat, files: readonly OutputFile<CheckFormat>[], out: StdoutOf): Promise<void> {
  await emit(
    renderEach(CHECK_RENDERERS, (render, options) => render(report, options)),
    output,
    files,
    out,
  );
}
