import net from 'node:net';
import tls from 'node:tls';
import type * as Undici from 'undici';
import type { Agent, Dispatcher, ProxyAgent, buildConnector } from 'undici';
import type { HttpDetails, TunnelTlsDetails } from '../model/phases.js';
import { maskedUrl, URL_PASSWORD_MASK } from '../model/redact.js';
import type { HttpStage } from './classify/http.js';
import type { ProbeScope } from './contract.js';
import { presentedChain, trustAnchorOf, verificationError } from './tls-certificate.js';
import { addedCas, publicRoots, serverNameFor } from './tls-trust.js';

// The two undici dispatchers the HTTP prober sends through: straight to the resolved address,
// or through the configured proxy. Both report how far they got, so a failure can be pinned.

/** How far the exchange got; decides what a failure means. */
export interface Progress {
  stage: HttpStage;
  /** Status the proxy answered a CONNECT with, when tunnelling. */
  tunnelStatus: number | null;
  /** Headers of that answer, which name the proxy and what it says went wrong. */
  tunnelHeaders: Record<string, string | string[] | undefined> | null;
  /** The handshake with the host inside the tunnel, once it completed, whether or not we accepted it. */
  tunnelTls: TunnelTlsDetails | null;
}

let undiciLoading: Promise<typeof Undici> | undefined;
/**
 * undici is loaded when the first HTTP check needs it, not at start: by then the DNS
 * answers are in and the connection timers of every target are running, so its load
 * time is no longer on the path to the run's end.
 */
export const loadUndici = (): Promise<typeof Undici> => (undiciLoading ??= import('undici'));

export interface DirectAgentOptions {
  readonly address: string;
  readonly port: number;
  readonly host: string;
  readonly secureContext: tls.SecureContext | undefined;
  readonly progress: Progress;
  readonly existing: net.Socket | undefined;
}

/**
 * An agent whose only connection goes to the already resolved address, with SNI set to the
 * host. Sockets still connecting are invisible to undici: the scope owns and closes them.
 */
export function directAgent(undici: typeof Undici, scope: ProbeScope<HttpDetails>, options: DirectAgentOptions): Agent {
  const { address, port, host, secureContext, progress } = options;
  let existing = options.existing;
  if (existing) scope.own(existing);

  const connect: buildConnector.connector = scope.guard((connectOptions, callback) =>
    scope.traced('connector', () => {
      // The first request goes over the connection the TCP and TLS checks already opened.
      if (existing && !existing.destroyed) {
        const socket = existing;
        existing = undefined;
        progress.stage = 'response';
        // undici expects the connector to answer later, as a real connect does.
        setImmediate(scope.guard(() => callback(null, socket)));
        return;
      }
      const https = connectOptions.protocol === 'https:';
      let done = false;
      const finish = (...args: Parameters<buildConnector.Callback>): void => {
        if (done) return;
        done = true;
        callback(...args);
      };
      const opened: net.Socket[] = [];
      scope.onInterrupt(() => {
        for (const socket of opened) socket.destroy();
        finish(new Error('aborted while connecting'), null);
      });

      const tcp = scope.own(net.connect({ host: address, port, noDelay: true }));
      opened.push(tcp);
      tcp.on('error', ignoreError);
      scope.on(tcp, 'error', (error: Error) => finish(error, null), 'tcp.error');
      scope.once(
        tcp,
        'connect',
        () => {
          if (!https) {
            progress.stage = 'response';
            finish(null, tcp);
            return;
          }
          progress.stage = 'tls';
          const secure = scope.own(
            tls.connect({
              socket: tcp,
              servername: serverNameFor(host) ?? undefined,
              host,
              secureContext,
              ALPNProtocols: ['http/1.1'],
            }),
          );
          opened.push(secure);
          secure.on('error', ignoreError);
          scope.on(secure, 'error', (error: Error) => finish(error, null), 'tls.error');
          scope.once(
            secure,
            'secureConnect',
            () => {
              progress.stage = 'response';
              finish(null, secure);
            },
            'tls.secureConnect',
          );
        },
        'tcp.connect',
      );
    }),
  ) as buildConnector.connector;

  return new undici.Agent({ connect, connections: 1 });
}

export interface ProxyConfig {
  readonly url: URL;
  /** Safe to print: the password masked (`maskedUrl`). */
  readonly display: string;
  /** Removes any trace of the password from a message. */
  readonly scrub: (message: string) => string;
}

export function parseProxyUrl(raw: string): ProxyConfig {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // Do not echo the input: it may carry a password.
    throw new TypeError('proxy.url is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`proxy.url must be an http:// or https:// URL, got ${url.protocol}`);
  }
  // The user name is shown, as everywhere the proxy is (`maskedUrl`): only the password and
  // the Basic token made from it are secrets to scrub from a message.
  const secrets = [url.password, safeDecode(url.password)].filter((value) => value.length >= 3);
  if (url.username !== '' || url.password !== '') {
    const token = Buffer.from(`${safeDecode(url.username)}:${safeDecode(url.password)}`).toString('base64');
    secrets.push(token);
  }
  const display = maskedUrl(url.href).replace(/\/$/, '');
  return {
    url,
    display,
    scrub: (message) => secrets.reduce((text, secret) => text.split(secret).join(URL_PASSWORD_MASK), message),
  };
}

export interface ProxyAgentOptions {
  /** The name the certificate inside the tunnel must be valid for. */
  readonly host: string;
  readonly secureContext: tls.SecureContext | undefined;
  readonly timeoutMs: number;
  readonly progress: Progress;
  /** Extra trusted CAs and the simulated public roots, to tell where a verified chain rests, as the TLS prober does. */
  readonly ca?: readonly string[] | undefined;
  readonly publicRoots?: readonly string[] | undefined;
}

/**
 * undici's ProxyAgent, instrumented so a failure can be pinned on the proxy connection,
 * the CONNECT answer, or the target behind the tunnel.
 */
export function proxyAgent(undici: typeof Undici, scope: ProbeScope<HttpDetails>, proxy: ProxyConfig, options: ProxyAgentOptions): ProxyAgent {
  const { host, secureContext, timeoutMs, progress } = options;

  /**
   * The chain the host presented inside the tunnel, kept and judged here as the TLS prober
   * judges a direct one: a proxy that re-signs (TLS inspection) is named by its CA, and a
   * refusal reads the same either way. undici's own verification would hide both.
   */
  const judgeTunnelTls = (socket: tls.TLSSocket): Error | null => {
    const chain = presentedChain(socket);
    const { certificate, issuerChain, identity } = chain;
    const verifyError = verificationError(socket, host, identity);
    const trustAnchor = verifyError === null ? trustAnchorOf(chain, publicRoots(options.publicRoots), addedCas(options.ca)) : null;
    progress.tunnelTls = { protocol: socket.getProtocol(), certificate, issuerChain, verifyError: verifyError?.code ?? null, trustAnchor };
    return verifyError === null ? null : Object.assign(new Error(`certificate not accepted (${verifyError.code})`), { code: verifyError.code });
  };
  const verified =
    (connect: buildConnector.connector): buildConnector.connector =>
    (connectOptions, callback) =>
      connect(connectOptions, (...args) => {
        const socket = args[1];
        // A plain-http tunnel through an https:// proxy is a TLS socket too, but the proxy's.
        if (args[0] !== null || connectOptions.protocol !== 'https:' || !(socket instanceof tls.TLSSocket)) {
          callback(...args);
          return;
        }
        const refusal = scope.guard(judgeTunnelTls)(socket);
        if (refusal === null) {
          callback(null, socket);
          return;
        }
        socket.destroy();
        // Undefined: the probe has already settled or crashed; undici only needs to let go.
        callback(refusal ?? new Error('probe settled during the TLS handshake'), null);
      });

  const tracked =
    (connect: buildConnector.connector, name: string, onConnected: () => void): buildConnector.connector =>
    (connectOptions, callback) =>
      // undici names an https proxy given by address as its own SNI, which RFC 6066 forbids
      // and Node warns about on stderr (DEP0123): such a proxy gets no SNI, as curl does.
      connect({ ...connectOptions, servername: connectOptions.servername && net.isIP(connectOptions.servername) !== 0 ? '' : connectOptions.servername }, (...args) => {
        if (args[0] === null) scope.guard(() => scope.traced(name, onConnected))();
        callback(...args);
      });

  return new undici.ProxyAgent({
    uri: proxy.url.href,
    // Plain-http requests go to the proxy in absolute form, as curl and Python do; many proxies
    // only allow CONNECT to 443, so tunnelling them would report a denial that real clients never see.
    proxyTunnel: false,
    connections: 1,
    proxyTls: { secureContext, timeout: timeoutMs },
    // Verified by `verified` below once the handshake is done, so the presented chain is kept either way.
    requestTls: { secureContext, timeout: timeoutMs, rejectUnauthorized: false, checkServerIdentity: () => undefined },
    // The client that talks to the proxy itself, for CONNECT.
    clientFactory: (origin, clientOptions) => {
      const { connect } = clientOptions as { connect: buildConnector.connector };
      const client = new undici.Client(origin, {
        connect: tracked(connect, 'proxy.connect', () => {
          progress.stage = 'tunnel';
        }),
      });
      const openTunnel = client.connect.bind(client) as (o: Dispatcher.ConnectOptions) => Promise<Dispatcher.ConnectData>;
      return Object.assign(client, {
        connect: async (connectOptions: Dispatcher.ConnectOptions) => {
          const data = await openTunnel(connectOptions);
          scope.guard(() =>
            scope.traced('proxy.tunnel', () => {
              progress.tunnelStatus = data.statusCode;
              progress.tunnelHeaders = data.headers;
              if (data.statusCode === 200) progress.stage = 'tls';
            }),
          )();
          return data;
        },
      });
    },
    // Either the pool for the target behind the tunnel or, for plain http, the pool that sends
    // absolute-form requests to the proxy: once either is connected, the request is on its way.
    factory: (origin, poolOptions) => {
      const { connect, ...rest } = poolOptions as { connect: buildConnector.connector };
      // The plain-http pool talks to the proxy itself, over proxyTls, which Node verifies.
      const tunnelled = new URL(origin).origin !== proxy.url.origin;
      return new undici.Pool(origin, {
        ...rest,
        connect: tracked(tunnelled ? verified(connect) : connect, 'connect', () => {
          progress.stage = 'response';
        }),
      });
    },
  });
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function ignoreError(): void {}
