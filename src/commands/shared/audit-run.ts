import { auditTargets } from '../../audit/audit.js';
import { managedModes } from '../../audit/managed.js';
import { parseConfigKinds, readConfigs } from '../../audit/read.js';
import type { AuditResult, ConfigKind } from '../../audit/types.js';
import type { Catalog } from '../../catalog/types.js';
import type { WorkspaceFacts } from '../../model/facts.js';
import { InputError } from '../../model/errors.js';
import type { Target } from '../../model/target.js';
import { managedContextOf } from '../../report/managed-context.js';
import type { AuditInputValues } from './audit-options.js';

/** The audit of a run's targets, with the files it read as they were read (`bundle` packs them, redacted). */
export interface RunAudit {
  readonly result: AuditResult;
  readonly inputs: ReadonlyArray<{ readonly file: string; readonly kind: ConfigKind; readonly document: unknown }>;
  /** What the exports leave unread or unsaid, one line each (said on stderr as read). */
  readonly warnings: readonly string[];
}

/**
 * Reads every --config and audits `targets` against them, a managed network in the isolation
 * modes the facts and the exports allow; `warn` gets each warning line once the exports are read,
 * before a bad --source can fail the run. Makes no network call.
 */
export function auditFromOptions(options: AuditInputValues, workspace: { readonly catalog: Catalog; readonly facts: WorkspaceFacts }, targets: readonly Target[], warn: (line: string) => void): RunAudit {
  const { catalog, facts } = workspace;
  const documents = new Map<string, unknown>();
  const config = readConfigs(options.config ?? [], parseConfigKinds(options.configKind ?? []), (file, document) => documents.set(file, document));
  const managed = managedModes(config, facts.managedNetwork);
  const warnings = [...config.warnings, ...managed.warnings];
  for (const warning of warnings) warn(`aml-netcheck: warning: ${warning}\n`);
  const contexts = managed.modes.flatMap((mode) => managedContextOf({ ...facts, managedNetwork: mode }, catalog) ?? []);
  const result = auditTargets(config, targets, options.source ?? [], contexts);
  return { result, inputs: config.inputs.map((input) => ({ ...input, document: documents.get(input.file) })), warnings };
}

/** `check` and `bundle`: the audit when --config is given; --source or --config-kind alone is a mistake, said before any probe. */
export function optionalAudit(options: AuditInputValues, workspace: { readonly catalog: Catalog; readonly facts: WorkspaceFacts }, targets: readonly Target[], warn: (line: string) => void): RunAudit | undefined {
  if ((options.config ?? []).length > 0) return auditFromOptions(options, workspace, targets, warn);
  if ((options.source ?? []).length > 0) throw new InputError('--source', 'is matched against the rules of --config: give the exported rules with --config too');
  if ((options.configKind ?? []).length > 0) throw new InputError('--config-kind', 'names the kind of a --config file: give the file with --config too');
  return undefined;
}
