import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { spawnCli } from './cli.js';
import { deniedService, leaked, scratch, unpackBundle } from './denied-service.js';
import { reportSchemaErrors } from './schema.js';

/** Every key of a JSON document, by path, arrays as []. */
function keyPaths(value: unknown, at = ''): string[] {
  if (Array.isArray(value)) return [...new Set(value.flatMap((item) => keyPaths(item, `${at}[]`)))];
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([key, inner]) => [`${at}.${key}`, ...keyPaths(inner, `${at}.${key}`)]);
  return [];
}

/** What a manifest holds, whatever --redact says. */
const MANIFEST_KEYS = [
  '.bundleFormat',
  '.tool',
  '.tool.name',
  '.tool.version',
  '.createdAt',
  '.host',
  '.command',
  '.check',
  '.check.startedAt',
  '.check.durationMs',
  '.check.exitCode',
  '.check.complete',
  '.check.stoppedBy',
  '.check.featuresBroken',
  '.collectors',
  '.collectors[].collector',
  '.collectors[].status',
  '.collectors[].files',
  '.collectors[].problems',
  '.files',
  '.files[].name',
  '.files[].size',
  '.files[].sha256',
];

/**
 * A bundle of the denied service made with `--redact PATTERN`: its report.json is a
 * valid report (the schema names every key, required or optional, and allows no other), its
 * manifest and log keep their keys, `bundle verify` passes and `diff` reads its report.json.
 */
export function testRedactPattern(pattern: string): void {
  t.test(`bundle --redact ${pattern}: values only; the bundle verifies and diff reads it`, async (t) => {
    const dir = scratch(t);
    const args = await deniedService(t, dir);
    const file = join(dir, 'bundle.tar.gz');
    const run = await spawnCli(['bundle', ...args, '--redact', pattern, '-o', 'json', '--out', file], { timeoutMs: 60_000 });
    t.equal(run.code, 1, `check's exit code, no internal error (${run.stderr.slice(-500)})`);
    t.same(leaked(run.stdout + run.stderr), [], 'nothing leaks');
    const top = unpackBundle(file, mkdtempSync(join(dir, 'x-')));
    const text = readFileSync(join(top, 'report.json'), 'utf8');
    const report = JSON.parse(text) as unknown;
    t.same(reportSchemaErrors(report), [], 'report.json is a valid report: every key kept');
    t.same(keyPaths(report), keyPaths(JSON.parse(run.stdout)), 'the report on stdout is the same');
    t.match(report, { summary: { exitCode: 1 }, targets: [{ reason: 'http-denied', verdict: 'blocked' }] }, "the tool's own words are kept");
    t.match(text, /\[redacted\]/, 'the pattern was applied');
    const manifest = JSON.parse(readFileSync(join(top, 'manifest.json'), 'utf8')) as { files: Array<{ name: string }> };
    t.same(keyPaths(manifest), MANIFEST_KEYS, 'manifest.json keeps every key');
    t.ok(
      manifest.files.some((f) => f.name === 'report.json'),
      'file names are kept',
    );
    const log = readFileSync(join(top, 'log.ndjson'), 'utf8').trim().split('\n');
    t.same(
      log.filter((line) => !/^\{"level":\d+,"time":\d+,.*"msg":/.test(line)),
      [],
      'every log line is JSON with its keys',
    );
    const [verified, diff] = await Promise.all([spawnCli(['bundle', 'verify', file], { timeoutMs: 60_000 }), spawnCli(['diff', join(top, 'report.json'), join(top, 'report.json'), '-o', 'json'], { timeoutMs: 60_000 })]);
    t.equal(verified.code, 0, `bundle verify passes (${verified.stdout}${verified.stderr})`);
    t.equal(diff.code, 0, `diff reads its report.json (${diff.stderr})`);
    t.doesNotThrow(() => JSON.parse(diff.stdout), 'and prints its JSON');
  });
}
