import type net from 'node:net';
import { Duplex } from 'node:stream';

// Stream plumbing only, kept apart from the probers: its listeners pass bytes and errors on
// to the stream, which the TLS prober's scope owns and guards; they decide nothing.

/** How many of the server's first bytes are kept: enough for a status line or a banner. */
const FIRST_BYTES_KEPT = 64;

/**
 * Passes a TCP socket's bytes to TLS through JavaScript, counting what the server sends and
 * keeping its first bytes: the evidence that tells a server that never answered from one that
 * stalled, and what answers in plain text where TLS was due. Node's native TLS over the bare
 * socket would read past us. It costs a few percent of a handshake's CPU.
 */
export class RecordingStream extends Duplex {
  received = 0;
  #first: Buffer[] = [];
  #firstLength = 0;

  constructor(private readonly raw: net.Socket) {
    super();
    raw.on('data', (chunk: Buffer) => {
      this.received += chunk.length;
      if (this.#firstLength < FIRST_BYTES_KEPT) {
        this.#first.push(chunk.subarray(0, FIRST_BYTES_KEPT - this.#firstLength));
        this.#firstLength += Math.min(chunk.length, FIRST_BYTES_KEPT - this.#firstLength);
      }
      if (!this.push(chunk)) raw.pause();
    });
    raw.on('end', () => this.push(null));
    raw.on('error', (error) => this.destroy(error));
    raw.on('close', () => this.destroy());
  }

  get firstBytes(): Buffer | null {
    return this.#firstLength === 0 ? null : Buffer.concat(this.#first);
  }

  override _read(): void {
    this.raw.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.raw.write(chunk, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.raw.end(callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.raw.destroy();
    callback(error);
  }
}
