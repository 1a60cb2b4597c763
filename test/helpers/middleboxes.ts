import http from 'node:http';
import type net from 'node:net';
import tls from 'node:tls';
import type { Credentials } from '../../src/simulate/pki.js';
import { squidError, type Handler, type RunningServer } from './servers.js';

// Answers that proxies, firewalls and inspection devices write in a service's place, in our own
// words but with each product's markers (src/model/middleboxes.ts), and a proxy that inspects
// TLS to deliver them inside a tunnel.

const page =
  (status: number, title: string, text: string, headers: Record<string, string> = {}): Handler =>
  (_request, response) => {
    response.writeHead(status, { 'content-type': 'text/html', ...headers });
    response.end(`<html><head><title>${title}</title></head><body><h1>${title}</h1><p>${text}</p></body></html>`);
  };

const redirect =
  (location: string): Handler =>
  (_request, response) => {
    response.writeHead(302, { location, 'content-length': '0' });
    response.end();
  };

export interface DeviceCase {
  /** What the verdict should name. */
  readonly product: string;
  readonly handler: Handler;
  readonly status: number;
  /** Whether the device is a forward proxy (its deny through the configured proxy is the proxy's). */
  readonly role: 'proxy' | 'firewall';
}

/** One block page of each product the marker table knows. */
export const BLOCK_PAGES: Record<string, DeviceCase> = {
  squid: { product: 'Squid', role: 'proxy', status: 403, handler: squidError() },
  zscaler: { product: 'Zscaler', role: 'proxy', status: 403, handler: page(403, 'Website blocked', 'Your organisation does not allow this site. Zscaler Internet Access, policy: category.', { server: 'Zscaler/6.2' }) },
  'palo-alto': { product: 'Palo Alto Networks', role: 'firewall', status: 503, handler: page(503, 'Web Page Blocked', 'Access to this page has been blocked in accordance with company policy. Category: unknown.') },
  fortigate: { product: 'FortiGate', role: 'firewall', status: 403, handler: page(403, 'Web Filter Violation', 'This page is banned by the web filter. <img src="http://10.0.0.1:8008/XX/YY/ZZ/CI/MGPGHGPGPFGHCDPFGGOGFGEH">') },
  'check-point': { product: 'Check Point', role: 'firewall', status: 302, handler: redirect('https://10.0.0.1/UserCheck/PortalMain?IID=1&origUrl=aHR0cHM6Ly9weXBpLm9yZy8=') },
  forcepoint: { product: 'Forcepoint', role: 'proxy', status: 302, handler: redirect('http://10.0.0.2:15871/cgi-bin/blockpage.cgi?ws-session=3405691582') },
  netskope: { product: 'Netskope', role: 'proxy', status: 403, handler: page(403, 'Access denied', 'Netskope blocked this activity by company policy.') },
  skyhigh: { product: 'Skyhigh (McAfee) Web Gateway', role: 'proxy', status: 403, handler: page(403, 'McAfee Web Gateway - Notification', 'URL blocked by McAfee Web Gateway.') },
  'blue-coat': { product: 'Symantec ProxySG (Blue Coat)', role: 'proxy', status: 403, handler: page(403, 'Access Denied', 'Your request was denied by policy.', { server: 'BlueCoat-Security-Appliance' }) },
  'cisco-wsa': { product: 'Cisco Web Security Appliance', role: 'proxy', status: 403, handler: page(403, 'This Page Cannot Be Displayed', 'Blocked by the Cisco Web Security Appliance by company policy.') },
  'cisco-umbrella': { product: 'Cisco Umbrella', role: 'firewall', status: 403, handler: page(403, 'This site is blocked', 'Cisco Umbrella blocked this site by company policy.') },
};

/** A device that tried the host and could not reach it. */
export const GATEWAY_ERRORS: Record<string, DeviceCase> = {
  'squid-connect-fail': { product: 'Squid', role: 'proxy', status: 503, handler: squidError('ERR_CONNECT_FAIL', 503, 111) },
  'zscaler-timeout': { product: 'Zscaler', role: 'proxy', status: 504, handler: page(504, 'Gateway Timeout', 'The server did not answer in time.', { server: 'Zscaler/6.2' }) },
};

/** The service's own answers, some through a proxy that adds itself to Via: all reachable. */
export const SERVICE_ANSWERS: Record<string, { status: number; handler: Handler }> = {
  'own 403 through Squid': { status: 403, handler: page(403, 'Forbidden', 'You need a token.', { via: '1.1 egress-proxy (squid/6.10)', server: 'nginx' }) },
  'own 404': { status: 404, handler: page(404, 'Not Found', 'No such project.') },
  'own 503 through Zscaler': { status: 503, handler: page(503, 'Service Unavailable', 'Back soon.', { server: 'Varnish', 'x-zscaler-transaction-id': 'abc' }) },
  '200 mentioning Zscaler': { status: 200, handler: page(200, 'Docs', 'How to configure Zscaler for pip: blocked sites and denied categories.') },
};

export interface InspectingProxy extends RunningServer {
  /** Every request the proxy answered, as `METHOD host` (tunnelled ones with `tls`). */
  readonly seen: string[];
}

/**
 * A forward proxy that inspects TLS: it accepts every CONNECT, terminates TLS itself with a
 * certificate for the host from `issue` (its own CA), and answers every request, plain or
 * tunnelled, with `answers[host]` rather than the service. It dials nothing.
 */
export async function startInspectingProxy(
  issue: (host: string) => Credentials,
  answers: Record<string, Handler>,
  /** Hosts whose CONNECT the proxy refuses, with the raw head of its answer (status line and headers). */
  refuseConnect: Record<string, string> = {},
): Promise<InspectingProxy> {
  const seen: string[] = [];
  const hostOf = (request: http.IncomingMessage): string => {
    const target = request.url?.startsWith('/') ? `http://${request.headers.host ?? ''}${request.url}` : (request.url ?? '');
    try {
      return new URL(target).hostname;
    } catch {
      return '';
    }
  };
  const server = http.createServer((request, response) => {
    const host = hostOf(request);
    const tunnelled = (request.socket as tls.TLSSocket).encrypted === true;
    seen.push(`${request.method ?? ''} ${host}${tunnelled ? ' tls' : ''}`);
    const answer = answers[host];
    if (answer === undefined) {
      response.writeHead(500).end();
      return;
    }
    answer(request, response, { bytes: 0 });
  });
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('connect', (request: http.IncomingMessage, client: net.Socket) => {
    const host = (request.url ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    seen.push(`CONNECT ${host}`);
    client.on('error', () => undefined);
    const refusal = refuseConnect[host];
    if (refusal !== undefined) {
      client.end(`${refusal}\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    const secure = new tls.TLSSocket(client, { isServer: true, ...issue(host) });
    secure.on('error', () => undefined);
    server.emit('connection', secure);
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
