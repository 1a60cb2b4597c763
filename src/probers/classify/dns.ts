import net from 'node:net';
import type { DnsServerAnswer } from '../../model/phases.js';
import type { ReasonCode } from '../../model/reasons.js';

// What DNS answers mean: special-use address ranges, private addresses, and one server's A and AAAA answers judged.
// Free of I/O, like every file of classify/: a finding is checked without a socket and the probers keep only the dialling.

/**
 * What an address in a DNS answer can be. `private`: a private endpoint, or anything else in a
 * VNet or on premises. `loopback`: this machine (a sinkhole, unless the run says its services
 * are simulated on loopback). `special`: an address no service can have, the answer of a DNS
 * filter or sinkhole. `global`: anything else.
 */
export type AddressUse = 'private' | 'loopback' | 'special' | 'global';

export interface AddressRange {
  readonly cidr: string;
  readonly use: AddressUse;
  /** As the IANA registry names it. */
  readonly name: string;
  readonly rfc: string;
}

/**
 * The IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 and its updates), as far
 * as they matter for where a name may point, plus IPv4 multicast and the reserved 240/4.
 * Ranges the registries mark globally reachable (AS112, AMT, Teredo, 6to4, NAT64's 64:ff9b::/96
 * that DNS64 synthesizes) are real destinations and are left out. First match wins, so an
 * exception comes before the block that holds it. IPv4-mapped IPv6 forms (::ffff:127.0.0.1)
 * match the IPv4 rows.
 */
const ADDRESS_RANGES: readonly AddressRange[] = [
  { cidr: '10.0.0.0/8', use: 'private', name: 'private-use', rfc: 'RFC 1918' },
  { cidr: '172.16.0.0/12', use: 'private', name: 'private-use', rfc: 'RFC 1918' },
  { cidr: '192.168.0.0/16', use: 'private', name: 'private-use', rfc: 'RFC 1918' },
  { cidr: '100.64.0.0/10', use: 'private', name: 'shared address space', rfc: 'RFC 6598' },
  { cidr: 'fc00::/7', use: 'private', name: 'unique-local', rfc: 'RFC 4193' },
  { cidr: '127.0.0.0/8', use: 'loopback', name: 'loopback', rfc: 'RFC 1122' },
  { cidr: '::1/128', use: 'loopback', name: 'loopback', rfc: 'RFC 4291' },
  { cidr: '0.0.0.0/8', use: 'special', name: 'this network', rfc: 'RFC 791' },
  { cidr: '::/128', use: 'special', name: 'unspecified', rfc: 'RFC 4291' },
  { cidr: '169.254.0.0/16', use: 'special', name: 'link-local', rfc: 'RFC 3927' },
  { cidr: 'fe80::/10', use: 'special', name: 'link-local', rfc: 'RFC 4291' },
  // Port Control Protocol and TURN anycast: globally reachable inside the protocol block.
  { cidr: '192.0.0.9/32', use: 'global', name: 'Port Control Protocol anycast', rfc: 'RFC 7723' },
  { cidr: '192.0.0.10/32', use: 'global', name: 'TURN anycast', rfc: 'RFC 8155' },
  { cidr: '192.0.0.0/24', use: 'special', name: 'IETF protocol assignments', rfc: 'RFC 6890' },
  { cidr: '192.0.2.0/24', use: 'special', name: 'documentation (TEST-NET-1)', rfc: 'RFC 5737' },
  { cidr: '198.51.100.0/24', use: 'special', name: 'documentation (TEST-NET-2)', rfc: 'RFC 5737' },
  { cidr: '203.0.113.0/24', use: 'special', name: 'documentation (TEST-NET-3)', rfc: 'RFC 5737' },
  { cidr: '2001:db8::/32', use: 'special', name: 'documentation', rfc: 'RFC 3849' },
  { cidr: '3fff::/20', use: 'special', name: 'documentation', rfc: 'RFC 9637' },
  { cidr: '192.88.99.0/24', use: 'special', name: 'deprecated 6to4 relay anycast', rfc: 'RFC 7526' },
  { cidr: '198.18.0.0/15', use: 'special', name: 'benchmarking', rfc: 'RFC 2544' },
  { cidr: '2001:2::/48', use: 'special', name: 'benchmarking', rfc: 'RFC 5180' },
  { cidr: '100::/64', use: 'special', name: 'discard-only', rfc: 'RFC 6666' },
  { cidr: '224.0.0.0/4', use: 'special', name: 'multicast', rfc: 'RFC 5771' },
  { cidr: 'ff00::/8', use: 'special', name: 'multicast', rfc: 'RFC 4291' },
  { cidr: '255.255.255.255/32', use: 'special', name: 'limited broadcast', rfc: 'RFC 919' },
  { cidr: '240.0.0.0/4', use: 'special', name: 'reserved', rfc: 'RFC 1112' },
];

const COMPILED_RANGES = ADDRESS_RANGES.map((range) => {
  const [network = '', bits = ''] = range.cidr.split('/');
  const list = new net.BlockList();
  list.addSubnet(network, Number(bits), net.isIPv6(network) ? 'ipv6' : 'ipv4');
  return { range, list };
});

/** The special-purpose range an address is in; null for an ordinary global address or no address at all. */
export function addressRange(ip: string): AddressRange | null {
  const family = net.isIP(ip);
  if (family === 0) return null;
  const type = family === 6 ? 'ipv6' : 'ipv4';
  return COMPILED_RANGES.find(({ list }) => list.check(ip, type))?.range ?? null;
}

/**
 * True for addresses a private endpoint can have: RFC 1918, shared address space
 * (100.64.0.0/10) and IPv6 unique local (fc00::/7), including IPv4-mapped IPv6 forms.
 */
export function isPrivateAddress(ip: string): boolean {
  return addressRange(ip)?.use === 'private';
}

/**
 * True for an answer no service can have: the mark of a DNS filter or sinkhole. Loopback
 * counts as the service only where the run serves it there (the demo, the tests).
 */
export function cannotBeService(ip: string, loopbackIsService: boolean): boolean {
  const use = addressRange(ip)?.use;
  return use === 'special' || (use === 'loopback' && !loopbackIsService);
}

/** How one query for one record type ended. */
export type LookupOutcome =
  | { readonly kind: 'answer'; readonly rcode: 'NOERROR' }
  | { readonly kind: 'no-data'; readonly rcode: 'NOERROR' }
  | { readonly kind: 'rcode'; readonly rcode: string }
  | { readonly kind: 'interrupted' }
  | { readonly kind: 'error'; readonly code: string | null; readonly message: string }
  /** The server's answer to our query does not parse: what is wrong with it. */
  | { readonly kind: 'malformed'; readonly problem: string }
  /** The budget ran out with only datagrams that were no answer to our query: the first of them. */
  | { readonly kind: 'unmatched'; readonly problem: string };

/** A record type's lookup at one server, CNAMEs followed. */
export interface TypeLookup {
  readonly outcome: LookupOutcome;
  readonly addresses: readonly string[];
  readonly cnameChain: readonly string[];
  readonly transport: 'udp' | 'tcp';
}

export interface ServerVerdictInput {
  readonly host: string;
  /** `address:port` of the server. */
  readonly endpoint: string;
  readonly v4: TypeLookup;
  readonly v6: TypeLookup;
  readonly ms: number;
  /** Why the lookup was cut short, if it was. */
  readonly interruption: 'timeout' | 'aborted' | null;
  readonly timeoutMs: number;
  /** Loopback answers are the service: only a run that serves on loopback, asking a resolver on loopback. */
  readonly loopbackIsService: boolean;
}

/** What one server's A and AAAA answers add up to. */
export function judgeServerAnswer(input: ServerVerdictInput): DnsServerAnswer {
  const { host, endpoint, v4, v6, ms } = input;
  const addresses = [...v4.addresses, ...v6.addresses];
  const sinkholed = addresses.filter((address) => cannotBeService(address, input.loopbackIsService));
  const cnameChain = v4.cnameChain.length >= v6.cnameChain.length ? v4.cnameChain : v6.cnameChain;
  const transport = v4.transport === 'tcp' || v6.transport === 'tcp' ? 'tcp' : 'udp';
  const base = { server: endpoint, addresses, sinkholed, cnameChain, transport, ms } as const;
  const named = cnameChain.length === 0 ? host : `${host} (alias of ${cnameChain.join(' → ')})`;
  const failure = (reason: ReasonCode, rcode: string | null, message: string): DnsServerAnswer => ({
    ...base,
    ok: false,
    reason,
    rcode,
    message,
  });

  if (addresses.length > 0 && sinkholed.length === addresses.length) {
    return failure('dns-sinkholed', 'NOERROR', `${endpoint} answered ${named} with ${describeSinkholed(sinkholed)}: a DNS filter or sinkhole, not the service`);
  }
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
      return input.interruption === 'aborted' ? failure('aborted', null, `DNS lookup of ${host} at ${endpoint} aborted after ${ms} ms`) : failure('dns-timeout', null, `no answer from ${endpoint} for ${named} within ${input.timeoutMs} ms`);
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
    case 'malformed':
      return failure('dns-failed', null, `${endpoint} sent a malformed answer for ${named}: ${outcome.problem}`);
    case 'unmatched':
      return failure('dns-failed', null, `${endpoint} sent no answer to the query for ${named} within ${input.timeoutMs} ms, only ${outcome.problem}`);
    default:
      return failure('dns-failed', null, `DNS lookup of ${named} at ${endpoint} failed`);
  }
}

/** `0.0.0.0 (this network), :: (unspecified)`: each address with the range that rules it out. */
export function describeSinkholed(addresses: readonly string[]): string {
  return addresses
    .map((address) => {
      const range = addressRange(address);
      return range === null ? address : `${address} (${range.name})`;
    })
    .join(', ');
}

/** An answer a stub resolver would accept and stop at, rather than try the next server. */
export function isDefinite(answer: DnsServerAnswer): boolean {
  return answer.ok || answer.reason === 'dns-nxdomain' || answer.reason === 'dns-no-data' || answer.reason === 'dns-sinkholed';
}
