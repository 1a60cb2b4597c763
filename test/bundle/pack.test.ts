import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Header } from 'tar';
import t from 'tap';
import { buildBundle, defaultCollectors } from '../../src/bundle/build.js';
import type { Manifest } from '../../src/bundle/manifest.js';
import { packBundle } from '../../src/bundle/pack.js';
import { NotABundle, verifyBundle } from '../../src/bundle/verify.js';
import { createRedactor, compileUserPatterns } from '../../src/model/redact.js';
import { fakeContext, fixtureRoot, PROC_NET_ROUTE } from './fixture.js';
import { FAR_BUDGET_MS } from '../helpers/timing.js';

const TOP = 'aml-netcheck-jumpbox-1-20260102T030405Z';

function scratch(t: { teardown(fn: () => unknown): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'amlnc-bundle-pack-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function sampleBundle(t: { teardown(fn: () => unknown): void }) {
  const root = fixtureRoot(t, {
    'etc/resolv.conf': '# token sig=RESOLVSECRET\nnameserver 10.0.0.53\n',
    'etc/hosts': { fifo: true },
    'proc/net/route': PROC_NET_ROUTE,
  });
  const context = fakeContext(root, {
    env: { HTTPS_PROXY: 'http://svc:ENVPASS@proxy:3128' },
    log: '{"level":20,"msg":"Authorization: Bearer abcdefghijklmnop","ticket":"corp-secret-1234"}\n',
    catalogSources: [{ file: 'mine.yaml', text: 'purpose: "AccountKey=CATALOGKEY=="\n', builtin: false }],
  });
  const started = performance.now();
  const bundle = await buildBundle({
    context,
    collectors: defaultCollectors(),
    redactor: createRedactor(compileUserPatterns(['corp-secret-[0-9]+'])),
    command: ['aml-netcheck', 'bundle', '--proxy', 'http://u:FLAGPASS@p:1'],
    createdAt: new Date('2026-01-02T03:04:05Z'),
    topFolder: TOP,
  });
  return { bundle, ms: performance.now() - started };
}

t.test('a bundle made from a machine with faults: everything else is packed, and the faults are in the manifest', async (t) => {
  const { bundle, ms } = await sampleBundle(t);
  // A collector that read the fixture's FIFO would hang: a hang fails, a slow machine does not (7.6 s at load 20).
  t.ok(ms < FAR_BUDGET_MS, `built and packed in ${Math.round(ms)} ms`);
  const outcomes = Object.fromEntries(bundle.manifest.collectors.map((c) => [c.collector, `${c.status}${c.problems.length > 0 ? `: ${c.problems.join('; ')}` : ''}`]));
  t.match(outcomes, {
    'report.json': 'ok',
    'report.markdown': 'ok',
    hosts: 'failed: /etc/hosts: not a regular file (a FIFO, socket or device), not read',
    routes: 'partial: /proc/net/ipv6_route: not there (ENOENT)',
    'allow-list': 'ok',
    'resolv.conf': 'ok',
  });
  t.match(bundle.manifest, { bundleFormat: 1, tool: { version: '9.9.9' }, host: 'jumpbox-1', createdAt: '2026-01-02T03:04:05.000Z', check: { exitCode: 1, complete: false, stoppedBy: 'deadline' } });
  t.same(bundle.manifest.command, ['aml-netcheck', 'bundle', '--proxy', 'http://u:[redacted]@p:1'], 'the command line is redacted');

  const dir = scratch(t);
  const file = join(dir, 'b.tar.gz');
  writeFileSync(file, bundle.bytes);
  const listing = execFileSync('tar', ['-tzvf', file], { encoding: 'utf8' }).trim().split('\n');
  t.ok(listing.length > 10, `${listing.length} entries`);
  for (const line of listing) t.match(line, new RegExp(`^-rw-r--r-- 0/0 +\\d+ 2026-01-02 \\d\\d:\\d\\d ${TOP}/[A-Za-z0-9._/-]+$`), `a plain file with a safe name: ${line}`);
  execFileSync('tar', ['-xzf', file, '-C', dir]);
  const manifest = JSON.parse(readFileSync(join(dir, TOP, 'manifest.json'), 'utf8')) as Manifest;
  t.equal(manifest.files.length + 1, listing.length, 'the manifest lists every other file');
  for (const entry of manifest.files) {
    const bytes = readFileSync(join(dir, TOP, entry.name));
    t.equal(createHash('sha256').update(bytes).digest('hex'), entry.sha256, `${entry.name}: the system tar unpacks what the manifest says`);
  }
  const everything =
    execFileSync(
      'cat',
      manifest.files.map((f) => join(dir, TOP, f.name)),
      { encoding: 'utf8' },
    ) + readFileSync(join(dir, TOP, 'manifest.json'), 'utf8');
  for (const secret of ['RESOLVSECRET', 'ENVPASS', 'FLAGPASS', 'abcdefghijklmnop', 'corp-secret-1234', 'CATALOGKEY']) t.notOk(everything.includes(secret), `${secret} is not in the bundle`);
  const allowList = readFileSync(join(dir, TOP, 'rules/allow-list.csv'), 'utf8');
  t.match(allowList, /^direction,source,destination,protocol,port,/, 'the allow-list rules prints, as CSV');
  const fixes = readFileSync(join(dir, TOP, 'rules/fixes-firewall-policy.sh'), 'utf8');
  t.match(fixes, /^#!\/usr\/bin\/env bash\n# aml-netcheck rules: Azure Firewall Policy, the fixes for the blocked targets of a check report/, 'the fixes of the blocked targets, as Firewall Policy commands');
  t.match(readFileSync(join(dir, TOP, 'environment/resolv.conf'), 'utf8'), '# token sig=[redacted]\nnameserver 10.0.0.53\n', 'text files pass the redactor');
  t.match(JSON.parse(readFileSync(join(dir, TOP, 'environment/proxy.json'), 'utf8')), { variables: { HTTPS_PROXY: 'http://svc:[redacted]@proxy:3128' } }, 'JSON files too');
  t.match(readFileSync(join(dir, TOP, 'README.txt'), 'utf8'), /hosts \(failed\): .*\n\s+failed: \/etc\/hosts: not a regular file/, 'README.txt says what could not be collected');

  const verified = await verifyBundle(bundle.bytes);
  t.same(verified.problems, []);
  t.equal(verified.matched, manifest.files.length);
});

/** The bundle's files, unpacked by node-tar's reader, to pack again with a change. */
async function filesOf(bytes: Buffer): Promise<Array<{ name: string; bytes: Uint8Array }>> {
  const dir = mkdtempSync(join(tmpdir(), 'amlnc-bundle-files-'));
  try {
    writeFileSync(join(dir, 'b.tar.gz'), bytes);
    execFileSync('tar', ['-xzf', join(dir, 'b.tar.gz'), '-C', dir]);
    const names = execFileSync('tar', ['-tzf', join(dir, 'b.tar.gz')], { encoding: 'utf8' })
      .trim()
      .split('\n');
    return names.map((name) => ({ name: name.slice(TOP.length + 1), bytes: readFileSync(join(dir, name)) }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The same length, one bit different: only the hash can tell. */
function flipOneByte(bytes: Uint8Array): Uint8Array {
  const copy = Buffer.from(bytes);
  copy[Math.floor(copy.length / 2)] = (copy[Math.floor(copy.length / 2)] as number) ^ 1;
  return copy;
}

t.test('verify names each file that was changed, removed or added', async (t) => {
  const { bundle } = await sampleBundle(t);
  const files = await filesOf(bundle.bytes);
  const repack = (changed: typeof files) => packBundle(TOP, changed, new Date());

  const tampered = await verifyBundle(await repack(files.map((f) => (f.name === 'report.md' ? { ...f, bytes: flipOneByte(f.bytes) } : f))));
  t.same(tampered.problems, ["report.md: SHA-256 differs from the manifest's"]);
  const longer = await verifyBundle(await repack(files.map((f) => (f.name === 'facts.json' ? { ...f, bytes: Buffer.concat([f.bytes, Buffer.from(' ')]) } : f))));
  t.match(longer.problems, [/^facts\.json: \d+ bytes, the manifest says \d+$/]);
  const missing = await verifyBundle(await repack(files.filter((f) => f.name !== 'environment/routes.txt')));
  t.same(missing.problems, ['environment/routes.txt: listed in the manifest, missing from the bundle']);
  const extra = await verifyBundle(await repack([...files, { name: 'environment/extra.txt', bytes: Buffer.from('x') }]));
  t.same(extra.problems, ['environment/extra.txt: in the bundle, not listed in the manifest']);
  t.equal(extra.matched, files.length - 1, 'the rest still match');
});

t.test('verify refuses entries that are not plain files or climb out of the folder', async (t) => {
  const { bundle } = await sampleBundle(t);
  const dir = scratch(t);
  execFileSync('tar', ['-xzf', '-', '-C', dir], { input: bundle.bytes });
  symlinkSync('/etc/passwd', join(dir, TOP, 'link'));
  mkdirSync(join(dir, 'other'));
  writeFileSync(join(dir, 'other', 'x'), 'x');
  const crafted = join(dir, 'crafted.tar.gz');
  execFileSync('tar', ['-czf', crafted, '-C', dir, '--no-recursion', `${TOP}/manifest.json`, `${TOP}/report.md`, `${TOP}/link`, `${TOP}/environment`, 'other/x']);
  const result = await verifyBundle(readFileSync(crafted));
  for (const problem of [`entries outside the one top folder "${TOP}": "other"`, `"${TOP}/link": a SymbolicLink entry, not a plain file`, 'other/x: in the bundle, not listed in the manifest', 'environment/routes.txt: listed in the manifest, missing from the bundle'])
    t.ok(result.problems.includes(problem), problem);
  t.equal(result.matched, 1, 'report.md still matches');
  t.notOk(
    result.problems.some((p) => p.includes(`${TOP}/environment/`)),
    'a folder entry is no problem: repacking with the system tar adds them',
  );
  const climbing = join(dir, 'climb.tar.gz');
  execFileSync('tar', ['-czf', climbing, '-C', join(dir, TOP), '--transform', `s,^,${TOP}/../,`, 'manifest.json', 'report.md'], { stdio: 'ignore' });
  const climb = await verifyBundle(readFileSync(climbing)).catch((error: Error) => error);
  t.ok(climb instanceof NotABundle || (climb as unknown as { problems: string[] }).problems.some((p) => /unsafe name/.test(p)), 'a name with .. is refused');
});

t.test('what is not a bundle is said so', async (t) => {
  await t.rejects(verifyBundle(Buffer.from('not a tarball at all, '.repeat(40))), NotABundle);
  // A download cut off mid-stream: the gzip ends early. It must settle, as an error, not hang.
  const whole = (await sampleBundle(t)).bundle.bytes;
  for (const keep of [100, Math.floor(whole.length / 2), whole.length - 10]) {
    await t.rejects(verifyBundle(whole.subarray(0, keep)), { name: 'NotABundle', message: /unexpected end of file/ }, `cut after ${keep} of ${whole.length} bytes`);
  }
  await t.rejects(verifyBundle(Buffer.alloc(0)), { name: 'NotABundle', message: /^not a readable gzipped tarball: / });
  const plain = await packBundle(TOP, [{ name: 'a.txt', bytes: Buffer.from('x') }], new Date());
  await t.rejects(verifyBundle(plain), { name: 'NotABundle', message: /no manifest\.json in a top folder/ });
  const badManifest = await packBundle(TOP, [{ name: 'manifest.json', bytes: Buffer.from('{"bundleFormat": 7, "files": []}') }], new Date());
  await t.rejects(verifyBundle(badManifest), { message: /bundleFormat 7; this version reads 1/ });
  // A gzip bomb: 300 MiB of zeros in a third of a megabyte, made in gzip members of 1 MiB each
  // (a valid gzip stream, as `cat a.gz b.gz` makes), so the test does not gzip 300 MiB itself.
  const MiB = 1024 * 1024;
  const header = Buffer.alloc(512);
  new Header({ path: 'zeros', mode: 0o644, size: 300 * MiB, mtime: new Date(0), type: 'File' }).encode(header, 0);
  const mebibyte = gzipSync(Buffer.alloc(MiB));
  const bomb = Buffer.concat([gzipSync(header), ...Array.from({ length: 300 }, () => mebibyte), gzipSync(Buffer.alloc(1024))]);
  t.ok(bomb.length < 1024 * 1024, `a ${bomb.length}-byte bomb`);
  await t.rejects(verifyBundle(bomb), { name: 'NotABundle', message: 'not a readable gzipped tarball: it unpacks to more than 256 MiB' });
  // Refused from the entry's header, told by what happens rather than by the clock: the bomb cut
  // off right after that header is refused the same way, where reading on would find it cut short.
  await t.rejects(verifyBundle(gzipSync(header)), { name: 'NotABundle', message: 'not a readable gzipped tarball: it unpacks to more than 256 MiB' }, 'refused after reading its header');
});

t.test('pack refuses unsafe names: a bug in a collector cannot write outside the folder', async (t) => {
  for (const name of ['../x', '/etc/passwd', 'a//b', 'a/./b', '', 'a\\b', 'sp ace']) await t.rejects(packBundle(TOP, [{ name, bytes: Buffer.from('') }], new Date()), TypeError, JSON.stringify(name));
  await t.rejects(packBundle('..', [], new Date()), TypeError);
});
