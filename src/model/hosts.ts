import net from 'node:net';
import { isHostName } from './identifiers.js';
import { quote } from './text.js';

/** `10.0.0.4:443` or `[fd00::4]:443`, the way people paste addresses into firewall rules. */
export function formatEndpoint(address: string, port: number): string {
  return net.isIPv6(address) ? `[${address}]:${port}` : `${address}:${port}`;
}

export function isValidHostOrAddress(name: string): boolean {
  return net.isIP(name) !== 0 || isHostName(name);
}

/** `host`, `host:port`, `[v6]` or `[v6]:port`, split but not yet judged as a host. */
export interface HostPort {
  readonly host: string;
  /** Null when the text named no port. */
  readonly port: number | null;
}

export type HostPortParse = ({ readonly ok: true } & HostPort) | { readonly ok: false; readonly problem: string };

const PORT_RE = /^\d{1,5}$/;

function portOf(text: string): number | null {
  const port = Number(text);
  return PORT_RE.test(text) && port >= 1 && port <= 65535 ? port : null;
}

/**
 * Splits `host:port` strictly: a port is 1-65535 in digits, or the text is wrong. A
 * lenient split (a bad port read as "no port", a default put in its place) would check
 * something other than what the user asked for. A bare IPv6 address has no port; with a
 * port it needs brackets, as in URLs.
 */
export function parseHostPort(text: string): HostPortParse {
  const problem = (message: string): HostPortParse => ({ ok: false, problem: message });
  if (text.startsWith('[')) {
    const match = /^\[([^\]]*)\](?::(.*))?$/.exec(text);
    if (!match) return problem('has a [ without a matching ] before the port');
    const host = match[1] ?? '';
    if (!net.isIPv6(host)) return problem(`${quote(`[${host}]`)} is not an IPv6 address`);
    if (match[2] === undefined) return { ok: true, host, port: null };
    const port = portOf(match[2]);
    return port === null ? problem(`port ${quote(match[2])} is not a number from 1 to 65535`) : { ok: true, host, port };
  }
  const colons = text.split(':').length - 1;
  if (colons === 0) return text === '' ? problem('is empty') : { ok: true, host: text, port: null };
  if (colons > 1) return net.isIPv6(text) ? { ok: true, host: text, port: null } : problem('is neither host:port nor an IPv6 address (write [v6]:port)');
  const at = text.lastIndexOf(':');
  const host = text.slice(0, at);
  const portText = text.slice(at + 1);
  if (host === '') return problem('names no host before the port');
  const port = portOf(portText);
  return port === null ? problem(`port ${quote(portText)} is not a number from 1 to 65535`) : { ok: true, host, port };
}
