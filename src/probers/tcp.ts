import net from 'node:net';
import type { TcpDetails, TcpResult } from '../model/phases.js';
import { Deadline } from './deadline.js';
import { fail, startClock, succeed, type PhaseFailure, type PhaseSuccess } from '../model/phases.js';
import { errorCode, errorMessage } from './errors.js';
import { formatEndpoint } from '../model/hosts.js';
import type { ReasonCode } from '../model/reasons.js';

export interface TcpOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}


/** On success the caller owns the socket and must destroy it (or hand it to the TLS prober, which does). */
export type TcpConnection =
  | { readonly result: PhaseSuccess<TcpDetails>; readonly socket: net.Socket }
  | { readonly result: PhaseFailure<TcpDetails>; readonly socket: null };

const UNREACHABLE_CODES = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'EHOSTDOWN', 'ENETDOWN']);

export function classifyTcpError(code: string | null): ReasonCode {
  if (code === 'ECONNREFUSED') return 'tcp-refused';
  // The kernel gives up on unanswered SYNs with ETIMEDOUT; same finding as our own timer.
  if (code === 'ETIMEDOUT') return 'tcp-timeout';
  if (code !== null && UNREACHABLE_CODES.has(code)) return 'tcp-unreachable';
  return 'tcp-failed';
}

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
 * Opens a TCP connection to an IP address and returns it, so the TLS phase can run over
 * the very connection that was just checked.
 */
export function connectTcp(address: string, port: number, options: TcpOptions): Promise<TcpConnection> {
  assertDialable(address, port, 'connectTcp');
  const elapsed = startClock();
  const endpoint = formatEndpoint(address, port);
  const deadline = new Deadline(options.timeoutMs, options.signal);
  const baseDetails: TcpDetails = { address, port, localAddress: null, localPort: null };

  if (deadline.interruption !== null) {
    deadline.dispose();
    return Promise.resolve({
      result: fail('tcp', elapsed(), 'aborted', `connect to ${endpoint} aborted before it started`, null, baseDetails),
      socket: null,
    });
  }

  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port, noDelay: true });
    // Stays attached after we hand the socket over: a reset that lands before the caller
    // attaches its own listeners must not crash the process.
    socket.on('error', ignoreError);

    const settle = (connection: TcpConnection): void => {
      deadline.signal.removeEventListener('abort', onInterrupt);
      socket.off('connect', onConnect);
      socket.off('error', onError);
      deadline.dispose();
      resolve(connection);
    };

    const failWith = (reason: ReasonCode, message: string, cause: string | null): void => {
      socket.destroy();
      settle({ result: fail('tcp', elapsed(), reason, message, cause, baseDetails), socket: null });
    };

    const onInterrupt = (): void => {
      if (deadline.interruption === 'timeout') {
        failWith('tcp-timeout', `connect to ${endpoint} timed out after ${options.timeoutMs} ms`, null);
      } else {
        failWith('aborted', `connect to ${endpoint} aborted after ${elapsed()} ms`, null);
      }
    };

    const onError = (error: Error): void => {
      const code = errorCode(error);
      const reason = classifyTcpError(code);
      const suffix = code === null ? errorMessage(error) : code;
      switch (reason) {
        case 'tcp-refused':
          return failWith(reason, `connect to ${endpoint} refused (${suffix})`, code);
        case 'tcp-timeout':
          return failWith(reason, `connect to ${endpoint} timed out in the kernel (${suffix})`, code);
        case 'tcp-unreachable':
          return failWith(reason, `no route to ${endpoint} (${suffix})`, code);
        default:
          return failWith(reason, `connect to ${endpoint} failed: ${errorMessage(error)}`, code);
      }
    };

    const onConnect = (): void => {
      const details: TcpDetails = {
        address,
        port,
        localAddress: socket.localAddress ?? null,
        localPort: socket.localPort ?? null,
      };
      settle({ result: succeed('tcp', elapsed(), details), socket });
    };

    deadline.signal.addEventListener('abort', onInterrupt, { once: true });
    socket.once('connect', onConnect);
    socket.once('error', onError);
  });
}

/** Connects and immediately closes: for targets checked at TCP depth only. */
export async function probeTcp(address: string, port: number, options: TcpOptions): Promise<TcpResult> {
  const connection = await connectTcp(address, port, options);
  connection.socket?.destroy();
  return connection.result;
}

function ignoreError(): void {}
