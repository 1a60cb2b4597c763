import { planFromReport, planFromTargets } from '../../remedies/plan.js';
import { descriptorOf } from '../../render/format.js';
import { RULES_RENDERERS, type RulesFormat } from '../../render/rules/registry.js';
import { PLAIN } from '../../render/shared/terminal.js';
import type { Collector } from '../contract.js';

/**
 * What `aml-netcheck rules` prints for the run: the whole allow-list of these facts, and the
 * fixes of what the run found blocked, so the engineer can hand the customer's admin the
 * change in the admin's own format without running anything.
 */
export const allowListCollector: Collector = {
  name: 'allow-list',
  describes: 'what `aml-netcheck rules` prints: the whole allow-list for these facts (CSV, Markdown) and the fixes of the blocked targets (Markdown, Azure Firewall Policy commands)',
  collect: async ({ report }) => {
    const all = planFromTargets(report.targets, report.facts);
    const fixes = planFromReport(report.targets, report.facts, report.settings.proxy !== null);
    const render = async (plan: typeof all, format: RulesFormat): Promise<string> => (await descriptorOf(RULES_RENDERERS, format).load()).plan(plan, {}, PLAIN);
    return {
      files: [
        { name: 'rules/allow-list.csv', content: { text: await render(all, 'csv') } },
        { name: 'rules/allow-list.md', content: { text: await render(all, 'markdown') } },
        { name: 'rules/fixes.md', content: { text: await render(fixes, 'markdown') } },
        { name: 'rules/fixes-firewall-policy.sh', content: { text: await render(fixes, 'az') } },
      ],
    };
  },
};
