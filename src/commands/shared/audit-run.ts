import { auditTargets } from '../../audit/audit.js';
import { parseConfigKinds, readConfigs } from '../../audit/read.js';
import type { AuditResult, ConfigKind } from '../../audit/types.js';
import { InputError } from '../../model/errors.js';
import type { Target } from '../../model/target.js';
import type { AuditInputValues } from './audit-options.js';

/** The audit of a run's targets, with the files it read as they were read (`bundle` packs them, redacted). */
export interface RunAudit {
  readonly result: AuditResult;
  readonly inputs: ReadonlyArray<{ readonly file: string; readonly kind: ConfigKind; readonly document: unknown }>;
}

/** Reads every --config and audits `targets` against them; `warn` gets each warning line. Makes no network call. */
export function auditFromOptions(options: AuditInputValues, targets: readonly Target[], warn: (line: string) => void): RunAudit {
  const documents = new Map<string, unknown>();
  const config = readConfigs(options.config ?? [], parseConfigKinds(options.configKind ?? []), (file, document) => documents.set(file, document));
  for (const warning of config.warnings) warn(`aml-netcheck: warning: ${warning}\n`);
  const result = auditTargets(config, targets, options.source ?? []);
  return { result, inputs: config.inputs.map((input) => ({ ...input, document: documents.get(input.file) })) };
}

/** `check` and `bundle`: the audit when --config is given; --source or --config-kind alone is a mistake, said before any probe. */
export function optionalAudit(options: AuditInputValues, targets: readonly Target[], warn: (line: string) => void): RunAudit | undefined {
  if ((options.config ?? []).length > 0) return auditFromOptions(options, targets, warn);
  if ((options.source ?? []).length > 0) throw new InputError('--source', 'is matched against the rules of --config: give the exported rules with --config too');
  if ((options.configKind ?? []).length > 0) throw new InputError('--config-kind', 'names the kind of a --config file: give the file with --config too');
  return undefined;
}
