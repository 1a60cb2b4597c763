import type { CertificateSummary } from '../../model/phases.js';
import type { ReasonCode } from '../../model/reasons.js';

// What a failed TLS handshake or certificate check means, and how a server that is not TLS is told apart.
// Free of I/O, like every file of classify/: a finding is checked without a socket and the probers keep only the dialling.

/** What a firewall doing TLS inspection produces: a chain that ends in a CA we do not trust. */
const UNTRUSTED_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
  'CERT_SIGNATURE_FAILURE',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_CHAIN_TOO_LONG',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'CERT_REVOKED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
]);
const EXPIRY_CODES = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);
const HOSTNAME_CODES = new Set(['ERR_TLS_CERT_ALTNAME_INVALID', 'HOSTNAME_MISMATCH']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET']);
/**
 * OpenSSL's words for a first record that is no TLS record: plain text ("HTTP/1.1 400",
 * "SSH-2.0-") reads as a wrong version or an absurd length; the http ones are a plain HTTP
 * request or proxy request where TLS was due.
 */
const NOT_TLS_CODES = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_RECORD_LENGTH_MISMATCH', 'ERR_SSL_UNKNOWN_PROTOCOL', 'ERR_SSL_HTTP_REQUEST', 'ERR_SSL_HTTPS_PROXY_REQUEST']);

/** Maps a TLS-level error code, from a handshake or a verification, to a reason. */
export function classifyTlsError(code: string | null): ReasonCode {
  if (code === null) return 'tls-failed';
  if (EXPIRY_CODES.has(code)) return 'tls-expired';
  if (HOSTNAME_CODES.has(code)) return 'tls-hostname-mismatch';
  if (UNTRUSTED_CODES.has(code)) return 'tls-untrusted';
  if (RESET_CODES.has(code)) return 'tls-reset';
  if (NOT_TLS_CODES.has(code)) return 'tls-not-tls';
  return 'tls-failed';
}

/** A failed certificate check is a trust problem unless it is specifically about dates or names. */
export function classifyVerifyError(code: string): 'tls-expired' | 'tls-hostname-mismatch' | 'tls-untrusted' {
  const classified = classifyTlsError(code);
  return classified === 'tls-expired' || classified === 'tls-hostname-mismatch' ? classified : 'tls-untrusted';
}

/**
 * What is wrong with the certificate, to follow "certificate presented by … for …"; the one
 * place that words an untrusted or re-signed chain, for the direct handshake and the proxy's
 * alike. `reason` and `code` are the verification's (classifyVerifyError); `certificate` is
 * the leaf as presented; `issuerChain`, when known, the subjects above it (nearest first), whose
 * last is named as the root the re-signing CA rests on.
 */
export function describeVerifyFailure(reason: ReasonCode, code: string, certificate: CertificateSummary | null, issuerChain: readonly string[] = []): string {
  if (reason === 'tls-expired') {
    if (code === 'CERT_NOT_YET_VALID') return `is not valid until ${certificate?.validFrom ?? 'a later date'} (${code})`;
    return `expired on ${certificate?.validTo ?? 'an earlier date'} (${code})`;
  }
  if (reason === 'tls-hostname-mismatch') {
    const names = certificate?.subjectAltNames.join(', ') || certificate?.subject || 'no names';
    return `does not cover that name; it is for ${names} (${code})`;
  }
  const why = '(the TLS inspection of a firewall or proxy, or a CA this machine lacks)';
  if (certificate === null) return `is not trusted (${code}): it was re-signed by an unknown issuer ${why}`;
  if (certificate.issuer === certificate.subject) return `is not trusted (${code}): it is self-signed ("${certificate.subject}") ${why}`;
  const root = issuerChain.at(-1);
  const under = root !== undefined && root !== certificate.issuer ? ` under "${root}"` : '';
  return `is not trusted (${code}): it was re-signed by "${certificate.issuer}"${under} ${why}`;
}

/** The first bytes a server sent, when they cannot be the start of a TLS record. */
function nonTlsGreeting(firstBytes: Buffer | null): Buffer | null {
  if (firstBytes === null || firstBytes.length === 0) return null;
  // A TLS record starts with its content type (20-24) and major version 3.
  const contentType = firstBytes[0] as number;
  const looksLikeTls = contentType >= 20 && contentType <= 24 && (firstBytes.length < 2 || firstBytes[1] === 3);
  return looksLikeTls ? null : firstBytes;
}

/** The server's first line, printable, as a message quotes it: `HTTP/1.1 400 Bad Request`, `SSH-2.0-OpenSSH_9.6`. */
function greetingExcerpt(greeting: Buffer): string | null {
  const line = greeting.toString('latin1').split(/\r?\n/)[0] ?? '';
  const printable = line.replace(/[^\x20-\x7e]/g, '');
  // Mostly binary: quoting it would say nothing.
  if (printable.length < 3 || printable.length < line.length / 2) return null;
  return printable.length > 40 ? `${printable.slice(0, 37)}...` : printable;
}

/** Our words for a handshake that failed with this code; the code itself goes in `cause`. */
export function handshakeFailureWords(code: string | null): string {
  switch (code) {
    case 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION':
    case 'ERR_SSL_UNSUPPORTED_PROTOCOL':
    case 'ERR_SSL_NO_PROTOCOLS_AVAILABLE':
      return 'the server and this client share no TLS version';
    case 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE':
    case 'ERR_SSL_NO_SHARED_CIPHER':
      return 'the server refused the handshake (no shared cipher or version, or the name is not served there)';
    case 'ERR_SSL_TLSV1_UNRECOGNIZED_NAME':
      return 'the server does not serve that name';
    case 'ERR_SSL_TLSV1_ALERT_ACCESS_DENIED':
      return 'the server or a device on the path denied access';
    case 'ERR_SSL_UNEXPECTED_EOF_WHILE_READING':
      return 'the connection ended in the middle of a TLS record';
    case 'ECONNREFUSED':
      return 'the connection was refused';
    case null:
      return 'the handshake broke off';
    default:
      return code.startsWith('ERR_SSL_') ? 'the server or a device on the path broke off the handshake with a TLS error' : 'the connection failed';
  }
}

/**
 * The reason and message for a handshake that failed with an error, in our words: OpenSSL's
 * own text (multi-line, with source paths) never reaches a report. `firstBytes` are the first
 * bytes the server sent, when known: a greeting that is not TLS names what answers instead.
 */
export function describeHandshakeError(endpoint: string, host: string, code: string | null, firstBytes: Buffer | null = null): { reason: ReasonCode; message: string } {
  const greeting = code !== null && code.startsWith('ERR_SSL_') ? nonTlsGreeting(firstBytes) : null;
  const reason = greeting !== null ? 'tls-not-tls' : classifyTlsError(code);
  const suffix = code === null ? '' : ` (${code})`;
  switch (reason) {
    case 'tls-reset':
      return { reason, message: `connection to ${endpoint} was reset during the TLS handshake for ${host}${suffix}; typical of a firewall filtering by SNI` };
    case 'tls-not-tls':
      return { reason, message: describeNotTls(endpoint, host, greeting) };
    default:
      return { reason, message: `TLS handshake with ${endpoint} for ${host} failed: ${handshakeFailureWords(code)}${suffix}` };
  }
}

/** A server that answered a ClientHello with something other than TLS. */
export function describeNotTls(endpoint: string, host: string, greeting: Buffer | null): string {
  const excerpt = greeting === null ? null : greetingExcerpt(greeting);
  const answered = excerpt !== null ? `answered in plain text, not TLS (it began "${excerpt}")` : 'answered with something other than TLS';
  return `the server at ${endpoint} ${answered}: a proxy or a service other than ${host} answers there`;
}

/**
 * Why a handshake over an open connection can stall, and what to try next, after "timed out
 * after N ms": `bytesReceived` tells a server that never answered the ClientHello from one that
 * began to and then went quiet; null when it is not known.
 */
export function describeTlsStall(address: string, bytesReceived: number | null): string {
  const mtu = `test the path MTU (ping -M do -s 1372 ${address}) and clamp the TCP MSS on the tunnel`;
  if (bytesReceived !== null && bytesReceived > 0) {
    return `the server began to answer (${bytesReceived} bytes arrived) and then stalled: the mark of a path-MTU black hole, ` + `where packets larger than the path allows (a VPN or ExpressRoute tunnel with broken path-MTU discovery) are dropped without an ICMP error; ${mtu}`;
  }
  const nothing = bytesReceived === 0 ? 'the connection opened but the server sent nothing back to the ClientHello' : 'the handshake got no answer';
  return (
    `${nothing}: a firewall or proxy that reads the name (SNI) and drops the connection, or a path-MTU black hole ` +
    `(the server's first packets larger than a VPN or ExpressRoute tunnel lets through, dropped without an ICMP error); ` +
    `try another name on the same address (openssl s_client -servername) and check the firewall's TLS policy, then ${mtu}`
  );
}
