import type { Collector } from '../contract.js';

export const factsCollector: Collector = {
  name: 'facts',
  describes: 'the workspace facts the run used (from flags and --workspace-json), and its settings',
  collect: ({ report }) => ({ files: [{ name: 'facts.json', content: { json: { facts: report.facts, settings: report.settings } } }] }),
};
