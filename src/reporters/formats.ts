/**
 * The formats a check report can be printed in. Names only, so the CLI can offer them
 * without loading any reporter: `--version` and `--help` stay fast.
 */
export const CHECK_FORMATS = ['table', 'json', 'markdown', 'junit', 'html'] as const;
export type CheckFormat = (typeof CHECK_FORMATS)[number];
