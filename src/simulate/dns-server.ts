import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import type { DnsServer } from '../probers/dns.js';

/** How the test server treats one name. Names not in the zone get NXDOMAIN. */
export interface NameBehaviour {
  readonly a?: readonly string[];
  readonly aaaa?: readonly string[];
  readonly cname?: string;
  /** Answer with this code and no records. */
  readonly rcode?: 'NXDOMAIN' | 'SERVFAIL' | 'REFUSED';
  /** Never answer (UDP or TCP), to trigger the client's timeout. */
  readonly drop?: boolean;
  /** UDP answers carry only the TC flag; the full answer needs TCP. */
  readonly truncate?: boolean;
  /** With a CNAME, also include the target's records, as a recursive server does (default true). */
  readonly chase?: boolean;
  /** Send a response with the wrong id first, which the client must ignore. */
  readonly decoyFirst?: boolean;
  /** Send these bytes instead of an answer (none: stay silent), to play a server whose answers are malformed. */
  readonly raw?: (query: RawQuery) => readonly Buffer[];
}

/** The query a `raw` behaviour answers. */
export interface RawQuery {
  readonly id: number;
  readonly name: string;
  readonly type: string;
  readonly transport: 'udp' | 'tcp';
}

export type Zone = Record<string, NameBehaviour>;

export interface LoggedQuery {
  readonly name: string;
  readonly type: string;
  readonly transport: 'udp' | 'tcp';
}

export interface TestDnsServer {
  readonly server: DnsServer;
  readonly queries: LoggedQuery[];
  close(): Promise<void>;
}

const RCODES = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;
const TTL = 60;

export interface DnsBind {
  /** Default 127.0.0.1. */
  readonly address?: string;
  /** Default: any free port (the same for UDP and TCP). */
  readonly port?: number;
  /** Answer UDP queries this much later, as a resolver across a WAN would. */
  readonly latencyMs?: number;
}

/** A small authoritative server, UDP and TCP on the same address and port. */
export async function startDnsServer(zone: Zone, bind: DnsBind = {}): Promise<TestDnsServer> {
  const queries: LoggedQuery[] = [];
  const tcpSockets = new Set<net.Socket>();
  const address = bind.address ?? '127.0.0.1';

  for (let attempt = 0; ; attempt++) {
    const udp = dgram.createSocket(net.isIPv6(address) ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(bind.port ?? 0, address, () => resolve());
    });
    const port = udp.address().port;
    const tcp = net.createServer((socket) => serveTcp(socket, zone, queries, tcpSockets));
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(port, address, () => resolve());
      });
    } catch (error) {
      udp.close();
      // A free UDP port can be taken on TCP; try another, unless the caller asked for this one.
      if (attempt < 5 && bind.port === undefined) continue;
      throw error;
    }

    udp.on('message', (message, remote) => {
      const query = decodeQuery(message);
      if (query === null) return;
      const reply = answer(query, zone, 'udp', queries);
      const send = (): void => {
        for (const packet of reply) udp.send(Buffer.isBuffer(packet) ? packet : dnsPacket.encode(packet), remote.port, remote.address);
      };
      if (bind.latencyMs) setTimeout(send, bind.latencyMs);
      else send();
    });

    return {
      server: { address, port },
      queries,
      close: async () => {
        for (const socket of tcpSockets) socket.destroy();
        await Promise.all([new Promise<void>((resolve) => udp.close(() => resolve())), new Promise<void>((resolve) => tcp.close(() => resolve()))]);
      },
    };
  }
}

function serveTcp(socket: net.Socket, zone: Zone, queries: LoggedQuery[], sockets: Set<net.Socket>): void {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
  socket.on('error', () => undefined);
  let buffered = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 2) {
      const length = buffered.readUInt16BE(0);
      if (buffered.length < 2 + length) return;
      const query = decodeQuery(buffered.subarray(2, 2 + length));
      buffered = buffered.subarray(2 + length);
      if (query === null) continue;
      for (const packet of answer(query, zone, 'tcp', queries)) socket.write(Buffer.isBuffer(packet) ? framed(packet) : dnsPacket.streamEncode(packet));
    }
  });
}

/** A message as TCP carries it: behind its 16-bit length (RFC 1035 section 4.2.2). */
function framed(message: Buffer): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(message.length);
  return Buffer.concat([length, message]);
}

function decodeQuery(message: Buffer): dnsPacket.DecodedPacket | null {
  try {
    const packet = dnsPacket.decode(message);
    return packet.type === 'query' && packet.questions?.[0] !== undefined ? packet : null;
  } catch {
    return null;
  }
}

/** The packets to send back, in order (raw bytes as they are); empty to stay silent. */
function answer(query: dnsPacket.DecodedPacket, zone: Zone, transport: 'udp' | 'tcp', queries: LoggedQuery[]): Array<dnsPacket.Packet | Buffer> {
  const question = query.questions?.[0];
  if (question === undefined) return [];
  const asked = normalize(question.name);
  queries.push({ name: asked, type: question.type, transport });

  const first = zone[asked];
  if (first?.drop === true) return [];
  if (first?.raw !== undefined) return [...first.raw({ id: query.id ?? 0, name: asked, type: question.type, transport })];
  const reply = (rcode: number, answers: dnsPacket.Answer[], truncated = false): dnsPacket.Packet => ({
    type: 'response',
    id: query.id ?? 0,
    flags: dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (truncated ? dnsPacket.TRUNCATED_RESPONSE : 0) | rcode,
    questions: [question],
    answers,
  });
  const withDecoy = (packet: dnsPacket.Packet): dnsPacket.Packet[] => (first?.decoyFirst === true ? [{ ...packet, id: ((query.id ?? 0) + 1) % 65536, answers: [record(asked, 'A', '192.0.2.66')] }, packet] : [packet]);

  if (first === undefined) return withDecoy(reply(RCODES.NXDOMAIN, []));
  if (first.truncate === true && transport === 'udp') return withDecoy(reply(RCODES.NOERROR, [], true));

  const answers: dnsPacket.Answer[] = [];
  let name = asked;
  let behaviour: NameBehaviour | undefined = first;
  for (let hop = 0; hop < 16; hop++) {
    if (behaviour === undefined) return withDecoy(reply(RCODES.NXDOMAIN, answers));
    if (behaviour.rcode !== undefined) return withDecoy(reply(RCODES[behaviour.rcode], answers));
    if (behaviour.cname !== undefined) {
      const target = normalize(behaviour.cname);
      answers.push(record(name, 'CNAME', target));
      if (behaviour.chase === false) break;
      name = target;
      behaviour = zone[target];
      continue;
    }
    const data = question.type === 'A' ? behaviour.a : question.type === 'AAAA' ? behaviour.aaaa : undefined;
    for (const address of data ?? []) answers.push(record(name, question.type as 'A' | 'AAAA', address));
    break;
  }
  return withDecoy(reply(RCODES.NOERROR, answers));
}

function record(name: string, type: 'A' | 'AAAA' | 'CNAME', data: string): dnsPacket.Answer {
  return { name, type, class: 'IN', ttl: TTL, data };
}

function normalize(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}
