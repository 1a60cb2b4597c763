import { CLOUD_NAMES } from '../../model/clouds.js';
import type { AllowEntry, RulesPlan } from '../../remedies/plan.js';
import { isFqdnPattern } from '../../model/identifiers.js';
import { partitionEntries } from '../../remedies/validate.js';
import { commentText, shellWord } from '../shared/quote.js';

/**
 * `rules -o proxy`: what a web proxy must let through (one name per line, `*.x` for every
 * name under x), the traffic a web proxy cannot carry, and the NO_PROXY value for the names
 * that must bypass it, as a line to paste into a shell profile.
 */
export function renderRulesProxy(plan: RulesPlan): string {
  const where = [CLOUD_NAMES[plan.cloud], plan.region].filter((x) => x !== null).join(', ');
  const bypass = new Set(plan.noProxy);
  const { safe, refused } = partitionEntries(plan.allow.filter((e) => e.direction === 'outbound' && !e.hosts.every((h) => bypass.has(h))));
  const isWeb = (e: AllowEntry): boolean => e.protocol === 'HTTP' || e.protocol === 'HTTPS';
  const web = [...new Set(safe.filter((e) => isWeb(e) && e.fqdn !== null).map((e) => e.fqdn as string))];
  // Plain TCP, UDP and Any: a web proxy carries none of them.
  const direct = safe.filter((e) => !isWeb(e));
  const out = [`# aml-netcheck rules: web proxy (${commentText(where)}).`];
  for (const line of refused) out.push(`# left out: ${commentText(line)}`);
  out.push('', '# Allow on the proxy (HTTP and HTTPS CONNECT):', ...web);
  const findings = plan.findings.flatMap((f) => f.remedies.filter((r) => r.kind === 'proxy-credentials' || r.kind === 'proxy-reach').map(() => f));
  if (findings.length > 0) out.push('', '# The proxy itself failed (see the report): check its address, reachability and credentials.');
  const unreached = [...new Set(plan.findings.filter((f) => f.remedies.some((r) => r.kind === 'gateway-egress' && r.gateway === 'proxy')).map((f) => `${f.host}:${f.port}`))];
  if (unreached.length > 0) {
    out.push('', "# The proxy let these through but could not reach them itself: allow the proxy's own outbound traffic to them (-o az, -o csv, with the proxy as the source) and check that it resolves them:");
    for (const name of unreached) out.push(`#   ${commentText(name)}`);
  }
  if (direct.length > 0) {
    out.push('', '# A web proxy cannot carry these; allow them on the firewall (-o az, -o csv) and keep them out of the proxy:');
    for (const e of direct) out.push(`#   ${commentText(`${e.fqdn ?? e.serviceTag ?? ''} ${e.protocol} ${e.port}`)}`);
  }
  const noProxy = [...bypass].filter(isFqdnPattern);
  if (noProxy.length > 0) {
    out.push('', '# These must bypass the proxy: their private endpoint answers only inside the VNet.');
    out.push(`export NO_PROXY="\${NO_PROXY:+\$NO_PROXY,}"${shellWord(noProxy.join(','))}`);
  }
  return `${out.join('\n').trimEnd()}\n`;
}
