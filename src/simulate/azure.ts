import net from 'node:net';
import { startDnsServer, type NameBehaviour, type Zone } from './dns-server.js';
import { createPki, type Pki } from './pki.js';
import { azureFirewallDeny, hugeBody, respondWith, squidError, startDroppingListener, startHangUpServer, startHttpServer, startSilentServer, startUdpServer, type Handler, type RunningServer } from './servers.js';

/**
 * How one simulated endpoint answers, covering what a locked-down VNet does to traffic:
 * `ok` is the real service; the rest are the ways firewalls, proxies and DNS break it.
 */
export type EndpointBehavior = 'ok' | 'refuse' | 'drop' | 'silent' | 'tls-reset' | 'tls-intercept' | 'tls-expired' | 'tls-wrong-name' | 'deny-470' | 'deny-squid' | 'huge-body';

/** `sinkhole`: a DNS filter's answer, 0.0.0.0 and `::`, in place of the host's address. */
export type DnsBehavior = 'ok' | 'nxdomain' | 'servfail' | 'refused' | 'drop' | 'sinkhole';

/** A UDP endpoint: `ok` answers, `silent` swallows every datagram, `closed` has nothing bound (ICMP port unreachable). */
export type UdpBehavior = 'ok' | 'silent' | 'closed';

export interface SimulatedHost {
  readonly name: string;
  /**
   * Where the host's servers listen and what its A (or, for IPv6, AAAA) record says. A
   * dual-stack host is two entries of the same name, one address each.
   */
  readonly address: string;
  readonly dns?: DnsBehavior;
  /** Answer with this CNAME first (a privatelink alias), then its address. */
  readonly cname?: string;
  /** Catalog port to behaviour. 443 speaks TLS and HTTP, 80 plain HTTP, other ports only accept TCP. */
  readonly ports: Readonly<Record<string, EndpointBehavior>>;
  /** Catalog UDP port to behaviour; mapped through portMap like the TCP ports. */
  readonly udpPorts?: Readonly<Record<string, UdpBehavior>>;
}

export interface SimulatedAzureSpec {
  readonly dns: { readonly address: string; readonly port?: number };
  readonly hosts: readonly SimulatedHost[];
  /** Catalog port to the port really listened on, for runs that may not bind below 1024. */
  readonly portMap?: Readonly<Record<string, number>>;
  /** Round trip added by the DNS server and every endpoint (the benchmark's WAN). */
  readonly latencyMs?: number;
  /** What a catalog port speaks; by default 443 is HTTPS, 80 HTTP and the rest bare TCP. */
  readonly schemes?: Readonly<Record<string, 'https' | 'http' | 'tcp'>>;
}

export interface SimulatedAzure {
  readonly dnsServer: { readonly address: string; readonly port: number };
  /** The CA the healthy endpoints' certificates chain to: pass it with --ca-file. */
  readonly caPem: string;
  close(): Promise<void>;
}

function schemeOf(spec: SimulatedAzureSpec, port: number): 'https' | 'http' | 'tcp' {
  return spec.schemes?.[String(port)] ?? (port === 443 ? 'https' : port === 80 ? 'http' : 'tcp');
}

/** A reply shaped like a real Azure front door's: a status the service would give without credentials. */
const serviceReply: Handler = respondWith(401, '{"error":{"code":"Unauthorized"}}', { 'content-type': 'application/json', server: 'simulated-azure' });

function dnsRecord(host: SimulatedHost): Zone {
  const zone: Record<string, NameBehaviour> = {};
  switch (host.dns ?? 'ok') {
    case 'nxdomain':
      zone[host.name] = { rcode: 'NXDOMAIN' };
      return zone;
    case 'servfail':
      zone[host.name] = { rcode: 'SERVFAIL' };
      return zone;
    case 'refused':
      zone[host.name] = { rcode: 'REFUSED' };
      return zone;
    case 'drop':
      zone[host.name] = { drop: true };
      return zone;
    case 'sinkhole':
      zone[host.name] = { a: ['0.0.0.0'], aaaa: ['::'] };
      return zone;
    case 'ok':
      break;
  }
  const record = net.isIPv6(host.address) ? { aaaa: [host.address] } : { a: [host.address] };
  if (host.cname) {
    zone[host.name] = { cname: host.cname };
    zone[host.cname] = record;
  } else {
    zone[host.name] = record;
  }
  return zone;
}

/** Every host's records in one zone: the addresses of a name given twice (IPv4 and IPv6) add up. */
function zoneOf(hosts: readonly SimulatedHost[]): Zone {
  const zone: Record<string, NameBehaviour> = {};
  for (const [name, behaviour] of hosts.flatMap((host) => Object.entries(dnsRecord(host)))) {
    const earlier = zone[name];
    const bothAddresses = earlier !== undefined && (earlier.a ?? earlier.aaaa) !== undefined && (behaviour.a ?? behaviour.aaaa) !== undefined;
    zone[name] = bothAddresses ? { a: [...(earlier.a ?? []), ...(behaviour.a ?? [])], aaaa: [...(earlier.aaaa ?? []), ...(behaviour.aaaa ?? [])] } : behaviour;
  }
  return zone;
}

type Credentials = { cert: string; key: string };

async function startEndpoint(host: SimulatedHost, scheme: 'https' | 'http' | 'tcp', behavior: EndpointBehavior, bind: { address: string; port: number; latencyMs?: number }, pki: Pki, healthy: () => Credentials): Promise<RunningServer | null> {
  const credentials = (): Credentials => {
    switch (behavior) {
      case 'tls-intercept':
        return pki.issue({ names: [host.name], issuer: 'interception', withChain: true });
      case 'tls-expired':
        return pki.issue({ names: [host.name], expired: true });
      case 'tls-wrong-name':
        return pki.issue({ names: [`other.${host.name}`] });
      default:
        return healthy();
    }
  };
  switch (behavior) {
    case 'refuse':
      return null;
    case 'drop':
      return startDroppingListener(bind);
    case 'silent':
      return startSilentServer(bind);
    case 'tls-reset':
      return startHangUpServer('reset', bind);
    default:
      break;
  }
  const handler = behavior === 'deny-470' ? azureFirewallDeny : behavior === 'deny-squid' ? squidError() : behavior === 'huge-body' ? hugeBody : serviceReply;
  if (scheme === 'https') return startHttpServer(handler, credentials(), bind);
  if (scheme === 'http') return startHttpServer(handler, undefined, bind);
  // SMB, RStudio and the like: a TCP accept is all a check can ask of them.
  return startSilentServer(bind);
}

/**
 * About as many names as Azure's own multi-name certificates carry. More would make every
 * handshake (and every report, which lists the names) heavier than anything real.
 */
const NAMES_PER_CERTIFICATE = 50;

/**
 * Signing is the slow part, so healthy endpoints share certificates: each names every host
 * that resolves to the addresses it covers (names that only alias an address included).
 */
function sharedCertificates(hosts: readonly SimulatedHost[], pki: Pki): (address: string) => Credentials {
  const namesByAddress = new Map<string, string[]>();
  for (const host of hosts) namesByAddress.set(host.address, [...(namesByAddress.get(host.address) ?? []), host.name]);
  const groupOf = new Map<string, number>();
  const groups: string[][] = [[]];
  for (const [address, names] of namesByAddress) {
    let current = groups[groups.length - 1] as string[];
    if (current.length > 0 && current.length + names.length > NAMES_PER_CERTIFICATE) groups.push((current = []));
    current.push(...names);
    groupOf.set(address, groups.length - 1);
  }
  const issued = new Map<number, Credentials>();
  return (address) => {
    const group = groupOf.get(address) ?? 0;
    let credentials = issued.get(group);
    if (!credentials) issued.set(group, (credentials = pki.issue({ names: groups[group] ?? [] })));
    return credentials;
  };
}

/**
 * Starts a simulated Azure: an authoritative DNS server for every host, and servers on
 * each host's address that behave as the spec says. Nothing here reaches beyond the
 * addresses the spec names.
 */
export async function startSimulatedAzure(spec: SimulatedAzureSpec): Promise<SimulatedAzure> {
  const pki = createPki();
  const healthy = sharedCertificates(spec.hosts, pki);
  const zone = zoneOf(spec.hosts);
  const running: RunningServer[] = [];
  const dns = await startDnsServer(zone, { address: spec.dns.address, port: spec.dns.port ?? 53, latencyMs: spec.latencyMs });
  try {
    for (const host of spec.hosts) {
      for (const [portText, behavior] of Object.entries(host.ports)) {
        const catalogPort = Number(portText);
        const bind = { address: host.address, port: spec.portMap?.[portText] ?? catalogPort, latencyMs: spec.latencyMs };
        const server = await startEndpoint(host, schemeOf(spec, catalogPort), behavior, bind, pki, () => healthy(host.address));
        if (server) running.push(server);
      }
      for (const [portText, behavior] of Object.entries(host.udpPorts ?? {})) {
        if (behavior === 'closed') continue;
        const bind = { address: host.address, port: spec.portMap?.[portText] ?? Number(portText), latencyMs: spec.latencyMs };
        running.push(await startUdpServer(behavior === 'ok' ? 'echo' : 'silent', bind));
      }
    }
  } catch (error) {
    await Promise.all([dns.close(), ...running.map((s) => s.close())]);
    throw error;
  }
  return {
    dnsServer: dns.server,
    caPem: pki.trusted.cert,
    close: async () => {
      await Promise.all([dns.close(), ...running.map((s) => s.close())]);
    },
  };
}
