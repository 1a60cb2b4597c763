import type { Cloud } from '../model/clouds.js';
import { REGISTRY_SUFFIX, STORAGE_SUFFIX, VAULT_SUFFIX, WORKSPACE_PRIVATE_DOMAINS, type PrivateNameKind } from '../model/private-names.js';

/** Azure DNS, reachable from inside any Azure VNet: where conditional forwarders should point. */
export const AZURE_DNS = '168.63.129.16';

const VAULT_PRIVATE_ZONE: Readonly<Record<Cloud, string>> = {
  public: 'privatelink.vaultcore.azure.net',
  usgov: 'privatelink.vaultcore.usgovcloudapi.net',
  china: 'privatelink.vaultcore.azure.cn',
};

/**
 * How a private-link name must resolve: which private DNS zone holds its record, under which
 * relative name, the alias (CNAME) Azure's public DNS hands out for it, and the public zone a
 * custom DNS server should forward to Azure DNS instead.
 */
export interface PrivateZoneRecord {
  readonly host: string;
  /** The `privatelink.` zone to create and link to the VNet; null when Azure documents none (compute instances). */
  readonly zone: string | null;
  /** The record inside the zone (relative name), or the host itself when there is no zone. */
  readonly record: string;
  /** The name the host should be an alias of on its way to the private address; null when there is none. */
  readonly alias: string | null;
  /** Zones a custom DNS server should forward to Azure DNS (168.63.129.16). */
  readonly forwardZones: readonly string[];
  /** What the record should point at. */
  readonly pointsAt: string;
  /** A wildcard record that covers this name and its siblings, for a zone made by hand; absent for most names. */
  readonly wildcard?: string;
}

function under(host: string, domain: string): string | null {
  return host.endsWith(`.${domain}`) ? host.slice(0, -domain.length - 1) : null;
}

function inZone(host: string, relative: string, zone: string, forwardZones: readonly string[], pointsAt: string): PrivateZoneRecord {
  return { host, zone, record: relative, alias: `${relative}.${zone}`, forwardZones, pointsAt };
}

/** The private DNS record a private-link name needs, or null when the host is not one aml-netcheck knows. */
export function privateZoneRecord(host: string, kind: PrivateNameKind, cloud: Cloud): PrivateZoneRecord | null {
  const name = host.toLowerCase().replace(/\.$/, '');
  const domains = WORKSPACE_PRIVATE_DOMAINS[cloud];
  const endpoint = 'the workspace private endpoint address';
  switch (kind) {
    case 'workspace-api': {
      const relative = under(name, domains.api);
      return relative === null ? null : inZone(name, relative, `privatelink.${domains.api}`, [domains.api], endpoint);
    }
    case 'notebooks': {
      const relative = under(name, domains.notebooks);
      return relative === null ? null : inZone(name, relative, `privatelink.${domains.notebooks}`, [domains.notebooks], 'the notebooks address of the workspace private endpoint');
    }
    case 'compute-instance':
      // Azure's custom DNS article maps these names straight to the workspace endpoint's address.
      return { host: name, zone: null, record: name, alias: null, forwardZones: [domains.instances], pointsAt: endpoint };
    case 'online-endpoint': {
      // Every endpoint of the workspace shares one inference address of the workspace private endpoint.
      const region = under(name, domains.inference)?.split('.')[1];
      if (region === undefined) return null;
      return { host: name, zone: null, record: name, alias: null, forwardZones: [domains.inference], pointsAt: 'the inference address of the workspace private endpoint', wildcard: `*.${region}.${domains.inference}` };
    }
    case 'storage': {
      const suffix = STORAGE_SUFFIX[cloud];
      const [account, service] = name.split('.');
      const zone = `privatelink.${service ?? ''}.${suffix}`;
      return account === undefined || under(name, suffix) === null ? null : inZone(name, account, zone, [`${service ?? ''}.${suffix}`], 'the storage account private endpoint address');
    }
    case 'key-vault': {
      const relative = under(name, VAULT_SUFFIX[cloud]);
      return relative === null ? null : inZone(name, relative, VAULT_PRIVATE_ZONE[cloud], [VAULT_SUFFIX[cloud], VAULT_PRIVATE_ZONE[cloud].replace(/^privatelink\./, '')], 'the key vault private endpoint address');
    }
    case 'container-registry': {
      const relative = under(name, REGISTRY_SUFFIX[cloud]);
      return relative === null ? null : inZone(name, relative, `privatelink.${REGISTRY_SUFFIX[cloud]}`, [REGISTRY_SUFFIX[cloud]], 'the registry private endpoint address');
    }
  }
}
