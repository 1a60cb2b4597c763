import type { Writable } from 'node:stream';

/**
 * Where a command prints its result. It may return a promise: a caller printing a large
 * report awaits it, so text is not piled up in memory faster than the reader takes it.
 */
export type Write = (text: string) => void | Promise<void>;

/**
 * Writes to stdout with backpressure. When the reader goes away (`| head`, a closed pipe)
 * the rest is dropped quietly, as command-line tools do; any other failure is handed, once,
 * as a line for stderr, to `failed` (the CLI says it and exits with a failure).
 */
export function streamWriter(stream: Writable, failed: (line: string) => void): Write {
  let gone = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (gone) return;
    gone = true;
    if (error.code === 'EPIPE') return;
    failed(`aml-netcheck: cannot write to stdout: ${error.code ?? error.message}\n`);
  });
  return (text) => {
    if (gone || stream.write(text)) return;
    return new Promise<void>((resolve) => {
      const settle = (): void => {
        stream.off('drain', settle);
        stream.off('error', settle);
        stream.off('close', settle);
        resolve();
      };
      stream.once('drain', settle);
      stream.once('error', settle);
      stream.once('close', settle);
    });
  };
}
