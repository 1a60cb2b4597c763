import { InputError } from '../../model/errors.js';
import { readCatalog } from '../../catalog/load.js';
import { ALL_REVISIONS, NEWEST } from '../../catalog/revisions.js';
import { quote } from '../../model/text.js';
import { checkFeatureSelection } from '../../catalog/expand.js';
import type { Catalog } from '../../catalog/types.js';
import { resolveFacts, type FactLayer } from '../../facts/facts.js';
import { FACT_ROWS, flagOf, optionProperty, type FactKey } from '../../facts/table.js';
import { readWorkspaceJson } from '../../facts/workspace-json.js';
import type { WorkspaceOptionValues } from './workspace-options.js';
import type { PartialFacts, WorkspaceFacts } from '../../model/facts.js';

export interface Workspace {
  readonly catalog: Catalog;
  /** The same catalog files narrowed to another revision, without reading them again. */
  readonly revisionOf: (revision: string) => Catalog;
  readonly facts: WorkspaceFacts;
  readonly features: string[] | undefined;
  /** One line each, for stderr after `aml-netcheck: warning: `; they do not stop the run. */
  readonly warnings: string[];
}

/** The facts the flags give, each under its fact key; a flag not given leaves its fact out. */
export function factsFromFlags(values: WorkspaceOptionValues): PartialFacts {
  const facts: Record<string, unknown> = {};
  for (const row of FACT_ROWS) {
    const value = (values as Record<string, unknown>)[optionProperty(row.flag)];
    if (value !== undefined) facts[row.key] = value;
  }
  return facts as PartialFacts;
}

/** Loads the catalog and the facts, checking every value before any work starts. */
export function resolveWorkspace(values: WorkspaceOptionValues): Workspace {
  // Every revision at once is for explaining and comparing them; a check needs one list.
  if (values.revision === ALL_REVISIONS) throw new InputError('--revision', `names one revision to check against, not ${quote(ALL_REVISIONS)} (see \`aml-netcheck revisions\`)`);
  const revisionOf = readCatalog({ extraFiles: values.catalog ?? [] });
  const catalog = revisionOf(values.revision ?? NEWEST);
  const fromFlags = factsFromFlags(values);
  const layers: FactLayer[] = [];
  if (values.workspaceJson !== undefined) layers.push(readWorkspaceJson(values.workspaceJson, { flags: fromFlags }));
  layers.push({ facts: fromFlags, source: (key) => flagOf(key as FactKey) });
  const { facts, warnings } = resolveFacts(layers);
  if (values.features !== undefined) {
    if (values.features.length === 0) throw new InputError('--features', 'needs at least one feature id');
    checkFeatureSelection(catalog, values.features);
  }
  return { catalog, revisionOf, facts, features: values.features, warnings };
}
