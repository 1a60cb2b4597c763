import { describeRule, type Target } from '../model/target.js';
import type { ReasonCode } from '../model/reasons.js';

/**
 * What an admin should change for a target that failed for this reason. Firewall
 * rules only fix what a firewall broke; a DNS or TLS-inspection failure needs
 * another change, and saying "allow TCP 443" there would send people the wrong way.
 */
export function remediesFor(target: Target, reason: ReasonCode | null): string[] {
  const rules = target.rules.map(describeRule);
  switch (reason) {
    case null:
    case 'aborted':
    case 'internal-error':
      return [];
    case 'dns-nxdomain':
    case 'dns-no-data':
      return [
        target.privateName !== null
          ? `make ${target.host} resolve here: link the privatelink DNS zone to this VNet, or forward the zone from your DNS server to Azure DNS (168.63.129.16)`
          : `make ${target.host} resolve here: your DNS server must forward public names (e.g. to Azure DNS, 168.63.129.16)`,
      ];
    case 'dns-servfail':
    case 'dns-refused':
    case 'dns-timeout':
    case 'dns-failed':
      return ['the DNS server this machine uses failed to answer: repair it, or allow DNS (UDP and TCP 53) to it'];
    case 'dns-not-private':
      return [`make ${target.host} resolve to its private endpoint: add the privatelink zone (or a conditional forwarder to 168.63.129.16) on the DNS server this VNet uses`];
    case 'tls-untrusted':
      return [`exempt ${target.host} from TLS inspection, or trust the inspecting CA here (--ca-file) and on the compute`];
    case 'tls-hostname-mismatch':
    case 'tls-expired':
      return [`something between here and ${target.host} answers with its own certificate: exempt the host from TLS inspection or fix the DNS record that points elsewhere`];
    case 'proxy-unreachable':
      return ['check the proxy address (--proxy, HTTPS_PROXY) and that this machine may reach it'];
    case 'proxy-auth-required':
      return ['give the proxy credentials in the proxy URL (http://user:password@proxy:port), or exempt this machine on the proxy'];
    case 'proxy-denied':
      return [`allow ${target.pattern} on the proxy`, ...rules];
    default:
      // TCP drops, resets, SNI filtering and deny pages: the allow rule is the fix.
      return rules;
  }
}
