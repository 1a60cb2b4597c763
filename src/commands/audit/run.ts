import { withPrintedChanges } from '../../render/rules/managed-network.js';
import { expandCatalog } from '../../catalog/expand.js';
import { renderEach } from '../../render/format.js';
import { AUDIT_RENDERERS } from '../../render/audit/registry.js';
import { emit, prepareOutput, runFilesOf } from '../shared/emit.js';
import type { Invocation } from '../shared/spec.js';
import { resolveWorkspace } from '../shared/workspace.js';
import { auditFromOptions } from '../shared/audit-run.js';
import type { AuditOptions } from './spec.js';

/** `audit`: the targets `list` builds, each against the exported rules; makes no network call. */
export async function run({ options: given, context }: Invocation): Promise<number> {
  const options = given as unknown as AuditOptions;
  const files = prepareOutput(options.out, AUDIT_RENDERERS, runFilesOf(options), options.output);
  const { catalog, facts, features, warnings } = resolveWorkspace(options);
  for (const warning of warnings) context.stderr(`aml-netcheck: warning: ${warning}\n`);
  const targets = expandCatalog(catalog, facts, { features });
  const { result: audited, warnings: configWarnings } = auditFromOptions(options, { catalog, facts }, targets, context.stderr);
  const featureNames = Object.fromEntries([...new Set(targets.flatMap((t) => t.features))].map((id) => [id, catalog.features.get(id)?.name ?? id]));
  const result = { ...(audited.managed === undefined ? audited : { ...audited, managed: withPrintedChanges(audited.managed) }), warnings: [...warnings, ...configWarnings], featureNames, auditedAt: new Date().toISOString() };
  await emit(
    renderEach(AUDIT_RENDERERS, (render, text) => render(result, text)),
    options.output,
    files,
    context,
  );
  return result.exitCode;
}
