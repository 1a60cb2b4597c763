import type { RulesPlan } from '../../remedies/plan.js';
import { renderRulesAzClassic } from './az-classic.js';
import { renderRulesAzPolicy } from './az-policy.js';
import { renderRulesBicep } from './bicep.js';
import { renderRulesCsv } from './csv.js';
import { renderRulesDns } from './dns.js';
import type { RulesFormat, RulesRenderOptions } from './formats.js';
import { renderRulesJson } from './json.js';
import { renderRulesMarkdown } from './markdown.js';
import { renderRulesNsg } from './nsg.js';
import { renderRulesProxy } from './proxy.js';
import { renderRulesTable } from './table.js';
import type { TextOptions } from '../shared/terminal.js';

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
