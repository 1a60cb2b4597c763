import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface Timed {
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs a command (in `namespace` when given), timing it from spawn to exit. */
export async function timedRun(namespace: string | null, command: string, args: readonly string[], timeoutMs: number, env?: NodeJS.ProcessEnv): Promise<Timed> {
  const [file, argv] = namespace === null ? [command, args] : ['ip', ['netns', 'exec', namespace, command, ...args]];
  const started = performance.now();
  const { stdout, stderr } = await execFileAsync(file, argv, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8', ...(env === undefined ? {} : { env }) });
  return { stdout, stderr, ms: performance.now() - started };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}
