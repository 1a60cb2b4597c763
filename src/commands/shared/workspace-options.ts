import { Command, Option } from 'commander';
import { collect } from './repeatable.js';
import { FACT_ROWS, type FactOptionValues } from '../../facts/table.js';

// Only the flags live here: cli.ts imports this for every command, --version included,
// so it must not pull in the catalog loader (ajv, yaml). workspace.ts reads the values.

/** The raw option values commander hands us for the workspace flags. */
export interface WorkspaceOptionValues extends FactOptionValues {
  features?: string[];
  workspaceJson?: string;
  catalog?: string[];
  revision?: string;
}

function commaList(value: string, previous: string[] | undefined): string[] {
  const items = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return [...(previous ?? []), ...items];
}

/** Adds the flags that describe a workspace, one per row of the fact table; `list` and `check` share them. */
export function addWorkspaceOptions(command: Command): Command {
  for (const row of FACT_ROWS) {
    if (row.kind === 'boolean') {
      command.option(row.flag, row.help);
      // Both spellings, so that neither default applies and a flag can override the file either way.
      command.option(row.flag.replace(/^--/, '--no-'), row.negatedHelp ?? `not ${row.help} (overrides --workspace-json)`);
      continue;
    }
    const option = new Option(`${row.flag} ${row.argument ?? '<value>'}`, row.help);
    if (row.choices) option.choices(row.choices);
    if (row.kind === 'list') option.argParser(collect);
    if (row.kind === 'comma-list') option.argParser(commaList);
    command.addOption(option);
  }
  return command
    .option('--features <ids>', 'only these features, comma-separated (see `aml-netcheck features`)', commaList)
    .option('--workspace-json <file>', 'workspace JSON (az ml workspace show, the ARM resource, a list or an exported template; - for stdin); flags override it')
    .option('--catalog <file>', 'extra catalog file in the probes/ format (repeatable)', collect)
    .option('--revision <id>', 'revision of the article to check against, e.g. 2021-11 (default: the newest; see `aml-netcheck revisions`)');
}
