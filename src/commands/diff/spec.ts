import { DIFF_FORMATS, type DiffFormat } from '../../render/diff/registry.js';
import { outOption, outputOption } from '../shared/output-options.js';
import type { CommandSpec } from '../shared/spec.js';

/** What the CLI needs of `diff` before running it: kept apart so --help loads no reader or reporter. */
export interface DiffOptions {
  readonly output: DiffFormat;
  readonly out?: string[];
}

const DIFF_EXAMPLE = `
Example:
  $ aml-netcheck check ... --out before.json
  # change the firewall, then:
  $ aml-netcheck check ... --out after.json
  $ aml-netcheck diff before.json after.json
  $ aml-netcheck check ... -o json | aml-netcheck diff before.json - -o junit > diff.xml

Exit codes: 0 nothing newly broken (fixed, still broken or unchanged), 1 a feature newly
broken or a required endpoint newly blocked, 2 a file that is not an aml-netcheck report of
this schema version. A target without a verdict in one run is neither fixed nor broken.`;

export const DIFF: CommandSpec = {
  name: 'diff',
  summary: 'compare two saved check reports: what was fixed, what newly broke, what is still broken',
  arguments: [
    { name: '<before>', description: 'the earlier report (check --out FILE, or -o json), - for standard input' },
    { name: '<after>', description: 'the later report, - for standard input' },
  ],
  options: () => [outputOption(DIFF_FORMATS), outOption()],
  examples: DIFF_EXAMPLE,
  load: () => import('./run.js'),
};
