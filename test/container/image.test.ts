/**
 * The Dockerfile, built for real and run: build-and-run.sh makes a local Debian base image with
 * this machine's Node.js, builds the Dockerfile on it with buildah, and runs the image as uid
 * 1000, `demo` on a read-only root file system. Needs root, debootstrap and buildah; skips
 * saying why elsewhere, and fails on CI, where it must run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { spawnCli } from '../helpers/cli.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./build-and-run.sh', import.meta.url));
const VERSION = (JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

// A cold run (debootstrap, then npm ci in the build) takes about 3 minutes on a 2-core VM.
t.setTimeout(15 * 60_000);

function commandExists(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function unavailable(): string | null {
  if (process.getuid?.() !== 0) return 'building and running the image needs root (debootstrap, buildah with chroot isolation)';
  const missing = ['debootstrap', 'buildah', 'unshare', 'chroot'].filter((command) => !commandExists(command));
  return missing.length > 0 ? `${missing.join(', ')} not installed (apt-get install debootstrap buildah)` : null;
}

t.test('the Dockerfile labels the image with the version package.json has', async (t) => {
  const dockerfile = readFileSync(path.join(REPO, 'Dockerfile'), 'utf8');
  t.match(dockerfile, new RegExp(`^ARG VERSION=${VERSION.replace(/\./g, '\\.')}$`, 'm'));
  t.match(dockerfile, /^ARG BASE_IMAGE=node:\d*[02468]-bookworm-slim$/m, 'an official Node.js LTS slim image by default');
});

interface Inspect {
  readonly Manifest: string;
  readonly OCIv1: { readonly config: { User: string; Entrypoint: string[]; Cmd: string[]; WorkingDir: string; Env: string[]; Labels: Record<string, string> } };
}

interface DemoReport {
  readonly tool: { readonly version: string };
  readonly targets: ReadonlyArray<{ readonly id: string; readonly verdict: string; readonly reason: string | null }>;
  readonly summary: { readonly featuresBroken: readonly string[]; readonly exitCode: number };
}

const layerSizes = (inspect: Inspect): number[] => (JSON.parse(inspect.Manifest) as { layers: Array<{ size: number }> }).layers.map((layer) => layer.size);
const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
const outcomes = (report: DemoReport): Record<string, string> => Object.fromEntries(report.targets.map((target) => [target.id, `${target.verdict} ${target.reason ?? '-'}`]));

t.test('built with buildah from the Dockerfile, the image runs as uid 1000 on a read-only root', async (t) => {
  const reason = unavailable();
  if (reason !== null) {
    if (process.env['CI'] === 'true') t.fail(`the container image cannot be built on CI: ${reason}`);
    else t.plan(0, reason);
    return;
  }
  const out = mkdtempSync(path.join(os.tmpdir(), 'aml-netcheck-image-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  const started = Date.now();
  execFileSync(SCRIPT, [out], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 14 * 60_000 });
  const file = (name: string): string => readFileSync(path.join(out, name), 'utf8');
  const timing = JSON.parse(file('timing.json')) as { baseCached: boolean; buildCached: boolean; baseSeconds: number; buildSeconds: number; runSeconds: number };
  t.comment(
    `image test: ${((Date.now() - started) / 1000).toFixed(0)} s (base image ${timing.baseCached ? 'cached' : `made in ${timing.baseSeconds.toFixed(0)} s`}, build ${timing.buildCached ? 'unchanged inputs, reused' : `${timing.buildSeconds.toFixed(0)} s`}, runs ${timing.runSeconds.toFixed(0)} s)`,
  );

  const image = JSON.parse(file('image.json')) as Inspect;
  const base = JSON.parse(file('base.json')) as Inspect;
  const config = image.OCIv1.config;
  t.same(config.Entrypoint, ['node', '/app/dist/cli.js'], 'exec-form ENTRYPOINT');
  t.same(config.Cmd, ['--help']);
  t.match(config.User, /^[1-9]\d*(:\d+)?$/, 'a numeric non-root user, which runAsNonRoot can verify');
  t.match(config.Labels, {
    'org.opencontainers.image.version': VERSION,
    'org.opencontainers.image.licenses': 'MIT',
    'org.opencontainers.image.source': /^https:\/\//,
    'org.opencontainers.image.description': /Azure Machine Learning/,
  });

  const sizes = layerSizes(image);
  const baseSizes = layerSizes(base);
  t.same(sizes.slice(0, baseSizes.length), baseSizes, 'the image is the base plus its own layers');
  const added = sizes.slice(baseSizes.length).reduce((sum, size) => sum + size, 0);
  t.comment(`image ${mb(sizes.reduce((sum, size) => sum + size, 0))}, of which ${mb(added)} in ${sizes.length - baseSizes.length} layer(s) above the base`);
  t.ok(added > 1e6 && added < 40e6, `the layers above the base stay small (${mb(added)})`);

  const files = file('app-files.txt').split('\n');
  t.ok(files.includes('dist') && files.includes('probes') && files.includes('node_modules/undici'), 'the compiled CLI, its catalog and its dependencies');
  for (const absent of ['src', 'test', 'tsconfig.json', 'node_modules/typescript', 'node_modules/tap', 'node_modules/tsx']) t.notOk(files.includes(absent), `no ${absent} in the runtime image`);

  t.equal(file('id.stdout').trim(), '1000');
  t.equal(file('version.code').trim(), '0');
  t.equal(file('version.stdout'), `${VERSION}\n`);
  t.equal(file('cmd.code').trim(), '0', 'the default CMD shows the help');
  t.match(file('cmd.stdout'), /^Usage: aml-netcheck \[options\] \[command\]/);
  t.match(file('cmd.stdout'), /\n {2}check \[options\] /);

  t.equal(file('demo.stderr'), '', 'demo ran with nothing on stderr (the root file system refused a write, /tmp took the report)');
  t.equal(file('demo.code').trim(), '1', 'the demo breaks endpoints on purpose');
  const inImage = JSON.parse(file('demo.stdout')) as DemoReport;
  t.equal(inImage.tool.version, VERSION);
  const here = await spawnCli(['demo', '-o', 'json'], { timeoutMs: 60_000 });
  const onHost = JSON.parse(here.stdout) as DemoReport;
  t.same(outcomes(inImage), outcomes(onHost), 'every target has the verdict it gets outside the container');
  t.same(inImage.summary.featuresBroken, onHost.summary.featuresBroken);
  t.ok(inImage.summary.featuresBroken.includes('integrated-notebook'), 'the SMB port the demo drops breaks notebooks');
});
