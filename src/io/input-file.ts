import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { InputError } from '../model/errors.js';
import { escapeControl, quote, truncateStart } from '../model/text.js';
import { describeErrno, pause } from './errno.js';
import { JsonSyntaxError, parseJson } from './json-input.js';

/**
 * The largest input file (workspace JSON, catalog) we read. The real ones are a few KiB;
 * the cap keeps `/dev/zero`, `/dev/urandom` or a log file named by mistake from eating
 * memory, and is documented in the README.
 */
export const INPUT_MAX_BYTES = 16 * 1024 * 1024;

/** How long a pipe, FIFO or device may take to deliver its whole content. */
export const INPUT_TIMEOUT_MS = 30_000;

/** How long a named FIFO may wait for its writer to open it; short, since it is usually there. */
export const FIFO_WRITER_WAIT_MS = 5_000;

export interface InputReadOptions {
  readonly maxBytes?: number;
  readonly timeoutMs?: number;
  /** How long a named FIFO may wait for a writer to open it. */
  readonly writerWaitMs?: number;
}

const CHUNK = 64 * 1024;

function kindOf(stats: Stats): string {
  if (stats.isFIFO()) return 'FIFO';
  if (stats.isCharacterDevice()) return 'character device';
  if (stats.isSocket()) return 'socket';
  if (stats.isBlockDevice()) return 'block device';
  return 'file';
}

/** An input file as messages name it: `-` is standard input; a long path loses its front, never the file's name. */
export function inputLabel(file: string): string {
  return file === '-' ? 'standard input' : escapeControl(truncateStart(file));
}

/**
 * Reads a whole input file, `-` meaning standard input, within a size cap and a time limit:
 * whatever the path names (a huge file, `/dev/zero`, a FIFO nobody writes to, a terminal)
 * the answer is the bytes or one InputError, never a hang or an exhausted heap.
 *
 * Synchronous on purpose: inputs are read before any check starts, when there is nothing
 * else for the process to do.
 */
/**
 * Why an input file could not be read. The message names the file; `reason` is the same
 * without it, for a caller whose own message names the file already.
 */
export class InputFileError extends InputError {
  override name = 'InputFileError';
  readonly reason: string;
  constructor(where: string, shown: string, reason: string, verb: 'open' | 'read' | null) {
    super(where, `${shown}: ${verb === null ? '' : `cannot ${verb}: `}${reason}`);
    this.reason = reason;
  }
}

export function readInputFile(file: string, where: string, options: InputReadOptions = {}): Buffer {
  const maxBytes = options.maxBytes ?? INPUT_MAX_BYTES;
  const timeoutMs = options.timeoutMs ?? INPUT_TIMEOUT_MS;
  const writerWaitMs = Math.min(timeoutMs, options.writerWaitMs ?? FIFO_WRITER_WAIT_MS);
  const stdin = file === '-';
  const shown = stdin ? 'standard input' : quote(file);
  const fail = (reason: string, verb: 'open' | 'read' | null = null): never => {
    throw new InputFileError(where, shown, reason, verb);
  };
  let fd: number;
  let ownFd = true;
  try {
    // Non-blocking, so opening a FIFO with no writer returns at once instead of waiting forever.
    fd = openSync(stdin ? '/dev/stdin' : file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    if (!stdin || (error as NodeJS.ErrnoException).code !== 'ENXIO') return fail(describeErrno(error, 'no such file'), 'open');
    // A socket (what Node's and some CI runners' spawn give as stdin) cannot be reopened. Node
    // makes the descriptor non-blocking when it wraps it as process.stdin, which is all the
    // loop below needs; nothing is read through the stream itself.
    process.stdin.pause();
    fd = 0;
    ownFd = false;
  }
  try {
    const stats = fstatSync(fd);
    if (stats.isDirectory()) return fail('is a directory, not a file');
    if (stats.isFile() && stats.size > maxBytes) return fail(`is ${stats.size} bytes, more than the ${maxBytes / 1024 / 1024} MiB an input file may have`);
    if (stdin && stats.isCharacterDevice() && process.stdin.isTTY) return fail('is a terminal; pipe or redirect the content into it');
    const chunks: Buffer[] = [];
    let total = 0;
    const started = performance.now();
    const buffer = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      let read: number;
      try {
        read = readSync(fd, buffer, 0, CHUNK, null);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return fail(describeErrno(error, 'no such file'), 'read');
        // A pipe or FIFO whose writer has not sent everything yet.
        if (performance.now() - started > timeoutMs) return fail(`the ${kindOf(stats)} sent no end of data within ${timeoutMs / 1000} s`);
        pause(10);
        continue;
      }
      if (read === 0) {
        // A named FIFO reads as ended until its writer opens it: give a writer that starts a
        // moment after us the time to, then say that nothing came.
        if (total === 0 && stats.isFIFO() && !stdin) {
          if (performance.now() - started > writerWaitMs) return fail(`nothing was written to the FIFO within ${writerWaitMs / 1000} s`);
          pause(10);
          continue;
        }
        break;
      }
      total += read;
      if (total > maxBytes) return fail(`holds more than the ${maxBytes / 1024 / 1024} MiB an input file may have`);
      chunks.push(Buffer.from(buffer.subarray(0, read)));
      if (performance.now() - started > timeoutMs) return fail(`the ${kindOf(stats)} sent no end of data within ${timeoutMs / 1000} s`);
    }
    return Buffer.concat(chunks, total);
  } finally {
    if (ownFd) closeSync(fd);
    else process.stdin.destroy();
  }
}

/**
 * The text of an input file. Windows tools write UTF-8 with a byte-order mark, and
 * PowerShell's `>` writes UTF-16: both are accepted. Anything else must be valid UTF-8.
 */
export function decodeInputText(bytes: Buffer, where: string): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return utf8(bytes.subarray(3), where);
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return utf16(bytes.subarray(2), 'utf-16le', where);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return utf16(bytes.subarray(2), 'utf-16be', where);
  // UTF-16 without a mark: ASCII text has a zero in every other byte.
  if (bytes.length >= 4 && bytes.length % 2 === 0) {
    if (bytes[0] !== 0 && bytes[1] === 0 && bytes[3] === 0) return utf16(bytes, 'utf-16le', where);
    if (bytes[0] === 0 && bytes[1] !== 0 && bytes[2] === 0) return utf16(bytes, 'utf-16be', where);
  }
  return utf8(bytes, where);
}

function utf8(bytes: Buffer, where: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InputError(where, 'is not UTF-8 or UTF-16 text');
  }
}

function utf16(bytes: Buffer, encoding: 'utf-16le' | 'utf-16be', where: string): string {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    throw new InputError(where, `is not valid ${encoding.toUpperCase()} text`);
  }
}

/**
 * Whether parsed data nests deeper than `limit`, measured without recursion: far deeper input
 * would overflow the stack of anything that walks it recursively (JSON.stringify included).
 */
export function nestedDeeperThan(data: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[data, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (node === null || typeof node !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * An input file's JSON document, read by the rules above: one InputError naming the file where it
 * is not JSON or nests deeper than `maxDepth` (`notA`: what so deep a document cannot be).
 */
export function readJsonInputFile(file: string, flag: string, maxDepth: number, notA: string): { readonly shown: string; readonly document: unknown } {
  const shown = inputLabel(file);
  const text = decodeInputText(readInputFile(file, flag), shown);
  let document: unknown;
  try {
    document = parseJson(text);
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    throw new InputError(shown, `not valid JSON: ${error.message}`);
  }
  if (nestedDeeperThan(document, maxDepth)) throw new InputError(shown, `nested more than ${maxDepth} levels deep: not ${notA}`);
  return { shown, document };
}
