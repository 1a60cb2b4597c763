import { EXIT } from '../model/exit-codes.js';

/** What each exit code of `audit` says: `audit --help` lists them, and the reports that name their exit code quote them. */
export const AUDIT_EXIT_MEANING: Readonly<Record<number, string>> = {
  [EXIT.ok]: 'every required target is allowed',
  [EXIT.blocked]: 'a required target is denied, falls to the implicit deny, or is allowed only by a rule that cannot work as configured',
  [EXIT.failure]: 'bad input (flag, catalog, workspace JSON, a --config file)',
  [EXIT.incomplete]: 'nothing required is denied, but some verdicts depend on data not given (a service tag, an IP group, --source)',
};
