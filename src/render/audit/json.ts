import type { AuditResult } from '../../audit/types.js';
import { jsonDocument } from '../shared/json.js';
import { closingCommands } from './close.js';

/** The version of schema/audit.schema.json this writes. */
export const AUDIT_SCHEMA_VERSION = 5;

/** `audit -o json`: every target with its verdict, the closing change and the advisory list, as schema/audit.schema.json describes. */
export function renderAuditJson(result: AuditResult): string {
  const counts: Record<string, number> = {};
  for (const target of result.targets) counts[target.verdict.verdict] = (counts[target.verdict.verdict] ?? 0) + 1;
  const firewalls = result.firewalls === undefined ? {} : { firewalls: result.firewalls };
  const managed = result.managed === undefined ? {} : { managed: result.managed };
  const routeTables = result.routeTables === undefined ? {} : { routeTables: result.routeTables };
  const change = { ...result.change, commands: closingCommands(result.change) };
  return jsonDocument({
    kind: 'aml-netcheck-audit',
    schemaVersion: AUDIT_SCHEMA_VERSION,
    exitCode: result.exitCode,
    sources: result.sources,
    policies: result.policies,
    nsgs: result.nsgs,
    ...firewalls,
    ...managed,
    ...routeTables,
    summary: counts,
    targets: result.targets,
    change,
    advisories: result.advisories,
  });
}
