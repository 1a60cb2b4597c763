/**
 * What a busy two-core machine (the suite's two jobs, and a CPU-heavy job beside them) may add
 * to any wait. A test that a timer ended something on time allows this much past the timer, and
 * a test that something ended at once gives it a budget far beyond this: either fails for a
 * budget ignored (the kernel's minutes for a TCP connect, a dropped query waited for forever),
 * never for a slow machine.
 */
export const LOAD_SLACK_MS = 3000;

/** A budget that "at once" can never be mistaken for: ten times the slack. */
export const FAR_BUDGET_MS = 10 * LOAD_SLACK_MS;

/**
 * The budget of a probe meant to succeed, or to fail at once (refused, reset, a bad answer):
 * only a failing test ever waits for it, so it can be long, and a busy machine must never turn
 * a healthy answer into a timeout.
 */
export const HEALTHY_BUDGET_MS = 20_000;

/** Whether `took` ms is the `budgetMs` timer firing: not before it, and within the slack after it. */
export function endedAtBudget(took: number, budgetMs: number): boolean {
  return took >= budgetMs - 20 && took < budgetMs + LOAD_SLACK_MS;
}

/**
 * How long a test waits for a process to finish, or for a line it prints, before calling it
 * hung. A guard that names what hung, not a measure: far beyond what a busy machine needs, and
 * still inside tap's per-file limit.
 */
export const HANG_LIMIT_MS = 60_000;
