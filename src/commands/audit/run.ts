import { auditTargets } from '../../audit/audit.js';
import { managedModes } from '../../audit/managed.js';
import { managedContextOf } from '../../report/report.js';
import { withPrintedChanges } from '../../render/rules/managed-network.js';
import { parseConfigKinds, readConfigs } from '../../audit/read.js';
import { expandCatalog } from '../../catalog/expand.js';
import { renderEach } from '../../render/format.js';
import { AUDIT_RENDERERS } from '../../render/audit/registry.js';
import { emit, prepareOutput, runFilesOf } from '../shared/emit.js';
import type { Invocation } from '../shared/spec.js';
import { resolveWorkspace } from '../shared/workspace.js';
import type { AuditOptions } from './spec.js';

/** `audit`: the targets `list` builds, each against the exported rules; makes no network call. */
export async function run({ options: given, context }: Invocation): Promise<number> {
  const options = given as unknown as AuditOptions;
  const configs = options.config ?? [];
  const files = prepareOutput(options.out, AUDIT_RENDERERS, [...runFilesOf(options), ...configs.map((file) => ({ flag: '--config', file }))], options.output);
  const { catalog, facts, features, warnings } = resolveWorkspace(options);
  const config = readConfigs(configs, parseConfigKinds(options.configKind ?? []));
  const managed = managedModes(config, facts.managedNetwork);
  for (const warning of [...warnings, ...config.warnings, ...managed.warnings]) context.stderr(`aml-netcheck: warning: ${warning}\n`);
  const targets = expandCatalog(catalog, facts, { features });
  const contexts = managed.modes.flatMap((mode) => managedContextOf({ ...facts, managedNetwork: mode }, catalog) ?? []);
  const audited = auditTargets(config, targets, options.source ?? [], contexts);
  const featureNames = Object.fromEntries([...new Set(targets.flatMap((t) => t.features))].map((id) => [id, catalog.features.get(id)?.name ?? id]));
  const result = { ...(audited.managed === undefined ? audited : { ...audited, managed: withPrintedChanges(audited.managed) }), warnings: [...warnings, ...config.warnings, ...managed.warnings], featureNames, auditedAt: new Date().toISOString() };
  await emit(
    renderEach(AUDIT_RENDERERS, (render, text) => render(result, text)),
    options.output,
    files,
    context,
  );
  return result.exitCode;
}
