import type net from 'node:net';
import type { Dispatcher } from 'undici';
import type { HttpDetails, HttpResult } from '../model/phases.js';
import { fail, succeed, type PhaseFailure } from '../model/phases.js';
import { classifyHttpAnswer, classifyHttpError, type Classified } from './classify/http.js';
import { runProbe, type ProbeContext, type Prober } from './contract.js';
import { directAgent, loadUndici, parseProxyUrl, proxyAgent, type Progress } from './http-agents.js';
import { assertDialable } from './tcp.js';
import { secureContextFor } from './tls-trust.js';
import { formatEndpoint } from '../model/hosts.js';

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

export interface HttpContext extends ProbeContext {
  /** Budget for the whole exchange: connect, TLS, response headers and the body excerpt. */
  readonly timeoutMs: number;
  /** Extra trusted CA certificates (PEM), in addition to the default trust store. */
  readonly ca?: readonly string[];
  /** CAs that count as public roots besides Node's (a simulation's root): see TlsContext.publicRoots. */
  readonly publicRoots?: readonly string[];
  readonly proxy?: HttpProxy;
  /**
   * A connection to the target already open (TLS verified for https), to send the request
   * over instead of dialling again. The prober takes ownership. Not with a proxy.
   */
  readonly socket?: net.Socket;
  /** How much of the body to read before hanging up; enough to recognise a deny page. */
  readonly maxBodyBytes?: number;
}

const DEFAULT_MAX_BODY_BYTES = 4096;
const USER_AGENT = 'aml-netcheck';

/** Events the HTTP prober passes to `trace`, direct or through a proxy. */
export const HTTP_TRACE_EVENTS = {
  direct: ['request', 'connector', 'tcp.connect', 'tcp.error', 'tls.secureConnect', 'tls.error', 'response', 'body', 'interrupt'],
  proxy: ['request', 'proxy.connect', 'proxy.tunnel', 'connect', 'response', 'body', 'interrupt'],
} as const;

/**
 * Sends one request and reads the start of the response. Any status from the service counts
 * as reachable; an answer a proxy, firewall or inspection device wrote in its place (a deny
 * page, a challenge, a gateway error bearing its markers) does not, wherever it arrives.
 * Never throws for a network outcome.
 */
export const probeHttp = (async (target: HttpTarget, context: HttpContext): Promise<HttpResult> => {
  const url = parseTargetUrl(target.url);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  const proxy = context.proxy === undefined ? null : parseProxyUrl(context.proxy.url);
  const address = proxy === null ? (target.address ?? '') : null;
  if (address !== null) assertDialable(address, port, 'probeHttp');
  // Before the clock starts: loading the client is not the network's time.
  const undici = await loadUndici();

  const maxBodyBytes = context.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const display = url.href;
  const endpoint = address === null ? null : formatEndpoint(address, port);
  const where = endpoint === null ? `via proxy ${proxy?.display}` : `at ${endpoint}`;
  const scrub = (message: string): string => (proxy === null ? message : proxy.scrub(message));
  let details: HttpDetails = {
    url: display,
    address,
    proxy: proxy?.display ?? null,
    status: null,
    headers: { server: null, via: null, contentType: null, location: null, date: null },
    clockOffsetMs: null,
    bytesRead: 0,
    bodyComplete: false,
  };

  return runProbe<HttpDetails>({ phase: 'http', what: `HTTP request to ${display}`, context, details: () => details, owns: [context.socket], scrub }, async (scope) => {
    const failure = (classified: Classified): PhaseFailure<HttpDetails> => fail('http', scope.elapsed(), classified.reason, scrub(classified.message), classified.cause, details);
    const progress: Progress = { stage: proxy === null ? 'tcp' : 'proxy', tunnelStatus: null, tunnelHeaders: null, tunnelTls: null };
    // The chain the host (or an inspecting proxy) presented inside the tunnel, kept whatever the outcome.
    const withTunnelTls = (): void => {
      if (progress.tunnelTls !== null) details = { ...details, tls: progress.tunnelTls };
    };
    const secureContext = secureContextFor(context.ca);
    const dispatcher =
      proxy === null
        ? directAgent(undici, scope, { address: address ?? '', port, host, secureContext, progress, existing: context.socket })
        : proxyAgent(undici, scope, proxy, { host, secureContext, timeoutMs: context.timeoutMs, progress, ca: context.ca, publicRoots: context.publicRoots });
    scope.cleanup(() => dispatcher.destroy());
    // undici applies a request's signal only once the request is on a connection; a CONNECT the
    // proxy never answers would outlive our budget. Destroying the dispatcher fails it at once.
    scope.onInterrupt(() => {
      dispatcher.destroy().catch(() => undefined);
    });

    try {
      await scope.checkpoint('request');
      let response: Dispatcher.ResponseData;
      try {
        response = await undici.request(url, {
          dispatcher,
          method: 'GET',
          signal: scope.signal,
          headers: { 'user-agent': USER_AGENT, accept: '*/*' },
          // Our deadline is authoritative; these only stop undici's longer defaults from applying.
          headersTimeout: context.timeoutMs,
          bodyTimeout: context.timeoutMs,
          reset: true,
        });
      } catch (error) {
        withTunnelTls();
        return failure(
          classifyHttpError(error, {
            stage: progress.stage,
            tunnelStatus: progress.tunnelStatus,
            tunnelHeaders: progress.tunnelHeaders,
            tunnelTls: progress.tunnelTls,
            interruption: scope.deadline.interruption,
            timeoutMs: context.timeoutMs,
            display,
            where,
            endpoint,
            host,
            port,
            proxy: proxy?.display ?? null,
          }),
        );
      }

      // Taken as the headers arrive, before the body: the Date header says the server's time then.
      const receivedAt = Date.now();
      progress.stage = 'body';
      withTunnelTls();
      await scope.checkpoint('response');
      const body = await readExcerpt(response.body, maxBodyBytes);
      details = {
        ...details,
        status: response.statusCode,
        headers: {
          server: headerValue(response.headers, 'server'),
          via: headerValue(response.headers, 'via'),
          contentType: headerValue(response.headers, 'content-type'),
          location: headerValue(response.headers, 'location'),
          date: headerValue(response.headers, 'date'),
        },
        clockOffsetMs: clockOffset(headerValue(response.headers, 'date'), receivedAt),
        bytesRead: body.bytes.length,
        bodyComplete: body.complete,
      };
      await scope.checkpoint('body');
      if (scope.deadline.interruption === 'aborted') {
        return failure({ reason: 'aborted', message: `HTTP request to ${display} aborted after ${scope.elapsed()} ms`, cause: null });
      }

      const answeredForTheService = classifyHttpAnswer({
        status: response.statusCode,
        headers: response.headers,
        body: body.bytes,
        arrival: proxy === null ? 'direct' : url.protocol === 'http:' ? 'proxied' : 'tunnelled',
        display,
        authority: formatEndpoint(host, port),
        where,
        proxy: proxy?.display ?? null,
      });
      if (answeredForTheService !== null) return failure(answeredForTheService);
      // A stalled body after the status line still proves the service answered.
      return succeed('http', scope.elapsed(), details);
    } finally {
      // Awaited here, not only on settle: the result comes back with nothing left running.
      await dispatcher.destroy().catch(() => undefined);
    }
  });
}) satisfies Prober<HttpTarget, HttpContext, HttpDetails>;

async function readExcerpt(body: Dispatcher.ResponseData['body'], maxBytes: number): Promise<{ bytes: Buffer; complete: boolean }> {
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

/**
 * How far the server's clock is ahead of ours (negative: behind), from its Date header. The
 * header has whole seconds, so only offsets well past a second mean anything; Azure AD
 * refuses tokens when the skew reaches minutes.
 */
function clockOffset(date: string | null, receivedAt: number): number | null {
  if (date === null) return null;
  const server = Date.parse(date);
  return Number.isNaN(server) ? null : server - receivedAt;
}

function headerValue(headers: Dispatcher.ResponseData['headers'], name: string): string | null {
  const value = headers[name];
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}
