import { accessSync, closeSync, constants, fchmodSync, fchownSync, fstatSync, lstatSync, openSync, readlinkSync, realpathSync, renameSync, rmSync, statSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../model/errors.js';
import { quote } from '../model/text.js';
import { describeErrno, pause } from './errno.js';

/**
 * Writing a report to --out. The path may name anything: a regular file, a symlink into a
 * mounted volume, /dev/null, a FIFO a reader waits on, a file bind-mounted into a container.
 * We never replace what the path points at; only a regular file of our own making is
 * swapped in atomically, so a reader never sees half a report.
 */

/** How long a FIFO or device may refuse more bytes (a reader that stopped reading). */
const OUTPUT_STALL_MS = 30_000;

const MAX_SYMLINKS = 40;

/** Reports are text; a bundle is bytes. */
export type Chunk = string | Uint8Array;

function fail(where: string, file: string, message: string): never {
  throw new InputError(where, `cannot write ${quote(file)}: ${message}`);
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * The path the bytes should land at: symlinks followed, a dangling one to the file it
 * names, so writing creates the target and the link stays a link.
 */
/**
 * The path with its directory's symbolic links resolved. A link's relative target is read from
 * the directory the link really sits in: `sub -> other/deep` and `sub/out.json -> ../x.json`
 * mean other/x.json, not ./x.json.
 */
function inRealDirectory(path: string): string {
  try {
    return join(realpathSync(dirname(path)), basename(path));
  } catch {
    return path;
  }
}

function destinationOf(file: string): { path: string; stats: Stats | null } {
  let path = inRealDirectory(resolve(file));
  for (let hops = 0; hops <= MAX_SYMLINKS; hops++) {
    const link = lstatOrNull(path);
    if (link === null || !link.isSymbolicLink()) return { path, stats: link };
    path = inRealDirectory(resolve(dirname(path), readlinkSync(path)));
  }
  throw Object.assign(new Error('ELOOP'), { code: 'ELOOP' });
}

/**
 * Says at once, before any work, whether `file` can be written: a missing directory, a
 * read-only file system or a directory named as the file would otherwise cost a whole run.
 * Creates, opens and truncates nothing: a FIFO opened and closed here would tell its
 * reader the report is over before it began.
 */
export function preflightOutputFile(file: string, where = '--out'): void {
  if (file === '') fail(where, file, 'no file name given');
  let destination: { path: string; stats: Stats | null };
  try {
    destination = destinationOf(file);
  } catch (error) {
    return fail(where, file, describeErrno(error, 'its directory does not exist'));
  }
  const { path, stats } = destination;
  if (stats?.isDirectory()) fail(where, file, 'is a directory, not a file');
  if (file.endsWith('/')) fail(where, file, 'names a directory, not a file');
  try {
    if (stats !== null) {
      accessSync(path, constants.W_OK);
      return;
    }
    const dir = dirname(path);
    if (!statSync(dir).isDirectory()) fail(where, file, 'a part of the path is not a directory (ENOTDIR)');
    accessSync(dir, constants.W_OK);
  } catch (error) {
    if (error instanceof InputError) throw error;
    fail(where, file, describeErrno(error, 'its directory does not exist'));
  }
}

/** A file the run reads (or, like a log file, writes on its own), named by the flag that gave it. */
export interface RunFile {
  readonly flag: string;
  readonly file: string;
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/**
 * Refuses an output that is one of the run's own files, before any work: `diff a.json b.json
 * --out a.json` would replace the baseline with the diff. The same file by any name counts:
 * the same path after links are followed, or the same inode (a hard link, a bind mount).
 * Standard input (`-`) is no file.
 */
export function refuseOutputOverRunFile(file: string, runFiles: readonly RunFile[], where = '--out'): void {
  let destination: { path: string; stats: Stats | null };
  try {
    destination = destinationOf(file);
  } catch {
    return; // preflightOutputFile says what is wrong with the path.
  }
  const out = destination.stats === null ? null : statOrNull(destination.path);
  for (const input of runFiles) {
    if (input.file === '-' || input.file === '') continue;
    let same: boolean;
    try {
      same = destinationOf(input.file).path === destination.path;
    } catch {
      same = false;
    }
    if (!same && out !== null) {
      const other = statOrNull(input.file);
      same = other !== null && other.dev === out.dev && other.ino === out.ino;
    }
    if (same) {
      const what = input.flag.startsWith('--') ? `the file given to ${input.flag}` : `the ${input.flag}`;
      throw new InputError(where, `${quote(file)} is ${what} (${quote(input.file)}); writing the output there would overwrite it: name another file`);
    }
  }
}

// Temporary files that exist right now. However the process ends (an error, a second
// Ctrl-C that calls process.exit), none may stay behind beside the user's report.
const temporaries = new Set<string>();
let cleanupHooked = false;

function removeTemporaries(): void {
  for (const path of temporaries) rmSync(path, { force: true });
  temporaries.clear();
}

/**
 * Creates an empty temporary file beside `path`, removed when the process exits if still there.
 * @public test/io/output-file.test.ts imports it from dist/ in a child process it then kills.
 */
export function createTemporaryBeside(path: string): { path: string; fd: number } {
  if (!cleanupHooked) {
    process.on('exit', removeTemporaries);
    cleanupHooked = true;
  }
  for (let attempt = 0; ; attempt++) {
    const temporary = join(dirname(path), `.${basename(path)}.${process.pid}-${attempt}.partial`);
    try {
      temporaries.add(temporary);
      return { path: temporary, fd: openSync(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o666) };
    } catch (error) {
      temporaries.delete(temporary);
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 100) throw error;
    }
  }
}

/** Drops a temporary file (renamed or failed) from the exit clean-up. */
function forgetTemporary(path: string, remove: boolean): void {
  if (remove) rmSync(path, { force: true });
  temporaries.delete(path);
}

/** Writes every byte, waiting out a full pipe (the fd may be non-blocking) for a bounded time. */
function writeAll(fd: number, chunks: Iterable<Chunk>): void {
  for (const chunk of chunks) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let offset = 0;
    let stalledSince = 0;
    while (offset < bytes.length) {
      try {
        offset += writeSync(fd, bytes, offset, bytes.length - offset);
        stalledSince = 0;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
        stalledSince ||= performance.now();
        if (performance.now() - stalledSince > OUTPUT_STALL_MS) throw Object.assign(new Error('stalled'), { code: 'ESTALLED' });
        pause(10);
      }
    }
  }
}

/** Writes into the existing file itself: devices, FIFOs, bind mounts, hard-linked files. */
function writeInPlace(path: string, stats: Stats | null, chunks: Iterable<Chunk>, mode: number | undefined): void {
  const regular = stats === null || stats.isFile();
  // Non-blocking, so a FIFO with no reader fails at once (ENXIO) instead of hanging.
  const flags = constants.O_WRONLY | (regular ? constants.O_TRUNC | constants.O_CREAT : constants.O_NONBLOCK);
  const fd = openSync(path, flags, mode ?? 0o666);
  if (mode !== undefined && regular) fchmodSync(fd, mode);
  try {
    writeAll(fd, chunks);
  } finally {
    closeSync(fd);
  }
}

/** A rename over this target cannot work, but writing into it may. */
const RENAME_REFUSED = new Set(['EBUSY', 'EXDEV', 'EPERM', 'EACCES', 'EROFS']);

/** Writes beside the file and renames over it, keeping the old file's mode (and owner, as root). */
function replaceAtomically(path: string, stats: Stats | null, chunks: Iterable<Chunk>, mode: number | undefined): 'done' | 'in-place' {
  let temporary: { path: string; fd: number };
  try {
    temporary = createTemporaryBeside(path);
  } catch (error) {
    // A directory we may not create files in (or a read-only one): the file itself may still take writes.
    if (stats !== null && RENAME_REFUSED.has((error as NodeJS.ErrnoException).code ?? '')) return 'in-place';
    throw error;
  }
  let renamed = false;
  try {
    try {
      if (mode !== undefined) fchmodSync(temporary.fd, mode);
      if (stats !== null) {
        if (mode === undefined) fchmodSync(temporary.fd, stats.mode & 0o7777);
        if (process.getuid?.() === 0 && (fstatSync(temporary.fd).uid !== stats.uid || fstatSync(temporary.fd).gid !== stats.gid)) fchownSync(temporary.fd, stats.uid, stats.gid);
      }
      writeAll(temporary.fd, chunks);
    } finally {
      closeSync(temporary.fd);
    }
    try {
      renameSync(temporary.path, path);
      renamed = true;
    } catch (error) {
      // A bind-mounted file (Docker, Kubernetes volumes) cannot be renamed over: EBUSY or EXDEV.
      if (stats !== null && RENAME_REFUSED.has((error as NodeJS.ErrnoException).code ?? '')) return 'in-place';
      throw error;
    }
    return 'done';
  } finally {
    forgetTemporary(temporary.path, !renamed);
  }
}

/** The chunks may be a generator, consumed as written; a fallback to writing in place replays them. */
function replayable(chunks: Iterable<Chunk>): Iterable<Chunk> {
  if (Array.isArray(chunks)) return chunks as Chunk[];
  const seen: Chunk[] = [];
  let source: Iterator<Chunk> | null = null;
  return {
    *[Symbol.iterator]() {
      yield* seen.slice();
      source ??= chunks[Symbol.iterator]();
      for (let next = source.next(); !next.done; next = source.next()) {
        seen.push(next.value);
        yield next.value;
      }
    },
  };
}

/**
 * Writes `chunks` to `file` without ever replacing what the path points at. A symlink is
 * followed (it stays a link); a device, FIFO or socket is written in place; a regular
 * file is replaced atomically, or written in place when it cannot be renamed over.
 * Failures are one InputError line, whatever the target. `mode` forces the permissions of a
 * regular file (a support bundle is 0600 whatever was there before); without it a replaced
 * file keeps its mode.
 */
export function writeOutputFile(file: string, chunks: Iterable<Chunk>, options: { where?: string; mode?: number } = {}): void {
  const { where = '--out', mode } = options;
  const kept = replayable(chunks);
  try {
    const { path, stats } = destinationOf(file);
    if (stats?.isDirectory()) fail(where, file, 'is a directory, not a file');
    // A second hard link would keep the old report after a rename: write through all names.
    if (stats !== null && (!stats.isFile() || stats.nlink > 1)) return writeInPlace(path, stats, kept, mode);
    if (replaceAtomically(path, stats, kept, mode) === 'in-place') writeInPlace(path, stats, kept, mode);
  } catch (error) {
    if (error instanceof InputError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ESTALLED') fail(where, file, `the reader took nothing for ${OUTPUT_STALL_MS / 1000} s`);
    fail(where, file, describeErrno(error, 'its directory does not exist'));
  }
}
