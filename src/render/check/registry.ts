import type { CheckReport } from '../../report/report.js';
import { descriptorOf, formatsOf, reportRegistry, type FormatOf } from '../format.js';
import { RULES_RENDERERS } from '../rules/registry.js';
import { PLAIN } from '../shared/terminal.js';

/**
 * Every format a check report prints in (`check`, `demo`, `bundle`), each a pure function of
 * the report. Commands pick from here rather than branching on the format themselves.
 */
export const CHECK_RENDERERS = reportRegistry<CheckReport>({
  table: async () => (await import('./table.js')).renderCheckTable,
  // In chunks, target by target: a report of thousands of targets is never one string.
  json: async () => (await import('./json.js')).checkJsonChunks,
  markdown: async () => {
    // The fixes of what a firewall blocked, as `rules -o az` writes them: kinds meet only through their registries.
    const [{ renderCheckMarkdown }, firewall] = await Promise.all([import('./markdown.js'), descriptorOf(RULES_RENDERERS, 'az').load()]);
    return (report) => renderCheckMarkdown(report, (plan) => firewall.plan(plan, {}, PLAIN));
  },
  junit: async () => (await import('./junit.js')).renderCheckJunit,
  html: async () => (await import('./html.js')).renderCheckHtml,
});

export type CheckFormat = FormatOf<typeof CHECK_RENDERERS>;
export const CHECK_FORMATS: readonly CheckFormat[] = formatsOf<CheckFormat>(CHECK_RENDERERS);
