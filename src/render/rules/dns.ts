import { CLOUD_NAMES } from '../../model/clouds.js';
import type { RulesPlan } from '../../remedies/plan.js';
import { AZURE_DNS } from '../../remedies/private-zones.js';
import { describeRemedy } from '../../remedies/remedy.js';
import type { RulesRenderOptions } from './formats.js';
import { commentText } from '../shared/quote.js';

/** What every managed online endpoint name of the workspace resolves to, by Azure's custom DNS article. */
const INFERENCE_ADDRESS = 'the inference address of the workspace private endpoint';

/**
 * `rules -o dns`: for each private-link name, the private DNS zone Azure uses for it, the
 * record inside it, and the public zone a custom DNS server should forward to Azure DNS.
 * With a workspace private endpoint, also every zone and forwarder the custom DNS article
 * lists for the cloud and the wildcard records of online endpoints, whatever facts are given.
 * From a report, also the public names that did not resolve and the resolvers that failed.
 */
export function renderRulesDns(plan: RulesPlan, options: Pick<RulesRenderOptions, 'privateDns'> = {}): string {
  const where = [CLOUD_NAMES[plan.cloud], plan.region].filter((x) => x !== null).join(', ');
  const dns = options.privateDns ?? null;
  const out = [`# aml-netcheck rules: DNS for the workspace's private-link names (${commentText(where)}).`];
  if (dns !== null) out.push(`# Zones and forwarders of the workspace private endpoint: ${commentText(dns.source)}`);
  out.push('');
  const zones = new Map<string, string[]>((dns?.privateZones ?? []).map((zone) => [zone, []]));
  const direct: string[] = [];
  const forward = new Set<string>(dns?.forwardZones ?? []);
  for (const { host, record } of plan.privateNames) {
    if (record === null) {
      direct.push(`  ${commentText(host)}  A  <its private endpoint address>`);
      continue;
    }
    for (const zone of record.forwardZones) forward.add(zone);
    const line = `  ${commentText(record.record)}  A  <${record.pointsAt}>    (${commentText(host)}${record.alias === null ? '' : `, alias of ${commentText(record.alias)}`})`;
    if (record.zone === null) direct.push(`  ${commentText(host)}  A  <${record.pointsAt}>`);
    else zones.set(record.zone, [...(zones.get(record.zone) ?? []), line]);
  }
  for (const { zone, record } of dns?.endpointRecords ?? []) {
    const line = `  ${commentText(record)}  A  <${INFERENCE_ADDRESS}>    (every managed online endpoint of the workspace)`;
    if (zones.has(zone)) zones.set(zone, [...(zones.get(zone) ?? []), line]);
    else direct.push(`  ${commentText(`${record}.${zone}`)}  A  <${INFERENCE_ADDRESS}>    (every managed online endpoint, in a zone made by hand)`);
  }
  if (plan.privateNames.length === 0 && dns === null) out.push('No name needs to resolve privately (the facts name no private endpoint).', '');
  if (zones.size > 0) {
    out.push('Private DNS zones (Azure DNS private zones linked to the VNet, or zones on your own DNS server), and their records:', '');
    for (const [zone, lines] of zones) out.push(commentText(zone), ...(lines.length > 0 ? lines : ['  (none of its names follows from the facts given)']), '');
  }
  if (direct.length > 0) out.push('Records without a privatelink zone (on your DNS server, or the hosts file):', ...direct, '');
  if (forward.size > 0) {
    out.push(`With a custom DNS server in the VNet: conditional forwarders to Azure DNS (${AZURE_DNS}) for`, ...[...forward].map((z) => `  ${commentText(z)}`));
    const notOnPremises = dns === null ? [] : dns.forwardZones.filter((zone) => !dns.onPremisesZones.includes(zone));
    const which = notOnPremises.length === 0 ? 'the same zones' : `the same zones but ${notOnPremises.map(commentText).join(', ')}`;
    out.push(`From on-premises: forward ${which} to a DNS forwarder (or Azure DNS Private Resolver) inside the VNet, which asks ${AZURE_DNS}.`, '');
  }
  const others = plan.findings.flatMap((f) =>
    f.remedies
      .filter((r) => r.kind === 'dns-public' || r.kind === 'dns-server-repair' || r.kind === 'dns-filter-allow')
      .flatMap(describeRemedy)
      .map((s) => `  ${commentText(`${f.target}: ${s}`)}`),
  );
  if (others.length > 0) out.push('Other DNS failures:', ...others, '');
  return `${out.join('\n').trimEnd()}\n`;
}
