import type { RuleChanges } from '../../remedies/changes.js';
import type { RulesPlan } from '../../remedies/plan.js';
import { defineRegistry, formatsOf, type FormatOf } from '../format.js';
import type { TextOptions } from '../shared/terminal.js';
import type { RulesRenderOptions } from './formats.js';

/** One format of `rules`: the plan (an allow-list, or a report's fixes), and `--changes-since`'s changes. */
export interface RulesRenderer {
  readonly plan: (plan: RulesPlan, options: RulesRenderOptions, text: TextOptions) => string;
  /** `before` is the earlier plan, so additions can be placed after what it made. */
  readonly changes: (changes: RuleChanges, before: RulesPlan, options: RulesRenderOptions, text: TextOptions) => string;
}

/** The load of a format: its own renderer of the plan; the changes of every format come from one module. */
function withChanges(format: string, plan: () => Promise<RulesRenderer['plan']>): () => Promise<RulesRenderer> {
  return async () => {
    const [own, { CHANGES_RENDERERS }] = await Promise.all([plan(), import('./changes.js')]);
    return { plan: own, changes: CHANGES_RENDERERS[format as keyof typeof CHANGES_RENDERERS] };
  };
}

/**
 * The formats `aml-netcheck rules` prints, named for the admin who will use them, each with
 * one line for `rules --help` saying whom it is for. CSV neutralises spreadsheet formulas
 * itself; every other format but JSON gets the usual last escaping pass.
 */
export const RULES_RENDERERS = defineRegistry<RulesRenderer, { readonly help: string }>()([
  {
    format: 'table',
    extensions: ['.txt'],
    escapesItself: false,
    help: 'the allow-list, one line per rule (default)',
    load: withChanges('table', async () => {
      const { renderRulesTable } = await import('./table.js');
      return (plan, _options, text) => renderRulesTable(plan, text);
    }),
  },
  {
    format: 'json',
    extensions: ['.json'],
    escapesItself: true,
    help: 'the allow-list and the fixes, for scripts',
    load: withChanges('json', async () => (await import('./json.js')).renderRulesJson),
  },
  {
    format: 'markdown',
    extensions: ['.md', '.markdown'],
    escapesItself: false,
    help: 'the allow-list as a Markdown table, for a ticket or a wiki',
    load: withChanges('markdown', async () => (await import('./markdown.js')).renderRulesMarkdown),
  },
  {
    format: 'csv',
    extensions: ['.csv'],
    escapesItself: true,
    help: 'any other firewall: direction, destination, protocol, port, service tag, features (RFC 4180)',
    load: withChanges('csv', async () => (await import('./csv.js')).renderRulesCsv),
  },
  {
    format: 'az',
    extensions: ['.sh'],
    escapesItself: false,
    help: 'Azure Firewall Policy: a script adding the rule collection group, collections and rules that are absent; removes nothing',
    load: withChanges('az', async () => (await import('./az-policy.js')).renderRulesAzPolicy),
  },
  {
    format: 'az-classic',
    extensions: ['.sh'],
    escapesItself: false,
    help: 'Azure Firewall with classic rules: a script adding the collections and rules that are absent; removes nothing',
    load: withChanges('az-classic', async () => (await import('./az-classic.js')).renderRulesAzClassic),
  },
  {
    format: 'nsg',
    extensions: ['.sh'],
    escapesItself: false,
    help: 'network security group: a script adding service tag rules at free priorities, outbound and inbound; removes nothing',
    load: withChanges('nsg', async () => (await import('./nsg.js')).renderRulesNsg),
  },
  {
    format: 'bicep',
    extensions: ['.bicep'],
    escapesItself: false,
    help: 'Azure Firewall Policy: a Bicep file that owns one rule collection group (deploying replaces that group only)',
    load: withChanges('bicep', async () => (await import('./bicep.js')).renderRulesBicep),
  },
  {
    format: 'dns',
    extensions: ['.txt'],
    escapesItself: false,
    help: 'private DNS zones, records and conditional forwarders (to 168.63.129.16) for private-link names',
    load: withChanges('dns', async () => {
      const { renderRulesDns } = await import('./dns.js');
      return (plan, options) => renderRulesDns(plan, options);
    }),
  },
  {
    format: 'proxy',
    extensions: ['.txt'],
    escapesItself: false,
    help: 'web proxy: the names to allow, and the NO_PROXY value for names that must bypass it',
    load: withChanges('proxy', async () => (await import('./proxy.js')).renderRulesProxy),
  },
  {
    format: 'managed-network',
    extensions: ['.sh'],
    escapesItself: false,
    help: "managed virtual network: a script adding the workspace's outbound rules that are absent (az ml workspace outbound-rule set), their YAML, and what Azure adds or a managed network cannot express",
    load: withChanges('managed-network', async () => (await import('./managed-network.js')).renderRulesManagedNetwork),
  },
]);

export type RulesFormat = FormatOf<typeof RULES_RENDERERS>;
export const RULES_FORMATS: readonly RulesFormat[] = formatsOf<RulesFormat>(RULES_RENDERERS);
