import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import type { Write } from '../../io/stdout.js';
import { InputError } from '../../model/errors.js';
import { EXIT } from '../../model/exit-codes.js';
import { escapeControl, escapeControlKeepLines } from '../../model/text.js';
import { COMMANDS } from '../registry.js';
import type { CommandContext, CommandSpec } from './spec.js';

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Flags, file contents and network text end up in messages: nothing may steer the terminal. */
function errorLine(text: string): string {
  return `aml-netcheck: ${escapeControl(text)}\n`;
}

const printCommanderError = (text: string, out: (text: string) => void): void => out(`aml-netcheck: ${escapeControlKeepLines(text.replace(/^error: /, ''))}`);

/** Adds a spec's command under `parent`; its action loads the runner and hands its exit code to `done`. */
function addCommand(parent: Command, spec: CommandSpec, context: CommandContext, done: (code: number) => void): void {
  const command = parent.command(spec.name).description(spec.summary);
  for (const argument of spec.arguments ?? []) command.argument(argument.name, argument.description);
  for (const option of spec.options?.() ?? []) command.addOption(option);
  if (spec.examples !== undefined) command.addHelpText('after', spec.examples);
  for (const sub of spec.subcommands ?? []) addCommand(command, sub, context, done);
  const { load } = spec;
  if (load === undefined) return;
  // Each command's work is imported when it runs: --version and --help load only commander and the specs.
  command.action(async (...params: unknown[]) => {
    const self = params.at(-1) as Command;
    const { run } = await load();
    done(await run({ args: self.processedArgs, options: self.opts(), context }));
  });
}

/** How the program writes help, --version and its own errors. */
export interface ProgramOutput {
  readonly writeOut: (text: string) => void;
  readonly writeErr: (text: string) => void;
  /** Columns for help text; undefined: commander's own choice. */
  readonly helpWidth?: number | undefined;
}

export function buildProgram(context: CommandContext, output: ProgramOutput, done: (code: number) => void): Command {
  const program = new Command('aml-netcheck')
    .description('Network connectivity diagnostics for Azure Machine Learning workspaces in a locked-down virtual network')
    .version(context.version, '-V, --version')
    .showSuggestionAfterError(true)
    .configureOutput({
      outputError: printCommanderError,
      writeOut: output.writeOut,
      writeErr: output.writeErr,
      ...(output.helpWidth === undefined ? {} : { getOutHelpWidth: () => output.helpWidth as number, getErrHelpWidth: () => output.helpWidth as number }),
    })
    .exitOverride();
  for (const spec of COMMANDS) addCommand(program, spec, context, done);
  return program;
}

/** What the CLI runs with: standard output and error, the environment, the terminal. */
export interface CliIo {
  readonly stdout: Write;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  /** Standard output is a terminal this wide; absent: not a terminal. */
  readonly columns?: number | undefined;
  /** Whether standard error is a terminal (the progress line of check shows only there). */
  readonly stderrIsTTY?: boolean;
  /** How help and --version are written when not to `stdout` (the real process writes them straight to its stream). */
  readonly programOutput?: ProgramOutput;
}

/**
 * Runs one command line (the arguments after the program name) and resolves to its exit
 * code. It touches no process global: cli.ts gives it the real streams and sets the exit code;
 * a test gives it strings to fill.
 */
export async function run(args: readonly string[], io: CliIo): Promise<number> {
  const context: CommandContext = {
    version: packageVersion(),
    argv: args,
    write: io.stdout,
    stderr: io.stderr,
    env: io.env,
    stdout: io.columns === undefined ? { isTTY: false } : { isTTY: true, columns: io.columns },
    stderrIsTTY: io.stderrIsTTY ?? false,
  };
  let code: number = EXIT.ok;
  const output = io.programOutput ?? { writeOut: (text: string) => void io.stdout(text), writeErr: io.stderr, helpWidth: io.columns };
  try {
    await buildProgram(context, output, (c) => (code = c)).parseAsync(args as string[], { from: 'user' });
    return code;
  } catch (error) {
    // Help and --version arrive here too, as "errors" with exit code 0.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.failure;
    if (error instanceof InputError) {
      io.stderr(errorLine(error.toLine()));
    } else {
      const message = error instanceof Error ? error.message : String(error);
      io.stderr(errorLine(`internal error: ${message} (please report this with --log-level debug output)`));
      if (io.env['AML_NETCHECK_DEBUG']) io.stderr(`${(error as Error).stack ?? ''}\n`);
    }
    return EXIT.failure;
  }
}
