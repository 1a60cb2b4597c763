import type { Logger } from 'pino';
import { EXIT } from '../report/report.js';

export type StopSignal = 'SIGINT' | 'SIGTERM';

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
export function trapSignals(logger?: Logger): SignalTrap {
  const controller = new AbortController();
  let first: StopSignal | null = null;
  const on = (name: StopSignal) => (): void => {
    if (first !== null) process.exit(EXIT[name]);
    first = name;
    logger?.warn(`${name}: finishing the report`);
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
