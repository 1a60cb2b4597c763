import type { NetworkInterfaceInfo } from 'node:os';
import type { CatalogSource } from '../catalog/types.js';
import type { CheckReport } from '../report/report.js';
import type { renderAuditJson } from '../render/audit/json.js';

/**
 * What a collector hands back: JSON or text, never raw bytes, so that everything passes the
 * redactor on its way into the bundle (JSON through `redactor.value`, values only, text through
 * `redactor.text`, NDJSON a line at a time). A rendering of the report is the exception: the
 * report was redacted as data before anything saw it, and a text pass over its rendering
 * would reach its structure (a `--redact summary` would rename JSON keys).
 */
export type BundleContent = { readonly json: unknown } | { readonly text: string } | { readonly ndjson: string } | { readonly renderedFromReport: string };

export interface CollectedFile {
  /** Relative to the bundle's top folder, `/`-separated: `environment/routes.txt`. */
  readonly name: string;
  /**
   * Given when `name` holds a part from outside (the name of a --catalog file): the name used
   * instead when the redactor would change `name`, so a --redact pattern reaches the paths
   * inside the archive too.
   */
  readonly nameWithoutOutside?: string;
  readonly content: BundleContent;
}

/** The exported rules of --config as read, and their audit, as the bundle packs them. */
export interface BundleAudit {
  /** The audit, as `audit -o json` prints it. */
  readonly result: Parameters<typeof renderAuditJson>[0];
  /** Each --config file as read: its JSON, in the order given. */
  readonly inputs: ReadonlyArray<{ readonly file: string; readonly kind: string; readonly document: unknown }>;
}

/** What the machine says about itself, apart from files; tests give their own. */
export interface SystemView {
  hostname(): string;
  osType(): string;
  kernel(): string;
  kernelVersion(): string;
  arch(): string;
  networkInterfaces(): NodeJS.Dict<NetworkInterfaceInfo[]>;
}

export interface BundleContext {
  /** Where /etc, /proc and /sys are read from: `/`, or a fixture root in tests. */
  readonly root: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly system: SystemView;
  /** The report of the run, already redacted. */
  readonly report: CheckReport;
  readonly catalogSources: readonly CatalogSource[];
  /** The run's log, NDJSON at debug level. */
  readonly log: string;
  readonly toolVersion: string;
  readonly nodeVersion: string;
  /** `--proxy` as given, if it was. */
  readonly proxyFlag: string | undefined;
  /** With --config: the exports as read and their audit. */
  readonly audit?: BundleAudit | undefined;
}

/** A partial result: the files made, and what could not be read on the way. */
export interface Collected {
  readonly files: readonly CollectedFile[];
  readonly problems?: readonly string[];
}

/**
 * One part of the bundle. Each runs on its own: whatever it throws is recorded in the
 * manifest as its outcome, in one line, and the rest of the bundle is still made.
 */
export interface Collector {
  readonly name: string;
  /** What the engineer finds in its files, for README.txt. */
  readonly describes: string;
  collect(context: BundleContext): Collected | Promise<Collected>;
}

/** Thrown by a collector that has nothing to collect here (not a failure: a pod-only fact outside a pod). */
export class CollectorSkipped extends Error {
  override name = 'CollectorSkipped';
}

export type CollectorStatus = 'ok' | 'partial' | 'failed' | 'skipped';

export interface CollectorOutcome {
  readonly collector: string;
  readonly status: CollectorStatus;
  readonly files: readonly string[];
  /** One line each: why it failed or was skipped, or what it could not read. */
  readonly problems: readonly string[];
}

function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const first = text.split(/\r?\n/)[0] ?? '';
  return first.length > 300 ? `${first.slice(0, 299)}…` : first;
}

/** Runs every collector, each isolated from the others' failures. */
export async function runCollectors(collectors: readonly Collector[], context: BundleContext): Promise<{ files: CollectedFile[]; outcomes: CollectorOutcome[] }> {
  const files: CollectedFile[] = [];
  const outcomes: CollectorOutcome[] = [];
  for (const collector of collectors) {
    try {
      const result = await collector.collect(context);
      const problems = [...(result.problems ?? [])];
      files.push(...result.files);
      outcomes.push({ collector: collector.name, status: problems.length > 0 ? 'partial' : 'ok', files: result.files.map((f) => f.name), problems });
    } catch (error) {
      const status = error instanceof CollectorSkipped ? 'skipped' : 'failed';
      outcomes.push({ collector: collector.name, status, files: [], problems: [oneLine(error)] });
    }
  }
  return { files, outcomes };
}
