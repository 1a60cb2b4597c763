import type { Logger } from 'pino';
import { EXIT, type StopSignal } from '../../model/exit-codes.js';

export interface SignalTrap {
  /** Aborted by the first SIGINT or SIGTERM. */
  readonly signal: AbortSignal;
  /** The first signal received, if any. */
  received(): StopSignal | null;
  dispose(): void;
}

/**
 * The first Ctrl-C (or SIGTERM, as `docker stop` and Kubernetes send) ends the run early and
 * the report is still written; a second one quits at once, with the signal's exit status.
 * Kept for the whole command, report writing included, so a signal never kills the process
 * half-way through a file.
 */
/** Whether a command has taken over signals (trapSignals): the start-up handler then stays out. */
let commandHandlesSignals = false;

export function trapSignals(logger?: Logger): SignalTrap {
  commandHandlesSignals = true;
  const controller = new AbortController();
  let first: StopSignal | null = null;
  const on = (name: StopSignal) => (): void => {
    if (first !== null) process.exit(EXIT[name]);
    first = name;
    // In our words on stderr, whatever the log level; the log (maybe a file) gets it too.
    process.stderr.write(`aml-netcheck: ${name}: finishing the report with what is done so far; ${name === 'SIGINT' ? 'press Ctrl-C again' : 'send it again'} to quit at once\n`);
    logger?.info({ signal: name }, 'finishing the report');
    controller.abort(name);
  };
  const onInt = on('SIGINT');
  const onTerm = on('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    signal: controller.signal,
    received: () => first,
    dispose: () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      // The report is out and the process is on its way out: a signal arriving now (the second
      // of a quick double Ctrl-C) ends it with the signal's status, not by the signal itself.
      process.once('SIGINT', () => process.exit(EXIT.SIGINT));
      process.once('SIGTERM', () => process.exit(EXIT.SIGTERM));
    },
  };
}

/**
 * Until a command traps signals itself (trapSignals, while it has something to finish), a
 * signal ends the process with one line and the signal's exit status, rather than killing it
 * silently: a demo interrupted while its simulated Azure starts, or any command still reading
 * its input.
 */
export function installStartupSignals(): void {
  const on = (name: StopSignal) => (): void => {
    // A command's trap decides (and, once it is disposed, the handler it leaves behind).
    if (commandHandlesSignals) return;
    process.stderr.write(`aml-netcheck: ${name}: stopped before any report was made\n`);
    process.exit(EXIT[name]);
  };
  process.on('SIGINT', on('SIGINT'));
  process.on('SIGTERM', on('SIGTERM'));
}
