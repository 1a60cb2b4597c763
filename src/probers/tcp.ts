import net from 'node:net';
import type { TcpDetails, TcpResult } from '../model/phases.js';
import { fail, succeed, type PhaseFailure, type PhaseSuccess } from '../model/phases.js';
import { describeTcpError } from './classify/tcp.js';
import { runProbe, type ProbeContext, type Prober } from './contract.js';
import { errorCode, errorMessage } from './errors.js';
import { formatEndpoint } from '../model/hosts.js';

export interface TcpTarget {
  /** An IP address: resolving is the DNS phase's job. */
  readonly address: string;
  readonly port: number;
}

export interface TcpContext extends ProbeContext {
  /**
   * Receives the connected socket, which the caller then owns (or hands to the TLS prober,
   * which takes it). Without it the connection is closed as soon as it opens.
   */
  readonly keepOpen?: (socket: net.Socket) => void;
}

/** Events the TCP prober passes to `trace`, in the order they can happen. */
export const TCP_TRACE_EVENTS = ['dial', 'connect', 'error', 'interrupt'] as const;

/** On success the caller owns the socket and must destroy it (or hand it to the TLS prober, which does). */
export type TcpConnection = { readonly result: PhaseSuccess<TcpDetails>; readonly socket: net.Socket } | { readonly result: PhaseFailure<TcpDetails>; readonly socket: null };

export function assertDialable(address: string, port: number, caller: string): void {
  // Resolving here would hide which address was tried and bypass the DNS checks.
  if (net.isIP(address) === 0) {
    throw new TypeError(`${caller} dials IP addresses, not names: got ${JSON.stringify(address)}`);
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new TypeError(`${caller}: port must be an integer 1-65535, got ${port}`);
  }
}

/**
 * Opens a TCP connection to an IP address. The socket goes to `keepOpen`, so the TLS phase
 * can run over the very connection that was just checked; otherwise it is closed at once.
 */
export const probeTcp = (async (target: TcpTarget, context: TcpContext): Promise<TcpResult> => {
  const { address, port } = target;
  assertDialable(address, port, 'probeTcp');
  const endpoint = formatEndpoint(address, port);
  const details: TcpDetails = { address, port, localAddress: null, localPort: null };

  return runProbe<TcpDetails>(
    {
      phase: 'tcp',
      what: `connect to ${endpoint}`,
      context,
      details: () => details,
      interrupted: (why, ms) => (why === 'timeout' ? fail('tcp', ms, 'tcp-timeout', `connect to ${endpoint} timed out after ${context.timeoutMs} ms`, null, details) : fail('tcp', ms, 'aborted', `connect to ${endpoint} aborted after ${ms} ms`, null, details)),
    },
    async (scope) => {
      await scope.checkpoint('dial');
      const socket = scope.own(net.connect({ host: address, port, noDelay: true }));
      // Stays attached after the hand-over: a reset that lands before the caller attaches its
      // own listeners must not crash the process.
      socket.on('error', ignoreError);

      scope.once(socket, 'error', (error: Error) => {
        const code = errorCode(error);
        const { reason, message } = describeTcpError(endpoint, code, errorMessage(error));
        scope.settle(fail('tcp', scope.elapsed(), reason, message, code, details));
      });
      scope.once(socket, 'connect', () => {
        const connected: TcpDetails = {
          address,
          port,
          localAddress: socket.localAddress ?? null,
          localPort: socket.localPort ?? null,
        };
        const result = succeed('tcp', scope.elapsed(), connected);
        if (context.keepOpen !== undefined) {
          context.keepOpen(socket);
          scope.release(socket);
        }
        scope.settle(result);
      });
    },
  );
}) satisfies Prober<TcpTarget, TcpContext, TcpDetails>;

/** probeTcp that keeps the connection: the socket comes back with the result. */
export async function connectTcp(target: TcpTarget, context: TcpContext): Promise<TcpConnection> {
  const kept: { socket: net.Socket | null } = { socket: null };
  const result = await probeTcp(target, {
    ...context,
    keepOpen: (socket) => {
      kept.socket = socket;
      context.keepOpen?.(socket);
    },
  });
  if (result.ok && kept.socket !== null) return { result, socket: kept.socket };
  kept.socket?.destroy();
  return { result: result.ok ? internalNoSocket(result) : result, socket: null };
}

/** A success without a socket cannot happen; if it does, it is our bug, not a reachable port. */
function internalNoSocket(result: PhaseSuccess<TcpDetails>): PhaseFailure<TcpDetails> {
  const { address, port } = result.details;
  return fail('tcp', result.ms, 'internal-error', `aml-netcheck failed in the tcp phase (connect to ${formatEndpoint(address, port)}): no socket was handed over`, null, result.details);
}

function ignoreError(): void {}
