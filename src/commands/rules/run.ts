import { checkFeatureSelection, expandCatalog } from '../../catalog/expand.js';
import { privateDnsPlan, type PrivateDnsPlan } from '../../catalog/private-dns.js';
import { findRevision } from '../../catalog/revisions.js';
import { readCatalog } from '../../catalog/load.js';
import { revisionIdOf } from '../../report/report.js';
import type { Catalog } from '../../catalog/types.js';
import { compareRulePlans, type RuleChanges } from '../../remedies/changes.js';
import { InputError } from '../../model/errors.js';
import { quote } from '../../model/text.js';
import { readReport } from '../../report/read.js';
import { managedContextOf } from '../../report/managed-context.js';
import { planFromReport, planFromTargets, type RulesPlan } from '../../remedies/plan.js';
import { isAzureResourceName, isSourceAddress, partitionEntries } from '../../remedies/validate.js';
import type { RulesRenderOptions } from '../../render/rules/formats.js';
import { RULES_RENDERERS } from '../../render/rules/registry.js';
import { renderEach } from '../../render/format.js';
import { emit, prepareOutput, runFilesOf } from '../shared/emit.js';
import type { Invocation } from '../shared/spec.js';
import type { RulesOptions } from './spec.js';
import { factsFromFlags, resolveWorkspace } from '../shared/workspace.js';

/** The admin's own names, checked here so a bad one is one line and exit 2, not a broken script. */
function renderOptions(options: RulesOptions): RulesRenderOptions {
  for (const [flag, value] of [
    ['--resource-group', options.resourceGroup],
    ['--firewall-policy', options.firewallPolicy],
    ['--firewall', options.firewall],
    ['--nsg', options.nsg],
  ] as const) {
    if (value !== undefined && !isAzureResourceName(value)) throw new InputError(flag, `${quote(value)} is not an Azure resource name (letters, digits, - _ . ( ), at most 90)`);
  }
  for (const prefix of options.source ?? []) {
    if (!isSourceAddress(prefix)) throw new InputError('--source', `${quote(prefix)} is not an address, a prefix like 10.0.0.0/24, or a service tag`);
  }
  return { resourceGroup: options.resourceGroup, firewallPolicy: options.firewallPolicy, firewall: options.firewall, nsg: options.nsg, source: options.source, dryRun: options.dryRun };
}

function planFor(options: RulesOptions, warn: (line: string) => void): { plan: RulesPlan; privateDns: PrivateDnsPlan | null } {
  if (options.fromReport !== undefined) {
    const given = [...Object.keys(factsFromFlags(options)), ...(['workspaceJson', 'catalog', 'features'] as const).filter((k) => options[k] !== undefined)];
    if (given.length > 0) throw new InputError('--from-report', 'takes the workspace from the report; leave out the workspace flags');
    const report = readReport(options.fromReport);
    // The shipped catalog's zones for the revision the report checked, when it still has it.
    const revisionOf = readCatalog();
    const id = revisionIdOf(report);
    const known = id !== null && revisionOf('all').revisions.some((r) => r.id === id);
    const checked = known ? revisionOf(id) : undefined;
    return {
      plan: planFromReport(report.targets, report.facts, report.settings.proxy !== null, managedContextOf(report.facts, checked)),
      privateDns: checked !== undefined ? privateDnsPlan(checked, report.facts) : null,
    };
  }
  const { catalog, facts, features, warnings } = resolveWorkspace(options);
  for (const warning of warnings) warn(`aml-netcheck: warning: ${warning}`);
  return { plan: planFromTargets(expandCatalog(catalog, facts, { features }), facts, managedContextOf(facts, catalog)), privateDns: privateDnsPlan(catalog, facts) };
}

/**
 * `--changes-since`: the plans of two revisions from the same facts and features. A feature
 * need be in only one of them; the other revision then has nothing for it.
 */
function changesFor(options: RulesOptions, since: string, warn: (line: string) => void): { changes: RuleChanges; before: RulesPlan } {
  if (options.fromReport !== undefined) throw new InputError('--changes-since', 'compares two revisions of the catalog; it cannot be used with --from-report');
  const { catalog, revisionOf, facts, warnings } = resolveWorkspace({ ...options, features: undefined });
  for (const warning of warnings) warn(`aml-netcheck: warning: ${warning}`);
  const earlier = findRevision(catalog, since, '--changes-since');
  const older = revisionOf(earlier.id);
  const features = options.features;
  if (features !== undefined) {
    if (features.length === 0) throw new InputError('--features', 'needs at least one feature id');
    const unknown = features.find((id) => !catalog.features.has(id) && !older.features.has(id));
    if (unknown !== undefined) checkFeatureSelection(catalog, [unknown]);
  }
  const planOf = (of: Catalog): RulesPlan => {
    const own = features?.filter((id) => of.features.has(id));
    // Named features that this revision does not have: it needs nothing for them.
    if (own !== undefined && own.length === 0) return planFromTargets([], facts);
    return planFromTargets(expandCatalog(of, facts, { features: own }), facts);
  };
  const before = planOf(older);
  const changes = compareRulePlans(before, planOf(catalog), { from: earlier.id, to: catalog.revision?.id ?? earlier.id });
  return { changes, before };
}

/** `rules`: the allow-list of a workspace, or the fixes of a saved report, in the admin's format. Makes no network call. */
export async function run({ options: given, context }: Invocation): Promise<number> {
  const options = given as unknown as RulesOptions;
  const warn = (line: string): void => context.stderr(`${line}\n`);
  const files = prepareOutput(options.out, RULES_RENDERERS, runFilesOf(options), options.output);
  const settings = renderOptions(options);
  if (options.changesSince !== undefined) {
    const { changes, before } = changesFor(options, options.changesSince, warn);
    await emit(
      renderEach(RULES_RENDERERS, (render, text) => [render.changes(changes, before, settings, text)]),
      options.output,
      files,
      context,
    );
    return 0;
  }
  const { plan, privateDns } = planFor(options, warn);
  for (const line of partitionEntries(plan.allow).refused) warn(`aml-netcheck: warning: ${line}`);
  await emit(
    renderEach(RULES_RENDERERS, (render, text) => [render.plan(plan, { ...settings, privateDns }, text)]),
    options.output,
    files,
    context,
  );
  return 0;
}
