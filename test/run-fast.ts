/**
 * `npm run test:fast`: the suite without root, containers, a browser or the end-to-end check
 * runs, in a few tap processes that each import a share of the test files.
 *
 * Why not one process per file, as `npm test` does: each tap child pays for Node, the tsx
 * loader, the module graph and the catalog before its first assertion, about 1.5 s of CPU on
 * a 2-core machine; over a hundred files that was most of the two minutes the inner loop took.
 * Sharing a process is safe because every test file already leaves no global state behind (its
 * servers, temporary directories and network guards end with its tests); `npm test` still runs
 * each file alone, so a file that starts to depend on its neighbours is caught there.
 *
 * Arguments are passed to tap; a test file among them runs that file alone instead.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = join(import.meta.dirname, '..');
const GROUPS_DIR = join(ROOT, '.tap', 'fast');

/** What needs root, a container, a browser, or runs whole checks against simulated networks. */
const SLOW = [/^test\/(vnet|container|fixtures)\//, /\.browser\.test\.ts$/, /^test\/cli\/(check|check-middlebox|check-udp|check-verified|demo|bundle|k8s-configmap|listen|stderr|redact-check|redact-bundle-host|terminal-safety)\.test\.ts$/];

function fastTestFiles(): string[] {
  return (readdirSync(join(ROOT, 'test'), { recursive: true }) as string[]).map((name) => join('test', name)).filter((file) => file.endsWith('.test.ts') && !SLOW.some((pattern) => pattern.test(file.split('\\').join('/'))));
}

/**
 * How long each file ran the last time tap ran it alone (`npm test` keeps each file's output
 * in .tap/test-results); a file never run alone is guessed from its size, at the rate of the
 * files that were.
 */
function expectedMs(files: readonly string[]): Map<string, number> {
  const size = (file: string): number => statSync(join(ROOT, file)).size;
  const recorded = new Map<string, number>();
  for (const file of files) {
    try {
      const match = /^# time=([\d.]+)ms$/m.exec(readFileSync(join(ROOT, '.tap', 'test-results', `${file}.tap`), 'utf8'));
      if (match) recorded.set(file, Number(match[1]));
    } catch {
      // Never run alone: guessed below.
    }
  }
  let knownMs = 0;
  let knownBytes = 0;
  for (const [file, ms] of recorded) [knownMs, knownBytes] = [knownMs + ms, knownBytes + size(file)];
  const msPerByte = knownBytes > 0 ? knownMs / knownBytes : 1;
  return new Map(files.map((file) => [file, recorded.get(file) ?? size(file) * msPerByte]));
}

/** Deals the longest files first, each to the group with the least expected time so far. */
function deal(files: readonly string[], groups: number): string[][] {
  const expected = expectedMs(files);
  const dealt = Array.from({ length: groups }, () => ({ files: [] as string[], ms: 0 }));
  for (const file of [...files].sort((a, b) => expected.get(b)! - expected.get(a)! || a.localeCompare(b))) {
    const lightest = dealt.reduce((best, group) => (group.ms < best.ms ? group : best));
    lightest.files.push(file);
    lightest.ms += expected.get(file)!;
  }
  return dealt.map((group) => group.files).filter((group) => group.length > 0);
}

function writeGroups(groups: readonly string[][]): string[] {
  rmSync(GROUPS_DIR, { recursive: true, force: true });
  mkdirSync(GROUPS_DIR, { recursive: true });
  return groups.map((files, index) => {
    // Zero-padded, so tap (which sorts by name) starts them in the order dealt.
    const file = join(GROUPS_DIR, `group-${String(index + 1).padStart(2, '0')}.test.mjs`);
    // Static imports: Node loads the whole graph before the first test starts, so no test's
    // timers wait behind the next file being compiled (a dynamic import per file let the
    // first file's deadline test run 13 s late on a busy machine).
    const imports = files.map((test) => `import ${JSON.stringify(pathToFileURL(join(ROOT, test)).href)};`);
    writeFileSync(file, `// Written by test/run-fast.ts; each import registers that file's tests.\n${imports.join('\n')}\n`);
    return relative(ROOT, file);
  });
}

const args = process.argv.slice(2);
const chosen = args.filter((arg) => arg.endsWith('.test.ts'));
const passThrough = args.filter((arg) => !chosen.includes(arg));
// One job more than the cores, since some files mostly wait on sockets and timers (more jobs
// only made them fight for the CPU); two groups per job, so one that ends early makes room.
const jobs = availableParallelism() + 1;
const files = chosen.length > 0 ? chosen : writeGroups(deal(fastTestFiles(), 2 * jobs));
const tap = spawn(join(ROOT, 'node_modules', '.bin', 'tap'), [`--jobs=${jobs}`, ...passThrough, ...files], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, AML_NETCHECK_TEST_FAST: '1' },
});
tap.on('close', (code, signal) => {
  process.exitCode = code ?? (signal === null ? 1 : 128);
});
