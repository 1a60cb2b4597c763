import type { AuditResult } from '../../audit/types.js';
import { defineRegistry, formatsOf, type FormatOf } from '../format.js';
import type { TextOptions } from '../shared/terminal.js';

/** An audit's verdicts in one format. */
export type AuditRenderer = (result: AuditResult, options: TextOptions) => string;

/** `audit`: a table to read, JSON (schema/audit.schema.json) for scripts. Markdown, HTML and JUnit are still to come. */
export const AUDIT_RENDERERS = defineRegistry<AuditRenderer>()([
  { format: 'table', extensions: ['.txt'], escapesItself: true, load: async () => (await import('./table.js')).renderAuditTable },
  { format: 'json', extensions: ['.json'], escapesItself: true, load: async () => (await import('./json.js')).renderAuditJson },
]);

export type AuditFormat = FormatOf<typeof AUDIT_RENDERERS>;
export const AUDIT_FORMATS: readonly AuditFormat[] = formatsOf<AuditFormat>(AUDIT_RENDERERS);
