import dns from 'node:dns';
import net from 'node:net';
import type { DnsDetails, DnsResult, DnsServerAnswer } from '../model/phases.js';
import { fail, startClock, succeed } from '../model/phases.js';
import { addressRange, isDefinite, judgeServerAnswer } from './classify/dns.js';
import { runProbe, type Interruption, type ProbeContext, type Prober, type ProbeScope } from './contract.js';
import { lookupType, type DnsServer } from './dns-wire.js';
import { formatEndpoint } from '../model/hosts.js';

export type { DnsServer } from './dns-wire.js';
// The runner reads it from here; the range table itself lives with the other tables.
export { describeSinkholed, isPrivateAddress } from './classify/dns.js';

export interface DnsTarget {
  /** A name, or an IP literal (returned as is, `[…]` allowed for IPv6). */
  readonly host: string;
}

export interface DnsContext extends ProbeContext {
  /** Servers to ask; defaults to the machine's own resolvers (dns.getServers()). */
  readonly servers?: readonly DnsServer[];
  /**
   * The services are simulated on loopback (the demo, the tests): a loopback answer from a
   * resolver that is itself on loopback is the service, not a sinkhole. Any other resolver's
   * loopback answer, and every other special-use answer, still is one.
   */
  readonly allowLoopbackAnswers?: boolean;
}

/** Events the DNS prober passes to `trace`; `tcp.*` only after a truncated UDP answer. */
export const DNS_TRACE_EVENTS = ['query', 'udp.connect', 'udp.sent', 'udp.message', 'udp.error', 'truncated', 'tcp.connect', 'tcp.data', 'tcp.error', 'tcp.close', 'interrupt'] as const;

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

function systemDnsServers(): DnsServer[] {
  return dns.getServers().flatMap((spec) => parseServerSpec(spec) ?? []);
}

/**
 * Resolves A and AAAA for a host by asking each DNS server directly, so the report can say
 * which server said what. Never throws for a network outcome.
 */
export const resolveHost = (async (target: DnsTarget, context: DnsContext): Promise<DnsResult> => {
  const { host } = target;
  const name = stripBrackets(host.trim());
  if (name === '') throw new TypeError('resolveHost needs a host name');

  if (net.isIP(name) !== 0) {
    return succeed('dns', 0, {
      host,
      ipLiteral: true,
      addresses: [name],
      sinkholed: [],
      cnameChain: [],
      answeredBy: null,
      servers: [],
      serversDisagree: false,
    });
  }

  const elapsed = startClock();
  const servers = context.servers ?? systemDnsServers();
  const emptyDetails: DnsDetails = {
    host,
    ipLiteral: false,
    addresses: [],
    sinkholed: [],
    cnameChain: [],
    answeredBy: null,
    servers: [],
    serversDisagree: false,
  };
  if (servers.length === 0) {
    return fail('dns', elapsed(), 'dns-failed', `no DNS servers are configured to resolve ${host}`, null, emptyDetails);
  }

  // No `interrupted`: a timeout is a per-server finding, judged once every server's lookup has ended.
  return runProbe<DnsDetails>({ phase: 'dns', what: `DNS lookup of ${host}`, context, details: () => emptyDetails }, async (scope) => {
    const loopbackIsService = (server: DnsServer): boolean => context.allowLoopbackAnswers === true && addressRange(server.address)?.use === 'loopback';
    const answers = await Promise.all(servers.map((server) => askServer(server, name, loopbackIsService(server), scope)));
    return summarize(host, answers, scope.deadline.interruption, scope.elapsed());
  });
}) satisfies Prober<DnsTarget, DnsContext, DnsDetails>;

/** Compares what the servers said: the first definite answer counts, and any difference is flagged. */
function summarize(host: string, answers: DnsServerAnswer[], interruption: Interruption | null, ms: number): DnsResult {
  const definite = answers.filter(isDefinite);
  const distinctSets = new Set(definite.map((answer) => [...answer.addresses].sort().join(' ')));
  const chosen = definite[0];
  const details: DnsDetails = {
    host,
    ipLiteral: false,
    addresses: chosen?.addresses.filter((address) => !chosen.sinkholed.includes(address)) ?? [],
    sinkholed: chosen?.sinkholed ?? [],
    cnameChain: chosen?.cnameChain ?? answers[0]?.cnameChain ?? [],
    answeredBy: chosen?.server ?? null,
    servers: answers,
    serversDisagree: distinctSets.size > 1,
  };

  if (interruption === 'aborted') {
    return fail('dns', ms, 'aborted', `DNS lookup of ${host} aborted after ${ms} ms`, null, details);
  }
  if (chosen?.ok === true) return succeed('dns', ms, details);
  if (chosen !== undefined) {
    return fail('dns', ms, chosen.reason ?? 'dns-failed', chosen.message ?? '', chosen.rcode, details);
  }
  // No server gave a definite answer: report the first one's problem, and the others' too.
  const first = answers[0];
  const message = answers
    .map((answer) => answer.message)
    .filter((text) => text !== null)
    .join('; ');
  return fail('dns', ms, first?.reason ?? 'dns-failed', message, first?.rcode ?? null, details);
}

async function askServer(server: DnsServer, host: string, loopbackIsService: boolean, scope: ProbeScope<DnsDetails>): Promise<DnsServerAnswer> {
  const elapsed = startClock();
  const [v4, v6] = await Promise.all([lookupType(server, host, 'A', scope), lookupType(server, host, 'AAAA', scope)]);
  return judgeServerAnswer({
    host,
    endpoint: formatEndpoint(server.address, server.port),
    v4,
    v6,
    ms: elapsed(),
    interruption: scope.deadline.interruption,
    timeoutMs: scope.deadline.timeoutMs,
    loopbackIsService,
  });
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
