import { Option } from 'commander';
import { CHECK_RENDERERS } from '../../render/check/registry.js';
import { endingsHelp, endingsOf } from '../../render/format.js';
import { LIST_FORMATS } from '../../render/lists/registry.js';
import { RULES_RENDERERS } from '../../render/rules/registry.js';
import { collect } from './repeatable.js';

// Kept apart so that building the CLI loads no writer and no renderer.

/**
 * The help text of every `--out`, from the registries: the endings of a report (a check, a diff
 * and a merge share them; the lists write two of them), then those only rules adds.
 */
export const OUT_HELP = `also write the output to this file (repeatable), in the format its name ends in (JSON for any other name): ${endingsHelp(CHECK_RENDERERS).join('; ')}. For rules also: ${endingsHelp(RULES_RENDERERS, endingsOf(CHECK_RENDERERS)).join('; ')}`;

/** `-o`: what stdout gets; a table unless asked. */
export function outputOption(formats: readonly string[] = LIST_FORMATS): Option {
  return new Option('-o, --output <format>', 'report format').choices(formats).default('table');
}

/** Every command that prints a report or a list can also save it, in the format its file name ends in. */
export function outOption(): Option {
  return new Option('--out <file>', OUT_HELP).argParser(collect);
}
