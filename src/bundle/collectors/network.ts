import { endianness } from 'node:os';
import type { Collector } from '../contract.js';
import { listSystemDir, readSystemFile } from '../read-file.js';

interface InterfaceView {
  name: string;
  mtu: number | null;
  state: string | null;
  addresses: string[];
}

export const interfacesCollector: Collector = {
  name: 'interfaces',
  describes: 'network interfaces with their addresses, state and MTU (/sys/class/net)',
  collect: ({ root, system }) => {
    const problems: string[] = [];
    const known = system.networkInterfaces();
    let names: string[];
    try {
      names = listSystemDir(root, '/sys/class/net');
    } catch (error) {
      problems.push((error as Error).message);
      names = Object.keys(known).sort();
    }
    const interfaces: InterfaceView[] = names.map((name) => {
      const read = (what: string): string | null => {
        try {
          return readSystemFile(root, `/sys/class/net/${name}/${what}`, 4096).trim();
        } catch (error) {
          problems.push((error as Error).message);
          return null;
        }
      };
      const mtuText = read('mtu');
      const mtu = mtuText !== null && /^\d+$/.test(mtuText) ? Number(mtuText) : null;
      const addresses = (known[name] ?? []).map((info) => info.cidr ?? info.address);
      return { name, mtu, state: read('operstate'), addresses };
    });
    return { files: [{ name: 'environment/interfaces.json', content: { json: interfaces } }], problems };
  },
};

const RTF_GATEWAY = 0x2;
const RTF_HOST = 0x4;
const RTF_REJECT = 0x200;

/** /proc/net/route writes addresses as the host's 32-bit integers in hex. */
function ipv4(hex: string, littleEndian: boolean): string {
  const value = Number.parseInt(hex, 16) >>> 0;
  const bytes = [(value >>> 24) & 255, (value >>> 16) & 255, (value >>> 8) & 255, value & 255];
  return (littleEndian ? bytes.reverse() : bytes).join('.');
}

function prefixLength(maskHex: string): number {
  let value = Number.parseInt(maskHex, 16) >>> 0;
  let bits = 0;
  while (value !== 0) {
    bits += value & 1;
    value >>>= 1;
  }
  return bits;
}

/** `ip route`-like lines from /proc/net/route. */
export function parseIpv4Routes(text: string, littleEndian = endianness() === 'LE'): string[] {
  const lines = text
    .split('\n')
    .slice(1)
    .filter((line) => line.trim() !== '');
  return lines.map((line) => {
    const [iface, destination, gateway, flagsHex, , , metric, mask, mtu] = line.trim().split(/\s+/);
    if (iface === undefined || destination === undefined || gateway === undefined || flagsHex === undefined || mask === undefined || !/^[0-9A-Fa-f]{8}$/.test(destination)) return `unparsed: ${line.trim()}`;
    const flags = Number.parseInt(flagsHex, 16);
    const prefix = prefixLength(mask);
    const target = prefix === 0 && Number.parseInt(destination, 16) === 0 ? 'default' : `${ipv4(destination, littleEndian)}${prefix === 32 && (flags & RTF_HOST) !== 0 ? '' : `/${prefix}`}`;
    const parts = [(flags & RTF_REJECT) !== 0 ? `unreachable ${target}` : target];
    if ((flags & RTF_GATEWAY) !== 0) parts.push(`via ${ipv4(gateway, littleEndian)}`);
    parts.push(`dev ${iface}`);
    if (metric !== undefined && metric !== '0') parts.push(`metric ${metric}`);
    if (mtu !== undefined && mtu !== '0') parts.push(`mtu ${mtu}`);
    return parts.join(' ');
  });
}

/** 32 hex digits as an IPv6 address, zeros compressed as RFC 5952 says. */
function ipv6(hex: string): string {
  const groups = (hex.match(/.{4}/g) ?? []).map((group) => Number.parseInt(group, 16).toString(16));
  let best = { start: -1, length: 0 };
  for (let i = 0; i < groups.length;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > best.length && j - i > 1) best = { start: i, length: j - i };
    i = j;
  }
  if (best.start === -1) return groups.join(':');
  return `${groups.slice(0, best.start).join(':')}::${groups.slice(best.start + best.length).join(':')}`;
}

/** `ip -6 route`-like lines from /proc/net/ipv6_route. */
export function parseIpv6Routes(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [destination, destinationPrefix, , , nextHop, metric, , , flagsHex, iface] = line.trim().split(/\s+/);
      if (destination === undefined || destinationPrefix === undefined || nextHop === undefined || flagsHex === undefined || iface === undefined || !/^[0-9a-fA-F]{32}$/.test(destination)) return `unparsed: ${line.trim()}`;
      const prefix = Number.parseInt(destinationPrefix, 16);
      const flags = Number.parseInt(flagsHex, 16);
      const target = prefix === 0 && /^0+$/.test(destination) ? 'default' : `${ipv6(destination)}/${prefix}`;
      const parts = [(flags & RTF_REJECT) !== 0 ? `unreachable ${target}` : target];
      if (!/^0+$/.test(nextHop)) parts.push(`via ${ipv6(nextHop)}`);
      parts.push(`dev ${iface}`);
      if (metric !== undefined) parts.push(`metric ${Number.parseInt(metric, 16)}`);
      return parts.join(' ');
    });
}

export const routesCollector: Collector = {
  name: 'routes',
  describes: 'the routing table, from /proc/net/route and /proc/net/ipv6_route, written as `ip route` would',
  collect: ({ root }) => {
    const problems: string[] = [];
    const sections: string[] = [];
    for (const [title, file, parse] of [
      ['IPv4', '/proc/net/route', parseIpv4Routes],
      ['IPv6', '/proc/net/ipv6_route', parseIpv6Routes],
    ] as const) {
      try {
        const lines = parse(readSystemFile(root, file));
        sections.push(`# ${title} (${file})\n${lines.map((l) => `${l}\n`).join('') || '(no routes)\n'}`);
      } catch (error) {
        problems.push((error as Error).message);
        sections.push(`# ${title} (${file})\nnot read: ${(error as Error).message}\n`);
      }
    }
    if (problems.length === 2) throw new Error(problems.join('; '));
    return { files: [{ name: 'environment/routes.txt', content: { text: sections.join('\n') } }], problems };
  },
};
