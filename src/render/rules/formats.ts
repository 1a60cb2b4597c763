import type { RulesPlan } from '../../remedies/plan.js';

/**
 * The formats `aml-netcheck rules` prints, named for the admin who will use them. Names
 * only, so the CLI can offer them without loading any renderer.
 */
export const RULES_FORMATS = ['table', 'json', 'markdown', 'csv', 'az', 'az-classic', 'nsg', 'bicep', 'dns', 'proxy'] as const;
export type RulesFormat = (typeof RULES_FORMATS)[number];

/** One line each for `rules --help`. */
export const RULES_FORMAT_HELP: Readonly<Record<RulesFormat, string>> = {
  table: 'the allow-list, one line per rule (default)',
  json: 'the allow-list and the fixes, for scripts',
  markdown: 'the allow-list as a Markdown table, for a ticket or a wiki',
  csv: 'any other firewall: direction, destination, protocol, port, service tag, features (RFC 4180)',
  az: 'Azure Firewall Policy: a script adding the rule collection group, collections and rules that are absent; removes nothing',
  'az-classic': 'Azure Firewall with classic rules: a script adding the collections and rules that are absent; removes nothing',
  nsg: 'network security group: a script adding service tag rules at free priorities, outbound and inbound; removes nothing',
  bicep: 'Azure Firewall Policy: a Bicep file that owns one rule collection group (deploying replaces that group only)',
  dns: 'private DNS zones, records and conditional forwarders (to 168.63.129.16) for private-link names',
  proxy: 'web proxy: the names to allow, and the NO_PROXY value for names that must bypass it',
};

/** Settings an admin can fill in so the generated commands run as they are; left as shell variables otherwise. */
export interface RulesRenderOptions {
  readonly resourceGroup?: string;
  readonly firewallPolicy?: string;
  readonly firewall?: string;
  readonly nsg?: string;
  /** Source addresses of the workspace's subnets (CIDR prefixes). */
  readonly source?: readonly string[];
  /** Set by `--changes-since`: the plan holds only what to add to a firewall built from an earlier list. */
  readonly additions?: Additions;
  /** `--dry-run`: the scripts print their writes instead of making them unless DRY_RUN=0 is set. */
  readonly dryRun?: boolean;
}

/**
 * What the command formats need to add to a firewall built from an earlier revision's list:
 * everything they create is named after the newer revision, and NSG rules are placed after the
 * earlier list's, so running them replaces no group, collection or rule that list made.
 */
export interface Additions {
  readonly since: string;
  readonly revision: string;
  readonly earlier: RulesPlan;
}
