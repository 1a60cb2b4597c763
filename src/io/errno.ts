/**
 * File-system errors in words an admin reads at a glance, the code kept in brackets so it can
 * be searched. Input and output differ only in what a missing path means.
 */
const WORDS: Readonly<Record<string, string>> = {
  ENOTDIR: 'a part of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  EISDIR: 'is a directory, not a file',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENXIO: 'the FIFO has no reader',
  ELOOP: 'too many symbolic links',
  EFBIG: 'file too large',
  EIO: 'input/output error',
};

export function describeErrno(error: unknown, missing: string): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === undefined) return String(error);
  const words = code === 'ENOENT' ? missing : WORDS[code];
  return words === undefined ? code : `${words} (${code})`;
}

/** Blocks the thread for a moment: input and output files are handled before or after the event loop's work. */
export function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
