import { createHash } from 'node:crypto';
import { Parser, type ReadEntry } from 'tar';
import { manifestProblem, MANIFEST_NAME, type Manifest } from './manifest.js';
import { isSafePart, isSafeRelativeName } from './names.js';

/** Far beyond any real bundle; a gzip bomb stops here rather than filling the memory. */
const MAX_UNPACKED_BYTES = 256 * 1024 * 1024;

const FEED_BYTES = 4096;

/** The file is not a bundle at all (not a gzipped tarball, no manifest): exit 2, not a mismatch. */
export class NotABundle extends Error {
  override name = 'NotABundle';
}

export interface Verification {
  readonly top: string;
  readonly manifest: Manifest;
  /** Files that match the manifest. */
  readonly matched: number;
  /** One line per mismatch: each file named. Empty when the bundle is intact. */
  readonly problems: readonly string[];
}

interface Entry {
  readonly path: string;
  readonly type: string;
  readonly bytes: Buffer;
}

async function readEntries(bytes: Uint8Array): Promise<Entry[]> {
  const entries: Entry[] = [];
  const errors: string[] = [];
  let total = 0;
  let stop: () => void = () => undefined;
  let aborted = false;
  const parser: Parser = new Parser({
    strict: true,
    onReadEntry: (entry: ReadEntry) => {
      total += entry.size;
      if (total > MAX_UNPACKED_BYTES) {
        // Stop reading at once: the rest of a gzip bomb is never inflated.
        aborted = true;
        parser.abort(new Error(`it unpacks to more than ${MAX_UNPACKED_BYTES / 1024 / 1024} MiB`));
        stop();
        return;
      }
      const chunks: Buffer[] = [];
      entry.on('data', (chunk: Buffer) => chunks.push(chunk));
      entry.on('end', () => entries.push({ path: entry.path, type: entry.type, bytes: Buffer.concat(chunks) }));
    },
  });
  // An aborted parser never ends, nor does one whose gzip stream broke off (a cut-off download):
  // the abort, or the error, settles the wait itself.
  const ended = new Promise<void>((resolve) => {
    stop = resolve;
    parser.on('end', () => resolve());
  });
  parser.on('error', (error: Error) => {
    errors.push(error.message.replace(/^TAR_[A-Z_]+: /, ''));
    stop();
  });
  // Fed in small pieces: each is inflated at once, and a gzip bomb inflates a thousandfold.
  const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  for (let offset = 0; offset < input.length && !aborted; offset += FEED_BYTES) parser.write(input.subarray(offset, offset + FEED_BYTES));
  if (!aborted) parser.end();
  await ended;
  if (errors.length > 0) throw new NotABundle(`not a readable gzipped tarball: ${errors[0] ?? ''}`);
  return entries;
}

/**
 * Checks a bundle against its own manifest: every file listed is there with its size and
 * SHA-256, nothing is there that is not listed, every entry is a plain file under one top
 * folder with a safe name.
 */
export async function verifyBundle(bytes: Uint8Array): Promise<Verification> {
  const entries = await readEntries(bytes);
  const tops = new Set(entries.map((entry) => entry.path.split('/')[0] ?? ''));
  const top = entries.find((entry) => entry.path.endsWith(`/${MANIFEST_NAME}`) && entry.path.split('/').length === 2)?.path.split('/')[0];
  if (top === undefined) throw new NotABundle(`no ${MANIFEST_NAME} in a top folder: not an aml-netcheck bundle`);
  const manifestEntry = entries.find((entry) => entry.path === `${top}/${MANIFEST_NAME}`);
  let manifest: unknown;
  try {
    manifest = JSON.parse(manifestEntry?.bytes.toString('utf8') ?? '');
  } catch {
    throw new NotABundle(`${MANIFEST_NAME} is not JSON: not an aml-netcheck bundle`);
  }
  const shapeProblem = manifestProblem(manifest);
  if (shapeProblem !== null) throw new NotABundle(shapeProblem);
  const listed = (manifest as Manifest).files;

  const problems: string[] = [];
  if (tops.size > 1 || !isSafePart(top))
    problems.push(
      `entries outside the one top folder ${JSON.stringify(top)}: ${[...tops]
        .filter((t) => t !== top)
        .map((t) => JSON.stringify(t))
        .join(', ')}`,
    );
  const found = new Map<string, Entry>();
  for (const entry of entries) {
    const relative = entry.path.startsWith(`${top}/`) ? entry.path.slice(top.length + 1) : entry.path;
    // A folder entry carries no content: an engineer who unpacked and packed the bundle again with
    // the system tar added them, and the files are still what the manifest says.
    if (entry.type === 'Directory' && (relative === '' || isSafeRelativeName(relative.replace(/\/$/, '')))) continue;
    if (entry.type !== 'File') problems.push(`${JSON.stringify(entry.path)}: a ${entry.type} entry, not a plain file`);
    else if (!isSafeRelativeName(relative)) problems.push(`${JSON.stringify(entry.path)}: an unsafe name`);
    else if (found.has(relative)) problems.push(`${relative}: in the archive twice`);
    if (entry.type === 'File') found.set(relative, entry);
  }
  let matched = 0;
  for (const file of listed) {
    const entry = found.get(file.name);
    found.delete(file.name);
    if (entry === undefined) {
      problems.push(`${file.name}: listed in the manifest, missing from the bundle`);
      continue;
    }
    const sha256 = createHash('sha256').update(entry.bytes).digest('hex');
    if (entry.bytes.length !== file.size) problems.push(`${file.name}: ${entry.bytes.length} bytes, the manifest says ${file.size}`);
    else if (sha256 !== file.sha256) problems.push(`${file.name}: SHA-256 differs from the manifest's`);
    else matched++;
  }
  found.delete(MANIFEST_NAME);
  for (const name of found.keys()) problems.push(`${name}: in the bundle, not listed in the manifest`);
  return { top, manifest: manifest as Manifest, matched, problems };
}
