/**
 * The simulated Azure's servers (src/simulate/servers.ts), and those only tests start: the
 * demo never needs a bare TLS server, a forward proxy or a stalled body, so they stay out of dist/.
 */
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { listen, type Bind, type Handler, type RunningServer } from '../../src/simulate/servers.js';

export * from '../../src/simulate/servers.js';

const LOOPBACK = '127.0.0.1';

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
function sniOf(hello: Buffer): string | null {
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

/** Whether a socket gets closed within the given time. */
export function closesWithin(socket: net.Socket, ms: number): Promise<boolean> {
  if (socket.destroyed) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** A port nothing listens on: connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = await listen(net.createServer());
  await server.close();
  return server.port;
}

/** Answers anything with a plain-text HTTP response: not TLS at all. */
export function startPlainTextServer(bind: Bind = {}): Promise<RunningServer> {
  return listen(
    net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));
    }),
    bind,
  );
}

export interface TlsServer extends RunningServer {
  /** SNI received on each completed handshake (null when the client sent none). */
  readonly servernames: Array<string | null>;
  /** The server finishes its side of a TLS 1.3 handshake after the client does; wait for it. */
  handshakes(count: number): Promise<Array<string | null>>;
}

/** Completes the TLS handshake with the given certificate (leaf first, then any chain) and closes. */
export async function startTlsServer(credentials: { cert: string; key: string }, bind: Bind = {}): Promise<TlsServer> {
  const servernames: Array<string | null> = [];
  const server = tls.createServer({ ...credentials }, (socket) => {
    socket.on('error', () => undefined);
    socket.end();
  });
  server.on('secureConnection', (socket: tls.TLSSocket) => {
    const name = (socket as tls.TLSSocket & { servername?: string | false }).servername;
    servernames.push(typeof name === 'string' ? name : null);
  });
  server.on('tlsClientError', () => undefined);
  const running = await listen(server, bind);
  const handshakes = async (count: number): Promise<Array<string | null>> => {
    for (let waited = 0; servernames.length < count && waited < 2000; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return servernames;
  };
  return { ...running, servernames, handshakes };
}

/** What Azure Firewall sends for a denied plain-HTTP request. */
export const AZURE_FIREWALL_DENY_BODY = 'HTTP  request from 10.0.1.4:50812 to svc.test:80. Url: svc.test. Action: Deny. No rule matched. Proceeding with default action.';

/** Sends the status line and headers, then never finishes the body. */
export const stalledBody: Handler = (_request, response) => {
  response.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100000' });
  response.write('partial');
};

export interface ProxyOptions {
  /** `host:port` a client may ask for, mapped to the loopback port that serves it. Nothing else is dialled. */
  readonly routes: Record<string, number>;
  readonly credentials?: { readonly username: string; readonly password: string };
  /** `host:port` the proxy refuses to CONNECT to, with this status. */
  readonly refuse?: Record<string, number>;
}

export interface ProxyRecord {
  readonly method: string;
  readonly target: string;
  readonly authorization: string | undefined;
}

export interface TestProxy extends RunningServer {
  readonly seen: ProxyRecord[];
}

/**
 * A forward proxy on node:http: CONNECT tunnels and absolute-form plain-HTTP requests, with
 * optional Basic auth. It only ever connects to loopback ports listed in `routes`.
 */
export async function startProxy(options: ProxyOptions): Promise<TestProxy> {
  const seen: ProxyRecord[] = [];
  const expected = options.credentials === undefined ? null : `Basic ${Buffer.from(`${options.credentials.username}:${options.credentials.password}`).toString('base64')}`;
  const authorized = (request: http.IncomingMessage): boolean => expected === null || request.headers['proxy-authorization'] === expected;

  const server = http.createServer((request, response) => {
    const target = request.url ?? '';
    seen.push({ method: request.method ?? '', target, authorization: request.headers['proxy-authorization'] });
    if (!authorized(request)) {
      response.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' });
      response.end('proxy authentication required');
      return;
    }
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      response.writeHead(400).end();
      return;
    }
    const port = options.routes[`${url.hostname}:${url.port || '80'}`];
    if (port === undefined) {
      response.writeHead(502, { via: '1.1 test-proxy' }).end('no route');
      return;
    }
    const upstream = http.request({ host: LOOPBACK, port, method: request.method, path: `${url.pathname}${url.search}`, headers: request.headers }, (upstreamResponse) => {
      response.writeHead(upstreamResponse.statusCode ?? 502, { ...upstreamResponse.headers, via: '1.1 test-proxy' });
      upstreamResponse.pipe(response);
    });
    upstream.on('error', () => response.destroy());
    request.pipe(upstream);
  });

  server.on('connect', (request: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const target = request.url ?? '';
    seen.push({ method: 'CONNECT', target, authorization: request.headers['proxy-authorization'] });
    client.on('error', () => undefined);
    if (!authorized(request)) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const refusal = options.refuse?.[target];
    if (refusal !== undefined) {
      client.end(`HTTP/1.1 ${refusal} Forbidden\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    const port = options.routes[target];
    if (port === undefined) {
      client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const upstream = net.connect({ host: LOOPBACK, port }, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });

  const running = await listen(server);
  return { ...running, seen };
}
