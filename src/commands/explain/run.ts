import { explainedTargets, explainHost, hostChanges, standings } from '../../catalog/explain.js';
import { managedContextOf } from '../../report/managed-context.js';
import { managedView } from '../../remedies/managed-network.js';
import type { ExplainContext } from '../../render/lists/explain.js';
import type { ManagedNetworkMode } from '../../model/facts.js';
import { loadCatalog } from '../../catalog/load.js';
import type { Catalog } from '../../catalog/types.js';
import type { Explanation } from '../../catalog/explain.js';
import { ALL_REVISIONS } from '../../catalog/revisions.js';
import type { Invocation } from '../shared/spec.js';
import type { ExplainOptions } from './spec.js';
import { emit, prepareOutput, runFilesOf } from '../shared/emit.js';
import { LIST_RENDERERS } from '../../render/lists/registry.js';
import { renderEach } from '../../render/format.js';

/** How a managed network in the mode asked about meets each port of the host; null without --managed-network. */
function managedOf(catalog: Catalog, host: string, explanations: readonly Explanation[], options: ExplainOptions): ExplainContext['managedNetwork'] {
  if (options.managedNetwork === undefined) return null;
  const given = { managedNetwork: options.managedNetwork as ManagedNetworkMode, ...(options.cloud === undefined ? {} : { cloud: options.cloud }) };
  const { facts, targets } = explainedTargets(catalog, host, explanations, given);
  const view = managedView(targets, managedContextOf(facts, catalog));
  return view === null ? null : { view, targets };
}

/** Exit 1 when nothing in the catalog covers the host in any revision explained, like grep finding nothing. */
export async function run({ args, options: given, context: io }: Invocation): Promise<number> {
  const host = args[0] as string;
  const options = given as unknown as ExplainOptions;
  const files = prepareOutput(options.out, LIST_RENDERERS, runFilesOf(options));
  // Every revision by default: whether a host is new, gone or changed is half of the answer.
  const catalog = loadCatalog({ extraFiles: options.catalog ?? [], revision: options.revision ?? ALL_REVISIONS });
  const explanations = explainHost(catalog, host, options.cloud);
  const revisions = standings(catalog, explanations);
  const context: ExplainContext = { revisions, changes: hostChanges(revisions), managedNetwork: managedOf(catalog, host, explanations, options) };
  await emit(
    renderEach(LIST_RENDERERS, (render) => [render.explain(host, explanations, context)]),
    options.output,
    files,
    io,
  );
  return explanations.length > 0 ? 0 : 1;
}
