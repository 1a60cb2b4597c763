import type { ManagedAudit } from '../../audit/types.js';
import { sourceUrl } from '../../model/managed-network.js';
import type { ManagedItem, ManagedNetworkPlan, RulesPlan } from '../../remedies/plan.js';
import type { OutboundRuleSpec } from '../../remedies/managed-network.js';
import { describeRuleSpec, limitationsOf, PRIVATE_ENDPOINT_ARM_TYPE } from '../../remedies/managed-network.js';
import { checkFqdnPattern, checkServiceTag, ruleName } from '../../remedies/validate.js';
import type { RulesRenderOptions } from './formats.js';
import { commentText, shellWord } from '../shared/quote.js';
import { command } from '../shared/azure-rules.js';
import { say, scriptFunctions, scriptHeader, type ScriptVariable } from './script.js';

/**
 * `rules -o managed-network`: what the admin adds to a workspace's managed virtual network,
 * never what Azure adds by itself. A script of `az ml workspace outbound-rule set` commands:
 * `set` creates a rule by name and would replace one of that name, so each is run only when
 * `outbound-rule list` lacks the name. Then the same rules as the `managed_network` YAML of `az ml
 * workspace update --file`, which sends the whole managed_network: to be merged into what the
 * workspace has. Then what Azure adds, and what a managed network cannot express.
 */

/** A rule, its values checked (a hand-edited report or catalog may carry anything), and its name. */
interface NamedRule {
  readonly name: string;
  readonly rule: OutboundRuleSpec;
  readonly item: ManagedItem;
}

function safeName(value: string): string {
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/i.test(value)) throw new Error(`${JSON.stringify(value)} is not a resource name`);
  return value;
}

/** The rule's name; throws when a value in it is not safe to print. */
function nameOf(rule: OutboundRuleSpec): string {
  switch (rule.type) {
    case 'fqdn':
      return ruleName('aml-fqdn', checkFqdnPattern(rule.destination)).toLowerCase();
    case 'service_tag':
      checkServiceTag(rule.serviceTag);
      return ruleName('aml-tag', rule.serviceTag, rule.protocol === '*' ? 'any' : rule.protocol, rule.portRanges).toLowerCase();
    case 'private_endpoint':
      return ruleName('aml-pe', safeName(rule.resourceName ?? 'any'), rule.subresource, ...(rule.sparkEnabled ? ['spark'] : [])).toLowerCase();
  }
}

function named(item: ManagedItem, rule: OutboundRuleSpec): NamedRule {
  return { name: nameOf(rule), rule, item };
}

/** The rules to add, each once, and one line for each left out because a value in it is not safe to print. */
function rulesToAdd(managed: ManagedNetworkPlan): { rules: NamedRule[]; refused: string[] } {
  const rules: NamedRule[] = [];
  const refused: string[] = [];
  for (const item of managed.items) {
    if (item.action.kind !== 'add') continue;
    try {
      const rule = named(item, item.action.rule);
      if (!rules.some((r) => r.name === rule.name)) rules.push(rule);
    } catch (error) {
      refused.push((error as Error).message);
    }
  }
  return { rules, refused };
}

function resourceId(rule: Extract<OutboundRuleSpec, { type: 'private_endpoint' }>, subscription: string, group: string): string {
  return `/subscriptions/${subscription}/resourceGroups/${group}/providers/${PRIVATE_ENDPOINT_ARM_TYPE[rule.resource]}/${rule.resourceName ?? '<name>'}`;
}

function setArguments(rule: OutboundRuleSpec): string[][] {
  switch (rule.type) {
    case 'fqdn':
      return [
        ['--type', 'fqdn'],
        ['--destination', shellWord(rule.destination)],
      ];
    case 'service_tag':
      return [
        ['--type', 'service_tag'],
        ['--service-tag', shellWord(rule.serviceTag)],
        ['--protocol', shellWord(rule.protocol)],
        ['--port-ranges', shellWord(rule.portRanges)],
      ];
    case 'private_endpoint':
      return [
        ['--type', 'private_endpoint'],
        ['--service-resource-id', `"${resourceId(rule, '$SUBSCRIPTION_ID', '$RESOURCES_RG')}"`],
        ['--subresource-target', shellWord(rule.subresource)],
        ['--spark-enabled', rule.sparkEnabled ? 'true' : 'false'],
      ];
  }
}

/** One rule of `managed_network.outbound_rules`, in the keys networking.py of azure-ai-ml loads. */
function yamlRule({ name, rule }: Pick<NamedRule, 'name' | 'rule'>): string[] {
  switch (rule.type) {
    case 'fqdn':
      return [`  - name: ${name}`, '    type: fqdn', `    destination: '${rule.destination}'`];
    case 'service_tag':
      return [`  - name: ${name}`, '    type: service_tag', '    destination:', `      service_tag: ${rule.serviceTag}`, `      protocol: '${rule.protocol}'`, `      port_ranges: '${rule.portRanges}'`];
    case 'private_endpoint':
      return [`  - name: ${name}`, '    type: private_endpoint', '    destination:', `      service_resource_id: ${resourceId(rule, '<subscription-id>', '<resource-group>')}`, `      subresource_target: ${rule.subresource}`, `      spark_enabled: ${rule.sparkEnabled}`];
  }
}

/**
 * One outbound rule to add, as `az ml workspace outbound-rule set` takes it (the shell's $WS and $RG
 * name the workspace; $SUBSCRIPTION_ID and $RESOURCES_RG the resource a private endpoint reaches) and
 * as a rule of managed_network.outbound_rules in YAML: what `audit` prints to close a managed
 * network's gap. Throws when a value in the rule is not safe to print.
 */
export function outboundRuleChange(rule: OutboundRuleSpec): { readonly name: string; readonly command: string; readonly yaml: readonly string[] } {
  const name = nameOf(rule);
  const args = [['--workspace-name', '"$WS"'], ['--resource-group', '"$RG"'], ['--rule', `'${name}'`], ...setArguments(rule)];
  return { name, command: ['az ml workspace outbound-rule set', ...args.map((pair) => pair.join(' '))].join(' '), yaml: yamlRule({ name, rule }) };
}

/** `audit`'s closing change with each rule printed as the admin runs it. */
export function withPrintedChanges(managed: ManagedAudit): ManagedAudit {
  const changes = managed.changes.map((change) => {
    try {
      const { name, command, yaml } = outboundRuleChange(change.rule);
      return { ...change, printed: { name, command, yaml, refused: null } };
    } catch (error) {
      return { ...change, printed: { name: null, command: null, yaml: [], refused: (error as Error).message } };
    }
  });
  return { ...managed, changes };
}

function what(item: ManagedItem): string {
  return `${item.hosts.join(', ')}${item.features.length > 0 ? ` (${item.features.join(', ')})` : ''}`;
}

function noManagedNetwork(plan: RulesPlan): string {
  return [
    '# aml-netcheck rules: managed virtual network.',
    '# The facts name no managed network (--managed-network allow-internet-outbound or allow-only-approved-outbound,',
    "# or a --workspace-json whose managed_network.isolation_mode says so): the workspace's compute lives in your own",
    `# network, whose rules the other formats print (-o az, -o nsg, -o csv). ${plan.allow.length} allow-list entries.`,
    '',
  ].join('\n');
}

export function renderRulesManagedNetwork(plan: RulesPlan, options: RulesRenderOptions): string {
  const managed = plan.managedNetwork;
  if (managed === undefined) return noManagedNetwork(plan);
  const { mode, data } = managed;
  const { rules, refused } = rulesToAdd(managed);
  const needsSubscription = rules.some((r) => r.rule.type === 'private_endpoint');
  const variables: ScriptVariable[] = [
    { name: 'RG', meaning: 'the resource group of the workspace', value: options.resourceGroup, flag: '--resource-group' },
    { name: 'WS', meaning: 'the workspace name', value: managed.workspaceName ?? undefined, flag: '--workspace-name' },
  ];
  const notes = [
    `Managed virtual network in ${mode.az} mode; only the rules you add, not those Azure adds by itself.`,
    `Source: ${sourceUrl(data.source, mode.source)}`,
    'Only adds: `outbound-rule set` creates a rule by name and replaces a rule of the same name, so each rule is set only when',
    '`outbound-rule list` does not name it; no rule is changed or removed, and a second run adds nothing.',
  ];
  const out = scriptHeader(`managed network outbound rules (${mode.az})`, plan, variables, notes);
  if (needsSubscription) {
    out.splice(out.length - 1, 0, ': "${SUBSCRIPTION_ID:?set SUBSCRIPTION_ID to the subscription of the resources the private endpoints reach}"', 'RESOURCES_RG="${RESOURCES_RG:-$RG}"');
  }
  for (const line of refused) out.push(`# left out: ${commentText(line)}`);
  out.push(...scriptFunctions(options.dryRun));
  if (rules.length === 0) {
    out.push(`# Nothing to add: ${mode.internet ? 'this mode lets internet traffic out, and Azure adds the private endpoints the facts name' : 'Azure adds every rule these targets need'}.`);
  } else {
    out.push(`existing="$(lookup az ml workspace outbound-rule list --workspace-name "$WS" --resource-group "$RG" --query '[].name')" || missing $? 'the workspace'`, '');
    for (const { name, rule, item } of rules) {
      out.push(`# ${commentText(`${describeRuleSpec(rule)}: ${what(item)}`)}`);
      out.push(`if has "$existing" '${name}'; then`, `  ${say(`  rule ${name}: exists, left as it is.`)}`, 'else', `  ${say(`  rule ${name}: adding.`)}`);
      const set = command([['change', 'az', 'ml', 'workspace', 'outbound-rule', 'set'], ['--workspace-name', '"$WS"'], ['--resource-group', '"$RG"'], ['--rule', `'${name}'`], ...setArguments(rule)]);
      out.push(`  ${set.replace(/\n/g, '\n  ')}`, 'fi', '');
    }
    out.push(
      '# The same rules for `az ml workspace update --file`. That command sends the whole managed_network of the file',
      '# (azure-ai-ml _workspace_operations_base.py), so a file with only these rules would stand for all of them: start',
      '# from `az ml workspace show -n "$WS" -g "$RG" --query managed_network -o yaml`, keep its isolation_mode and every',
      '# rule it lists, and append these under its outbound_rules. Replace <subscription-id> and <resource-group>.',
      ": <<'YAML'",
      'managed_network:',
      `  isolation_mode: ${mode.az}`,
      '  outbound_rules:',
      ...rules.flatMap(yamlRule),
      'YAML',
      '',
    );
  }
  const azure = managed.items.filter((i) => i.action.kind === 'azure-adds-tag' || i.action.kind === 'azure-adds-endpoint' || i.action.kind === 'internet');
  if (azure.length > 0) {
    out.push(
      plan.origin === 'report'
        ? '# Azure adds these itself, yet they were blocked: check that the managed network is provisioned (az ml workspace show --query managed_network) and the rules listed (az ml workspace outbound-rule list):'
        : '# Azure adds these itself (nothing to do):',
    );
    for (const item of azure) {
      const { action } = item;
      const rule =
        action.kind === 'azure-adds-tag'
          ? `required ${action.row.direction} service tag ${action.row.tag} (${sourceUrl(data.source, action.row.source)})`
          : action.kind === 'azure-adds-endpoint'
            ? `private endpoint to the workspace's ${action.row.resource}, ${action.subresource} (${sourceUrl(data.source, action.row.source)})`
            : `internet outbound of ${mode.az}`;
      out.push(`#   ${commentText(`${rule}: ${what(item)}`)}`);
    }
    out.push('');
  }
  const cannot = managed.items.filter((i) => i.action.kind === 'cannot');
  const standing = limitationsOf(data, mode).filter((l) => l.id === 'spark-no-fqdn' && (rules.some((r) => r.rule.type === 'fqdn') || managed.items.some((i) => l.feature !== undefined && i.features.includes(l.feature))));
  if (cannot.length > 0 || standing.length > 0) {
    out.push('# A managed network cannot express these; do this instead:');
    for (const item of cannot) {
      if (item.action.kind !== 'cannot') continue;
      const { limitation } = item.action;
      const needed = item.ports.length > 1 ? `${item.action.what.replace(/ \d+ to /, ` ${item.ports.join(', ')} to `)}` : item.action.what;
      out.push(`#   ${commentText(`${needed}${item.features.length > 0 ? ` (${item.features.join(', ')})` : ''}: ${limitation.requirement} is not possible (${sourceUrl(data.source, limitation.source)}); instead: ${limitation.alternative}.`)}`);
    }
    for (const limitation of standing) {
      out.push(`#   ${commentText(`serverless Spark jobs: ${limitation.requirement} do not apply to them (${sourceUrl(data.source, limitation.source)}); instead: ${limitation.alternative}.`)}`);
    }
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
