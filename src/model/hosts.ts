import net from 'node:net';

const LABEL_CHARS_RE = /^[a-z0-9-]+$/;

/** `10.0.0.4:443` or `[fd00::4]:443`, the way people paste addresses into firewall rules. */
export function formatEndpoint(address: string, port: number): string {
  return net.isIPv6(address) ? `[${address}]:${port}` : `${address}:${port}`;
}


/** True for a name we can put in a DNS query: letters, digits, hyphens, labels of 1-63, 253 in all. */
export function isValidHostname(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  return name.split('.').every((label) => label.length > 0 && label.length <= 63 && LABEL_CHARS_RE.test(label) && !label.startsWith('-') && !label.endsWith('-'));
}

export function isValidHostOrAddress(name: string): boolean {
  return net.isIP(name) !== 0 || isValidHostname(name);
}
