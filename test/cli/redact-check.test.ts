/**
 * Redaction is one layer on every output: a secret a server put in its answer (an Azure
 * Firewall deny page, a header) is in no output of check (stdout, every --out file, every
 * format, the log on stderr, the ConfigMap), nor of diff, merge and rules reading a report
 * saved before check redacted it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { runCli, spawnCli } from '../helpers/cli.js';
import { deniedService, HEADER_BEARER, leaked, SAS_SIG, scratch } from '../helpers/denied-service.js';
import { startFakeApiServer } from '../helpers/fake-kube-apiserver.js';
import { reportSchemaErrors } from '../helpers/schema.js';

/** One --out file of each format (the ending names it) and the file names. */
function outFiles(dir: string, prefix: string, endings: readonly string[]): { flags: string[]; files: string[] } {
  const files = endings.map((ending) => join(dir, `${prefix}${ending}`));
  return { flags: files.flatMap((file) => ['--out', file]), files };
}

t.test('a secret in a deny page or a header is in no output of check: stdout, every --out format, the log, the ConfigMap', async (t) => {
  const dir = scratch(t);
  const args = await deniedService(t, dir);
  const outs = outFiles(dir, 'check', ['.txt', '.json', '.md', '.xml', '.html']);
  const run = await spawnCli(['check', ...args, '--log-level', 'debug', '-o', 'html', ...outs.flags], { timeoutMs: 60_000 });
  t.equal(run.code, 1, `the denied service is blocked (${run.stderr.slice(-300)})`);
  t.same(leaked(run.stdout), [], 'stdout');
  t.same(leaked(run.stderr), [], 'stderr: the debug log');
  t.match(run.stderr, /leaky\.sim\.test/, 'the log is there');
  for (const file of outs.files) t.same(leaked(readFileSync(file, 'utf8')), [], `--out ${file}`);

  const report = JSON.parse(readFileSync(outs.files[1] as string, 'utf8')) as { targets: Array<{ reason: string }> };
  t.same(reportSchemaErrors(report), [], 'the redacted report is a valid report');
  const text = JSON.stringify(report);
  t.match(text, /sig=\[redacted\]/, 'the SAS reached the report, redacted');
  t.match(text, /Authorization: \[redacted\]/, 'the Authorization header reached the report, redacted');
  t.match(report.targets[0], { reason: 'http-denied' }, 'the deny page is still read as a firewall denial');

  const server = await startFakeApiServer();
  t.teardown(() => server.close());
  const inPod = await spawnCli(['check', ...args, '-o', 'markdown', '--k8s-configmap', 'netcheck-redact'], { env: server.env, timeoutMs: 60_000 });
  t.equal(inPod.code, 1, inPod.stderr);
  t.same(leaked(inPod.stdout), [], 'stdout as Markdown');
  const stored = server.configMaps.get('netcheck-redact')?.data?.['report.json'] ?? '';
  t.match(stored, /sig=\[redacted\]/, 'the ConfigMap holds the report');
  t.same(leaked(stored), [], 'the ConfigMap report');
});

t.test('diff, merge and rules print no secret from a report saved before redaction reached check', async (t) => {
  const dir = scratch(t);
  const args = await deniedService(t, dir);
  const run = await spawnCli(['check', ...args, '-o', 'json'], { timeoutMs: 60_000 });
  t.equal(run.code, 1, run.stderr);
  // The report as an older aml-netcheck saved it: the server's text as it came.
  const old = run.stdout.replace('sig=[redacted]', `sig=${SAS_SIG}`).replace(/Authorization: \[redacted\]/g, `Authorization: Bearer ${HEADER_BEARER}`);
  t.same(leaked(old).sort(), [SAS_SIG, HEADER_BEARER].sort(), 'the saved report holds secrets');
  const saved = join(dir, 'old.json');
  writeFileSync(saved, old);

  const diffOuts = outFiles(dir, 'diff', ['.txt', '.json', '.md', '.xml', '.html']);
  const diff = await runCli(['diff', saved, saved, '-o', 'json', ...diffOuts.flags]);
  t.equal(diff.code, 0, diff.stderr);
  t.same(leaked(diff.stdout + diff.stderr), [], 'diff: stdout and stderr');
  for (const file of diffOuts.files) t.same(leaked(readFileSync(file, 'utf8')), [], `diff --out ${file}`);

  const mergeOuts = outFiles(dir, 'merge', ['.txt', '.json', '.md', '.xml', '.html']);
  const merge = await runCli(['merge', saved, '-o', 'json', ...mergeOuts.flags]);
  t.not(merge.code, 2, merge.stderr);
  t.same(leaked(merge.stdout + merge.stderr), [], 'merge: stdout and stderr');
  for (const file of mergeOuts.files) t.same(leaked(readFileSync(file, 'utf8')), [], `merge --out ${file}`);

  const rulesOuts = outFiles(dir, 'rules', ['.json', '.md']);
  const rules = await runCli(['rules', '--from-report', saved, '-o', 'table', ...rulesOuts.flags]);
  t.equal(rules.code, 0, rules.stderr);
  t.same(leaked(rules.stdout + rules.stderr), [], 'rules --from-report: stdout and stderr');
  for (const file of rulesOuts.files) t.same(leaked(readFileSync(file, 'utf8')), [], `rules --out ${file}`);
});
