import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ScriptRun {
  readonly code: number | null;
  /** Each `az` call's argv, `az` first. */
  readonly argvs: string[][];
  readonly stderr: string;
  /** Files the script left in its directory: there should be none. */
  readonly files: string[];
}

/** Runs a generated script in an empty directory, with `az` a function that prints its argv, NUL-separated. */
export function runScript(script: string, env: Record<string, string> = {}): ScriptRun {
  const dir = mkdtempSync(join(tmpdir(), 'aml-rules-'));
  writeFileSync(join(dir, 'rules.sh'), script);
  // stdin from /dev/null: bash reads ~/.bashrc when its stdin is a socket, as Node's pipes are.
  const syntax = spawnSync('bash', ['--norc', '--noprofile', '-n', join(dir, 'rules.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (syntax.status !== 0) throw new Error(`bash -n: ${syntax.stderr}`);
  const result = spawnSync('bash', ['--norc', '--noprofile', '-c', 'az() { printf "%s\\0" az "$@"; printf "\\036"; }; source ./rules.sh', 'rules'], {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env },
  });
  const argvs = result.stdout.split('\x1e').filter((s) => s !== '').map((s) => s.split('\0').slice(0, -1));
  return { code: result.status, argvs, stderr: result.stderr, files: readdirSync(dir).filter((f) => f !== 'rules.sh') };
}
