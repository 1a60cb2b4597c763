import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { azCall } from './az-standin.mjs';

/**
 * Runs generated scripts against the stand-in `az` of az-standin.mjs (see there for the
 * contract it implements and its sources). The stand-in's state lives here, in this process;
 * the `az` put first on PATH is a few lines of bash that hand their argv to it over a loopback
 * connection (bash's /dev/tcp), since starting Node for each of a script's dozens of calls
 * takes seconds on a busy machine. So several scripts apply one after the other to the same
 * policy, firewall and NSG.
 */

export interface StoredRule {
  name: string;
  [field: string]: unknown;
}
export interface RuleCollection {
  name: string;
  priority: number;
  rules: StoredRule[];
  [field: string]: unknown;
}
export interface SecurityRule {
  name: string;
  priority: number;
  direction: string;
  [field: string]: unknown;
}
export interface OutboundRule {
  name: string;
  type: 'fqdn' | 'service_tag' | 'private_endpoint';
  destination: unknown;
  category?: string;
}

export interface AzState {
  policies?: Record<string, { groups: Array<{ name: string; priority: number; ruleCollections: RuleCollection[] }> }>;
  firewalls?: Record<string, { networkRuleCollections: RuleCollection[]; applicationRuleCollections: RuleCollection[] }>;
  nsgs?: Record<string, { securityRules: SecurityRule[] }>;
  /** Managed-network outbound rules by `group/workspace`, as `az ml workspace outbound-rule list` prints them. */
  workspaces?: Record<string, { outboundRules: OutboundRule[] }>;
  /** Every call, argv without `az`. */
  calls?: string[][];
  /** Every write, and the total number of rules held after it. */
  writes?: Array<{ command: string; total: number }>;
}

export interface Applied {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The writes this run made, with the rule count after each. */
  readonly writes: Array<{ command: string; total: number }>;
  /** The calls this run made, argv without `az`. */
  readonly calls: string[][];
  /** Files the script left in its directory: there should be none. */
  readonly files: string[];
}

const CLIENT = (port: number): string => `#!/usr/bin/env bash
exec 3<>/dev/tcp/127.0.0.1/${port}
printf '%s\\0' "$#" "$@" >&3
IFS= read -r code <&3
IFS= read -r err <&3
cat <&3
exec 3<&-
if [[ -n $err ]]; then base64 -d <<< "$err" >&2; fi
exit "$code"
`;

export class AzStandin {
  readonly state: AzState;
  private failPattern: string | undefined;
  private server: Server | undefined;
  private bin: string | undefined;

  constructor(initial: AzState) {
    this.state = { calls: [], writes: [], ...structuredClone(initial) };
  }

  /** The number of rules held now. */
  total(): number {
    let total = 0;
    for (const p of Object.values(this.state.policies ?? {})) for (const g of p.groups) for (const c of g.ruleCollections) total += c.rules.length;
    for (const f of Object.values(this.state.firewalls ?? {})) for (const c of [...f.networkRuleCollections, ...f.applicationRuleCollections]) total += c.rules.length;
    for (const n of Object.values(this.state.nsgs ?? {})) total += n.securityRules.length;
    for (const w of Object.values(this.state.workspaces ?? {})) total += w.outboundRules.length;
    return total;
  }

  private async start(): Promise<string> {
    if (this.bin !== undefined) return this.bin;
    const server = createServer((socket) => {
      let input = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        input = Buffer.concat([input, chunk]);
        const words = input.toString('utf8').split('\0');
        const count = Number(words[0]);
        if (words.length < count + 2) return;
        const result = azCall(this.state, words.slice(1, count + 1), this.failPattern);
        socket.end(`${result.code}\n${Buffer.from(result.stderr).toString('base64')}\n${result.stdout}`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    server.unref();
    this.server = server;
    const bin = mkdtempSync(join(tmpdir(), 'aml-az-'));
    writeFileSync(join(bin, 'az'), CLIENT((server.address() as AddressInfo).port));
    chmodSync(join(bin, 'az'), 0o755);
    this.bin = bin;
    return bin;
  }

  close(): void {
    this.server?.close();
  }

  /** Runs a script in an empty directory with this `az` first on PATH; `fail` makes matching calls fail (exit 1). */
  async apply(script: string, env: Record<string, string> = {}, fail?: RegExp): Promise<Applied> {
    const bin = await this.start();
    const calls = this.state.calls?.length ?? 0;
    const writes = this.state.writes?.length ?? 0;
    this.failPattern = fail?.source;
    const work = mkdtempSync(join(tmpdir(), 'aml-apply-'));
    writeFileSync(join(work, 'rules.sh'), script);
    // stdin from /dev/null: bash reads ~/.bashrc when its stdin is a socket, as Node's pipes are.
    const child = spawn('bash', ['--norc', '--noprofile', join(work, 'rules.sh')], {
      cwd: work,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: `${bin}:${process.env['PATH'] ?? '/usr/bin:/bin'}`, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    this.failPattern = undefined;
    return {
      code,
      stdout,
      stderr,
      writes: (this.state.writes ?? []).slice(writes),
      calls: (this.state.calls ?? []).slice(calls),
      files: readdirSync(work).filter((f) => f !== 'rules.sh'),
    };
  }
}
