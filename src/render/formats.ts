/**
 * The formats a check report can be printed in. Names only, so the CLI can offer them
 * without loading any reporter: `--version` and `--help` stay fast.
 */
export const CHECK_FORMATS = ['table', 'json', 'markdown', 'junit', 'html'] as const;
export type CheckFormat = (typeof CHECK_FORMATS)[number];

/** Lists and explanations: a table to read, JSON for scripts. */
export const LIST_FORMATS = ['table', 'json'] as const;
export type ListFormat = (typeof LIST_FORMATS)[number];

/** The formats `diff` prints in. */
export const DIFF_FORMATS = ['table', 'json', 'markdown', 'junit', 'html'] as const;
export type DiffFormat = (typeof DIFF_FORMATS)[number];

/** The formats `merge` prints in. */
export const MERGE_FORMATS = ['table', 'json', 'markdown', 'junit', 'html'] as const;
export type MergeFormat = (typeof MERGE_FORMATS)[number];
