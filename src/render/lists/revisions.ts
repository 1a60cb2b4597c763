import type { RevisionDef } from '../../catalog/types.js';
import { formatColumns } from '../shared/columns.js';
import { escapeControl } from '../../model/text.js';
import { jsonDocument } from '../shared/json.js';

/** A revision as `aml-netcheck revisions` shows it: its definition, whether it is the default, and its size. */
export interface RevisionRow {
  readonly revision: RevisionDef;
  readonly isDefault: boolean;
  /** Catalog entries (host and service-tag requirements) that hold in it. */
  readonly entries: number;
  readonly features: number;
}

/** `aml-netcheck revisions`: one line per revision, then where to read each. */
export function renderRevisionsTable(rows: readonly RevisionRow[]): string {
  if (rows.length === 0) return 'The catalog defines no revisions: every entry holds in one unnamed list.\n';
  const table = [['ID', 'DATE', 'DEFAULT', 'ENTRIES', 'FEATURES', 'TITLE'], ...rows.map((r) => [r.revision.id, r.revision.date, r.isDefault ? 'yes' : '', String(r.entries), String(r.features), r.revision.title].map(escapeControl))];
  const sources = rows.map((r) => escapeControl(`  ${r.revision.id}  ${r.revision.url}`));
  return `${formatColumns(table, new Set([3, 4]))}\n\nSources:\n${sources.join('\n')}\n\nPick one with --revision ID on list, check, rules, bundle and k8s-manifest; \`rules --changes-since ID\` lists what changed since it.\n`;
}

export function renderRevisionsJson(rows: readonly RevisionRow[]): string {
  const revisions = rows.map(({ revision, isDefault, entries, features }) => ({
    id: revision.id,
    date: revision.date,
    title: revision.title,
    url: revision.url,
    notes: revision.notes,
    default: isDefault,
    entries,
    features,
  }));
  return jsonDocument({ revisions });
}
