import type { Collector } from '../contract.js';

export const logCollector: Collector = {
  name: 'log',
  describes: 'the log of the run, NDJSON at debug level whatever --log-level said',
  collect: ({ log }) => ({ files: [{ name: 'log.ndjson', content: { ndjson: log } }] }),
};
