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
  const { result } = auditFromOptions(options, expandCatalog(catalog, facts, { features }), context.stderr);
  await emit(
    renderEach(AUDIT_RENDERERS, (render, text) => [render(result, text)]),
    options.output,
    files,
    context,
  );
  return result.exitCode;
}
