import { EXIT } from '../../model/exit-codes.js';
import { escapeControl } from '../../model/text.js';

/**
 * The last line of defence. A bug that escapes every check (an exception thrown in a timer,
 * a promise nobody awaited) would otherwise end the process with a stack trace and no report.
 * While a run is under way it registers a rescue that writes the report so far, unfinished
 * targets marked; then the process says so on one line and exits 2.
 */
type Rescue = (why: string) => Promise<void> | void;

let rescue: Rescue | null = null;
let handling = false;

/** How long writing the rescued report may take before the process exits anyway. */
const RESCUE_BUDGET_MS = 10_000;

export function setRescue(fn: Rescue | null): void {
  rescue = fn;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function onFatal(error: unknown): void {
  if (handling) return;
  handling = true;
  const why = describe(error);
  const pending = rescue;
  const line = pending
    ? `aml-netcheck: internal error: ${escapeControl(why)}; the report so far was written, unfinished targets marked (please report this with --log-level debug output)\n`
    : `aml-netcheck: internal error: ${escapeControl(why)} (please report this with --log-level debug output)\n`;
  if (process.env['AML_NETCHECK_DEBUG'] && error instanceof Error) process.stderr.write(`${error.stack ?? ''}\n`);
  const exit = (): never => {
    process.stderr.write(line);
    process.exit(EXIT.failure);
  };
  setTimeout(exit, RESCUE_BUDGET_MS).unref();
  if (!pending) exit();
  Promise.resolve()
    .then(() => pending?.(why))
    .catch(() => undefined)
    .finally(exit);
}

export function installProcessGuard(): void {
  process.on('uncaughtException', onFatal);
  process.on('unhandledRejection', onFatal);
}
