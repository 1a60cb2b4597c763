import type { RulesPlan } from '../remedies/plan.js';
import { renderRulesAzClassic } from './rules-az-classic.js';
import { renderRulesAzPolicy } from './rules-az-policy.js';
import { renderRulesBicep } from './rules-bicep.js';
import { renderRulesCsv } from './rules-csv.js';
import { renderRulesDns } from './rules-dns.js';
import type { RulesFormat, RulesRenderOptions } from './rules-formats.js';
import { renderRulesJson } from './rules-json.js';
import { renderRulesMarkdown } from './rules-markdown.js';
import { renderRulesNsg } from './rules-nsg.js';
import { renderRulesProxy } from './rules-proxy.js';
import { renderRulesTable } from './rules-table.js';
import type { TextOptions } from './terminal.js';

/** Every format `rules` prints, each a pure function of the plan. */
export const RULES_RENDERERS: Readonly<Record<RulesFormat, (plan: RulesPlan, options: RulesRenderOptions, text: TextOptions) => string>> = {
  table: (plan, _options, text) => renderRulesTable(plan, text),
  json: renderRulesJson,
  markdown: renderRulesMarkdown,
  csv: renderRulesCsv,
  az: renderRulesAzPolicy,
  'az-classic': renderRulesAzClassic,
  nsg: renderRulesNsg,
  bicep: renderRulesBicep,
  dns: renderRulesDns,
  proxy: renderRulesProxy,
};
