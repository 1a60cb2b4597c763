import { Option } from 'commander';
import { outOption, outputOption } from '../shared/output-options.js';
import type { CommandSpec } from '../shared/spec.js';

export interface ListenOptions {
  ports?: string;
  revision?: string;
  address: string;
  duration: string;
  output: 'table' | 'json';
  out?: string[];
}

const LISTEN_EXAMPLE = `
Examples:
  $ aml-netcheck listen --duration 2m          # on the compute node; then from outside:
  $ aml-netcheck check --inbound-from-here 10.0.0.4 --features inbound-management

Exit codes:
  0    every port saw a connection
  1    a port saw none (or could not be opened)
  2    bad input (flags, an --address not on this machine, an --out that cannot be written)
  130  cut short by SIGINT (Ctrl-C); 143 by SIGTERM. The report is still written.`;

export const LISTEN: CommandSpec = {
  name: 'listen',
  summary: 'open the inbound management ports for a while and report who connects (run it on the compute node)',
  options: () => [
    new Option('--ports <list>', 'ports to open, comma-separated (default: the inbound ports of the revision, e.g. 44224 for 2026-03, 29876,29877,44224 for 2021-11)'),
    new Option('--revision <id>', 'revision of the article whose inbound rules to listen for (default: the newest)'),
    new Option('--address <ip>', 'address to listen on').default('0.0.0.0'),
    new Option('--duration <duration>', 'how long to listen, e.g. 30s, 2m').default('1m'),
    outputOption(),
    outOption(),
  ],
  examples: LISTEN_EXAMPLE,
  load: () => import('./run.js'),
};
