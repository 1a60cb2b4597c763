import { Option } from 'commander';
import { collect } from './repeatable.js';
import { FACT_ROWS, type FactKey, type FactOptionValues } from '../../facts/table.js';

// Only the flags live here: the specs import this for every command, --version included,
// so it must not pull in the catalog loader (ajv, yaml). workspace.ts reads the values.

/** The raw option values commander hands us for the workspace flags. */
export interface WorkspaceOptionValues extends FactOptionValues {
  features?: string[];
  workspaceJson?: string;
  catalog?: string[];
  revision?: string;
}

function commaList(value: string, previous: string[] | undefined): string[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return [...(previous ?? []), ...items];
}

/** The flag (both spellings of a boolean) of one row of the fact table. */
function rowOptions(row: (typeof FACT_ROWS)[number]): Option[] {
  if (row.kind === 'boolean') {
    // Both spellings, so that neither default applies and a flag can override the file either way.
    return [new Option(row.flag, row.help), new Option(row.flag.replace(/^--/, '--no-'), row.negatedHelp ?? `not ${row.help} (overrides --workspace-json)`)];
  }
  const lenient = 'acceptsOtherSpellings' in row && row.acceptsOtherSpellings === true;
  const option = new Option(`${row.flag} ${row.argument ?? '<value>'}`, lenient && row.choices ? `${row.help} (one of: ${row.choices.join(', ')})` : row.help);
  if (row.choices && !lenient) option.choices(row.choices);
  if (row.kind === 'list') option.argParser(collect);
  if (row.kind === 'comma-list') option.argParser(commaList);
  return [option];
}

/** One fact's flag, for a command that takes that fact alone (`explain --managed-network`). */
export function factOptions(key: FactKey): Option[] {
  return FACT_ROWS.filter((row) => row.key === key).flatMap(rowOptions);
}

/** The flags that describe a workspace, one per row of the fact table; `list`, `check` and others share them. */
export function workspaceOptions(): Option[] {
  const options = FACT_ROWS.flatMap(rowOptions);
  return [
    ...options,
    new Option('--features <ids>', 'only these features, comma-separated (see `aml-netcheck features`)').argParser(commaList),
    new Option('--workspace-json <file>', 'workspace JSON (az ml workspace show, the ARM resource, a list or an exported template; - for stdin); flags override it'),
    new Option('--catalog <file>', 'extra catalog file in the probes/ format (repeatable)').argParser(collect),
    new Option('--revision <id>', 'revision of the article to check against, e.g. 2021-11 (default: the newest; see `aml-netcheck revisions`)'),
  ];
}
