import type { PartialFacts, WorkspaceFacts } from '../model/facts.js';
import { InputError } from '../model/errors.js';
import { FACT_ROWS, FACT_TABLE } from '../facts/table.js';

/**
 * Placeholders a host pattern may hold, and the workspace fact behind each.
 * `flag` is what the user passes to supply it; reports name it when it is missing.
 */
export interface PlaceholderSpec {
  readonly name: string;
  readonly flag: string;
  /** Stands for a whole host name rather than part of a label. */
  readonly wholeHost: boolean;
  /** Completes "needs <name>" when the value is missing. */
  readonly missing?: string;
  values(facts: WorkspaceFacts): string[];
}

/** The longest DNS label; Azure fits the notebook label `ml-<name>-<region>-<id>` into it. */
const LABEL_MAX = 63;
const GUID_LENGTH = 36;

/**
 * The workspace name as the notebook host holds it: Azure cuts it so that
 * `ml-<name>-<region>-<workspace-id>` stays one DNS label of at most 63 characters.
 */
function notebookWorkspaceName(name: string, region: string, workspaceId: string | undefined): string {
  const fixed = 'ml-'.length + 1 + region.length + 1 + (workspaceId?.length ?? GUID_LENGTH);
  return name.toLowerCase().slice(0, Math.max(0, LABEL_MAX - fixed));
}

// Host names are case-insensitive; Azure lowercases the names it puts in them.
const FROM_FACTS: PlaceholderSpec[] = FACT_ROWS.flatMap((row) => {
  if (!('placeholder' in row) || row.placeholder === undefined) return [];
  const key = row.key;
  return [
    {
      ...row.placeholder,
      flag: row.flag,
      values: (facts: WorkspaceFacts): string[] => {
        const value = facts[key];
        if (Array.isArray(value)) return value.map((v) => String(v).toLowerCase());
        return typeof value === 'string' ? [value.toLowerCase()] : [];
      },
    },
  ];
});

const COMPUTED: PlaceholderSpec[] = [
  {
    name: 'notebook-workspace-name',
    flag: FACT_TABLE.workspaceName.flag,
    wholeHost: false,
    values: (f) => {
      if (f.workspaceName === undefined) return [];
      // Without a region the host cannot be built anyway; <region> says so.
      return [f.region === undefined ? f.workspaceName.toLowerCase() : notebookWorkspaceName(f.workspaceName, f.region, f.workspaceId)];
    },
  },
];

export const PLACEHOLDERS: ReadonlyMap<string, PlaceholderSpec> = new Map([...FROM_FACTS, ...COMPUTED].map((s) => [s.name, s]));

/**
 * The facts a concrete host gives when a pattern covers it: the reverse of `values`, for the
 * placeholders that stand for one fact each (not a whole host, not a computed one). A value the
 * fact's own rule refuses (`my-storage` for a storage account) gives nothing.
 */
export function factsOfPlaceholders(values: ReadonlyMap<string, string>): PartialFacts {
  const facts: Record<string, unknown> = {};
  for (const [name, value] of values) {
    const row = FACT_ROWS.find((r) => 'placeholder' in r && r.placeholder?.name === name && !r.placeholder.wholeHost);
    if (row === undefined) continue;
    try {
      const checked = row.check ? row.check(value, row.flag) : value;
      facts[row.key] = row.kind === 'string' ? checked : [checked];
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
    }
  }
  return facts as PartialFacts;
}
