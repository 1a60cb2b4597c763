import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { run } from '../../src/commands/shared/program.js';
import { forbidNetwork } from './network-guard.mjs';
import { HANG_LIMIT_MS } from './timing.js';

export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/**
 * Runs a command in this process, from src/ (no build needed), with its own stdout, stderr,
 * environment (this process's, plus `env`) and, with `columns`, a terminal that wide as stdout.
 * For what reads output only: signals, start-up, standard input and the built artefact need
 * `spawnCli`. With `forbidNetwork`, any name lookup or socket fails the run, as the
 * forbid-network preload does for a process: code 99 and the call named on stderr.
 */
export async function runCli(args: readonly string[], options: { env?: NodeJS.ProcessEnv; columns?: number; forbidNetwork?: boolean } = {}): Promise<CliRun> {
  const started = Date.now();
  let stdout = '';
  let stderr = '';
  const calls: string[] = [];
  const restore = options.forbidNetwork === true ? forbidNetwork((what) => calls.push(what)) : () => {};
  let code: number;
  try {
    code = await run(args, {
      stdout: (text) => void (stdout += text),
      stderr: (text) => void (stderr += text),
      env: { ...process.env, ...options.env },
      columns: options.columns,
    });
  } finally {
    restore();
  }
  if (calls.length > 0) {
    stderr += calls.map((what) => `NETWORK CALL: ${what}\n`).join('');
    code = 99;
  }
  return { code, stdout, stderr, ms: Date.now() - started };
}

/**
 * Runs the built CLI as a user would, with a hard time limit so a hang fails the test. With
 * `input`, that text is its standard input (as `check -o json | aml-netcheck diff a.json -`).
 */
export function spawnCli(args: readonly string[], options: { env?: NodeJS.ProcessEnv; nodeArgs?: readonly string[]; timeoutMs?: number; input?: string } = {}): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    // Without input, stdin is /dev/null, as for a command run from a script.
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), CLI, ...args], {
      env: { ...process.env, ...options.env },
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    }) as ChildProcessByStdio<Writable | null, Readable, Readable>;
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`aml-netcheck ${args.join(' ')} did not finish within ${options.timeoutMs ?? HANG_LIMIT_MS} ms`));
    }, options.timeoutMs ?? HANG_LIMIT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}
