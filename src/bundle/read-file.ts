import { closeSync, constants, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { describeErrno } from '../io/errno.js';

/**
 * Reading the machine's own files (/etc/resolv.conf, /proc/net/route, /sys/class/net/…) for a
 * bundle. Whatever sits at the path, the read ends at once: a FIFO or a device is refused
 * without waiting for a writer, a file past the cap is not read on, a directory is named as
 * such. Every failure is an Error with one line that says which file and why.
 */

/** /etc/hosts on a machine with a large block list is the biggest we expect; far beyond it is a mistake. */
export const MAX_SYSTEM_FILE_BYTES = 1024 * 1024;

class SystemFileError extends Error {
  override name = 'SystemFileError';
}

/** `absolute` as seen under `root` (`/` on a real run). */
export function underRoot(root: string, absolute: string): string {
  return join(root, absolute);
}

export function readSystemFile(root: string, absolute: string, maxBytes = MAX_SYSTEM_FILE_BYTES): string {
  let fd: number;
  try {
    // Non-blocking: opening a FIFO nobody writes to would otherwise wait forever.
    fd = openSync(underRoot(root, absolute), constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new SystemFileError(`${absolute}: ${describeErrno(error, 'not there')}`);
  }
  try {
    const stats = fstatSync(fd);
    if (stats.isDirectory()) throw new SystemFileError(`${absolute}: is a directory, not a file`);
    // /proc and /sys files are regular files that report size 0: read them to the end all the same.
    if (!stats.isFile()) throw new SystemFileError(`${absolute}: not a regular file (a FIFO, socket or device), not read`);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(64 * 1024);
      let read: number;
      try {
        read = readSync(fd, chunk, 0, chunk.length, null);
      } catch (error) {
        throw new SystemFileError(`${absolute}: ${describeErrno(error, 'not there')}`);
      }
      if (read === 0) break;
      total += read;
      if (total > maxBytes) throw new SystemFileError(`${absolute}: larger than ${Math.round(maxBytes / 1024)} KiB, not included`);
      chunks.push(chunk.subarray(0, read));
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

export function listSystemDir(root: string, absolute: string): string[] {
  try {
    return readdirSync(underRoot(root, absolute)).sort();
  } catch (error) {
    throw new SystemFileError(`${absolute}: ${describeErrno(error, 'not there')}`);
  }
}

/** The file's text, or null when it is absent (ENOENT): for files whose absence is itself the answer. */
export function readOptionalSystemFile(root: string, absolute: string, maxBytes = MAX_SYSTEM_FILE_BYTES): string | null {
  try {
    return readSystemFile(root, absolute, maxBytes);
  } catch (error) {
    if (/\(ENOENT\)$/.test((error as Error).message)) return null;
    throw error;
  }
}
