import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import type { DnsDetails, DnsResult, DnsServerAnswer } from '../model/phases.js';
import { Deadline } from './deadline.js';
import { fail, startClock, succeed } from '../model/phases.js';
import { errorCode, errorMessage } from './errors.js';
import { formatEndpoint } from '../model/hosts.js';
import type { ReasonCode } from '../model/reasons.js';

export interface DnsServer {
  readonly address: string;
  readonly port: number;
}

export interface ResolveOptions {
  /** Servers to ask; defaults to the machine's own resolvers (dns.getServers()). */
  readonly servers?: readonly DnsServer[];
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}


type RecordType = 'A' | 'AAAA';

/** Enough for any sane answer while avoiding fragmentation (the DNS flag day 2020 value). */
const EDNS_UDP_PAYLOAD = 1232;
const MAX_CNAME_HOPS = 8;

const PRIVATE_RANGES = (() => {
  const list = new net.BlockList();
  list.addSubnet('10.0.0.0', 8, 'ipv4');
  list.addSubnet('172.16.0.0', 12, 'ipv4');
  list.addSubnet('192.168.0.0', 16, 'ipv4');
  list.addSubnet('100.64.0.0', 10, 'ipv4');
  list.addSubnet('fc00::', 7, 'ipv6');
  return list;
})();

/**
 * True for addresses a private endpoint can have: RFC 1918, shared address space
 * (100.64.0.0/10) and IPv6 unique local (fc00::/7), including IPv4-mapped IPv6 forms.
 */
export function isPrivateAddress(ip: string): boolean {
  const family = net.isIP(ip);
  if (family === 0) return false;
  return PRIVATE_RANGES.check(ip, family === 6 ? 'ipv6' : 'ipv4');
}

/** Parses one dns.getServers() entry: `1.2.3.4`, `1.2.3.4:5353`, `::1` or `[::1]:5353`. */
export function parseServerSpec(spec: string): DnsServer | null {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(spec);
  if (bracketed !== null) {
    const address = bracketed[1] ?? '';
    return net.isIPv6(address) ? { address, port: toPort(bracketed[2]) } : null;
  }
  if (net.isIP(spec) !== 0) return { address: spec, port: 53 };
  const withPort = /^([^:]+):(\d+)$/.exec(spec);
  if (withPort !== null && net.isIPv4(withPort[1] ?? '')) {
    return { address: withPort[1] ?? '', port: toPort(withPort[2]) };
  }
  return null;
}

function toPort(text: string | undefined): number {
  if (text === undefined) return 53;
  const port = Number(text);
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : 53;
}

export function systemDnsServers(): DnsServer[] {
  return dns.getServers().flatMap((spec) => parseServerSpec(spec) ?? []);
}

/**
 * Resolves A and AAAA for a host by asking each DNS server directly, so the report can say
 * which server said what. Never throws for a network outcome.
 */
export async function resolveHost(host: string, options: ResolveOptions): Promise<DnsResult> {
  const elapsed = startClock();
  const name = stripBrackets(host.trim());
  if (name === '') throw new TypeError('resolveHost needs a host name');

  if (net.isIP(name) !== 0) {
    return succeed('dns', 0, {
      host,
      ipLiteral: true,
      addresses: [name],
      cnameChain: [],
      answeredBy: null,
      servers: [],
      serversDisagree: false,
    });
  }

  const servers = options.servers ?? systemDnsServers();
  const emptyDetails: DnsDetails = {
    host,
    ipLiteral: false,
    addresses: [],
    cnameChain: [],
    answeredBy: null,
    servers: [],
    serversDisagree: false,
  };
  if (servers.length === 0) {
    return fail('dns', elapsed(), 'dns-failed', `no DNS servers are configured to resolve ${host}`, null, emptyDetails);
  }

  const deadline = new Deadline(options.timeoutMs, options.signal);
  try {
    const answers = await Promise.all(servers.map((server) => askServer(server, name, deadline)));
    return summarize(host, answers, deadline, elapsed());
  } finally {
    deadline.dispose();
  }
}

function summarize(host: string, answers: DnsServerAnswer[], deadline: Deadline, ms: number): DnsResult {
  const definite = answers.filter(isDefinite);
  const distinctSets = new Set(definite.map((answer) => [...answer.addresses].sort().join(' ')));
  const chosen = definite[0];
  const details: DnsDetails = {
    host,
    ipLiteral: false,
    addresses: chosen?.addresses ?? [],
    cnameChain: chosen?.cnameChain ?? answers[0]?.cnameChain ?? [],
    answeredBy: chosen?.server ?? null,
    servers: answers,
    serversDisagree: distinctSets.size > 1,
  };

  if (deadline.interruption === 'aborted') {
    return fail('dns', ms, 'aborted', `DNS lookup of ${host} aborted after ${ms} ms`, null, details);
  }
  if (chosen?.ok === true) return succeed('dns', ms, details);
  if (chosen !== undefined) {
    return fail('dns', ms, chosen.reason ?? 'dns-failed', chosen.message ?? '', chosen.rcode, details);
  }
  // No server gave a definite answer: report the first one's problem, and the others' too.
  const first = answers[0];
  const message = answers.map((answer) => answer.message).filter((text) => text !== null).join('; ');
  return fail('dns', ms, first?.reason ?? 'dns-failed', message, first?.rcode ?? null, details);
}

/** An answer a stub resolver would accept and stop at, rather than try the next server. */
function isDefinite(answer: DnsServerAnswer): boolean {
  return answer.ok || answer.reason === 'dns-nxdomain' || answer.reason === 'dns-no-data';
}

type LookupOutcome =
  | { readonly kind: 'answer'; readonly rcode: 'NOERROR' }
  | { readonly kind: 'no-data'; readonly rcode: 'NOERROR' }
  | { readonly kind: 'rcode'; readonly rcode: string }
  | { readonly kind: 'interrupted' }
  | { readonly kind: 'error'; readonly code: string | null; readonly message: string };

interface TypeLookup {
  readonly outcome: LookupOutcome;
  readonly addresses: readonly string[];
  readonly cnameChain: readonly string[];
  readonly transport: 'udp' | 'tcp';
}

async function askServer(server: DnsServer, host: string, deadline: Deadline): Promise<DnsServerAnswer> {
  const elapsed = startClock();
  const [v4, v6] = await Promise.all([
    lookupType(server, host, 'A', deadline),
    lookupType(server, host, 'AAAA', deadline),
  ]);
  const ms = elapsed();
  const endpoint = formatEndpoint(server.address, server.port);
  const addresses = [...v4.addresses, ...v6.addresses];
  const cnameChain = v4.cnameChain.length >= v6.cnameChain.length ? v4.cnameChain : v6.cnameChain;
  const transport = v4.transport === 'tcp' || v6.transport === 'tcp' ? 'tcp' : 'udp';
  const base = { server: endpoint, addresses, cnameChain, transport, ms } as const;
  const named = cnameChain.length === 0 ? host : `${host} (alias of ${cnameChain.join(' → ')})`;
  const failure = (reason: ReasonCode, rcode: string | null, message: string): DnsServerAnswer => ({
    ...base,
    ok: false,
    reason,
    rcode,
    message,
  });

  if (addresses.length > 0) return { ...base, ok: true, reason: null, rcode: 'NOERROR', message: null };

  const nxdomain = [v4, v6].find((lookup) => lookup.outcome.kind === 'rcode' && lookup.outcome.rcode === 'NXDOMAIN');
  if (nxdomain !== undefined) {
    return failure('dns-nxdomain', 'NXDOMAIN', `${endpoint} says ${named} does not exist (NXDOMAIN)`);
  }
  // The A answer matters most; AAAA problems only decide when A had nothing to say.
  const broken = [v4, v6].find((lookup) => lookup.outcome.kind !== 'answer' && lookup.outcome.kind !== 'no-data');
  if (broken === undefined) {
    return failure('dns-no-data', 'NOERROR', `${endpoint} has no A or AAAA record for ${named} (NOERROR, no data)`);
  }
  const outcome = broken.outcome;
  switch (outcome.kind) {
    case 'interrupted':
      return deadline.interruption === 'aborted'
        ? failure('aborted', null, `DNS lookup of ${host} at ${endpoint} aborted after ${ms} ms`)
        : failure('dns-timeout', null, `no answer from ${endpoint} for ${named} within ${deadline.timeoutMs} ms`);
    case 'rcode':
      if (outcome.rcode === 'SERVFAIL') {
        return failure('dns-servfail', outcome.rcode, `${endpoint} failed to resolve ${named} (SERVFAIL)`);
      }
      if (outcome.rcode === 'REFUSED') {
        return failure('dns-refused', outcome.rcode, `${endpoint} refused to resolve ${named} (REFUSED)`);
      }
      return failure('dns-failed', outcome.rcode, `${endpoint} answered ${outcome.rcode} for ${named}`);
    case 'error':
      return failure('dns-failed', outcome.code, `DNS lookup of ${named} at ${endpoint} failed: ${outcome.message}`);
    default:
      return failure('dns-failed', null, `DNS lookup of ${named} at ${endpoint} failed`);
  }
}

/** Queries one record type, following CNAMEs the server did not resolve itself. */
async function lookupType(server: DnsServer, host: string, type: RecordType, deadline: Deadline): Promise<TypeLookup> {
  const cnameChain: string[] = [];
  let transport: 'udp' | 'tcp' = 'udp';
  let name = host;
  const result = (outcome: LookupOutcome, addresses: string[] = []): TypeLookup => ({
    outcome,
    addresses,
    cnameChain,
    transport,
  });

  for (let hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
    const exchanged = await exchange(server, name, type, deadline);
    if (exchanged.kind === 'interrupted' || exchanged.kind === 'error') return result(exchanged);
    if (exchanged.transport === 'tcp') transport = 'tcp';

    const answers = exchanged.packet.answers ?? [];
    const aliasesBefore = cnameChain.length;
    const canonical = followCnames(name, answers, cnameChain);
    if (canonical === null) return result({ kind: 'error', code: null, message: `CNAME loop at ${name}` });

    const rcode = responseCode(exchanged.packet);
    if (rcode !== 'NOERROR') return result({ kind: 'rcode', rcode });

    const addresses = answers.flatMap((answer) =>
      answer.type === type && sameName(answer.name, canonical) && typeof answer.data === 'string' ? [answer.data] : [],
    );
    if (addresses.length > 0) return result({ kind: 'answer', rcode: 'NOERROR' }, addresses);
    if (cnameChain.length === aliasesBefore) return result({ kind: 'no-data', rcode: 'NOERROR' });
    // Some forwarders return only the alias; ask for the target ourselves, as a resolver would.
    name = canonical;
  }
  return result({ kind: 'error', code: null, message: `CNAME chain longer than ${MAX_CNAME_HOPS} hops` });
}

/** Walks the aliases in an answer from `name`, appending them to `chain`; null on a loop. */
function followCnames(name: string, answers: readonly dnsPacket.Answer[], chain: string[]): string | null {
  let current = name;
  const seen = new Set([normalizeName(name), ...chain.map(normalizeName)]);
  for (;;) {
    const alias = answers.find(
      (answer): answer is dnsPacket.StringAnswer => answer.type === 'CNAME' && sameName(answer.name, current),
    );
    if (alias === undefined) return current;
    const target = alias.data.replace(/\.$/, '');
    if (seen.has(normalizeName(target))) return null;
    seen.add(normalizeName(target));
    chain.push(target);
    current = target;
  }
}

type Exchange =
  | { readonly kind: 'response'; readonly packet: dnsPacket.DecodedPacket; readonly transport: 'udp' | 'tcp' }
  | { readonly kind: 'interrupted' }
  | { readonly kind: 'error'; readonly code: string | null; readonly message: string };

async function exchange(server: DnsServer, name: string, type: RecordType, deadline: Deadline): Promise<Exchange> {
  const id = randomInt(0, 65536);
  const query: dnsPacket.Packet = {
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type, name, class: 'IN' }],
    additionals: [
      { type: 'OPT', name: '.', udpPayloadSize: EDNS_UDP_PAYLOAD, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] },
    ],
  };
  const matches = (packet: dnsPacket.DecodedPacket): boolean => {
    const question = packet.questions?.[0];
    return (
      packet.type === 'response' &&
      packet.id === id &&
      question !== undefined &&
      question.type === type &&
      sameName(question.name, name)
    );
  };
  const overUdp = await exchangeUdp(server, dnsPacket.encode(query), matches, deadline);
  if (overUdp.kind === 'response' && overUdp.packet.flag_tc) {
    return exchangeTcp(server, dnsPacket.streamEncode(query), matches, deadline.signal);
  }
  return overUdp;
}

function exchangeUdp(
  server: DnsServer,
  query: Buffer,
  matches: (packet: dnsPacket.DecodedPacket) => boolean,
  deadline: Deadline,
): Promise<Exchange> {
  const signal = deadline.signal;
  if (signal.aborted) return Promise.resolve({ kind: 'interrupted' });
  return new Promise((resolve) => {
    const socket = dgram.createSocket(net.isIPv6(server.address) ? 'udp6' : 'udp4');
    let retransmit: NodeJS.Timeout | null = null;
    let settled = false;

    const settle = (outcome: Exchange): void => {
      if (settled) return;
      settled = true;
      if (retransmit !== null) clearTimeout(retransmit);
      signal.removeEventListener('abort', onAbort);
      socket.close();
      resolve(outcome);
    };
    const onAbort = (): void => settle({ kind: 'interrupted' });
    const fail = (error: Error): void => settle({ kind: 'error', code: errorCode(error), message: describeSocketError(error) });
    const send = (): void => {
      if (settled) return;
      try {
        socket.send(query, (error) => {
          if (error) fail(error);
        });
      } catch (error) {
        // send() throws synchronously on a socket that could not connect.
        fail(error as Error);
      }
    };

    socket.on('error', fail);
    socket.on('message', (message) => {
      // Stray or malformed datagrams are ignored, as a resolver would; the deadline still applies.
      const packet = tryDecode(message);
      if (packet !== null && matches(packet)) settle({ kind: 'response', packet, transport: 'udp' });
    });
    signal.addEventListener('abort', onAbort, { once: true });
    // A connected socket only accepts datagrams from the server we asked.
    socket.connect(server.port, server.address, (error?: Error) => {
      if (settled) return;
      // No route to the server (ENETUNREACH) arrives here, not as an 'error' event.
      if (error) return fail(error);
      send();
      // UDP loses packets; one resend halfway keeps a single drop from looking like a dead server.
      retransmit = setTimeout(send, Math.max(10, deadline.remainingMs() / 2));
    });
  });
}

function exchangeTcp(
  server: DnsServer,
  query: Buffer,
  matches: (packet: dnsPacket.DecodedPacket) => boolean,
  signal: AbortSignal,
): Promise<Exchange> {
  if (signal.aborted) return Promise.resolve({ kind: 'interrupted' });
  return new Promise((resolve) => {
    const socket = net.connect({ host: server.address, port: server.port });
    let received = Buffer.alloc(0);
    let settled = false;

    const settle = (outcome: Exchange): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(outcome);
    };
    const onAbort = (): void => settle({ kind: 'interrupted' });

    socket.on('connect', () => socket.write(query));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      // Each message is prefixed with its 16-bit length (RFC 1035 4.2.2).
      while (received.length >= 2) {
        const length = received.readUInt16BE(0);
        if (received.length < 2 + length) return;
        const packet = tryDecode(received.subarray(2, 2 + length));
        received = received.subarray(2 + length);
        if (packet !== null && matches(packet)) return settle({ kind: 'response', packet, transport: 'tcp' });
      }
    });
    socket.on('error', (error) =>
      settle({ kind: 'error', code: errorCode(error), message: `TCP retry after a truncated answer: ${describeSocketError(error)}` }),
    );
    socket.on('close', () =>
      settle({ kind: 'error', code: null, message: 'TCP retry after a truncated answer: connection closed before an answer' }),
    );
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function tryDecode(message: Buffer): dnsPacket.DecodedPacket | null {
  try {
    return dnsPacket.decode(message);
  } catch {
    return null;
  }
}

function responseCode(packet: dnsPacket.DecodedPacket): string {
  // The header's low four bits; dns-packet decodes them but its types do not say so.
  const rcode = (packet as { rcode?: unknown }).rcode;
  return typeof rcode === 'string' ? rcode : 'NOERROR';
}

function describeSocketError(error: Error): string {
  const code = errorCode(error);
  if (code === 'ECONNREFUSED') return 'nothing is listening for DNS there (ECONNREFUSED)';
  return code === null ? errorMessage(error) : `${errorMessage(error)} (${code})`;
}

function sameName(a: string, b: string): boolean {
  return normalizeName(a) === normalizeName(b);
}

function normalizeName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
