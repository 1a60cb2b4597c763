import type { AuditResult } from '../../audit/types.js';
import { formatsOf, reportRegistry, type FormatOf } from '../format.js';

/**
 * `audit`: a report's five formats, as `check` prints them: a table to read, JSON
 * (schema/audit.schema.json) for scripts, Markdown for a change request, JUnit for a pipeline,
 * HTML (by target and by rule) to share.
 */
export const AUDIT_RENDERERS = reportRegistry<AuditResult>({
  table: async () => (await import('./table.js')).renderAuditTable,
  json: async () => (await import('./json.js')).renderAuditJson,
  markdown: async () => (await import('./markdown.js')).renderAuditMarkdown,
  junit: async () => (await import('./junit.js')).renderAuditJunit,
  html: async () => (await import('./html.js')).renderAuditHtml,
});

export type AuditFormat = FormatOf<typeof AUDIT_RENDERERS>;
export const AUDIT_FORMATS: readonly AuditFormat[] = formatsOf<AuditFormat>(AUDIT_RENDERERS);
