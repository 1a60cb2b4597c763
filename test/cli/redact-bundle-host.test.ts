/**
 * bundle --redact reaches names too: a pattern that matches the host name leaves it out of the
 * default file name and of every path inside the archive (the user's catalog file is renamed
 * when its name matches); an --out name is the user's and is kept.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { CLI, spawnCli } from '../helpers/cli.js';
import { deniedService, scratch } from '../helpers/denied-service.js';

/** The CLI run with the machine's name set to `host`, in a UTS namespace of its own. */
function runAsHost(host: string, args: readonly string[], cwd: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('unshare', ['--uts', '--', 'sh', '-c', 'hostname "$0" && exec "$@"', host, process.execPath, CLI, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

t.test('bundle --redact HOST: the host name is in neither the default file name nor any path inside', async (t) => {
  const host = 'corp-jumpbox-4711';
  const dir = scratch(t);
  // The user's catalog file is named after the host too: its name is a path inside the bundle.
  const args = await deniedService(t, dir, `${host}.yaml`);
  const tarballs = (): string[] => readdirSync(dir).filter((name) => name.endsWith('.tar.gz'));

  // The name the runs below get; without --redact it is in the default name (bundle.test.ts).
  t.equal(execFileSync('unshare', ['--uts', '--', 'sh', '-c', 'hostname "$0" && exec hostname', host], { encoding: 'utf8' }).trim(), host, 'a UTS namespace names the machine');

  const redacted = await runAsHost(host, ['bundle', ...args, '--redact', 'jumpbox-[0-9]+'], dir);
  t.equal(redacted.code, 1, redacted.stderr);
  const [file] = tarballs();
  t.match(file, /^aml-netcheck-\d{8}T\d{6}Z\.tar\.gz$/, 'the default name leaves the host out');
  const entries = execFileSync('tar', ['-tzf', join(dir, file ?? 'none')], { encoding: 'utf8' })
    .trim()
    .split('\n');
  t.ok(entries.length > 10, `the archive lists its files (${entries.length})`);
  t.same(
    entries.filter((entry) => entry.includes('jumpbox')),
    [],
    'no path inside names the host',
  );
  t.ok(
    entries.some((entry) => /^aml-netcheck-\d{8}T\d{6}Z\/catalog\/user\/1\.yaml$/.test(entry)),
    'the user catalog is kept under a name of ours',
  );
  t.notOk(redacted.stderr.includes('jumpbox'), 'nor does stderr');
  const verified = await spawnCli(['bundle', 'verify', join(dir, file ?? 'none')], { timeoutMs: 60_000 });
  t.equal(verified.code, 0, verified.stdout + verified.stderr);
  t.notOk(verified.stdout.includes('jumpbox'), 'nor the manifest bundle verify reads');

  const explicit = join(dir, `ticket-${host}.tar.gz`);
  const kept = await runAsHost(host, ['bundle', ...args, '--redact', 'jumpbox-[0-9]+', '--out', explicit], dir);
  t.equal(kept.code, 1, kept.stderr);
  t.ok(readdirSync(dir).includes(`ticket-${host}.tar.gz`), "an --out name is the user's and is kept");
});
