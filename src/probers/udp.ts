import dgram from 'node:dgram';
import net from 'node:net';
import type { UdpDetails, UdpResult } from '../model/phases.js';
import { fail, succeed } from '../model/phases.js';
import { formatEndpoint } from '../model/hosts.js';
import { describeUdpError, describeUdpSilence } from './classify/udp.js';
import { runProbe, type ProbeContext, type Prober } from './contract.js';
import { errorCode, errorMessage } from './errors.js';
import { assertDialable } from './tcp.js';

export interface UdpTarget {
  /** An IP address: resolving is the DNS phase's job. */
  readonly address: string;
  readonly port: number;
}

export interface UdpContext extends ProbeContext {
  /** What to send; a protocol-shaped request draws an answer from services that ignore anything else. */
  readonly payload?: Uint8Array;
  /** Datagrams to send, spread evenly over the budget, because any one of them may be lost. */
  readonly tries?: number;
}

const DEFAULT_UDP_TRIES = 3;
const DEFAULT_PAYLOAD = new TextEncoder().encode('aml-netcheck udp probe\n');

/**
 * Sends datagrams to an IP address on a connected socket and waits for whatever comes back.
 * Connected, because only a connected socket hears ICMP errors: Linux hands the port
 * unreachable or prohibited answer to it as the errno of the next recvmsg. A reply datagram
 * succeeds; an ICMP error or a local refusal fails with its reason; silence for the whole budget
 * fails as `udp-unverified`, which `udpVerdict` makes a warning, never reachable.
 */
export const probeUdp = (async (target: UdpTarget, context: UdpContext): Promise<UdpResult> => {
  const { address, port } = target;
  assertDialable(address, port, 'probeUdp');
  const tries = context.tries ?? DEFAULT_UDP_TRIES;
  if (!Number.isInteger(tries) || tries < 1) throw new TypeError(`probeUdp: tries must be a positive integer, got ${tries}`);
  const payload = context.payload ?? DEFAULT_PAYLOAD;
  const endpoint = formatEndpoint(address, port);
  let details: UdpDetails = { address, port, localAddress: null, localPort: null, datagramsSent: 0, replyBytes: null, icmpError: null };

  return runProbe<UdpDetails>(
    {
      phase: 'udp',
      what: `UDP exchange with ${endpoint}`,
      context,
      details: () => details,
      interrupted: (why, ms) => (why === 'timeout' ? fail('udp', ms, 'udp-unverified', describeUdpSilence(endpoint, details.datagramsSent, context.timeoutMs), null, details) : fail('udp', ms, 'aborted', `UDP exchange with ${endpoint} aborted after ${ms} ms`, null, details)),
    },
    async (scope) => {
      await scope.checkpoint('dial');
      const socket = scope.own(dgram.createSocket(net.isIPv6(address) ? 'udp6' : 'udp4'));
      const timers: NodeJS.Timeout[] = [];
      scope.cleanup(() => timers.forEach(clearTimeout));

      const failWith = (error: Error, origin: 'icmp' | 'local'): void => {
        const code = errorCode(error);
        if (origin === 'icmp') details = { ...details, icmpError: code };
        const { reason, message } = describeUdpError(endpoint, code, origin, errorMessage(error));
        scope.settle(fail('udp', scope.elapsed(), reason, message, code, details));
      };
      // recvmsg errors are ICMP answers; connect and send errors (no route, EPERM) never left this machine.
      scope.once(socket, 'error', (error: Error & { syscall?: string }) => failWith(error, error.syscall === 'recvmsg' ? 'icmp' : 'local'));
      scope.once(socket, 'message', (message: Buffer) => {
        details = { ...details, replyBytes: message.length };
        scope.settle(succeed('udp', scope.elapsed(), details));
      });

      const send = scope.guard(() => {
        scope.traced('send', () => {
          details = { ...details, datagramsSent: details.datagramsSent + 1 };
          socket.send(
            payload,
            scope.guard((error: Error | null) => {
              if (error !== null) failWith(error, 'local');
            }),
          );
        });
      });
      scope.once(socket, 'connect', () => {
        const local = socket.address();
        details = { ...details, localAddress: local.address, localPort: local.port };
        send();
        // Spread over the budget so a late try still has time for its answer to come back.
        const spacing = context.timeoutMs / tries;
        for (let i = 1; i < tries; i++) timers.push(setTimeout(send, Math.round(spacing * i)));
      });
      socket.connect(port, address);
    },
  );
}) satisfies Prober<UdpTarget, UdpContext, UdpDetails>;
