import type { WorkspaceFacts } from '../model/facts.js';
import { FACT_ROWS } from '../facts/table.js';

/**
 * Conditions the article puts on some requirements. Each is a workspace fact the
 * user states with a flag; an entry whose condition does not hold is reported as
 * skipped, naming that flag, rather than dropped.
 */
export interface ConditionSpec {
  readonly id: string;
  readonly flag: string;
  /** Completes "needed only when ...". */
  readonly when: string;
  holds(facts: WorkspaceFacts): boolean;
}

const SPECS: ConditionSpec[] = FACT_ROWS.flatMap((row) => {
  if (!('condition' in row) || row.condition === undefined) return [];
  const key = row.key;
  return [{ ...row.condition, flag: row.flag, holds: (facts: WorkspaceFacts) => facts[key] === true }];
});

export const CONDITIONS: ReadonlyMap<string, ConditionSpec> = new Map(SPECS.map((s) => [s.id, s]));
