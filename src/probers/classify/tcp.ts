import type { ReasonCode } from '../../model/reasons.js';
import { UNREACHABLE_CODES } from './shared.js';

// What a failed TCP connect means: the socket error codes as reason codes and messages.
// Free of I/O, like every file of classify/: a finding is checked without a socket and the probers keep only the dialling.

export function classifyTcpError(code: string | null): ReasonCode {
  if (code === 'ECONNREFUSED') return 'tcp-refused';
  // The kernel gives up on unanswered SYNs with ETIMEDOUT; same finding as our own timer.
  if (code === 'ETIMEDOUT') return 'tcp-timeout';
  if (code !== null && UNREACHABLE_CODES.has(code)) return 'tcp-unreachable';
  return 'tcp-failed';
}

/** The reason and message for a failed connect to `endpoint`. */
export function describeTcpError(endpoint: string, code: string | null, text: string): { reason: ReasonCode; message: string } {
  const reason = classifyTcpError(code);
  const suffix = code === null ? text : code;
  switch (reason) {
    case 'tcp-refused':
      return { reason, message: `connect to ${endpoint} refused (${suffix})` };
    case 'tcp-timeout':
      return { reason, message: `connect to ${endpoint} timed out in the kernel (${suffix})` };
    case 'tcp-unreachable':
      return { reason, message: `no route to ${endpoint} (${suffix})` };
    default:
      return { reason, message: `connect to ${endpoint} failed: ${text}` };
  }
}
