import type { Explanation } from '../../catalog/explain.js';
import type { WorkspaceFacts } from '../../model/facts.js';
import type { ListenReport } from '../../model/listen.js';
import type { Target } from '../../model/target.js';
import type { ManagedView } from '../../remedies/managed-network.js';
import { defineRegistry, formatsOf, type FormatOf } from '../format.js';
import type { TextOptions } from '../shared/terminal.js';
import type { ExplainContext } from './explain.js';
import type { FeatureRow } from './features.js';
import type { RevisionRow } from './revisions.js';

/** The lists and explanations, in one format each. */
export interface ListRenderers {
  /** `managed`: how the workspace's managed network meets each target; null without one. */
  readonly targets: (targets: readonly Target[], facts: WorkspaceFacts, options: TextOptions, managed: ManagedView | null) => string;
  readonly explain: (query: string, explanations: readonly Explanation[], context: ExplainContext) => string;
  readonly revisions: (rows: readonly RevisionRow[]) => string;
  readonly features: (features: readonly FeatureRow[]) => string;
  readonly listen: (report: ListenReport) => string;
}

/** Lists and explanations (`list`, `explain`, `revisions`, `features`, `listen`): a table to read, JSON for scripts. */
export const LIST_RENDERERS = defineRegistry<ListRenderers>()([
  {
    format: 'table',
    extensions: ['.txt'],
    escapesItself: false,
    load: async () => {
      const [targets, explain, revisions, features, listen] = await Promise.all([import('./targets-table.js'), import('./explain.js'), import('./revisions.js'), import('./features.js'), import('./listen.js')]);
      return { targets: targets.renderTargetsTable, explain: explain.renderExplainText, revisions: revisions.renderRevisionsTable, features: features.renderFeaturesTable, listen: listen.renderListenTable };
    },
  },
  {
    format: 'json',
    extensions: ['.json'],
    escapesItself: true,
    load: async () => {
      const [targets, explain, revisions, features, listen] = await Promise.all([import('./targets-json.js'), import('./explain.js'), import('./revisions.js'), import('./features.js'), import('./listen.js')]);
      return { targets: targets.renderTargetsJson, explain: explain.renderExplainJson, revisions: revisions.renderRevisionsJson, features: features.renderFeaturesJson, listen: listen.renderListenJson };
    },
  },
]);

export type ListFormat = FormatOf<typeof LIST_RENDERERS>;
export const LIST_FORMATS: readonly ListFormat[] = formatsOf<ListFormat>(LIST_RENDERERS);
