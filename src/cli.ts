#!/usr/bin/env node
import { installProcessGuard } from './commands/shared/guard.js';
import { run } from './commands/shared/program.js';
import { installStartupSignals } from './commands/shared/signals.js';
import { streamWriter } from './io/stdout.js';
import { EXIT } from './model/exit-codes.js';

// The process: its streams, environment and signals. What a command does is in commands/.
installProcessGuard();
installStartupSignals();

let stdoutFailed = false;
const stdout = streamWriter(process.stdout, (line) => {
  process.stderr.write(line);
  stdoutFailed = true;
  process.exitCode = EXIT.failure;
});
// A command sets its own exit code when it returns, which may be after stdout failed: the failure stands.
process.once('exit', () => {
  if (stdoutFailed) process.exitCode = EXIT.failure;
});

process.exitCode = await run(process.argv.slice(2), {
  stdout,
  stderr: (text) => void process.stderr.write(text),
  env: process.env,
  columns: process.stdout.isTTY ? process.stdout.columns : undefined,
  stderrIsTTY: process.stderr.isTTY === true,
  // Help and --version as commander writes them by default.
  programOutput: { writeOut: (text) => void process.stdout.write(text), writeErr: (text) => void process.stderr.write(text) },
});
