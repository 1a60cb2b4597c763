import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AzStandin, type AzState } from './az-standin.js';

export interface ScriptRun {
  readonly code: number | null;
  /** Each `az` call that writes, argv with `az` first. */
  readonly argvs: string[][];
  /** Each `az` call that only reads (show, list). */
  readonly reads: string[][];
  readonly stdout: string;
  readonly stderr: string;
  /** Files the script left in its directory: there should be none. */
  readonly files: string[];
}

/** The resources the tests name (rg1/fwp1, rg1/fw1, rg1/nsg1, and the policy the unfilled scripts are run against), empty. */
function emptyResources(): AzState {
  const policy = { groups: [] };
  return {
    policies: { 'rg1/fwp1': policy, 'rg/p': policy, 'my rg/p': policy },
    firewalls: { 'rg1/fw1': { networkRuleCollections: [], applicationRuleCollections: [] } },
    nsgs: { 'rg1/nsg1': { securityRules: [] } },
  };
}

const READ = new Set(['show', 'list']);

/** Runs a generated script in an empty directory against the stand-in `az` (see az-standin.mjs), on empty resources unless told. */
export async function runScript(script: string, env: Record<string, string> = {}, state: AzState = emptyResources()): Promise<ScriptRun> {
  const dir = mkdtempSync(join(tmpdir(), 'aml-rules-'));
  writeFileSync(join(dir, 'rules.sh'), script);
  const syntax = spawnSync('bash', ['--norc', '--noprofile', '-n', join(dir, 'rules.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (syntax.status !== 0) throw new Error(`bash -n: ${syntax.stderr}`);
  const az = new AzStandin(state);
  const run = await az.apply(script, env);
  az.close();
  const calls = run.calls.map((argv) => ['az', ...argv]);
  const isRead = (argv: string[]): boolean => argv.slice(0, 8).some((word) => READ.has(word));
  return { code: run.code, argvs: calls.filter((a) => !isRead(a)), reads: calls.filter(isRead), stdout: run.stdout, stderr: run.stderr, files: run.files };
}
