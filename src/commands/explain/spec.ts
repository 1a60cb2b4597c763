import { Option } from 'commander';
import type { Cloud } from '../../model/clouds.js';
import { outOption, outputOption } from '../shared/output-options.js';
import { collect } from '../shared/repeatable.js';
import type { CommandSpec } from '../shared/spec.js';
import { factOptions } from '../shared/workspace-options.js';
import type { FactOptionValues } from '../../facts/table.js';

export interface ExplainOptions extends Pick<FactOptionValues, 'managedNetwork'> {
  cloud?: Cloud;
  catalog?: string[];
  revision?: string;
  output: 'table' | 'json';
  out?: string[];
}

const EXPLAIN_EXAMPLE = `
Examples:
  $ aml-netcheck explain ci1.westus2.instances.azureml.ms
  $ aml-netcheck explain st1.file.core.windows.net:445
  $ aml-netcheck explain Storage.westus2 --cloud public -o json
  $ aml-netcheck explain ghcr.io --revision 2021-11
  $ aml-netcheck explain st1.file.core.windows.net --managed-network allow-only-approved-outbound

Every revision of the article is explained unless --revision names one: in which the host is
required, and what changed from one to the next (ports, conditions, features, clouds).
With --managed-network, also how a managed virtual network in that mode meets each port of the
host in the newest revision explained, the host standing for the workspace's own names.`;

export const EXPLAIN: CommandSpec = {
  name: 'explain',
  summary: 'tell which features need a host, on which ports, and why',
  arguments: [{ name: '<host>', description: 'host name, host:port, URL, service tag or catalog pattern' }],
  options: () => [
    new Option('--cloud <cloud>', 'only this cloud').choices(['public', 'usgov', 'china']),
    new Option('--catalog <file>', 'extra catalog file (repeatable)').argParser(collect),
    new Option('--revision <id>', 'only this revision of the article (default: every revision, and what changed between them)'),
    // The workspace fact's own flag: what a managed network in that mode does with each port of the host.
    ...factOptions('managedNetwork'),
    outputOption(),
    outOption(),
  ],
  examples: EXPLAIN_EXAMPLE,
  load: () => import('./run.js'),
};
