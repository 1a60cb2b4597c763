import { existsSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../io/log.js';
import { preflightOutputFile, refuseOutputOverRunFile, writeOutputFile } from '../../io/output-file.js';
import type { CommandContext, Invocation } from '../shared/spec.js';
import { InputError } from '../../model/errors.js';
import { compileUserPatterns, createRedactor, REDACTED, type Redactor } from '../../model/redact.js';
import { escapeControl } from '../../model/text.js';
import type { CheckReport } from '../../report/report.js';
import { buildBundle, defaultCollectors } from '../../bundle/build.js';
import type { SystemView } from '../../bundle/contract.js';
import type { BundleOptions } from './spec.js';
import { checkRunFromOptions } from '../shared/check-run.js';
import { emitReport, executeCheck, type CheckRun } from '../shared/execute-check.js';
import { alsoToConfigMap, prepareConfigMap } from '../shared/k8s-report.js';
import { runFilesOf } from '../shared/emit.js';

/** The debug log is kept in memory for the bundle; a run that logs more than this keeps its start. */
const MAX_CAPTURED_LOG_BYTES = 32 * 1024 * 1024;

const NODE_SYSTEM: SystemView = {
  hostname: () => os.hostname(),
  osType: () => os.type(),
  kernel: () => os.release(),
  kernelVersion: () => os.version(),
  arch: () => os.arch(),
  networkInterfaces: () => os.networkInterfaces(),
};

/** The run's log lines at debug level, in memory, bounded. */
class LogCapture {
  #lines: string[] = [];
  #bytes = 0;
  #dropped = 0;

  write(line: string): void {
    if (this.#bytes + line.length > MAX_CAPTURED_LOG_BYTES) {
      this.#dropped++;
      return;
    }
    this.#bytes += line.length;
    this.#lines.push(line);
  }

  text(): string {
    const tail = this.#dropped > 0 ? `${JSON.stringify({ msg: `${this.#dropped} later log line(s) left out: the log passed ${MAX_CAPTURED_LOG_BYTES / 1024 / 1024} MiB` })}\n` : '';
    return this.#lines.join('') + tail;
  }
}

/** A host name as a file name part: what DNS allows, lower case, never empty. */
function fileNamePart(host: string): string {
  const part = host
    .toLowerCase()
    .replace(/[^a-z0-9.-]/g, '-')
    .replace(/^[.-]+|[.-]+$/g, '')
    .slice(0, 63);
  return part === '' ? 'host' : part;
}

function utcStamp(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/**
 * `aml-netcheck-<host>-<UTC stamp>`, the bundle's top folder (the first part of every path
 * inside) and, with `.tar.gz`, its default file name. The host is the one part from outside:
 * when the redactor would change it (`--redact` names it, or part of it), it is left out
 * (`aml-netcheck-<UTC stamp>`) rather than shown in part.
 */
export function bundleBaseName(host: string, date: Date, redactor: Redactor): string {
  return redactor.text(host) === host ? `aml-netcheck-${fileNamePart(host)}-${utcStamp(date)}` : `aml-netcheck-${utcStamp(date)}`;
}

/** The default file, here; one that exists already is never replaced, a number is added instead. */
function defaultBundleFile(base: string): string {
  for (let n = 1; ; n++) {
    const file = join(process.cwd(), n === 1 ? `${base}.tar.gz` : `${base}-${n}.tar.gz`);
    if (!existsSync(file)) return file;
  }
}

/**
 * The command line as the bundle records it: a --redact pattern describes the secret it hides
 * (often it is the secret, spelled out), so it is shown as `[redacted]` whether or not it
 * matches itself.
 */
function withoutRedactPatterns(argv: readonly string[]): string[] {
  return argv.map((arg, i) => (argv[i - 1] === '--redact' ? REDACTED : arg.startsWith('--redact=') ? `--redact=${REDACTED}` : arg));
}

/** An error line may quote a flag or a file: it passes the redactor like everything else. */
function redactedError(error: unknown, redactor: Redactor): unknown {
  return error instanceof InputError ? new InputError(redactor.text(error.where), redactor.text(error.message)) : error;
}

function writeBytes(bytes: Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    // A failure (EPIPE, a closed pipe) is said once by the stdout guard in cli.ts.
    process.stdout.write(bytes, () => resolve());
  });
}

function humanSize(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * `bundle`: runs the check exactly as `check` would, then packs the report and the context
 * around it into one redacted tarball. Resolves to check's exit code.
 */
export async function run({ options: given, context }: Invocation): Promise<number> {
  const options = given as unknown as BundleOptions;
  const redactor = createRedactor(compileUserPatterns(options.redact ?? []));
  try {
    return await bundle(options, context, redactor);
  } catch (error) {
    throw redactedError(error, redactor);
  }
}

async function bundle(options: BundleOptions, context: CommandContext, redactor: Redactor): Promise<number> {
  const { version, argv } = context;
  const createdAt = new Date();
  const base = bundleBaseName(os.hostname(), createdAt, redactor);
  const outs = options.out ?? [];
  if (options.stdout === true && outs.length > 0) throw new InputError('--stdout', 'writes the bundle to standard output: give --out or --stdout, not both');
  if (outs.length > 1) throw new InputError('--out', 'a bundle is one file: give --out once');
  if (options.stdout === true && context.stdout.isTTY) throw new InputError('--stdout', 'standard output is a terminal: redirect it to a file (> bundle.tar.gz) or use --out');
  const file = options.stdout === true ? null : (outs[0] ?? defaultBundleFile(base));
  if (file !== null) {
    preflightOutputFile(file);
    refuseOutputOverRunFile(file, runFilesOf(options));
  }
  // In a pod the report also goes to its ConfigMap, as check's does; the bundle goes to a volume.
  const configMap = prepareConfigMap(options.k8sConfigmap, options.k8sLabel, context.env);

  const capture = new LogCapture();
  const run: CheckRun = {
    ...checkRunFromOptions({ ...options, out: undefined }, context, {
      warn: (line) => context.stderr(escapeControl(redactor.text(line.trimEnd())) + '\n'),
      logger: () => createLogger(options.logLevel, options.logFile, { redactor, capture }),
    }),
    redactor,
  };

  /** `safe` is the report executeCheck redacted with `redactor`: the bundle, stdout and the ConfigMap all get that one. */
  const emit = async (safe: CheckReport): Promise<void> => {
    run.options.logger.flush?.();
    const made = await buildBundle({
      context: {
        root: '/',
        env: context.env,
        system: NODE_SYSTEM,
        report: safe,
        catalogSources: run.catalog.sources ?? [],
        log: capture.text(),
        toolVersion: version,
        nodeVersion: process.version,
        proxyFlag: options.proxy,
        audit: run.audit,
      },
      collectors: defaultCollectors(),
      redactor,
      command: ['aml-netcheck', ...withoutRedactPatterns(argv)],
      createdAt,
      topFolder: base,
    });
    const summary = `${humanSize(made.bytes.length)}, ${made.manifest.files.length + 1} files`;
    if (file === null) {
      await writeBytes(made.bytes);
      context.stderr(`aml-netcheck: bundle written to standard output (${summary})\n`);
      return;
    }
    writeOutputFile(file, [made.bytes], { mode: 0o600 });
    await emitReport(safe, options.output, [], context);
    context.stderr(`aml-netcheck: bundle ${escapeControl(redactor.text(file))} (${summary})\n`);
  };
  const handler = alsoToConfigMap(configMap, emit, context.stderr);
  const code = await executeCheck(run, handler.emit);
  run.options.logger.flush?.();
  return handler.exitCode(code);
}
