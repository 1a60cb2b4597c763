import { Option } from 'commander';
import { outOption, outputOption } from '../shared/output-options.js';
import { collect } from '../shared/repeatable.js';
import type { CommandSpec } from '../shared/spec.js';

export interface RevisionsOptions {
  catalog?: string[];
  output: 'table' | 'json';
  out?: string[];
}

export const REVISIONS: CommandSpec = {
  name: 'revisions',
  summary: 'list the revisions of the article the catalog follows, with their dates and sources (--revision picks one)',
  options: () => [new Option('--catalog <file>', 'extra catalog file (repeatable)').argParser(collect), outputOption(), outOption()],
  examples: '\nExamples:\n  $ aml-netcheck revisions\n  $ aml-netcheck list --revision 2021-11\n  $ aml-netcheck rules --changes-since 2021-11',
  load: () => import('./run.js'),
};
