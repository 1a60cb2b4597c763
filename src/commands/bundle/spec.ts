import { Option } from 'commander';
import { CHECK_FORMATS } from '../../render/check/registry.js';
import { checkOptions, type CheckOptions } from '../shared/check-options.js';
import { outputOption } from '../shared/output-options.js';
import { collect } from '../shared/repeatable.js';
import type { CommandSpec } from '../shared/spec.js';
import { workspaceOptions } from '../shared/workspace-options.js';

// Kept apart from run.ts so that building the CLI does not load the probers or node-tar.
export interface BundleOptions extends Omit<CheckOptions, 'out'> {
  out?: string[];
  stdout?: boolean;
  redact?: string[];
}

const BUNDLE_EXAMPLE = `
Runs the check and packs, for a support ticket, one gzipped tarball (mode 0600) with the report
(JSON, Markdown and every other format), the debug log, the facts and catalogs, and the
environment (OS, container or pod, resolv.conf, hosts lines, interfaces, routes, proxy
variables, clock offset), and with --config the exported rules and their audit. Secrets are
redacted before anything is written. Nothing is uploaded.

Examples:
  $ aml-netcheck bundle --workspace-json ws.json
  $ aml-netcheck bundle --region westus2 --storage-account st1 --out ticket-1234.tar.gz --redact 'corp-[0-9]+'
  $ kubectl exec POD -- aml-netcheck bundle --region westus2 --stdout > bundle.tar.gz
  $ aml-netcheck bundle verify ticket-1234.tar.gz

Exit codes are those of check (0, 1, 3; 130 and 143 when interrupted, the bundle still made);
2 for a bad flag or an output that cannot be written, before any check.`;

const BUNDLE_VERIFY_EXAMPLE = `
Example:
  $ aml-netcheck bundle verify aml-netcheck-jumpbox-20250101T120000Z.tar.gz

Exit codes:
  0  every file matches the manifest
  1  a file differs, is missing, or is not listed (each is named)
  2  the file cannot be read or is not an aml-netcheck bundle`;

export const BUNDLE: CommandSpec = {
  name: 'bundle',
  summary: 'run the check and pack it, with the environment around it, into one redacted tarball for a support ticket',
  options: () => [
    ...workspaceOptions(),
    ...checkOptions({ out: false }),
    new Option('--out <file>', 'the bundle file (default: aml-netcheck-<host>-<UTC time>.tar.gz here); never an existing file unless named').argParser(collect),
    new Option('--stdout', 'write the bundle to standard output (for kubectl exec … > bundle.tar.gz); nothing else goes there'),
    new Option('--redact <regex>', 'also redact what this regular expression matches, in values (never JSON keys or file names of ours) and in the host name of the default file name (repeatable)').argParser(collect),
    outputOption(CHECK_FORMATS),
  ],
  examples: BUNDLE_EXAMPLE,
  subcommands: [
    {
      name: 'verify',
      summary: 'check every file of a bundle against its manifest and print its summary',
      arguments: [{ name: '<file>', description: 'the bundle (.tar.gz)' }],
      examples: BUNDLE_VERIFY_EXAMPLE,
      load: () => import('./verify.js'),
    },
  ],
  load: () => import('./run.js'),
};
