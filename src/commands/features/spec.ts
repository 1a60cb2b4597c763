import { Option } from 'commander';
import { outOption, outputOption } from '../shared/output-options.js';
import { collect } from '../shared/repeatable.js';
import type { CommandSpec } from '../shared/spec.js';

export interface FeaturesOptions {
  catalog?: string[];
  revision?: string;
  output: 'table' | 'json';
  out?: string[];
}

export const FEATURES: CommandSpec = {
  name: 'features',
  summary: 'list the feature ids that --features accepts',
  options: () => [new Option('--catalog <file>', 'extra catalog file (repeatable)').argParser(collect), new Option('--revision <id>', 'the features of this revision of the article (default: the newest)'), outputOption(), outOption()],
  examples: '\nExample:\n  $ aml-netcheck features -o json',
  load: () => import('./run.js'),
};
