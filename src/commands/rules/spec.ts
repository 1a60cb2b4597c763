import { Option } from 'commander';
import { endingsHelp } from '../../render/format.js';
import { RULES_FORMATS, RULES_RENDERERS, type RulesFormat } from '../../render/rules/registry.js';
import { collect } from '../shared/repeatable.js';
import { outOption } from '../shared/output-options.js';
import type { CommandSpec } from '../shared/spec.js';
import { workspaceOptions, type WorkspaceOptionValues } from '../shared/workspace-options.js';

// Kept apart from run.ts so that building the CLI loads no catalog and no renderer.
export interface RulesOptions extends WorkspaceOptionValues {
  output: RulesFormat;
  out?: string[];
  fromReport?: string;
  changesSince?: string;
  resourceGroup?: string;
  firewallPolicy?: string;
  firewall?: string;
  nsg?: string;
  source?: string[];
  dryRun?: boolean;
}

const FORMATS_HELP = RULES_RENDERERS.map((f) => `  ${f.format.padEnd(11)} ${f.help}`).join('\n');
const ENDINGS_HELP = endingsHelp(RULES_RENDERERS)
  .map((line) => `  ${line}`)
  .join('\n');

export const RULES_EXAMPLE = `
Formats (-o):
${FORMATS_HELP}

Examples:
  $ aml-netcheck rules --region westus2 --storage-account st1 -o csv
  $ aml-netcheck rules --workspace-json ws.json -o az --resource-group rg-hub --firewall-policy fwp-hub --source 10.0.0.0/24
  $ aml-netcheck check --workspace-json ws.json -o json --out report.json
  $ aml-netcheck rules --from-report report.json -o bicep > aml-rules.bicep
  $ aml-netcheck rules --workspace-json ws.json --changes-since 2021-11
  $ aml-netcheck rules --workspace-json ws.json --changes-since 2021-11 -o az > add-since-2021-11.sh

With --changes-since, the command formats create only the additions, in a rule collection
group (or NSG rules) named after the newer revision, so nothing the earlier list made is
replaced; the rules that may be removed are listed as comments, never deleted.

The command formats only ever add: each script reads what the policy, firewall or NSG has, creates
only what is absent (a group, collection or rule of that name; at a free priority), never changes or
removes anything there, and changes nothing when run again; DRY_RUN=1 (or --dry-run) prints the
writes instead of making them. The fixes of a report go in a group of their own (aml-netcheck-fixes),
never into the allow-list's. A Bicep template owns its one group: its header gives the what-if command.

The shell formats (az, az-classic, nsg) leave $RG, $POLICY, $FIREWALL, $NSG and $SOURCE for you
to set unless the flags above fill them in. --out FILE writes the format its name ends in (JSON for
any other name):
${ENDINGS_HELP}
so one run can save several:
  $ aml-netcheck rules --workspace-json ws.json -o nsg --out nsg.sh --out fw.bicep --out allow.csv

Exit codes:
  0    the rules were printed
  2    bad input (flag, catalog, workspace JSON, a report that is not an aml-netcheck report)`;

export const RULES: CommandSpec = {
  name: 'rules',
  summary: 'print the firewall, NSG, DNS and proxy rules the workspace needs (no network calls); with --from-report, only the fixes for what a check found blocked',
  options: () => [
    ...workspaceOptions(),
    new Option('--from-report <file>', 'a saved `check -o json` report: print the fixes for its blocked targets, each by its cause (- for stdin)'),
    new Option('--changes-since <id>', 'print what changed in the allow-list since this revision of the article: the rules to add, and those that may be removed (see `aml-netcheck revisions`)'),
    new Option('-o, --output <format>', 'rules format (see below)').choices(RULES_FORMATS).default('table'),
    outOption(),
    new Option('--resource-group <name>', 'fills $RG in the az and nsg commands'),
    new Option('--firewall-policy <name>', 'fills $POLICY (-o az, -o bicep)'),
    new Option('--firewall <name>', 'fills $FIREWALL (-o az-classic)'),
    new Option('--nsg <name>', 'fills $NSG (-o nsg)'),
    new Option('--source <prefix>', "a source address prefix of the workspace's subnets, fills $SOURCE (repeatable)").argParser(collect),
    new Option('--dry-run', 'the az, az-classic and nsg scripts print the writes they would make instead of making them (their reads still run); DRY_RUN=0 in their environment overrides it'),
  ],
  examples: RULES_EXAMPLE,
  load: () => import('./run.js'),
};
