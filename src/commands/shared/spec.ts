import type { Option } from 'commander';
import type { Write } from '../../io/stdout.js';

/**
 * What a command's run gets from whoever runs it: the real process (cli.ts) or a test
 * running it in-process. Runners read these, never process.stdout, process.stderr or
 * process.env, so what they print and what they read can be given.
 */
export interface CommandContext {
  readonly version: string;
  /** The arguments after the program name, as `bundle` records them. */
  readonly argv: readonly string[];
  /** Standard output, with backpressure. */
  readonly write: Write;
  /** Standard error: our own lines (warnings, notes), each ending in a newline. */
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  /** What standard output is: a terminal (and how wide) or not; with env, it decides width and colour. */
  readonly stdout: { readonly isTTY?: boolean; readonly columns?: number };
  /** Whether standard error is a terminal: the progress line shows only there. */
  readonly stderrIsTTY: boolean;
}

export interface Invocation {
  /** The command's arguments as commander parsed them (a variadic one is an array). */
  readonly args: readonly unknown[];
  readonly options: Record<string, unknown>;
  readonly context: CommandContext;
}

/** What a command's `load` resolves to: its runner, resolving to the exit code. */
export interface CommandModule {
  run(invocation: Invocation): Promise<number>;
}

export interface ArgumentSpec {
  /** As commander writes it: `<file>`, `<report...>`. */
  readonly name: string;
  readonly description: string;
}

/**
 * A command as `--help` shows it, and how to load its work. A spec imports commander and
 * other specs' light modules only: `--version` and `--help` load every spec and no runner.
 */
export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  readonly arguments?: readonly ArgumentSpec[];
  /** In the order `--help` lists them; made anew for each program, as commander keeps state on them. */
  readonly options?: () => readonly Option[];
  /** Shown after the options in `--help`: examples, exit codes. */
  readonly examples?: string;
  readonly subcommands?: readonly CommandSpec[];
  /** The runner, imported when the command runs; absent for a command that only groups subcommands. */
  readonly load?: () => Promise<CommandModule>;
}
