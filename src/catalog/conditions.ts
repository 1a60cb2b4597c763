import type { WorkspaceFacts } from '../model/facts.js';
import { FACT_ROWS, type ConditionRow } from '../facts/table.js';

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

const SPECS: ConditionSpec[] = FACT_ROWS.flatMap((row): ConditionSpec[] => {
  if (!('condition' in row) || row.condition === undefined) return [];
  const key = row.key;
  const rows: readonly ConditionRow[] = Array.isArray(row.condition) ? row.condition : [row.condition as ConditionRow];
  return rows.map(({ id, when, whileFalse = false }) => {
    // A condition that holds while its fact is false is brought back by the --no- flag.
    const flag = whileFalse ? row.flag.replace(/^--/, '--no-') : row.flag;
    return { id, when, flag, holds: (facts: WorkspaceFacts) => facts[key] === !whileFalse };
  });
});

export const CONDITIONS: ReadonlyMap<string, ConditionSpec> = new Map(SPECS.map((s) => [s.id, s]));
