import type { WorkspaceFacts } from '../model/facts.js';
import { fillTemplate } from './host-pattern.js';
import { PLACEHOLDERS } from './placeholders.js';
import type { Catalog, PrivateDnsDef } from './types.js';

/** The catalog's private DNS data for the workspace's cloud; its records' placeholders the facts do not fill stay in, for the admin to fill. */
export type PrivateDnsPlan = Pick<PrivateDnsDef, 'source' | 'privateZones' | 'forwardZones' | 'onPremisesZones' | 'endpointRecords'>;

/** Null without a workspace private endpoint: its zones and forwarders are then not needed. */
export function privateDnsPlan(catalog: Catalog, facts: WorkspaceFacts): PrivateDnsPlan | null {
  const dns = catalog.privateDns?.get(facts.cloud);
  if (!facts.privateEndpoint || dns === undefined) return null;
  const fill = (template: string): string => {
    const filled = fillTemplate(template, (name) => PLACEHOLDERS.get(name)?.values(facts) ?? []);
    return filled.ok ? (filled.hosts[0] ?? template) : filled.partial;
  };
  return {
    source: dns.source,
    privateZones: dns.privateZones,
    forwardZones: dns.forwardZones,
    onPremisesZones: dns.onPremisesZones,
    endpointRecords: dns.endpointRecords.map(({ zone, record }) => ({ zone, record: fill(record) })),
  };
}
