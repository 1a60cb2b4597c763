/**
 * The exit codes of aml-netcheck: the contract with scripts, CI and Kubernetes, as the README
 * ("Exit codes") and each command's `--help` state it. The CLI sets them; the report records
 * the one its run ends with, so they live in the model every stage may read.
 *
 * When several apply, the first in this order wins: a signal, a blocked required endpoint, a
 * failure of aml-netcheck, no verdict where one was needed.
 */
export const EXIT = {
  /** Every required endpoint is reachable (explain: the host is covered; listen: every port saw a connection; diff: nothing newly broke). */
  ok: 0,
  /** A required endpoint is blocked (explain: nothing covers the host; listen: a port saw no one; bundle verify: a file differs). */
  blocked: 1,
  /** Bad input (a flag, a catalog, workspace JSON, an output path, a file that is not a report), or aml-netcheck itself failed. */
  failure: 2,
  /**
   * Nothing required was found blocked, but not everything required got a verdict: the
   * deadline cut the run short, no required endpoint could be checked, or a feature asked
   * for was not checked. Never a pass.
   */
  incomplete: 3,
  /** Interrupted by SIGINT (Ctrl-C); the report so far is still written. */
  SIGINT: 130,
  /** Stopped by SIGTERM (docker stop, Kubernetes); the report so far is still written. */
  SIGTERM: 143,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A signal that stops a run early; its exit code is EXIT's entry of that name. */
export type StopSignal = 'SIGINT' | 'SIGTERM';

/** The codes that are a finished run's outcome, not a crash or an interruption: a Kubernetes Job does not retry them. */
export const OUTCOME_EXIT_CODES: readonly ExitCode[] = [EXIT.blocked, EXIT.failure, EXIT.incomplete];
