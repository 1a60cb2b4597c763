import type { ReasonCode } from './reasons.js';

/** The layers a check passes through, in the order the runner chains them. */
/** `udp` stands alone: a UDP check is DNS then one datagram exchange, with no TLS or HTTP after it. */
export type Phase = 'dns' | 'tcp' | 'tls' | 'http' | 'udp';

export interface PhaseSuccess<D> {
  readonly ok: true;
  readonly phase: Phase;
  /** Wall time the phase took, in whole milliseconds. */
  readonly ms: number;
  readonly details: D;
}

export interface PhaseFailure<D> {
  readonly ok: false;
  readonly phase: Phase;
  readonly ms: number;
  readonly reason: ReasonCode;
  /** One line for humans: names the address, the time budget where one applies, and the cause. */
  readonly message: string;
  /** The low-level code behind the failure (ECONNREFUSED, SELF_SIGNED_CERT_IN_CHAIN, 470…), when there is one. */
  readonly cause: string | null;
  /** Whatever the phase learned before it failed; useful evidence (the presented certificate, the CNAME chain). */
  readonly details: D;
}

/** Every failure keeps its details so a report can show what was seen, not only what went wrong. */
export type PhaseResult<D> = PhaseSuccess<D> | PhaseFailure<D>;

/** Monotonic start mark; wall-clock time can jump while a probe runs. */
export function startClock(): () => number {
  const started = performance.now();
  return () => Math.round(performance.now() - started);
}

export function succeed<D>(phase: Phase, ms: number, details: D): PhaseSuccess<D> {
  return { ok: true, phase, ms, details };
}

export function fail<D>(phase: Phase, ms: number, reason: ReasonCode, message: string, cause: string | null, details: D): PhaseFailure<D> {
  return { ok: false, phase, ms, reason, message, cause, details };
}

// What each phase records, success or failure: the evidence a report shows.

/** What one server said about the host, A and AAAA combined. */
export interface DnsServerAnswer {
  /** `address:port` of the server asked. */
  readonly server: string;
  readonly ok: boolean;
  readonly reason: ReasonCode | null;
  readonly message: string | null;
  /** Response code of the answer that decided the outcome; null when none arrived. */
  readonly rcode: string | null;
  /** IPv4 addresses first, then IPv6, as the server listed them. */
  readonly addresses: readonly string[];
  /** Those of `addresses` no service can have (0.0.0.0, loopback, documentation ranges…): a DNS filter or sinkhole's. */
  readonly sinkholed: readonly string[];
  /** The names the host is an alias of, in order, ending at the canonical name. */
  readonly cnameChain: readonly string[];
  /** 'tcp' when a truncated UDP answer had to be fetched again over TCP. */
  readonly transport: 'udp' | 'tcp';
  readonly ms: number;
}

export interface DnsDetails {
  readonly host: string;
  /** The host was already an IP address; nothing was queried. */
  readonly ipLiteral: boolean;
  /** The addresses to dial: the answer's, less those no service can have. */
  readonly addresses: readonly string[];
  /** What the answer held besides: addresses no service can have (see DnsServerAnswer.sinkholed); never dialled. */
  readonly sinkholed: readonly string[];
  readonly cnameChain: readonly string[];
  /** The server whose answer counts: the first in order that gave a definite answer, as a stub resolver would. */
  readonly answeredBy: string | null;
  readonly servers: readonly DnsServerAnswer[];
  /**
   * Servers that answered gave different address sets (or one says the name does not exist).
   * The classic custom-DNS mistake: one forwarder knows the private zone and another does not.
   */
  readonly serversDisagree: boolean;
}

export type DnsResult = PhaseResult<DnsDetails>;

export interface TcpDetails {
  readonly address: string;
  readonly port: number;
  /** Our side of the connection; shows which interface/source address the OS picked. */
  readonly localAddress: string | null;
  readonly localPort: number | null;
}

export type TcpResult = PhaseResult<TcpDetails>;

export interface UdpDetails {
  readonly address: string;
  readonly port: number;
  readonly localAddress: string | null;
  readonly localPort: number | null;
  /** Datagrams sent before the port answered or the budget ran out. */
  readonly datagramsSent: number;
  /** Size of the datagram that came back; null when none did. */
  readonly replyBytes: number | null;
  /** The errno an ICMP error surfaced as on the connected socket (ECONNREFUSED, EHOSTUNREACH…); null when none came. */
  readonly icmpError: string | null;
}

export type UdpResult = PhaseResult<UdpDetails>;

export interface CertificateSummary {
  readonly subject: string;
  readonly issuer: string;
  readonly subjectAltNames: readonly string[];
  readonly validFrom: string | null;
  readonly validTo: string | null;
  readonly fingerprint256: string;
  readonly serialNumber: string;
}

/** The CA a verified chain rests on. */
export interface TrustAnchor {
  readonly subject: string;
  readonly fingerprint256: string;
  /**
   * One of the roots Node ships (tls.rootCertificates, Mozilla's list, which pip's certifi,
   * conda and most container images carry too), matched by subject and public key. False: a CA
   * only this machine or run trusts (its CA store, NODE_EXTRA_CA_CERTS, --ca-file).
   */
  readonly publicRoot: boolean;
}

export interface TlsDetails {
  readonly host: string;
  readonly address: string;
  readonly port: number;
  /** SNI sent; null for IP-literal hosts, where SNI is not allowed. */
  readonly servername: string | null;
  readonly protocol: string | null;
  readonly cipher: string | null;
  readonly alpn: string | null;
  /** The leaf the server presented, even when it was rejected: that is the evidence of TLS inspection. */
  readonly certificate: CertificateSummary | null;
  /** Subjects of the issuers above the leaf, nearest first, as far as the chain could be built. */
  readonly issuerChain: readonly string[];
  /** The verification error code when the chain or name check failed. */
  readonly verifyError: string | null;
  /** Where the presented chain ends; null when the server presented no certificate. */
  readonly trustAnchor: TrustAnchor | null;
  /**
   * Bytes the server sent during the handshake: 0 on a timeout means it never answered the
   * ClientHello; more means it began to and then stalled.
   */
  readonly bytesReceived: number;
}

export type TlsResult = PhaseResult<TlsDetails>;

/** What the host presented inside a proxy's tunnel: the chain a TLS-inspecting proxy re-signs, and our verdict on it. */
export type TunnelTlsDetails = Pick<TlsDetails, 'protocol' | 'certificate' | 'issuerChain' | 'verifyError' | 'trustAnchor'>;

export interface HttpDetails {
  readonly url: string;
  /** The IP dialled; null through a proxy. */
  readonly address: string | null;
  /** The proxy used, with any credentials masked; null when connecting directly. */
  readonly proxy: string | null;
  readonly status: number | null;
  readonly headers: {
    readonly server: string | null;
    readonly via: string | null;
    readonly contentType: string | null;
    readonly location: string | null;
    readonly date: string | null;
  };
  /** The server's Date minus our clock when its headers came, in ms; null without a usable Date. */
  readonly clockOffsetMs: number | null;
  /** Body bytes kept, at most maxBodyBytes. */
  readonly bytesRead: number;
  /** False when we hung up early (the cap was reached) or the body stalled. */
  readonly bodyComplete: boolean;
  /** Through a proxy, for https: the handshake with the host inside the tunnel (direct checks have a TLS phase instead). */
  readonly tls?: TunnelTlsDetails;
}

export type HttpResult = PhaseResult<HttpDetails>;
