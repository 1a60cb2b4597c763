import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import type { DnsDetails } from '../model/phases.js';
import type { LookupOutcome, TypeLookup } from './classify/dns.js';
import type { Interruption, ProbeScope } from './contract.js';
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
    if (exchanged.kind !== 'response') return result(exchanged);
    if (exchanged.transport === 'tcp') transport = 'tcp';

    const { answers } = exchanged.response;
    const aliasesBefore = cnameChain.length;
    const canonical = followCnames(name, answers, cnameChain);
    if (canonical === null) return result({ kind: 'error', code: null, message: `CNAME loop at ${name}` });

    const { rcode } = exchanged.response;
    if (rcode !== 'NOERROR') return result({ kind: 'rcode', rcode });

    const addresses = answers.flatMap((answer) => (answer.type === type && sameName(answer.name, canonical) && answer.data !== null ? [answer.data] : []));
    if (addresses.length > 0) return result({ kind: 'answer', rcode: 'NOERROR' }, addresses);
    if (cnameChain.length === aliasesBefore) return result({ kind: 'no-data', rcode: 'NOERROR' });
    // Some forwarders return only the alias; ask for the target ourselves, as a resolver would.
    name = canonical;
  }
  return result({ kind: 'error', code: null, message: `CNAME chain longer than ${MAX_CNAME_HOPS} hops` });
}

/** Walks the aliases in an answer from `name`, appending them to `chain`; null on a loop. */
function followCnames(name: string, answers: readonly WireRecord[], chain: string[]): string | null {
  let current = name;
  const seen = new Set([normalizeName(name), ...chain.map(normalizeName)]);
  for (;;) {
    const alias = answers.find((answer) => answer.type === 'CNAME' && answer.data !== null && sameName(answer.name, current));
    if (alias?.data == null) return current;
    const target = alias.data.replace(/\.$/, '');
    if (seen.has(normalizeName(target))) return null;
    seen.add(normalizeName(target));
    chain.push(target);
    current = target;
  }
}

type Exchange =
  | { readonly kind: 'response'; readonly response: DnsResponse; readonly transport: 'udp' | 'tcp' }
  | { readonly kind: 'interrupted' }
  | { readonly kind: 'error'; readonly code: string | null; readonly message: string }
  | { readonly kind: 'malformed'; readonly problem: string }
  | { readonly kind: 'unmatched'; readonly problem: string };

/** What we asked, to tell our answer from anything else that arrives. */
export interface AskedQuestion {
  readonly id: number;
  readonly name: string;
  readonly type: RecordType;
}

async function exchange(server: DnsServer, name: string, type: RecordType, scope: DnsScope): Promise<Exchange> {
  await scope.checkpoint('query');
  const asked: AskedQuestion = { id: randomInt(0, 65536), name, type };
  const query: dnsPacket.Packet = {
    type: 'query',
    id: asked.id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type, name, class: 'IN' }],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: EDNS_UDP_PAYLOAD, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }],
  };
  const overUdp = await exchangeUdp(server, dnsPacket.encode(query), asked, scope);
  if (overUdp.kind === 'response' && overUdp.response.truncated) {
    await scope.checkpoint('truncated');
    return exchangeTcp(server, dnsPacket.streamEncode(query), asked, scope);
  }
  return overUdp;
}

/** A budget that ran out after something that was no answer ends naming it, not as silence. */
function interrupted(why: Interruption, stray: string | null): Exchange {
  return why === 'timeout' && stray !== null ? { kind: 'unmatched', problem: stray } : { kind: 'interrupted' };
}

function exchangeUdp(server: DnsServer, query: Buffer, asked: AskedQuestion, scope: DnsScope): Promise<Exchange> {
  if (scope.signal.aborted) return Promise.resolve({ kind: 'interrupted' });
  return new Promise((resolve) => {
    const socket = scope.own(dgram.createSocket(net.isIPv6(server.address) ? 'udp6' : 'udp4'));
    let retransmit: NodeJS.Timeout | null = null;
    let settled = false;
    let stray: string | null = null;
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
          const reply = judgeReply(message, asked);
          if (reply.kind === 'answer') settle({ kind: 'response', response: reply.response, transport: 'udp' });
          else if (reply.kind === 'malformed') settle(reply);
          // Not an answer to our query: ignored as a stub resolver does, but remembered for the end.
          else stray ??= reply.problem;
        },
        'udp.message',
      ),
    );
    removals.push(scope.onInterrupt((why) => settle(interrupted(why, stray))));
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

function exchangeTcp(server: DnsServer, query: Buffer, asked: AskedQuestion, scope: DnsScope): Promise<Exchange> {
  if (scope.signal.aborted) return Promise.resolve({ kind: 'interrupted' });
  return new Promise((resolve) => {
    const socket = scope.own(net.connect({ host: server.address, port: server.port }));
    let received = Buffer.alloc(0);
    let settled = false;
    let stray: string | null = null;
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
            const reply = judgeReply(received.subarray(2, 2 + length), asked);
            received = received.subarray(2 + length);
            if (reply.kind === 'answer') return settle({ kind: 'response', response: reply.response, transport: 'tcp' });
            if (reply.kind === 'malformed') return settle(reply);
            stray ??= reply.problem;
          }
        },
        'tcp.data',
      ),
    );
    removals.push(scope.on(socket, 'error', (error: Error) => settle({ kind: 'error', code: errorCode(error), message: `TCP retry after a truncated answer: ${describeSocketError(error)}` }), 'tcp.error'));
    removals.push(scope.on(socket, 'close', () => settle(stray !== null ? { kind: 'unmatched', problem: stray } : { kind: 'error', code: null, message: 'TCP retry after a truncated answer: connection closed before an answer' }), 'tcp.close'));
    removals.push(scope.onInterrupt((why) => settle(interrupted(why, stray))));
  });
}

/** How a message from the server relates to our query. */
export type Reply =
  | { readonly kind: 'answer'; readonly response: DnsResponse }
  /** Carries our id and claims to be a response, but does not parse: the server's answer is broken. */
  | { readonly kind: 'malformed'; readonly problem: string }
  /** Not an answer to our query (another id or question, a query, a runt): what it was. */
  | { readonly kind: 'stray'; readonly problem: string };

/**
 * Tells our answer from anything else, as a stub resolver does (RFC 5452 section 9.1): only a
 * response with our id and our question is taken; anything else is ignored and waited past,
 * so a stray, late or spoofed datagram cannot decide the lookup (and if nothing better comes,
 * the lookup ends naming it rather than as a timeout). A response with our id that does not
 * parse is the server's answer, broken: waiting longer would only end in a timeout that sends
 * the admin looking for a firewall dropping DNS.
 */
export function judgeReply(message: Buffer, asked: AskedQuestion): Reply {
  if (message.length < HEADER_BYTES) return { kind: 'stray', problem: `a ${message.length}-byte datagram, too short to be a DNS message` };
  const id = message.readUInt16BE(0);
  if (id !== asked.id) return { kind: 'stray', problem: `an answer with id ${id} to the query with id ${asked.id}` };
  if ((message.readUInt16BE(2) & QR_RESPONSE) === 0) return { kind: 'stray', problem: 'a query with our id, not a response' };
  const decoded = decodeResponse(message);
  if (!decoded.ok) return { kind: 'malformed', problem: decoded.problem };
  const { response } = decoded;
  const question = response.questions[0];
  // Error answers may leave the question out (a FORMERR from a server that knows no EDNS).
  if (question === undefined && response.rcode !== 'NOERROR') return { kind: 'answer', response };
  if (question === undefined) return { kind: 'stray', problem: 'an answer with our id but without a question' };
  if (response.questions.length !== 1 || question.type !== asked.type || !sameName(question.name, asked.name)) {
    return { kind: 'stray', problem: `an answer for ${question.type} ${question.name} to the query for ${asked.type} ${asked.name}` };
  }
  return { kind: 'answer', response };
}

// ---- Reading a response -------------------------------------------------------------------
//
// Our own reader rather than dns-packet's decode: that one reads an A record's four bytes
// whatever its data length says, and turns a message cut short into "10.undefined.undefined…",
// an address we would dial. Every length here is checked against the message.

const HEADER_BYTES = 12;
const QR_RESPONSE = 0x8000;
const TRUNCATED = 0x0200;
/** Names are at most 255 bytes on the wire (RFC 1035 section 2.3.4). */
const MAX_NAME_BYTES = 255;
const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'];
const TYPES: Readonly<Record<number, string>> = { 1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 15: 'MX', 16: 'TXT', 28: 'AAAA', 41: 'OPT' };
/** Data lengths of the address records we read. */
const ADDRESS_BYTES: Readonly<Record<string, number>> = { A: 4, AAAA: 16 };

/** One resource record: the address or alias for A, AAAA and CNAME, null for any other type. */
export interface WireRecord {
  readonly name: string;
  readonly type: string;
  readonly data: string | null;
}

export interface DnsResponse {
  readonly id: number;
  /** TC: the answer did not fit in UDP; ask again over TCP. */
  readonly truncated: boolean;
  readonly rcode: string;
  readonly questions: ReadonlyArray<{ readonly name: string; readonly type: string }>;
  readonly answers: readonly WireRecord[];
}

class WireError extends Error {}

/** Reads a response, every length checked; when it does not hold together, what is wrong with it, in words. */
export function decodeResponse(message: Buffer): { readonly ok: true; readonly response: DnsResponse } | { readonly ok: false; readonly problem: string } {
  try {
    return { ok: true, response: readResponse(message) };
  } catch (error) {
    if (error instanceof WireError) return { ok: false, problem: error.message };
    throw error;
  }
}

function readResponse(message: Buffer): DnsResponse {
  if (message.length < HEADER_BYTES) throw new WireError(`${message.length} bytes, shorter than a DNS header (12)`);
  const flags = message.readUInt16BE(2);
  const truncated = (flags & TRUNCATED) !== 0;
  const rcodeNumber = flags & 0x0f;
  const [questionCount, answerCount, authorityCount, additionalCount] = [4, 6, 8, 10].map((at) => message.readUInt16BE(at)) as [number, number, number, number];
  let offset = HEADER_BYTES;
  const questions: Array<{ name: string; type: string }> = [];
  for (let i = 0; i < questionCount; i++) {
    const where = `question ${i + 1}`;
    endsEarly(message, offset, questionCount, i, 'question');
    const { name, end } = readName(message, offset, where);
    if (end + 4 > message.length) throw new WireError(`${where} (${name}) is cut off at byte ${message.length}`);
    questions.push({ name, type: typeName(message.readUInt16BE(end)) });
    offset = end + 4;
  }
  const base = { id: message.readUInt16BE(0), truncated, rcode: RCODES[rcodeNumber] ?? `RCODE${rcodeNumber}`, questions };
  // The rest of a truncated answer may be missing: it is asked again over TCP anyway.
  if (truncated) return { ...base, answers: [] };
  const sections: Array<[string, number]> = [
    ['answer', answerCount],
    ['authority', authorityCount],
    ['additional', additionalCount],
  ];
  const answers: WireRecord[] = [];
  for (const [section, count] of sections) {
    for (let i = 0; i < count; i++) {
      endsEarly(message, offset, count, i, section);
      const { record, end } = readRecord(message, offset, `${section} record ${i + 1}`);
      if (section === 'answer') answers.push(record);
      offset = end;
    }
  }
  return { ...base, answers };
}

function endsEarly(message: Buffer, offset: number, count: number, read: number, section: string): void {
  if (offset >= message.length) throw new WireError(`the header announces ${count} ${section} record(s), but the ${message.length}-byte message ends after ${read}`);
}

function readRecord(message: Buffer, offset: number, where: string): { record: WireRecord; end: number } {
  const { name, end: afterName } = readName(message, offset, where);
  if (afterName + 10 > message.length) throw new WireError(`${where} (${name}) is cut off at byte ${message.length}`);
  const type = typeName(message.readUInt16BE(afterName));
  const length = message.readUInt16BE(afterName + 8);
  const start = afterName + 10;
  const end = start + length;
  const what = `${where} (${type} ${name})`;
  if (end > message.length) throw new WireError(`${what} says its data is ${length} bytes, but the message ends ${message.length - start} bytes later`);
  const expected = ADDRESS_BYTES[type];
  if (expected !== undefined && length !== expected) throw new WireError(`${what} has ${length} bytes of data where an address has ${expected}`);
  let data: string | null = null;
  if (type === 'A') data = [...message.subarray(start, end)].join('.');
  if (type === 'AAAA') data = ipv6Text(message.subarray(start, end));
  if (type === 'CNAME') {
    const alias = readName(message, start, `the alias in ${what}`);
    if (alias.end !== end) throw new WireError(`the alias in ${what} takes ${alias.end - start} of its ${length} bytes of data`);
    data = alias.name;
  }
  return { record: { name, type, data }, end };
}

/**
 * Reads a possibly compressed name (RFC 1035 section 4.1.4). A pointer may lead anywhere in the
 * message, but never twice to the same place: that is a loop, which would never end.
 */
function readName(message: Buffer, start: number, where: string): { name: string; end: number } {
  const labels: string[] = [];
  const visited = new Set<number>();
  let offset = start;
  let end: number | null = null;
  let bytes = 0;
  for (;;) {
    if (offset >= message.length) throw new WireError(`the name in ${where} runs past the end of the ${message.length}-byte message`);
    const length = message[offset] as number;
    if ((length & 0xc0) === 0xc0) {
      if (offset + 1 >= message.length) throw new WireError(`the name in ${where} is cut off at byte ${message.length}`);
      const pointer = message.readUInt16BE(offset) & 0x3fff;
      end ??= offset + 2;
      if (visited.has(pointer)) throw new WireError(`the name in ${where} is a compression loop (it points back to byte ${pointer})`);
      if (pointer >= message.length) throw new WireError(`the name in ${where} points to byte ${pointer}, past the end of the ${message.length}-byte message`);
      visited.add(pointer);
      offset = pointer;
      continue;
    }
    if ((length & 0xc0) !== 0) throw new WireError(`the name in ${where} has a label type DNS does not define (0x${length.toString(16)})`);
    bytes += length + 1;
    if (bytes > MAX_NAME_BYTES) throw new WireError(`the name in ${where} is longer than ${MAX_NAME_BYTES} bytes`);
    if (length === 0) break;
    if (offset + 1 + length > message.length) throw new WireError(`the name in ${where} is cut off at byte ${message.length}`);
    labels.push(message.toString('utf8', offset + 1, offset + 1 + length));
    offset += 1 + length;
  }
  return { name: labels.length === 0 ? '.' : labels.join('.'), end: end ?? offset + 1 };
}

function typeName(type: number): string {
  return TYPES[type] ?? `TYPE${type}`;
}

/** The address as Node writes it (`::1`, `::ffff:127.0.0.1`), so it compares with what users type. */
function ipv6Text(bytes: Buffer): string {
  const groups = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2).toString(16));
  return new net.SocketAddress({ address: groups.join(':'), family: 'ipv6' }).address;
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

function ignoreError(): void {}
