#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { InputError } from './model/errors.js';
import { CHECK_FORMATS } from './render/check/registry.js';
import { DIFF_FORMATS } from './render/diff/registry.js';
import { MERGE_FORMATS } from './render/merge/registry.js';
import { LIST_FORMATS } from './render/lists/registry.js';
import { installProcessGuard } from './commands/guard.js';
import { installStartupSignals } from './commands/signals.js';
import { streamWriter } from './io/stdout.js';
import { escapeControl, escapeControlKeepLines } from './model/text.js';
import { describeListCommand, type ListOptions } from './commands/list-options.js';
import { EXPLAIN_EXAMPLE, type ExplainOptions } from './commands/explain-options.js';
import { runListen, LISTEN_EXAMPLE, type ListenOptions } from './commands/listen.js';
import { addWorkspaceOptions } from './commands/workspace-options.js';
import { collect } from './commands/repeatable.js';
import { addCheckOptions, CHECK_EXAMPLE, type CheckOptions } from './commands/check-options.js';
import { OUT_HELP } from './commands/out-option.js';
import type { DemoOptions } from './commands/demo.js';
import { addRulesOptions, type RulesOptions } from './commands/rules-options.js';
import { DIFF_EXAMPLE, type DiffOptions } from './commands/diff-options.js';
import { MERGE_EXAMPLE, type MergeOptions } from './commands/merge-options.js';
import { addK8sManifestOptions, K8S_MANIFEST_EXAMPLE, type K8sManifestOptions } from './commands/k8s-manifest-options.js';
import { addBundleOptions, BUNDLE_EXAMPLE, BUNDLE_VERIFY_EXAMPLE, type BundleOptions } from './commands/bundle-options.js';

/**
 * Exit codes, as knip and most linters use them: 0 all good, 1 something required
 * is blocked (or not found), 2 the input was wrong or the tool failed.
 */
const EXIT_USAGE = 2;

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

const write = streamWriter(process.stdout);

function outputOption(formats: readonly string[] = LIST_FORMATS): Option {
  return new Option('-o, --output <format>', 'report format').choices(formats).default('table');
}

/** Every command that prints a report or a list can also save it, in the format its file name ends in. */
function outOption(): Option {
  return new Option('--out <file>', OUT_HELP).argParser(collect);
}

/** Flags, file contents and network text end up in messages: nothing may steer the terminal. */
function errorLine(text: string): string {
  return `aml-netcheck: ${escapeControl(text)}\n`;
}

const printCommanderError = (text: string, out: (text: string) => void): void => out(`aml-netcheck: ${escapeControlKeepLines(text.replace(/^error: /, ''))}`);

export function buildProgram(): Command {
  const program = new Command('aml-netcheck')
    .description('Network connectivity diagnostics for Azure Machine Learning workspaces in a locked-down virtual network')
    .version(packageVersion(), '-V, --version')
    .showSuggestionAfterError(true)
    .configureOutput({ outputError: printCommanderError })
    .exitOverride();

  const list = describeListCommand(addWorkspaceOptions(program.command('list')).addOption(outputOption()).addOption(outOption()));
  // Each command's work is imported when it runs: --version and --help load only commander.
  list.action(async (options: ListOptions) => {
    const { runList } = await import('./commands/list.js');
    process.exitCode = await runList(options, write);
  });

  const check = addWorkspaceOptions(program.command('check'))
    .description('check from here that every endpoint the workspace needs is reachable, and say which feature breaks when one is not');
  addCheckOptions(check).addOption(outputOption(CHECK_FORMATS)).addHelpText('after', CHECK_EXAMPLE);
  check.action(async (options: CheckOptions) => {
    const { runCheck } = await import('./commands/check.js');
    process.exitCode = await runCheck(options, packageVersion(), write);
  });

  addRulesOptions(addWorkspaceOptions(program.command('rules'))).action(async (options: RulesOptions) => {
    const { runRules } = await import('./commands/rules.js');
    process.exitCode = await runRules(options, write);
  });
  const bundle = addWorkspaceOptions(program.command('bundle'))
    .description('run the check and pack it, with the environment around it, into one redacted tarball for a support ticket');
  addBundleOptions(addCheckOptions(bundle, { out: false })).addOption(outputOption(CHECK_FORMATS)).addHelpText('after', BUNDLE_EXAMPLE);
  bundle.action(async (options: BundleOptions) => {
    const { runBundle } = await import('./commands/bundle.js');
    process.exitCode = await runBundle(options, packageVersion(), process.argv.slice(2), write);
  });
  bundle
    .command('verify')
    .description('check every file of a bundle against its manifest and print its summary')
    .argument('<file>', 'the bundle (.tar.gz)')
    .addHelpText('after', BUNDLE_VERIFY_EXAMPLE)
    .action(async (file: string) => {
      const { runBundleVerify } = await import('./commands/bundle.js');
      process.exitCode = await runBundleVerify(file, write);
    });

  program
    .command('demo')
    .description('run the real checks against a simulated Azure on loopback, a few endpoints broken on purpose (no root, nothing leaves this machine)')
    .addOption(outputOption(CHECK_FORMATS))
    .addOption(outOption())
    .addOption(new Option('--cloud <cloud>', 'the cloud the simulated workspace is in').choices(['public', 'usgov', 'china']).default('public'))
    .option('--revision <id>', 'revision of the article to check against (default: the newest)')
    .addHelpText('after', '\nExample:\n  $ aml-netcheck demo\n  $ aml-netcheck demo --cloud usgov --revision 2021-11\n  $ aml-netcheck demo -o json --out demo-report.json\n\nExit codes are those of check; the demo breaks endpoints on purpose, so a run that works exits 1.')
    .action(async (options: DemoOptions) => {
      const { runDemo } = await import('./commands/demo.js');
      process.exitCode = await runDemo(options, packageVersion(), write);
    });

  const manifest = addWorkspaceOptions(program.command('k8s-manifest'))
    .description('print the Kubernetes manifests (ServiceAccount, RBAC, facts ConfigMap, Job) that run check in a cluster, for kubectl apply -f -');
  addK8sManifestOptions(manifest).addHelpText('after', K8S_MANIFEST_EXAMPLE);
  manifest.action(async (options: K8sManifestOptions) => {
    const { runK8sManifest } = await import('./commands/k8s-manifest.js');
    process.exitCode = await runK8sManifest(options, packageVersion(), write);
  });

  program
    .command('diff')
    .description('compare two saved check reports: what was fixed, what newly broke, what is still broken')
    .argument('<before>', 'the earlier report (check --out FILE, or -o json), - for standard input')
    .argument('<after>', 'the later report, - for standard input')
    .addOption(outputOption(DIFF_FORMATS))
    .addOption(outOption())
    .addHelpText('after', DIFF_EXAMPLE)
    .action(async (before: string, after: string, options: DiffOptions) => {
      const { runDiff } = await import('./commands/diff.js');
      process.exitCode = await runDiff(before, after, options, write);
    });

  program
    .command('merge')
    .description('combine the reports of many nodes (a fleet run): which nodes reach each target, on which each feature breaks')
    .argument('<report...>', 'saved check reports, or kubectl get configmap -o json output of report ConfigMaps; - for standard input')
    .addOption(outputOption(MERGE_FORMATS))
    .addOption(outOption())
    .addHelpText('after', MERGE_EXAMPLE)
    .action(async (reports: string[], options: MergeOptions) => {
      const { runMerge } = await import('./commands/merge.js');
      process.exitCode = await runMerge(reports, options, write);
    });

  program
    .command('explain')
    .description('tell which features need a host, on which ports, and why')
    .argument('<host>', 'host name, host:port, URL, service tag or catalog pattern')
    .addOption(new Option('--cloud <cloud>', 'only this cloud').choices(['public', 'usgov', 'china']))
    .option('--catalog <file>', 'extra catalog file (repeatable)', collect)
    .option('--revision <id>', 'only this revision of the article (default: every revision, and what changed between them)')
    .addOption(outputOption())
    .addOption(outOption())
    .addHelpText('after', EXPLAIN_EXAMPLE)
    .action(async (host: string, options: ExplainOptions) => {
      const { runExplain } = await import('./commands/explain.js');
      process.exitCode = await runExplain(host, options, write);
    });

  program
    .command('listen')
    .description('open the inbound management ports for a while and report who connects (run it on the compute node)')
    .option('--ports <list>', 'ports to open, comma-separated (default: the inbound ports of the revision, e.g. 44224 for 2026-03, 29876,29877,44224 for 2021-11)')
    .option('--revision <id>', 'revision of the article whose inbound rules to listen for (default: the newest)')
    .option('--address <ip>', 'address to listen on', '0.0.0.0')
    .option('--duration <duration>', 'how long to listen, e.g. 30s, 2m', '1m')
    .addOption(outputOption())
    .addOption(outOption())
    .addHelpText('after', LISTEN_EXAMPLE)
    .action(async (options: ListenOptions) => {
      process.exitCode = await runListen(options, write);
    });

  program
    .command('revisions')
    .description('list the revisions of the article the catalog follows, with their dates and sources (--revision picks one)')
    .option('--catalog <file>', 'extra catalog file (repeatable)', collect)
    .addOption(outputOption())
    .addOption(outOption())
    .addHelpText('after', '\nExamples:\n  $ aml-netcheck revisions\n  $ aml-netcheck list --revision 2021-11\n  $ aml-netcheck rules --changes-since 2021-11')
    .action(async (options: { catalog?: string[]; output: 'table' | 'json'; out?: string[] }) => {
      const { runRevisions } = await import('./commands/revisions.js');
      process.exitCode = await runRevisions(options, write);
    });

  program
    .command('features')
    .description('list the feature ids that --features accepts')
    .option('--catalog <file>', 'extra catalog file (repeatable)', collect)
    .option('--revision <id>', 'the features of this revision of the article (default: the newest)')
    .addOption(outputOption())
    .addOption(outOption())
    .addHelpText('after', '\nExample:\n  $ aml-netcheck features -o json')
    .action(async (options: { catalog?: string[]; revision?: string; output: 'table' | 'json'; out?: string[] }) => {
      const { runFeatures } = await import('./commands/features.js');
      process.exitCode = await runFeatures(options, write);
    });

  for (const command of program.commands) command.exitOverride().configureOutput({ outputError: printCommanderError });
  return program;
}

export async function main(argv: readonly string[]): Promise<void> {
  installProcessGuard();
  installStartupSignals();
  try {
    await buildProgram().parseAsync(argv as string[]);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version arrive here too, as "errors" with exit code 0.
      process.exitCode = error.exitCode === 0 ? 0 : EXIT_USAGE;
      return;
    }
    if (error instanceof InputError) {
      process.stderr.write(errorLine(error.toLine()));
    } else {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(errorLine(`internal error: ${message} (please report this with --log-level debug output)`));
      if (process.env['AML_NETCHECK_DEBUG']) process.stderr.write(`${(error as Error).stack ?? ''}\n`);
    }
    process.exitCode = EXIT_USAGE;
  }
}

await main(process.argv);
