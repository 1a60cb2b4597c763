import type net from 'node:net';
import tls from 'node:tls';
import type { TlsDetails, TlsResult } from '../model/phases.js';
import { fail, succeed } from '../model/phases.js';
import { classifyVerifyError, describeHandshakeError, describeVerifyFailure } from './classify.js';
import { runProbe, type ProbeContext } from './contract.js';
import { errorCode, errorMessage } from './errors.js';
import { presentedChain, verificationError } from './tls-certificate.js';
import { secureContextFor, serverNameFor } from './tls-trust.js';
import { assertDialable } from './tcp.js';
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
}

/** Events the TLS prober passes to `trace`. */
export const TLS_TRACE_EVENTS = ['handshake', 'secureConnect', 'error', 'close', 'interrupt'] as const;

/**
 * Runs a TLS handshake and judges the certificate ourselves, so the report can show the
 * certificate that was presented even when it is rejected.
 */
export async function probeTls(target: TlsTarget, context: TlsContext): Promise<TlsResult> {
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
  };
  let details = emptyDetails;

  return runProbe<TlsDetails>(
    {
      phase: 'tls',
      what: `TLS handshake with ${endpoint}`,
      context,
      details: () => details,
      owns: [context.socket],
      interrupted: (why, ms) =>
        why === 'timeout'
          ? fail('tls', ms, 'tls-timeout', `TLS handshake with ${endpoint} for ${host} timed out after ${context.timeoutMs} ms`, null, emptyDetails)
          : fail('tls', ms, 'aborted', `TLS handshake with ${endpoint} aborted after ${ms} ms`, null, emptyDetails),
    },
    async (scope) => {
      await scope.checkpoint('handshake');
      const socket = scope.own(
        tls.connect({
          socket: context.socket,
          host: address,
          port,
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
        const { reason, message } = describeHandshakeError(endpoint, host, code, errorMessage(error));
        scope.settle(fail('tls', scope.elapsed(), reason, message, code, emptyDetails));
      });
      scope.once(socket, 'close', () => {
        scope.settle(
          fail(
            'tls',
            scope.elapsed(),
            'tls-reset',
            `connection to ${endpoint} was closed during the TLS handshake for ${host}; typical of a firewall filtering by SNI`,
            null,
            emptyDetails,
          ),
        );
      });
      scope.once(socket, 'secureConnect', () => {
        const ms = scope.elapsed();
        const { certificate, issuerChain, identity } = presentedChain(socket);
        const verifyError = verificationError(socket, host, identity);
        const cipher = socket.getCipher() as tls.CipherNameAndProtocol | undefined;
        details = {
          ...emptyDetails,
          protocol: socket.getProtocol(),
          cipher: cipher?.name ?? null,
          alpn: typeof socket.alpnProtocol === 'string' ? socket.alpnProtocol : null,
          certificate,
          issuerChain,
          verifyError: verifyError?.code ?? null,
        };
        let result: TlsResult;
        if (verifyError === null) {
          result = succeed('tls', ms, details);
        } else {
          const reason = classifyVerifyError(verifyError.code);
          const verdict = describeVerifyFailure(reason, verifyError.code, certificate);
          result = fail('tls', ms, reason, `certificate presented by ${endpoint} for ${host} ${verdict}`, verifyError.code, details);
        }
        if (result.ok && context.keepOpen !== undefined) {
          context.keepOpen(socket);
        } else {
          // Let our last handshake message and close_notify reach the server, so it sees a
          // completed handshake rather than a client that vanished mid-way.
          socket.end(() => socket.destroy());
        }
        // The socket is the caller's now, or closing by itself; the one handed in goes with it.
        scope.release(socket);
        scope.release(context.socket);
        scope.settle(result);
      });
    },
  );
}

function ignoreError(): void {}
