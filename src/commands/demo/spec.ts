import { Option } from 'commander';
import type { Cloud } from '../../model/clouds.js';
import { MANAGED_NETWORK_MODES, type ManagedNetworkMode } from '../../model/facts.js';
import { CHECK_FORMATS, type CheckFormat } from '../../render/check/registry.js';
import { outOption, outputOption } from '../shared/output-options.js';
import type { CommandSpec } from '../shared/spec.js';

export interface DemoOptions {
  output: CheckFormat;
  out?: string[];
  cloud?: Cloud;
  revision?: string;
  managedNetwork?: ManagedNetworkMode;
}

export const DEMO: CommandSpec = {
  name: 'demo',
  summary: 'run the real checks against a simulated Azure on loopback, a few endpoints broken on purpose (no root, nothing leaves this machine)',
  options: () => [
    outputOption(CHECK_FORMATS),
    outOption(),
    new Option('--cloud <cloud>', 'the cloud the simulated workspace is in').choices(['public', 'usgov', 'china']).default('public'),
    new Option('--revision <id>', 'revision of the article to check against (default: the newest)'),
    new Option('--managed-network <mode>', "the simulated workspace has a managed virtual network in this mode: each fix names the managed network's outbound rule").choices(MANAGED_NETWORK_MODES),
  ],
  examples:
    '\nExample:\n  $ aml-netcheck demo\n  $ aml-netcheck demo --cloud usgov --revision 2021-11\n  $ aml-netcheck demo --managed-network allow-only-approved-outbound\n  $ aml-netcheck demo -o json --out demo-report.json\n\nExit codes are those of check; the demo breaks endpoints on purpose, so a run that works exits 1.',
  load: () => import('./run.js'),
};
