import net from 'node:net';
import { listen, type RunningServer } from '../../src/simulate/servers.js';

export * from '../../src/simulate/servers.js';

/** The part of a tap test the helpers need. */
export interface Cleanup {
  teardown(fn: () => unknown): void;
}

/** Starts a server and closes it when the test ends. */
export async function started<T extends RunningServer>(t: Cleanup, server: Promise<T>): Promise<T> {
  const running = await server;
  t.teardown(() => running.close());
  return running;
}

/** Greets every connection first, as SSH and SMTP servers do, and then ignores what it hears. */
export function startBannerServer(banner: string): Promise<RunningServer> {
  return listen(
    net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.write(banner);
    }),
  );
}

/** The name a TLS ClientHello asks for (its server_name extension), or null. */
export function sniOf(hello: Buffer): string | null {
  // Record header (5), handshake header (4), version (2), random (32).
  let at = 5 + 4 + 2 + 32;
  const skip = (lengthBytes: number): void => {
    at += lengthBytes + (lengthBytes === 1 ? hello.readUInt8(at) : hello.readUInt16BE(at));
  };
  if (hello.length < at + 1 || hello[0] !== 22) return null;
  skip(1); // session id
  skip(2); // cipher suites
  skip(1); // compression methods
  const end = at + 2 + hello.readUInt16BE(at);
  at += 2;
  while (at + 4 <= end && at + 4 <= hello.length) {
    const type = hello.readUInt16BE(at);
    const length = hello.readUInt16BE(at + 2);
    if (type === 0) {
      const nameLength = hello.readUInt16BE(at + 7);
      return hello.subarray(at + 9, at + 9 + nameLength).toString('ascii');
    }
    at += 4 + length;
  }
  return null;
}

/**
 * A firewall filtering by SNI in front of a TLS server: reads the ClientHello and resets the
 * connection when it asks for `blocked`, or stays silent (`silent`), like a middlebox that
 * drops what follows; any other name is passed through to the server at `upstreamPort`.
 */
export function startSniFilter(blocked: string, how: 'reset' | 'silent', upstreamPort: number): Promise<RunningServer & { readonly seen: string[] }> {
  const seen: string[] = [];
  return listen(
    net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', (hello: Buffer) => {
        const name = sniOf(hello);
        seen.push(name ?? '');
        if (name === blocked) {
          if (how === 'reset') socket.resetAndDestroy();
          return;
        }
        const upstream = net.connect(upstreamPort, '127.0.0.1');
        upstream.on('error', () => socket.destroy());
        socket.on('close', () => upstream.destroy());
        upstream.write(hello);
        socket.pipe(upstream).pipe(socket);
      });
    }),
  ).then((running) => ({ ...running, seen }));
}
