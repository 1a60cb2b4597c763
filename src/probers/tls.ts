import net from 'node:net';
import tls from 'node:tls';
import type { TlsDetails, TlsResult } from '../model/phases.js';
import { fail, succeed } from '../model/phases.js';
import { classifyVerifyError, describeHandshakeError, describeTlsStall, describeVerifyFailure } from './classify/tls.js';
import { runProbe, type ProbeContext, type Prober } from './contract.js';
import { errorCode } from './errors.js';
import { presentedChain, trustAnchorOf, verificationError } from './tls-certificate.js';
import { addedCas, publicRoots, secureContextFor, serverNameFor } from './tls-trust.js';
import { assertDialable } from './tcp.js';
import { RecordingStream } from './recording-stream.js';
import { formatEndpoint } from '../model/hosts.js';

export interface TlsTarget {
  /** The name the client asks for: sent as SNI and checked against the certificate. */
  readonly host: string;
  /** The resolved IP to dial when no socket is given; also named in messages. */
  readonly address: string;
  readonly port: number;
}

export interface TlsContext extends ProbeContext {
  /** Extra trusted CA certificates (PEM), in addition to the default trust store. */
  readonly ca?: readonly string[];
  /**
   * An already connected socket (from connectTcp) to run the handshake over. The prober
   * takes ownership and destroys it, unless it hands the verified socket to keepOpen.
   */
  readonly socket?: net.Socket;
  /** Receives the socket after a verified handshake, to send the HTTP check over it. */
  readonly keepOpen?: (socket: tls.TLSSocket) => void;
  /**
   * Roots to count as public besides the ones Node ships: only a simulated Azure, whose own
   * root plays their part. Decides TlsDetails.trustAnchor.publicRoot.
   */
  readonly publicRoots?: readonly string[];
}

/** Events the TLS prober passes to `trace`. */
export const TLS_TRACE_EVENTS = ['handshake', 'secureConnect', 'error', 'close', 'interrupt'] as const;

/**
 * Runs a TLS handshake and judges the certificate ourselves, so the report can show the
 * certificate that was presented even when it is rejected.
 */
export const probeTls = (async (target: TlsTarget, context: TlsContext): Promise<TlsResult> => {
  const { host, address, port } = target;
  if (context.socket === undefined) assertDialable(address, port, 'probeTls');
  const endpoint = formatEndpoint(address, port);
  const servername = serverNameFor(host);
  const emptyDetails: TlsDetails = {
    host,
    address,
    port,
    servername,
    protocol: null,
    cipher: null,
    alpn: null,
    certificate: null,
    issuerChain: [],
    verifyError: null,
    trustAnchor: null,
    bytesReceived: 0,
  };
  let details = emptyDetails;
  // Set once the handshake starts: what the server has sent so far, for every way it can end.
  let wire: RecordingStream | null = null;
  const seen = (): TlsDetails => (wire === null ? details : { ...details, bytesReceived: wire.received });

  return runProbe<TlsDetails>(
    {
      phase: 'tls',
      what: `TLS handshake with ${endpoint}`,
      context,
      details: seen,
      owns: [context.socket],
      interrupted: (why, ms) =>
        why === 'timeout'
          ? fail('tls', ms, 'tls-timeout', `TLS handshake with ${endpoint} for ${host} timed out after ${context.timeoutMs} ms: ${describeTlsStall(address, seen().bytesReceived)}`, null, seen())
          : fail('tls', ms, 'aborted', `TLS handshake with ${endpoint} aborted after ${ms} ms`, null, seen()),
    },
    async (scope) => {
      await scope.checkpoint('handshake');
      const raw = context.socket ?? scope.own(net.connect({ host: address, port }));
      wire = new RecordingStream(raw);
      const socket = scope.own(
        tls.connect({
          socket: wire,
          servername: servername ?? undefined,
          secureContext: secureContextFor(context.ca),
          ALPNProtocols: ['http/1.1'],
          // Verification is done after the handshake so the presented certificate can be reported.
          rejectUnauthorized: false,
          checkServerIdentity: () => undefined,
        }),
      );
      // Outlives our listeners: an error after the hand-over must not crash the process.
      socket.on('error', ignoreError);

      scope.once(socket, 'error', (error: Error) => {
        const code = errorCode(error);
        const { reason, message } = describeHandshakeError(endpoint, host, code, wire?.firstBytes ?? null);
        scope.settle(fail('tls', scope.elapsed(), reason, message, code, seen()));
      });
      scope.once(socket, 'close', () => {
        scope.settle(fail('tls', scope.elapsed(), 'tls-reset', `connection to ${endpoint} was closed during the TLS handshake for ${host}; typical of a firewall filtering by SNI`, null, seen()));
      });
      scope.once(socket, 'secureConnect', () => {
        const ms = scope.elapsed();
        const chain = presentedChain(socket);
        const { certificate, issuerChain } = chain;
        const verifyError = verificationError(socket, host, chain.identity);
        const cipher = socket.getCipher() as tls.CipherNameAndProtocol | undefined;
        details = {
          ...emptyDetails,
          protocol: socket.getProtocol(),
          cipher: cipher?.name ?? null,
          alpn: typeof socket.alpnProtocol === 'string' ? socket.alpnProtocol : null,
          certificate,
          issuerChain,
          verifyError: verifyError?.code ?? null,
          trustAnchor: trustAnchorOf(chain, publicRoots(context.publicRoots), addedCas(context.ca)),
          bytesReceived: wire?.received ?? 0,
        };
        let result: TlsResult;
        if (verifyError === null) {
          result = succeed('tls', ms, details);
        } else {
          const reason = classifyVerifyError(verifyError.code);
          const verdict = describeVerifyFailure(reason, verifyError.code, certificate, issuerChain);
          result = fail('tls', ms, reason, `certificate presented by ${endpoint} for ${host} ${verdict}`, verifyError.code, details);
        }
        if (result.ok && context.keepOpen !== undefined) {
          context.keepOpen(socket);
        } else {
          // Let our last handshake message and close_notify reach the server, so it sees a
          // completed handshake rather than a client that vanished mid-way.
          socket.end(() => socket.destroy());
        }
        // The socket is the caller's now, or closing by itself; the TCP socket under it goes with it.
        scope.release(socket);
        scope.release(raw);
        scope.settle(result);
      });
    },
  );
}) satisfies Prober<TlsTarget, TlsContext, TlsDetails>;

function ignoreError(): void {}
