import net from 'node:net';
import tls from 'node:tls';
import type * as Undici from 'undici';
import type { Agent, Dispatcher, ProxyAgent, buildConnector } from 'undici';
import type { HttpDetails, HttpResult } from '../model/phases.js';
import { Deadline } from './deadline.js';
import { fail, startClock, succeed, type PhaseFailure } from '../model/phases.js';
import { assertDialable, classifyTcpError } from './tcp.js';
import { classifyTlsError, secureContextFor, serverNameFor } from './tls.js';
import { errorCode, errorMessage } from './errors.js';
import { formatEndpoint } from '../model/hosts.js';
import type { ReasonCode } from '../model/reasons.js';

export interface HttpTarget {
  /** `https://host[:port]/path` or `http://…`; the host is sent as SNI and Host header. */
  readonly url: string;
  /** The resolved IP to dial. Required unless a proxy is used: the proxy resolves the name itself. */
  readonly address?: string;
}

export interface HttpProxy {
  /** `http://[user:password@]proxy:port`; credentials are used but never reported. */
  readonly url: string;
}

export interface HttpOptions {
  /** Budget for the whole exchange: connect, TLS, response headers and the body excerpt. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Extra trusted CA certificates (PEM), in addition to the default trust store. */
  readonly ca?: readonly string[];
  readonly proxy?: HttpProxy;
  /**
   * A connection to the target already open (TLS verified for https), to send the request
   * over instead of dialling again. The prober takes ownership. Not with a proxy.
   */
  readonly socket?: net.Socket;
  /** How much of the body to read before hanging up; enough to recognise a deny page. */
  readonly maxBodyBytes?: number;
}


export const DEFAULT_MAX_BODY_BYTES = 4096;
const USER_AGENT = 'aml-netcheck';

/** How far the exchange got; decides what a failure means. */
type Stage = 'tcp' | 'tls' | 'proxy' | 'tunnel' | 'response' | 'body';

interface Progress {
  stage: Stage;
  /** Status the proxy answered a CONNECT with, when tunnelling. */
  tunnelStatus: number | null;
}

let undiciLoading: Promise<typeof Undici> | undefined;
/**
 * undici is loaded when the first HTTP check needs it, not at start: by then the DNS
 * answers are in and the connection timers of every target are running, so its load
 * time is no longer on the path to the run's end.
 */
const loadUndici = (): Promise<typeof Undici> => (undiciLoading ??= import('undici'));

/**
 * Sends one request and reads the start of the response. Any status from the service counts
 * as reachable; a firewall's deny page does not. Never throws for a network outcome.
 */
export async function probeHttp(target: HttpTarget, options: HttpOptions): Promise<HttpResult> {
  const url = parseTargetUrl(target.url);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  const proxy = options.proxy === undefined ? null : parseProxyUrl(options.proxy.url);
  const address = proxy === null ? (target.address ?? '') : null;
  if (address !== null) assertDialable(address, port, 'probeHttp');
  // Before the clock starts: loading the client is not the network's time.
  const undici = await loadUndici();

  const elapsed = startClock();
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const deadline = new Deadline(options.timeoutMs, options.signal);
  const progress: Progress = { stage: proxy === null ? 'tcp' : 'proxy', tunnelStatus: null };
  const display = url.href;
  const endpoint = address === null ? null : formatEndpoint(address, port);
  const where = endpoint === null ? `via proxy ${proxy?.display}` : `at ${endpoint}`;
  let details: HttpDetails = {
    url: display,
    address,
    proxy: proxy?.display ?? null,
    status: null,
    headers: { server: null, via: null, contentType: null, location: null },
    bytesRead: 0,
    bodyComplete: false,
  };
  const secureContext = secureContextFor(options.ca);
  // Sockets still connecting are invisible to undici; we destroy them ourselves.
  const sockets = new Set<net.Socket>();
  const dispatcher =
    proxy === null
      ? directAgent(undici, { address: address ?? '', port, host, secureContext, signal: deadline.signal, progress, sockets, existing: options.socket })
      : proxyAgent(undici, proxy, { secureContext, timeoutMs: options.timeoutMs, progress });
  const failure = (reason: ReasonCode, message: string, cause: string | null): PhaseFailure<HttpDetails> =>
    fail('http', elapsed(), reason, proxy === null ? message : proxy.scrub(message), cause, details);

  // undici applies a request's signal only once the request is on a connection; a CONNECT the
  // proxy never answers would outlive our budget. Destroying the dispatcher fails it at once.
  const onInterrupt = (): void => {
    dispatcher.destroy().catch(() => undefined);
  };
  deadline.signal.addEventListener('abort', onInterrupt, { once: true });

  try {
    if (deadline.interruption !== null) return failure('aborted', `HTTP request to ${display} aborted before it started`, null);
    let response: Dispatcher.ResponseData;
    try {
      response = await undici.request(url, {
        dispatcher,
        method: 'GET',
        signal: deadline.signal,
        headers: { 'user-agent': USER_AGENT, accept: '*/*' },
        // Our deadline is authoritative; these only stop undici's longer defaults from applying.
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
        reset: true,
      });
    } catch (error) {
      return describeError(error, progress, deadline, failure, { display, where, endpoint, host, port, proxy });
    }

    progress.stage = 'body';
    const body = await readExcerpt(response.body, maxBodyBytes);
    details = {
      ...details,
      status: response.statusCode,
      headers: {
        server: headerValue(response.headers, 'server'),
        via: headerValue(response.headers, 'via'),
        contentType: headerValue(response.headers, 'content-type'),
        location: headerValue(response.headers, 'location'),
      },
      bytesRead: body.bytes.length,
      bodyComplete: body.complete,
    };
    if (deadline.interruption === 'aborted') return failure('aborted', `HTTP request to ${display} aborted after ${elapsed()} ms`, null);

    // Plain HTTP through a proxy is not tunnelled, so the proxy can answer in the service's place.
    const proxyAnswer = proxy !== null && url.protocol === 'http:' ? proxyOwnAnswer(response.statusCode, response.headers) : null;
    if (proxyAnswer !== null) {
      const server = details.headers.server ?? 'the proxy';
      return proxyAnswer === 'auth'
        ? failure('proxy-auth-required', `proxy ${proxy?.display} requires authentication for ${display} (HTTP ${response.statusCode} from ${server})`, String(response.statusCode))
        : failure('proxy-denied', `proxy ${proxy?.display} answered for ${display} itself (HTTP ${response.statusCode} from ${server}): it could not or would not reach the host`, String(response.statusCode));
    }

    const denial = denialOf(response.statusCode, body.bytes);
    if (denial !== null) {
      return failure(
        'http-denied',
        `a firewall denied GET ${display} ${where} (HTTP ${response.statusCode})${denial === '' ? '' : `: "${denial}"`}`,
        String(response.statusCode),
      );
    }
    // A stalled body after the status line still proves the service answered.
    return succeed('http', elapsed(), details);
  } finally {
    deadline.signal.removeEventListener('abort', onInterrupt);
    deadline.dispose();
    for (const socket of sockets) socket.destroy();
    await dispatcher.destroy().catch(() => undefined);
  }
}

interface ErrorContext {
  readonly display: string;
  readonly where: string;
  readonly endpoint: string | null;
  readonly host: string;
  readonly port: number;
  readonly proxy: ProxyConfig | null;
}

function describeError(
  error: unknown,
  progress: Progress,
  deadline: Deadline,
  failure: (reason: ReasonCode, message: string, cause: string | null) => PhaseFailure<HttpDetails>,
  context: ErrorContext,
): PhaseFailure<HttpDetails> {
  const { display, where, endpoint, host, port, proxy } = context;
  const budget = deadline.timeoutMs;
  if (deadline.interruption === 'aborted') return failure('aborted', `HTTP request to ${display} aborted`, null);

  const code = innermostCode(error);
  const text = errorMessage(error);
  const withCode = code === null ? text : `${text} (${code})`;
  const timedOut =
    deadline.interruption === 'timeout' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'UND_ERR_CONNECT_TIMEOUT';

  switch (progress.stage) {
    case 'tcp':
      if (timedOut) return failure('tcp-timeout', `connect to ${endpoint} for ${display} timed out after ${budget} ms`, code);
      return failure(classifyTcpError(code), `connect to ${endpoint} for ${display} failed: ${withCode}`, code);
    case 'proxy':
      if (timedOut) return failure('proxy-unreachable', `proxy ${proxy?.display} did not accept a connection within ${budget} ms`, code);
      return failure('proxy-unreachable', `proxy ${proxy?.display} is unreachable: ${withCode}`, code);
    case 'tunnel': {
      const status = progress.tunnelStatus ?? proxyStatusIn(text);
      // A CONNECT is addressed to the proxy, so even a 401 (tinyproxy's answer to a wrong password) is its own.
      if (status === 407 || status === 401) {
        return failure('proxy-auth-required', `proxy ${proxy?.display} requires authentication for ${host}:${port} (HTTP ${status})`, String(status));
      }
      if (status !== null && status !== 200) {
        return failure('proxy-denied', `proxy ${proxy?.display} refused to tunnel to ${host}:${port} (HTTP ${status})`, String(status));
      }
      // Proxies usually hold the CONNECT answer while they try the host, so silence here
      // mostly means the host is unreachable from the proxy.
      if (timedOut) {
        return failure(
          'http-timeout',
          `proxy ${proxy?.display} did not answer CONNECT ${host}:${port} within ${budget} ms; it may be unable to reach the host`,
          code,
        );
      }
      return failure('proxy-denied', `proxy ${proxy?.display} closed the connection when asked to tunnel to ${host}:${port}: ${withCode}`, code);
    }
    case 'tls': {
      if (timedOut) return failure('tls-timeout', `TLS handshake for ${display} ${where} timed out after ${budget} ms`, code);
      const reason = classifyTlsError(code);
      if (reason === 'tls-reset') {
        return failure(reason, `connection ${where} was reset during the TLS handshake for ${host} (${code}); typical of a firewall filtering by SNI`, code);
      }
      return failure(reason, `TLS handshake for ${display} ${where} failed: ${withCode}`, code);
    }
    default: {
      // Non-tunnelled proxy requests report a 407 as an error, not a response.
      if (proxy !== null && proxyStatusIn(text) === 407) {
        return failure('proxy-auth-required', `proxy ${proxy.display} requires authentication for ${display} (HTTP 407)`, '407');
      }
      if (timedOut) return failure('http-timeout', `no HTTP response from ${display} ${where} within ${budget} ms`, code);
      return failure('http-failed', `HTTP request to ${display} ${where} failed: ${withCode}`, code);
    }
  }
}

interface DirectAgentOptions {
  readonly address: string;
  readonly port: number;
  readonly host: string;
  readonly secureContext: tls.SecureContext | undefined;
  readonly signal: AbortSignal;
  readonly progress: Progress;
  readonly sockets: Set<net.Socket>;
  readonly existing: net.Socket | undefined;
}

/** An agent whose only connection goes to the already resolved address, with SNI set to the host. */
function directAgent(undici: typeof Undici, options: DirectAgentOptions): Agent {
  const { address, port, host, secureContext, signal, progress, sockets } = options;
  let existing = options.existing;
  if (existing) sockets.add(existing);

  const connect: buildConnector.connector = (connectOptions, callback) => {
    // The first request goes over the connection the TCP and TLS checks already opened.
    if (existing && !existing.destroyed) {
      const socket = existing;
      existing = undefined;
      progress.stage = 'response';
      // undici expects the connector to answer later, as a real connect does.
      setImmediate(() => callback(null, socket));
      return;
    }
    const https = connectOptions.protocol === 'https:';
    let done = false;
    const finish = (...args: Parameters<buildConnector.Callback>): void => {
      if (done) return;
      done = true;
      signal.removeEventListener('abort', onAbort);
      callback(...args);
    };
    const onAbort = (): void => {
      for (const socket of sockets) socket.destroy();
      finish(new Error('aborted while connecting'), null);
    };
    signal.addEventListener('abort', onAbort, { once: true });

    const tcp = net.connect({ host: address, port, noDelay: true });
    sockets.add(tcp);
    tcp.on('error', (error) => finish(error, null));
    tcp.once('connect', () => {
      if (!https) {
        progress.stage = 'response';
        finish(null, tcp);
        return;
      }
      progress.stage = 'tls';
      const secure = tls.connect({
        socket: tcp,
        servername: serverNameFor(host) ?? undefined,
        host,
        secureContext,
        ALPNProtocols: ['http/1.1'],
      });
      sockets.add(secure);
      secure.on('error', (error) => finish(error, null));
      secure.once('secureConnect', () => {
        progress.stage = 'response';
        finish(null, secure);
      });
    });
  };

  return new undici.Agent({ connect, connections: 1 });
}

interface ProxyConfig {
  readonly url: URL;
  /** Safe to print: credentials masked. */
  readonly display: string;
  /** Removes any trace of the credentials from a message. */
  readonly scrub: (message: string) => string;
}

function parseProxyUrl(raw: string): ProxyConfig {
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
  const secrets = [url.username, url.password]
    .flatMap((value) => [value, safeDecode(value)])
    .filter((value) => value.length >= 3);
  if (url.username !== '' || url.password !== '') {
    const token = Buffer.from(`${safeDecode(url.username)}:${safeDecode(url.password)}`).toString('base64');
    secrets.push(token);
  }
  const masked = new URL(url.href);
  if (masked.username !== '') masked.username = '***';
  if (masked.password !== '') masked.password = '***';
  const display = masked.href.replace(/\/$/, '');
  return {
    url,
    display,
    scrub: (message) => secrets.reduce((text, secret) => text.split(secret).join('***'), message),
  };
}

interface ProxyAgentOptions {
  readonly secureContext: tls.SecureContext | undefined;
  readonly timeoutMs: number;
  readonly progress: Progress;
}

/**
 * undici's ProxyAgent, instrumented so a failure can be pinned on the proxy connection,
 * the CONNECT answer, or the target behind the tunnel.
 */
function proxyAgent(undici: typeof Undici, proxy: ProxyConfig, options: ProxyAgentOptions): ProxyAgent {
  const { secureContext, timeoutMs, progress } = options;

  const tracked = (connect: buildConnector.connector, onConnected: () => void): buildConnector.connector =>
    (connectOptions, callback) =>
      connect(connectOptions, (...args) => {
        if (args[0] === null) onConnected();
        callback(...args);
      });

  return new undici.ProxyAgent({
    uri: proxy.url.href,
    // Plain-http requests go to the proxy in absolute form, as curl and Python do; many proxies
    // only allow CONNECT to 443, so tunnelling them would report a denial that real clients never see.
    proxyTunnel: false,
    connections: 1,
    proxyTls: { secureContext, timeout: timeoutMs },
    requestTls: { secureContext, timeout: timeoutMs },
    // The client that talks to the proxy itself, for CONNECT.
    clientFactory: (origin, clientOptions) => {
      const { connect } = clientOptions as { connect: buildConnector.connector };
      const client = new undici.Client(origin, {
        connect: tracked(connect, () => {
          progress.stage = 'tunnel';
        }),
      });
      const openTunnel = client.connect.bind(client) as (o: Dispatcher.ConnectOptions) => Promise<Dispatcher.ConnectData>;
      return Object.assign(client, {
        connect: async (connectOptions: Dispatcher.ConnectOptions) => {
          const data = await openTunnel(connectOptions);
          progress.tunnelStatus = data.statusCode;
          if (data.statusCode === 200) progress.stage = 'tls';
          return data;
        },
      });
    },
    // Either the pool for the target behind the tunnel or, for plain http, the pool that sends
    // absolute-form requests to the proxy: once either is connected, the request is on its way.
    factory: (origin, poolOptions) => {
      const { connect, ...rest } = poolOptions as { connect: buildConnector.connector };
      return new undici.Pool(origin, {
        ...rest,
        connect: tracked(connect, () => {
          progress.stage = 'response';
        }),
      });
    },
  });
}

async function readExcerpt(
  body: Dispatcher.ResponseData['body'],
  maxBytes: number,
): Promise<{ bytes: Buffer; complete: boolean }> {
  const chunks: Buffer[] = [];
  let kept = 0;
  let complete = true;
  try {
    for await (const chunk of body) {
      const data = chunk as Buffer;
      if (kept >= maxBytes) {
        complete = false;
        break;
      }
      const slice = data.subarray(0, maxBytes - kept);
      chunks.push(slice);
      kept += slice.length;
      if (slice.length < data.length) {
        complete = false;
        break;
      }
    }
  } catch {
    // A body that stalls or breaks after the status line: keep what arrived.
    complete = false;
  } finally {
    // Leaving early must hang up rather than download the rest.
    if (!body.destroyed) body.destroy();
  }
  return { bytes: Buffer.concat(chunks), complete };
}

/**
 * Azure Firewall answers denied plain-HTTP (and TLS-inspected) requests itself, with status 470
 * and a text body like "Action: Deny. Reason: No rule matched". Returns an excerpt of the page
 * when it is a deny page, null otherwise.
 */
/** Proxy software whose name in a Server header marks an answer the proxy wrote itself. */
const PROXY_SERVERS = /\b(tinyproxy|squid|privoxy|zscaler|bluecoat|proxysg|mcafee web gateway|fortigate|forcepoint|websense)\b/i;

/**
 * Whether an error answer to a proxied plain-HTTP request came from the proxy rather
 * than the service: its authentication challenge, or an error page signed by proxy software.
 */
export function proxyOwnAnswer(status: number, headers: Record<string, string | string[] | undefined>): 'auth' | 'denied' | null {
  if (status < 400) return null;
  const header = (name: string): string => {
    const value = headers[name];
    return Array.isArray(value) ? value.join(', ') : (value ?? '');
  };
  if (status === 407 || header('proxy-authenticate') !== '') return 'auth';
  const fromProxy = PROXY_SERVERS.test(header('server')) || header('x-squid-error') !== '' || header('proxy-agent') !== '';
  if (!fromProxy) return null;
  return status === 401 ? 'auth' : 'denied';
}

export function denialOf(status: number, body: Buffer): string | null {
  const text = body.toString('utf8');
  const deny = /Action:\s*Deny/i.test(text);
  // The product name alone only counts on an error status: a 200 page may just mention it.
  const firewallError = status >= 400 && /Azure Firewall/i.test(text);
  if (status !== 470 && !deny && !firewallError) return null;
  return excerpt(text);
}

function excerpt(text: string): string {
  const plain = text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length > 200 ? `${plain.slice(0, 197)}...` : plain;
}

function parseTargetUrl(raw: string): URL {
  const url = new URL(raw);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`probeHttp handles http:// and https:// URLs, got ${url.protocol}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new TypeError('probeHttp target URLs must not carry credentials');
  }
  return url;
}

function headerValue(headers: Dispatcher.ResponseData['headers'], name: string): string | null {
  const value = headers[name];
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}

/** undici reports a refused CONNECT only in its message: "Proxy response (403) !== 200 …". */
function proxyStatusIn(message: string): number | null {
  const match = /Proxy (?:response|Authentication Required) \((\d{3})\)/i.exec(message);
  return match?.[1] === undefined ? null : Number(match[1]);
}

/** Wrapping errors (undici's proxy TLS error, fetch-style causes) hide the code that matters. */
function innermostCode(error: unknown): string | null {
  let current: unknown = error;
  let code: string | null = null;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    const found = errorCode(current);
    if (found !== null && found !== 'UND_ERR_PRX_TLS') code = found;
    current = (current as { cause?: unknown }).cause;
  }
  return code;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
