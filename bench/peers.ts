/** The tools aml-netcheck is compared with, run on the same targets in the same VNet. */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Vnet } from '../test/helpers/vnet.js';
import { timedRun } from './exec.js';
import type { TargetSet } from './targets.js';

export interface PeerResult {
  readonly ms: number;
  readonly blocked: number;
}

/** A sequential shell loop of curl (HTTPS) and nc (TCP), as an admin would type it. */
export async function measureShellLoop(vnet: Vnet, dir: string, set: TargetSet, timeoutMs: number): Promise<PeerResult> {
  const seconds = timeoutMs / 1000;
  const lines = ['#!/bin/sh', 'failed=0'];
  for (const t of set.targets) {
    const probe = t.port === 443 ? `curl -s -o /dev/null --cacert ${vnet.caFile} --connect-timeout ${seconds} -m ${seconds} https://${t.host}/` : `nc -z -w ${seconds} ${t.host} ${t.port}`;
    lines.push(`${probe} || failed=$((failed+1))`);
  }
  lines.push('echo "$failed"');
  const script = path.join(dir, `loop-${set.name}.sh`);
  await writeFile(script, `${lines.join('\n')}\n`, { mode: 0o755 });
  const { stdout, ms } = await timedRun(vnet.namespace, 'sh', [script], 60 * 60_000);
  return { ms, blocked: Number(stdout.trim()) };
}

// The client runs in the namespace too: the exporter listens on the namespace's loopback.
// Prometheus scrapes every target on its own schedule: all probes at once is its best case.
const BLACKBOX_CLIENT = `
  const targets = JSON.parse(process.argv[1]);
  const wait = (ms) => new Promise((r) => setTimeout(r, ms));
  for (let i = 0; i < 100; i++) { try { await fetch('http://127.0.0.1:9115/'); break; } catch { await wait(50); } }
  let failed = 0;
  const started = performance.now();
  await Promise.all(targets.map(async (t) => {
    const module = t.port === 443 ? 'https' : 'tcp';
    const target = t.port === 443 ? 'https://' + t.host + '/' : t.host + ':' + t.port;
    const body = await (await fetch('http://127.0.0.1:9115/probe?module=' + module + '&target=' + encodeURIComponent(target))).text();
    if (!/^probe_success 1$/m.test(body)) failed++;
  }));
  console.log(JSON.stringify({ ms: performance.now() - started, failed }));
`;

/** Debian's prometheus-blackbox-exporter, a resident daemon, probed for every target at once. */
export async function measureBlackbox(vnet: Vnet, dir: string, set: TargetSet, timeoutMs: number): Promise<PeerResult> {
  const config = path.join(dir, 'blackbox.yml');
  await writeFile(
    config,
    [
      'modules:',
      '  https:',
      '    prober: http',
      `    timeout: ${timeoutMs}ms`,
      '    http:',
      '      preferred_ip_protocol: ip4',
      '      ip_protocol_fallback: false',
      '      valid_status_codes: [401]',
      `      tls_config: { ca_file: ${vnet.caFile} }`,
      '  tcp:',
      '    prober: tcp',
      `    timeout: ${timeoutMs}ms`,
      '    tcp: { preferred_ip_protocol: ip4, ip_protocol_fallback: false }',
      '',
    ].join('\n'),
  );
  const exporter = spawn('ip', ['netns', 'exec', vnet.namespace, 'prometheus-blackbox-exporter', `--config.file=${config}`, '--web.listen-address=127.0.0.1:9115', '--log.level=error'], { stdio: 'ignore' });
  try {
    const { stdout } = await timedRun(vnet.namespace, process.execPath, ['--input-type=module', '-e', BLACKBOX_CLIENT, JSON.stringify(set.targets)], 10 * 60_000);
    const result = JSON.parse(stdout) as { ms: number; failed: number };
    return { ms: result.ms, blocked: result.failed };
  } finally {
    // The next run listens on the same port: wait until this one has let go of it.
    if (exporter.exitCode === null && exporter.signalCode === null) {
      const exited = new Promise((resolve) => exporter.once('exit', resolve));
      exporter.kill('SIGTERM');
      await exited;
    }
  }
}
