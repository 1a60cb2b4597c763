import dgram from 'node:dgram';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { Worker } from 'node:worker_threads';

export interface RunningServer {
  readonly port: number;
  close(): Promise<void>;
}

const LOOPBACK = '127.0.0.1';

/** Where a simulated server listens: by default any free port on 127.0.0.1. */
export interface Bind {
  readonly address?: string;
  readonly port?: number;
  /**
   * Round-trip time to add to the server's answers (the TLS ServerHello, each HTTP
   * response), for kernels without netem. The TCP handshake itself stays instant.
   */
  readonly latencyMs?: number;
}

/** Listens and makes close() also drop open connections. */
export async function listen(server: net.Server, bind: Bind = {}): Promise<RunningServer> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(bind.port ?? 0, bind.address ?? LOOPBACK, () => resolve());
  });
  const address = server.address() as net.AddressInfo;
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Accepts connections and never says a word: TLS and HTTP clients wait until they time out. */
export function startSilentServer(bind: Bind = {}): Promise<RunningServer> {
  return listen(
    net.createServer((socket) => {
      socket.on('error', () => undefined);
    }),
    bind,
  );
}

/**
 * Hangs up as soon as the client speaks (its ClientHello), the way an SNI-filtering firewall
 * does: `reset` sends a TCP RST, `close` a normal FIN.
 */
export function startHangUpServer(how: 'reset' | 'close', bind: Bind = {}): Promise<RunningServer> {
  return listen(
    net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => {
        if (how === 'reset') socket.resetAndDestroy();
        else socket.end();
      });
    }),
    bind,
  );
}

export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly host: string | undefined;
  readonly servername: string | null;
}

export interface HttpTestServer extends RunningServer {
  readonly requests: SeenRequest[];
  /** Bytes the handler managed to write (for the huge-body test). */
  readonly written: { bytes: number };
}

export type Handler = (request: http.IncomingMessage, response: http.ServerResponse, written: { bytes: number }) => void;

/** An HTTP server, or HTTPS when credentials are given, that records what it was asked. */
export async function startHttpServer(handler: Handler, credentials?: { cert: string; key: string }, bind: Bind = {}): Promise<HttpTestServer> {
  const requests: SeenRequest[] = [];
  const written = { bytes: 0 };
  const onRequest = (request: http.IncomingMessage, response: http.ServerResponse): void => {
    const socket = request.socket as tls.TLSSocket & { servername?: string | false };
    requests.push({
      method: request.method ?? '',
      url: request.url ?? '',
      host: request.headers.host,
      servername: typeof socket.servername === 'string' ? socket.servername : null,
    });
    handler(request, response, written);
  };
  const latency = bind.latencyMs ?? 0;
  const answer = latency > 0 ? (request: http.IncomingMessage, response: http.ServerResponse): void => void setTimeout(() => onRequest(request, response), latency) : onRequest;
  // Holding the SNI callback holds the ServerHello: one round trip for the handshake.
  const context = latency > 0 && credentials ? tls.createSecureContext(credentials) : null;
  const tlsOptions = context && credentials ? { ...credentials, SNICallback: (_name: string, done: (error: Error | null, context?: tls.SecureContext) => void) => void setTimeout(() => done(null, context), latency) } : credentials;
  const server = tlsOptions === undefined ? http.createServer(answer) : https.createServer(tlsOptions, answer);
  server.on('clientError', (_error, socket) => socket.destroy());
  const running = await listen(server, bind);
  return { ...running, requests, written };
}

export const respondWith =
  (status: number, body: string, headers: Record<string, string> = {}): Handler =>
  (_request, response) => {
    response.writeHead(status, { 'content-type': 'text/plain', ...headers });
    response.end(body);
  };

/** Azure Firewall's deny answer, naming the real client and host as the firewall does. */
export const azureFirewallDeny: Handler = (request, response) => {
  const host = (request.headers.host ?? 'svc.test').replace(/:\d+$/, '');
  const scheme = (request.socket as tls.TLSSocket).encrypted ? 'HTTPS' : 'HTTP';
  const port = (request.socket as tls.TLSSocket).encrypted ? 443 : 80;
  response.writeHead(470, { 'content-type': 'text/plain' });
  response.end(`${scheme}  request from ${request.socket.remoteAddress ?? '10.0.1.4'}:${request.socket.remotePort ?? 50812} to ${host}:${port}. Url: ${host}. Action: Deny. No rule matched. Proceeding with default action.`);
};

/**
 * What Squid writes itself for a request its http_access rules deny: a 403 signed with
 * X-Squid-Error, as it sends it for plain http, to a CONNECT, or inside a TLS tunnel it bumps.
 * `error` and `status` give its other pages (`ERR_CONNECT_FAIL`, 503: it could not reach the host).
 */
export function squidError(error = 'ERR_ACCESS_DENIED', status = 403, code = 0): Handler {
  return (request, response) => {
    const url = request.url?.startsWith('/') ? `http://${request.headers.host ?? 'unknown'}${request.url}` : (request.url ?? '');
    response.writeHead(status, {
      server: 'squid/6.10',
      'mime-version': '1.0',
      'content-type': 'text/html;charset=utf-8',
      'x-squid-error': `${error} ${code}`,
      via: '1.1 egress-proxy (squid/6.10)',
    });
    response.end(`<html><head><title>ERROR: The requested URL could not be retrieved</title></head><body><h1>ERROR</h1><p>While trying to retrieve the URL: ${url}</p><p>The following error was encountered: ${error}</p></body></html>`);
  };
}

export const HUGE_BODY_BYTES = 1024 * 1024 * 1024;

/** Streams a 1 GiB body, respecting backpressure, until the client hangs up. */
export const hugeBody: Handler = (_request, response, written) => {
  response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(HUGE_BODY_BYTES) });
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  const pump = (): void => {
    while (written.bytes < HUGE_BODY_BYTES && !response.destroyed) {
      written.bytes += chunk.length;
      if (!response.write(chunk)) {
        response.once('drain', pump);
        return;
      }
    }
    if (!response.destroyed) response.end();
  };
  response.on('error', () => undefined);
  pump();
};

/**
 * A listener whose accept queue is full, so new SYNs are silently dropped: the loopback
 * equivalent of a firewall that drops packets. The listener lives in a worker thread whose
 * event loop is blocked, so nothing is ever accepted.
 */
export async function startDroppingListener(bind: Bind = {}): Promise<RunningServer> {
  const host = bind.address ?? LOOPBACK;
  const gate = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `
    const { parentPort, workerData } = require('node:worker_threads');
    const net = require('node:net');
    const server = net.createServer();
    server.listen({ host: workerData.host, port: workerData.port, backlog: 1 }, () => {
      parentPort.postMessage(server.address().port);
      Atomics.wait(workerData.gate, 0, 0);
      server.close();
      process.exit(0);
    });
    `,
    { eval: true, workerData: { gate, host, port: bind.port ?? 0 } },
  );
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });

  // Fill the accept queue until a connection attempt hangs; from then on SYNs are dropped.
  const fillers: net.Socket[] = [];
  for (let i = 0; i < 16; i++) {
    const socket = net.connect({ host, port });
    socket.on('error', () => undefined);
    fillers.push(socket);
    const connected = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 150);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!connected) break;
  }

  return {
    port,
    close: async () => {
      for (const socket of fillers) socket.destroy();
      Atomics.store(gate, 0, 1);
      Atomics.notify(gate, 0);
      await new Promise<void>((resolve) => {
        worker.once('exit', () => resolve());
      });
    },
  };
}

/**
 * A UDP service: `echo` answers each datagram (what a real service's reply proves to the UDP
 * prober), `silent` takes them and never answers (what a dropping firewall looks like from
 * the sender). For a port nobody listens on, bind nothing: the kernel answers ICMP port unreachable.
 */
export async function startUdpServer(mode: 'echo' | 'silent', bind: Bind = {}): Promise<RunningServer> {
  const address = bind.address ?? LOOPBACK;
  const socket = dgram.createSocket(net.isIPv6(address) ? 'udp6' : 'udp4');
  if (mode === 'echo') {
    socket.on('message', (message, peer) => {
      const reply = (): void => socket.send(message, peer.port, peer.address);
      if (bind.latencyMs) setTimeout(reply, bind.latencyMs).unref();
      else reply();
    });
  }
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(bind.port ?? 0, address, () => resolve());
  });
  return { port: socket.address().port, close: () => new Promise<void>((resolve) => socket.close(() => resolve())) };
}
