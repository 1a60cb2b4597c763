import { spawn, execFileSync } from 'node:child_process';
import { closeSync, constants, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { InputError } from '../../src/model/errors.js';
import { preflightOutputFile, writeOutputFile } from '../../src/io/output-file.js';

const ROOT = process.getuid?.() === 0;
const asRoot = ROOT ? {} : { skip: 'needs root (mounts, mknod)' };

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'amlnc-out-'));
}

function mount(t: { teardown(fn: () => unknown): void }, args: string[], target: string): boolean {
  try {
    execFileSync('mount', [...args, target], { stdio: 'ignore' });
  } catch {
    return false;
  }
  t.teardown(() => execFileSync('umount', ['-l', target], { stdio: 'ignore' }));
  return true;
}

function caught(fn: () => void): InputError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('no error');
}

const BIG = Array.from({ length: 64 }, (_, i) => `${String(i).padStart(4, '0')} ${'x'.repeat(1019)}\n`);

t.test('bytes, and a forced mode: a bundle is 0600 whether new or replacing a 0644 file', async (t) => {
  const dir = scratch();
  const bytes = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 31) & 0xff);
  const fresh = join(dir, 'bundle.tar.gz');
  writeOutputFile(fresh, [bytes.subarray(0, 1000), bytes.subarray(1000)], { mode: 0o600 });
  t.same(readFileSync(fresh), Buffer.from(bytes), 'every byte, as given');
  t.equal(statSync(fresh).mode & 0o777, 0o600, 'a new file is 0600');
  const old = join(dir, 'old.tar.gz');
  writeFileSync(old, 'old');
  chmodSync(old, 0o644);
  writeOutputFile(old, [bytes], { mode: 0o600 });
  t.equal(statSync(old).mode & 0o777, 0o600, 'a replaced file is 0600 too');
  t.same(readdirSync(dir).sort(), ['bundle.tar.gz', 'old.tar.gz'], 'nothing beside them');
});

t.test('a regular file is replaced atomically, keeps its mode, and no temporary file stays', async (t) => {
  const dir = scratch();
  const file = join(dir, 'report.json');
  writeFileSync(file, 'old report');
  chmodSync(file, 0o640);
  writeOutputFile(file, ['{"new":', 'true}\n']);
  t.equal(readFileSync(file, 'utf8'), '{"new":true}\n');
  t.equal(statSync(file).mode & 0o777, 0o640, 'mode kept');
  t.same(readdirSync(dir), ['report.json'], 'nothing beside it');
  const fresh = join(dir, 'new.json');
  writeOutputFile(fresh, ['x']);
  t.equal(readFileSync(fresh, 'utf8'), 'x', 'a new file is created');
});

t.test('a link reached through a linked directory resolves from where it really sits', async (t) => {
  const dir = scratch();
  mkdirSync(join(dir, 'other', 'deep'), { recursive: true });
  writeFileSync(join(dir, 'other', 'x.json'), 'old');
  symlinkSync('other/deep', join(dir, 'sub'));
  symlinkSync('../x.json', join(dir, 'other', 'deep', 'out.json'));
  preflightOutputFile(join(dir, 'sub', 'out.json'));
  writeOutputFile(join(dir, 'sub', 'out.json'), ['new']);
  t.equal(readFileSync(join(dir, 'other', 'x.json'), 'utf8'), 'new', 'the real target got the report');
  t.same(readdirSync(dir).sort(), ['other', 'sub'], 'no stray x.json beside the linked directory');
});

t.test('a symlink is followed: its target gets the report and the link stays a link', async (t) => {
  const dir = scratch();
  mkdirSync(join(dir, 'volume'));
  writeFileSync(join(dir, 'volume', 'real.json'), 'old');
  symlinkSync('volume/real.json', join(dir, 'link.json'));
  writeOutputFile(join(dir, 'link.json'), ['new']);
  t.ok(lstatSync(join(dir, 'link.json')).isSymbolicLink(), 'still a link');
  t.equal(readlinkSync(join(dir, 'link.json')), 'volume/real.json');
  t.equal(readFileSync(join(dir, 'volume', 'real.json'), 'utf8'), 'new');
  symlinkSync('volume/later.json', join(dir, 'dangling.json'));
  writeOutputFile(join(dir, 'dangling.json'), ['made']);
  t.ok(lstatSync(join(dir, 'dangling.json')).isSymbolicLink(), 'a dangling link stays a link');
  t.equal(readFileSync(join(dir, 'volume', 'later.json'), 'utf8'), 'made', 'and its target is created');
});

t.test('a character device is written in place and stays a device', asRoot, async (t) => {
  const dir = scratch();
  const device = join(dir, 'null');
  execFileSync('mknod', [device, 'c', '1', '3']);
  writeOutputFile(device, BIG);
  t.ok(lstatSync(device).isCharacterDevice(), 'still /dev/null, not a regular file');
  t.same(readdirSync(dir), ['null']);
});

t.test('/dev/full: ENOSPC is one clear line', async (t) => {
  const error = caught(() => writeOutputFile('/dev/full', ['report']));
  t.equal(error.toLine(), "--out: cannot write '/dev/full': no space left on the device (ENOSPC)");
});

t.test('a FIFO with no reader fails at once; with a reader it gets the report', async (t) => {
  const dir = scratch();
  const fifo = join(dir, 'pipe');
  execFileSync('mkfifo', [fifo]);
  const started = performance.now();
  const error = caught(() => writeOutputFile(fifo, ['report']));
  t.equal(error.toLine(), `--out: cannot write '${fifo}': the FIFO has no reader (ENXIO)`);
  t.ok(performance.now() - started < 5000, 'no hang');
  t.doesNotThrow(() => preflightOutputFile(fifo), 'preflight does not open a FIFO (its reader would see the end at once)');
  const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  t.teardown(() => closeSync(reader));
  writeOutputFile(fifo, ['report\n']);
  const buffer = Buffer.alloc(100);
  t.equal(buffer.toString('utf8', 0, readSync(reader, buffer)), 'report\n');
  t.ok(lstatSync(fifo).isFIFO(), 'still a FIFO');
});

t.test('a bind-mounted file (EBUSY on rename) is written in place', asRoot, async (t) => {
  const dir = scratch();
  const source = join(dir, 'host-side.json');
  const target = join(dir, 'in-container.json');
  writeFileSync(source, 'old');
  writeFileSync(target, '');
  if (!mount(t, ['--bind', source], target)) {
    t.comment('cannot bind-mount here');
    return;
  }
  writeOutputFile(target, ['new report']);
  t.equal(readFileSync(source, 'utf8'), 'new report', 'the mounted file itself got the report');
  t.same(readdirSync(dir).sort(), ['host-side.json', 'in-container.json'], 'no temporary file left');
});

t.test('a full file system: one line, the old report intact, no temporary file', asRoot, async (t) => {
  const dir = scratch();
  if (!mount(t, ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs'], dir)) {
    t.comment('cannot mount tmpfs here');
    return;
  }
  writeFileSync(join(dir, 'report.json'), 'old report');
  const error = caught(() => writeOutputFile(join(dir, 'report.json'), BIG));
  t.equal(error.toLine(), `--out: cannot write '${join(dir, 'report.json')}': no space left on the device (ENOSPC)`);
  t.equal(readFileSync(join(dir, 'report.json'), 'utf8'), 'old report', 'atomic: the old one stays');
  t.same(readdirSync(dir), ['report.json']);
});

t.test('preflight: a missing directory, a directory, a read-only file system fail; nothing is created or truncated', async (t) => {
  const dir = scratch();
  t.equal(caught(() => preflightOutputFile(join(dir, 'no', 'x.json'))).toLine(), `--out: cannot write '${join(dir, 'no', 'x.json')}': its directory does not exist (ENOENT)`);
  t.equal(caught(() => preflightOutputFile(dir)).toLine(), `--out: cannot write '${dir}': is a directory, not a file`);
  writeFileSync(join(dir, 'keep.json'), 'keep');
  preflightOutputFile(join(dir, 'keep.json'));
  preflightOutputFile(join(dir, 'new.json'));
  t.equal(readFileSync(join(dir, 'keep.json'), 'utf8'), 'keep', 'not truncated');
  t.same(readdirSync(dir), ['keep.json'], 'not created');
});

t.test('preflight: a read-only mount fails at once', asRoot, async (t) => {
  const dir = scratch();
  if (!mount(t, ['-t', 'tmpfs', '-o', 'ro,size=16k', 'tmpfs'], dir)) {
    t.comment('cannot mount tmpfs here');
    return;
  }
  t.equal(caught(() => preflightOutputFile(join(dir, 'x.json'))).toLine(), `--out: cannot write '${join(dir, 'x.json')}': the file system is read-only (EROFS)`);
});

t.test('an error while writing removes the temporary file and keeps the old report', async (t) => {
  const dir = scratch();
  writeFileSync(join(dir, 'report.json'), 'old');
  function* failing(): Generator<string> {
    yield 'half';
    throw Object.assign(new Error('disk gone'), { code: 'EIO' });
  }
  t.equal(caught(() => writeOutputFile(join(dir, 'report.json'), failing())).toLine(), `--out: cannot write '${join(dir, 'report.json')}': input/output error (EIO)`);
  t.equal(readFileSync(join(dir, 'report.json'), 'utf8'), 'old');
  t.same(readdirSync(dir), ['report.json']);
});

t.test('process.exit (a second Ctrl-C) leaves no temporary file behind', async (t) => {
  const dir = scratch();
  const module = new URL('../../dist/io/output-file.js', import.meta.url).href;
  const script = `const m = await import(${JSON.stringify(module)}); const tmp = m.createTemporaryBeside(${JSON.stringify(join(dir, 'report.json'))}); console.log(tmp.path); process.exit(130);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  const code = await new Promise((resolve) => child.on('close', resolve));
  t.equal(code, 130);
  t.match(stdout, /\.report\.json\..*\.partial/, 'a temporary file was made');
  t.same(readdirSync(dir), [], 'and removed on exit');
});
