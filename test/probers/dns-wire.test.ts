import dnsPacket from 'dns-packet';
import t from 'tap';
import { resolveHost } from '../../src/probers/dns.js';
import { decodeResponse, judgeReply, type AskedQuestion } from '../../src/probers/dns-wire.js';
import { startDnsServer, type RawQuery, type Zone } from '../../src/simulate/dns-server.js';
import type { Cleanup } from '../helpers/servers.js';
import { FAR_BUDGET_MS, HEALTHY_BUDGET_MS, LOAD_SLACK_MS } from '../helpers/timing.js';

// Answers that do not hold together, byte by byte: each must end as dns-failed saying what was
// wrong, never as a timeout that sends the admin looking for a firewall dropping DNS.

/** Long enough for a stray answer to arrive on a loaded machine; the waits run side by side. */
const TIMEOUT_MS = 1500;
const TYPE = { A: 1, CNAME: 5, AAAA: 28 } as const;

/** A name as uncompressed labels. */
function wireName(name: string): Buffer {
  return Buffer.concat([...name.split('.').map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label)])), Buffer.from([0])]);
}

function u16(...values: number[]): Buffer {
  const buffer = Buffer.alloc(values.length * 2);
  values.forEach((value, i) => buffer.writeUInt16BE(value, i * 2));
  return buffer;
}

interface WireRecordSpec {
  /** The owner name's bytes; a pointer to the question's name (byte 12) by default. */
  readonly owner?: Buffer;
  readonly type: number;
  readonly data: Buffer;
  /** The data length written, when it must lie. */
  readonly length?: number;
}

/**
 * A response laid out by hand, so each byte is where the test says: the 12-byte header, the
 * question (its name starts at byte 12), then the records.
 */
function response(query: Pick<RawQuery, 'id' | 'name' | 'type'>, records: readonly WireRecordSpec[], header: { id?: number; flags?: number; answers?: number; question?: Buffer } = {}): Buffer {
  const question = header.question ?? Buffer.concat([wireName(query.name), u16(TYPE[query.type as keyof typeof TYPE] ?? 1, 1)]);
  return Buffer.concat([
    u16(header.id ?? query.id, header.flags ?? 0x8180, 1, header.answers ?? records.length, 0, 0),
    question,
    ...records.map((record) => Buffer.concat([record.owner ?? u16(0xc00c), u16(record.type, 1, 0, 60, record.length ?? record.data.length), record.data])),
  ]);
}

const address = (query: RawQuery): WireRecordSpec => (query.type === 'AAAA' ? { type: TYPE.AAAA, data: Buffer.alloc(16, 0x20) } : { type: TYPE.A, data: Buffer.from([10, 0, 0, 1]) });

async function dnsServer(t: Cleanup, zone: Zone) {
  const started = await startDnsServer(zone);
  t.teardown(() => started.close());
  return started;
}

/** Malformed answers of each kind: how the server breaks them, and what the detail must say. */
const MALFORMED: Array<[string, (query: RawQuery) => Buffer, RegExp]> = [
  ['a record whose data length is wrong', (q) => response(q, [{ ...address(q), data: Buffer.alloc(q.type === 'A' ? 5 : 4, 1) }]), /answer record 1 \(A [a-z0-9.]+\) has 5 bytes of data where an address has 4$/],
  ['an answer cut off inside its record', (q) => response(q, [address(q)]).subarray(0, -2), /answer record 1 \(A [a-z0-9.]+\) says its data is 4 bytes, but the message ends 2 bytes later$/],
  ['a header announcing more records than there are', (q) => response(q, [address(q)], { answers: 3 }), /the header announces 3 answer record\(s\), but the \d+-byte message ends after 1$/],
  ['a name that points at itself', (q) => response(q, [{ ...address(q), owner: u16(0xc000 | (12 + wireName(q.name).length + 4)) }]), /the name in answer record 1 is a compression loop \(it points back to byte \d+\)$/],
  ['a pointer past the end', (q) => response(q, [{ ...address(q), owner: u16(0xc000 | 0x3000) }]), /the name in answer record 1 points to byte 12288, past the end of the \d+-byte message$/],
  ['garbled: a label type DNS does not have', (q) => response(q, [], { question: Buffer.from([0x80, 1, 2, 3, 4, 5]) }), /the name in question 1 has a label type DNS does not define \(0x80\)$/],
  ['a CNAME whose alias overruns its data', (q) => response(q, [{ type: TYPE.CNAME, data: wireName('alias.test'), length: 4 }, address(q)]), /the name in the alias in answer record 1 \(CNAME [a-z0-9.]+\) is cut off|the alias in answer record 1 \(CNAME [a-z0-9.]+\) takes/],
];

t.test('a malformed answer is dns-failed at once, saying what is wrong with it', async (t) => {
  const dns = await dnsServer(t, Object.fromEntries(MALFORMED.map(([, build], i) => [`m${i}.test`, { raw: (query: RawQuery) => [build(query)] }])));
  for (const [i, [label, , expected]] of MALFORMED.entries()) {
    const started = performance.now();
    const result = await resolveHost({ host: `m${i}.test` }, { servers: [dns.server], timeoutMs: FAR_BUDGET_MS });
    t.match(result, { ok: false, reason: 'dns-failed', phase: 'dns' }, label);
    if (!result.ok) {
      t.match(result.message, new RegExp(`^127\\.0\\.0\\.1:${dns.server.port} sent a malformed answer for m${i}\\.test: `), `${label}: names the server and the name`);
      t.match(result.message, expected, `${label}: says what is wrong`);
    }
    t.ok(performance.now() - started < LOAD_SLACK_MS, `${label}: at once, not after the budget`);
  }
});

t.test('answers that are no answer to the query are waited past, then named instead of a timeout', async (t) => {
  const dns = await dnsServer(t, {
    'other-id.test': { raw: (q) => [response(q, [address(q)], { id: (q.id + 1) % 65536 })] },
    'other-name.test': { raw: (q) => [response({ ...q, name: 'elsewhere.test' }, [address(q)])] },
    'runt.test': { raw: () => [Buffer.from('hello')] },
    'echo.test': { raw: (q) => [response(q, [], { flags: 0x0100 })] },
  });
  const cases: Array<[string, string]> = [
    ['other-id.test', `an answer with id \\d+ to the query with id \\d+`],
    ['other-name.test', 'an answer for A elsewhere\\.test to the query for A other-name\\.test'],
    ['runt.test', 'a 5-byte datagram, too short to be a DNS message'],
    ['echo.test', 'a query with our id, not a response'],
  ];
  const results = await Promise.all(cases.map(([host]) => resolveHost({ host }, { servers: [dns.server], timeoutMs: TIMEOUT_MS })));
  for (const [i, [host, only]] of cases.entries()) {
    const result = results[i]!;
    t.match(result, { ok: false, reason: 'dns-failed' }, `${host}: not dns-timeout`);
    if (!result.ok) t.match(result.message, new RegExp(`^127\\.0\\.0\\.1:${dns.server.port} sent no answer to the query for ${host.replace('.', '\\.')} within ${TIMEOUT_MS} ms, only ${only}$`), host);
  }
});

t.test('a stray datagram before the real answer changes nothing', async (t) => {
  const dns = await dnsServer(t, { 'late.test': { raw: (q) => [Buffer.from('noise'), response(q, [], { id: (q.id + 7) % 65536 }), response(q, [address(q)])] } });
  const result = await resolveHost({ host: 'late.test' }, { servers: [dns.server], timeoutMs: HEALTHY_BUDGET_MS });
  t.match(result, { ok: true, details: { addresses: ['10.0.0.1', '2020:2020:2020:2020:2020:2020:2020:2020'] } });
});

t.test('a malformed answer over TCP, after a truncated one over UDP, is dns-failed too', async (t) => {
  const dns = await dnsServer(t, {
    'big.test': { raw: (q) => [q.transport === 'udp' ? response(q, [], { flags: 0x8380 }) : response(q, [{ ...address(q), data: Buffer.alloc(3) }])] },
  });
  const result = await resolveHost({ host: 'big.test' }, { servers: [dns.server], timeoutMs: HEALTHY_BUDGET_MS });
  t.match(result, { ok: false, reason: 'dns-failed', message: /sent a malformed answer for big\.test: answer record 1 \(A big\.test\) has 3 bytes of data where an address has 4$/ });
  t.ok(
    dns.queries.some((q) => q.transport === 'tcp'),
    'asked again over TCP',
  );
});

t.test('an error answer without its question is taken (a FORMERR from a server that knows no EDNS)', async (t) => {
  const dns = await dnsServer(t, { 'old.test': { raw: (q) => [Buffer.concat([u16(q.id, 0x8181, 0, 0, 0, 0)])] } });
  const result = await resolveHost({ host: 'old.test' }, { servers: [dns.server], timeoutMs: 5000 });
  t.match(result, { ok: false, reason: 'dns-failed', cause: 'FORMERR', message: /answered FORMERR for old\.test$/ });
});

t.test('decodeResponse reads what dns-packet writes: addresses, aliases, codes, compression', async (t) => {
  const encoded = dnsPacket.encode({
    type: 'response',
    id: 4660,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | 3,
    questions: [{ type: 'AAAA', name: 'Svc.Test', class: 'IN' }],
    answers: [
      { type: 'CNAME', name: 'svc.test', class: 'IN', ttl: 1, data: 'alias.test' },
      { type: 'AAAA', name: 'alias.test', class: 'IN', ttl: 1, data: '::ffff:127.0.0.1' },
      { type: 'A', name: 'alias.test', class: 'IN', ttl: 1, data: '192.0.2.1' },
      { type: 'TXT', name: 'alias.test', class: 'IN', ttl: 1, data: 'x' },
    ],
  });
  t.same(decodeResponse(encoded), {
    ok: true,
    response: {
      id: 4660,
      truncated: false,
      rcode: 'NXDOMAIN',
      questions: [{ name: 'Svc.Test', type: 'AAAA' }],
      answers: [
        { name: 'svc.test', type: 'CNAME', data: 'alias.test' },
        { name: 'alias.test', type: 'AAAA', data: '::ffff:127.0.0.1' },
        { name: 'alias.test', type: 'A', data: '192.0.2.1' },
        { name: 'alias.test', type: 'TXT', data: null },
      ],
    },
  });
  // The question's name points at the answer's, which points back: a loop that needs two hops.
  const asked: AskedQuestion = { id: 9, name: 'x.test', type: 'A' };
  const twoHops = response(asked, [{ owner: u16(0xc000 | 12), type: TYPE.A, data: Buffer.from([1, 2, 3, 4]) }], { question: Buffer.concat([u16(0xc000 | 18), u16(TYPE.A, 1)]) });
  t.same(decodeResponse(twoHops), { ok: false, problem: 'the name in question 1 is a compression loop (it points back to byte 18)' });
  t.same(judgeReply(twoHops, asked), { kind: 'malformed', problem: 'the name in question 1 is a compression loop (it points back to byte 18)' });
  t.same(judgeReply(twoHops, { ...asked, id: 10 }).kind, 'stray', "with another id it is nobody's answer");
  t.same(judgeReply(response(asked, [{ type: TYPE.A, data: Buffer.from([10, 1, 2, 3]) }]), asked).kind, 'answer');
});
