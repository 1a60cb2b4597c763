import { Header, Pack, ReadEntry } from 'tar';
import { isSafePart, isSafeRelativeName } from './names.js';

export interface PackedFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** Every file is the same: plain, readable, owned by nobody in particular. */
const FILE_MODE = 0o644;

/**
 * A gzipped tarball of `files` under one top folder, made in memory by node-tar (never by
 * hand): plain file entries only, no owner names, one modification time for all.
 */
export async function packBundle(topFolder: string, files: readonly PackedFile[], mtime: Date): Promise<Buffer> {
  if (!isSafePart(topFolder)) throw new TypeError(`unsafe bundle folder name ${JSON.stringify(topFolder)}`);
  const pack = new Pack({ gzip: true, portable: true });
  const chunks: Buffer[] = [];
  pack.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    pack.on('end', () => resolve());
    pack.on('error', reject);
  });
  for (const file of files) {
    if (!isSafeRelativeName(file.name)) throw new TypeError(`unsafe bundle file name ${JSON.stringify(file.name)}`);
    const header = new Header({ path: `${topFolder}/${file.name}`, mode: FILE_MODE, size: file.bytes.length, mtime, type: 'File' });
    // A path ustar cannot hold would need a pax header, which a bare Header does not write.
    if (header.encode()) throw new TypeError(`bundle file name too long for the archive: ${JSON.stringify(file.name)}`);
    const entry = new ReadEntry(header);
    pack.add(entry);
    entry.end(Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.length));
  }
  pack.end();
  await done;
  return Buffer.concat(chunks);
}
