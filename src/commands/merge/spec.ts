import { MERGE_FORMATS, type MergeFormat } from '../../render/merge/registry.js';
import { outOption, outputOption } from '../shared/output-options.js';
import type { CommandSpec } from '../shared/spec.js';

/** What the CLI needs of `merge` before running it: kept apart so --help loads no reader or reporter. */
export interface MergeOptions {
  readonly output: MergeFormat;
  readonly out?: string[];
}

const MERGE_EXAMPLE = `
Example:
  $ kubectl get configmap -n azureml -l aml-netcheck/run=<run id> -o json | aml-netcheck merge -
  $ aml-netcheck merge node-a.json node-b.json node-c.json -o html --out fleet.html

Each REPORT is a report check saved (--out FILE, or -o json), or what kubectl get configmap
-o json prints for the report ConfigMaps of a fleet run (a List, or one ConfigMap, holding
the report under data."report.json"). A node is named by the ConfigMap's aml-netcheck/node
label, else the ConfigMap's name, else the file name (node-a.json: node-a). Two reports of
one node: a warning, and the newer is used. A ConfigMap without a report yet: a warning.

Exit codes: 0 every required target reachable from every node, 1 a required target blocked
on some node, 3 nothing required blocked but some node has no verdict for a required target
(its run was cut short), 2 a file that is not a report, or a ConfigMap whose report is not.`;

export const MERGE: CommandSpec = {
  name: 'merge',
  summary: 'combine the reports of many nodes (a fleet run): which nodes reach each target, on which each feature breaks',
  arguments: [{ name: '<report...>', description: 'saved check reports, or kubectl get configmap -o json output of report ConfigMaps; - for standard input' }],
  options: () => [outputOption(MERGE_FORMATS), outOption()],
  examples: MERGE_EXAMPLE,
  load: () => import('./run.js'),
};
