import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import type { DnsDetails } from '../model/phases.js';
import type { LookupOutcome, TypeLookup } from './classify.js';
import type { ProbeScope } from './contract.js';
import { errorCode, errorMessage } from './errors.js';

// DNS on the wire: one query over UDP (again over TCP when truncated), and the CNAME chain
// followed to the addresses, as a stub resolver would.

export interface DnsServer {
  readonly address: string;
  readonly port: number;
}

export type RecordType = 'A' | 'AAAA';
type DnsScope = ProbeScope<DnsDetails>;

/** Enough for any sane answer while avoiding fragmentation (the DNS flag day 2020 value). */
const EDNS_UDP_PAYLOAD = 1232;
const MAX_CNAME_HOPS = 8;

/** Queries one record type, following CNAMEs the server did not resolve itself. */
export async function lookupType(server: DnsServer, host: string, type: RecordType, scope: DnsScope): Promise<TypeLookup> {
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
    const exchanged = await exchange(server, name, type, scope);
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

async function exchange(server: DnsServer, name: string, type: RecordType, scope: DnsScope): Promise<Exchange> {
  await scope.checkpoint('query');
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
  const overUdp = await exchangeUdp(server, dnsPacket.encode(query), matches, scope);
  if (overUdp.kind === 'response' && overUdp.packet.flag_tc) {
    await scope.checkpoint('truncated');
    return exchangeTcp(server, dnsPacket.streamEncode(query), matches, scope);
  }
  return overUdp;
}

function exchangeUdp(
  server: DnsServer,
  query: Buffer,
  matches: (packet: dnsPacket.DecodedPacket) => boolean,
  scope: DnsScope,
): Promise<Exchange> {
  if (scope.signal.aborted) return Promise.resolve({ kind: 'interrupted' });
  return new Promise((resolve) => {
    const socket = scope.own(dgram.createSocket(net.isIPv6(server.address) ? 'udp6' : 'udp4'));
    let retransmit: NodeJS.Timeout | null = null;
    let settled = false;
    const removals: Array<() => void> = [];

    const settle = (outcome: Exchange): void => {
      if (settled) return;
      settled = true;
      if (retransmit !== null) clearTimeout(retransmit);
      for (const remove of removals) remove();
      scope.release(socket);
      socket.close();
      resolve(outcome);
    };
    const fail = (error: Error): void => settle({ kind: 'error', code: errorCode(error), message: describeSocketError(error) });
    const send = scope.guard((): void => {
      if (settled) return;
      try {
        socket.send(
          query,
          scope.guard((error: Error | null) =>
            scope.traced('udp.sent', () => {
              if (error) fail(error);
            }),
          ),
        );
      } catch (error) {
        // send() throws synchronously on a socket that could not connect.
        fail(error as Error);
      }
    });

    socket.on('error', ignoreError);
    removals.push(scope.on(socket, 'error', fail, 'udp.error'));
    removals.push(
      scope.on(
        socket,
        'message',
        (message: Buffer) => {
          // Stray or malformed datagrams are ignored, as a resolver would; the deadline still applies.
          const packet = tryDecode(message);
          if (packet !== null && matches(packet)) settle({ kind: 'response', packet, transport: 'udp' });
        },
        'udp.message',
      ),
    );
    removals.push(scope.onInterrupt(() => settle({ kind: 'interrupted' })));
    // A scope that ends early (an internal error elsewhere) must not leave the resend armed.
    scope.cleanup(() => {
      if (retransmit !== null) clearTimeout(retransmit);
    });
    // A connected socket only accepts datagrams from the server we asked.
    socket.connect(
      server.port,
      server.address,
      scope.guard((error?: Error) =>
        scope.traced('udp.connect', () => {
          if (settled) return;
          // No route to the server (ENETUNREACH) arrives here, not as an 'error' event.
          if (error) return fail(error);
          send();
          // UDP loses packets; one resend halfway keeps a single drop from looking like a dead server.
          retransmit = setTimeout(send, Math.max(10, scope.deadline.remainingMs() / 2));
        }),
      ),
    );
  });
}

function exchangeTcp(
  server: DnsServer,
  query: Buffer,
  matches: (packet: dnsPacket.DecodedPacket) => boolean,
  scope: DnsScope,
): Promise<Exchange> {
  if (scope.signal.aborted) return Promise.resolve({ kind: 'interrupted' });
  return new Promise((resolve) => {
    const socket = scope.own(net.connect({ host: server.address, port: server.port }));
    let received = Buffer.alloc(0);
    let settled = false;
    const removals: Array<() => void> = [];

    const settle = (outcome: Exchange): void => {
      if (settled) return;
      settled = true;
      for (const remove of removals) remove();
      scope.release(socket);
      socket.destroy();
      resolve(outcome);
    };

    socket.on('error', ignoreError);
    removals.push(scope.on(socket, 'connect', () => socket.write(query), 'tcp.connect'));
    removals.push(
      scope.on(
        socket,
        'data',
        (chunk: Buffer) => {
          received = Buffer.concat([received, chunk]);
          // Each message is prefixed with its 16-bit length (RFC 1035 4.2.2).
          while (received.length >= 2) {
            const length = received.readUInt16BE(0);
            if (received.length < 2 + length) return;
            const packet = tryDecode(received.subarray(2, 2 + length));
            received = received.subarray(2 + length);
            if (packet !== null && matches(packet)) return settle({ kind: 'response', packet, transport: 'tcp' });
          }
        },
        'tcp.data',
      ),
    );
    removals.push(
      scope.on(
        socket,
        'error',
        (error: Error) =>
          settle({ kind: 'error', code: errorCode(error), message: `TCP retry after a truncated answer: ${describeSocketError(error)}` }),
        'tcp.error',
      ),
    );
    removals.push(
      scope.on(
        socket,
        'close',
        () => settle({ kind: 'error', code: null, message: 'TCP retry after a truncated answer: connection closed before an answer' }),
        'tcp.close',
      ),
    );
    removals.push(scope.onInterrupt(() => settle({ kind: 'interrupted' })));
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

export function sameName(a: string, b: string): boolean {
  return normalizeName(a) === normalizeName(b);
}

export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

function ignoreError(): void {}
