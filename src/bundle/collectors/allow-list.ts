import { CollectorSkipped, type Collector } from '../contract.js';

/**
 * The slot for the allow-list `aml-netcheck rules` prints for these facts (environment/…:
 * rules.txt). `rules` is built on another branch; until it is wired in here the manifest says
 * the allow-list was skipped, and why.
 */
export const allowListCollector: Collector = {
  name: 'allow-list',
  describes: 'the allow-list `aml-netcheck rules` prints for these facts',
  collect: () => {
    throw new CollectorSkipped('`aml-netcheck rules` is not part of this version');
  },
};
