import type { PhaseResult } from '../../model/phases.js';
import type { Verdict } from '../../model/result.js';
import { REASONS, type ReasonCode } from '../../model/reasons.js';
import { UNREACHABLE_CODES } from './shared.js';

// What a UDP exchange's errors and silence mean, and the verdict they give.
// Free of I/O, like every file of classify/: a finding is checked without a socket and the probers keep only the dialling.

/**
 * Where an error on a connected UDP socket came from. Linux reports an ICMP error to a
 * connected socket as the errno of a later recvmsg, and only the ICMP types it deems fatal
 * (port unreachable, the prohibited codes): a plain host or network unreachable is not
 * reported at all without IP_RECVERR, so it looks like silence. Errors of connect and send
 * are this machine's own: no route, or a local firewall.
 */
export type UdpErrorOrigin = 'icmp' | 'local';

/** Maps an error of a connected UDP socket to a reason; see UdpErrorOrigin for how Linux surfaces each ICMP type. */
export function classifyUdpError(code: string | null, origin: UdpErrorOrigin): ReasonCode {
  if (origin === 'icmp') {
    // Port unreachable: the host itself, or a firewall's plain `reject` (nftables and iptables answer UDP that way).
    if (code === 'ECONNREFUSED') return 'udp-port-unreachable';
    // Admin-, host- and net-prohibited (ICMP codes 13, 10, 9): the errors a rejecting firewall sends.
    if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'udp-prohibited';
    return 'udp-failed';
  }
  // An OUTPUT rule on this machine: the datagram never left.
  if (code === 'EPERM' || code === 'EACCES') return 'udp-prohibited';
  if (code !== null && UNREACHABLE_CODES.has(code)) return 'udp-unreachable';
  return 'udp-failed';
}

/** The reason and message for an error of a connected UDP socket to `endpoint`. */
export function describeUdpError(endpoint: string, code: string | null, origin: UdpErrorOrigin, text: string): { reason: ReasonCode; message: string } {
  const reason = classifyUdpError(code, origin);
  const suffix = code === null ? text : code;
  switch (reason) {
    case 'udp-port-unreachable':
      return { reason, message: `UDP to ${endpoint} drew ICMP port unreachable (${suffix}): nothing receives on that port, or a firewall rejects it` };
    case 'udp-prohibited':
      return origin === 'icmp' ? { reason, message: `UDP to ${endpoint} drew ICMP administratively prohibited (${suffix}): a firewall rejects it` } : { reason, message: `a firewall on this machine refused to send UDP to ${endpoint} (${suffix})` };
    case 'udp-unreachable':
      return { reason, message: `no route to ${endpoint} for UDP (${suffix})` };
    default:
      return { reason, message: `UDP to ${endpoint} failed: ${text}` };
  }
}

/** The message for a port that stayed silent for the whole budget. */
export function describeUdpSilence(endpoint: string, datagrams: number, timeoutMs: number): string {
  return `no answer from UDP ${endpoint} to ${datagrams} datagram(s) within ${timeoutMs} ms: silence proves neither an open port nor a firewall that drops it`;
}

/**
 * A UDP check's verdict: only an answer proves the path; a failure's verdict is its code's in
 * the reason table (an ICMP error or local refusal blocked, silence a warning, never reachable).
 * A port-unreachable is blocked although it proves the host is there: the required service does
 * not receive, which breaks the feature as surely as a firewall does.
 */
export function udpVerdict(result: PhaseResult<unknown>): { readonly verdict: Verdict; readonly reason: ReasonCode | null } {
  if (result.ok) return { verdict: 'reachable', reason: null };
  return { verdict: REASONS[result.reason].verdict, reason: result.reason };
}
