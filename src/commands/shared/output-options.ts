import { Option } from 'commander';
import { LIST_FORMATS } from '../../render/lists/registry.js';
import { collect } from './repeatable.js';

// Kept apart so that building the CLI loads no writer and no renderer.

/** The help text of every `--out`. */
export const OUT_HELP = 'also write the output to this file (repeatable), in the format its name ends in: .json (and any other name) JSON, .html, .md markdown, .xml JUnit, .txt the table; for rules also .csv, .bicep, .sh (the -o shell format, else az)';

/** `-o`: what stdout gets; a table unless asked. */
export function outputOption(formats: readonly string[] = LIST_FORMATS): Option {
  return new Option('-o, --output <format>', 'report format').choices(formats).default('table');
}

/** Every command that prints a report or a list can also save it, in the format its file name ends in. */
export function outOption(): Option {
  return new Option('--out <file>', OUT_HELP).argParser(collect);
}
