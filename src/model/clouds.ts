export const CLOUDS = ['public', 'usgov', 'china'] as const;
export type Cloud = (typeof CLOUDS)[number];

export function isCloud(value: string): value is Cloud {
  return (CLOUDS as readonly string[]).includes(value);
}

export const CLOUD_NAMES: Record<Cloud, string> = {
  public: 'Azure public',
  usgov: 'Azure Government',
  china: 'Azure China (21Vianet)',
};

/**
 * Region names as ARM spells them (`location`), per cloud. A name not listed is still used
 * (Azure adds regions), with a warning: it is more often a typo.
 */
const REGIONS: Record<Cloud, readonly string[]> = {
  public: [
    'australiacentral',
    'australiacentral2',
    'australiaeast',
    'australiasoutheast',
    'austriaeast',
    'belgiumcentral',
    'brazilsouth',
    'brazilsoutheast',
    'canadacentral',
    'canadaeast',
    'centralindia',
    'centralus',
    'centraluseuap',
    'chilecentral',
    'eastasia',
    'eastus',
    'eastus2',
    'eastus2euap',
    'francecentral',
    'francesouth',
    'germanynorth',
    'germanywestcentral',
    'indonesiacentral',
    'israelcentral',
    'italynorth',
    'japaneast',
    'japanwest',
    'jioindiacentral',
    'jioindiawest',
    'koreacentral',
    'koreasouth',
    'malaysiawest',
    'mexicocentral',
    'newzealandnorth',
    'northcentralus',
    'northeurope',
    'norwayeast',
    'norwaywest',
    'polandcentral',
    'qatarcentral',
    'southafricanorth',
    'southafricawest',
    'southcentralus',
    'southeastasia',
    'southindia',
    'spaincentral',
    'swedencentral',
    'swedensouth',
    'switzerlandnorth',
    'switzerlandwest',
    'uaecentral',
    'uaenorth',
    'uksouth',
    'ukwest',
    'westcentralus',
    'westeurope',
    'westindia',
    'westus',
    'westus2',
    'westus3',
  ],
  usgov: ['usgovarizona', 'usgovtexas', 'usgovvirginia', 'usdodcentral', 'usdodeast'],
  china: ['chinaeast', 'chinaeast2', 'chinaeast3', 'chinanorth', 'chinanorth2', 'chinanorth3'],
};

/** The cloud a listed region belongs to; undefined for a name we do not know. */
export function knownRegionCloud(region: string): Cloud | undefined {
  return CLOUDS.find((cloud) => REGIONS[cloud].includes(region));
}

/**
 * The cloud of a region: from the list, else from the prefix sovereign regions carry
 * (usgov…, usdod…, china…), so a new sovereign region still implies its cloud.
 */
export function cloudOfRegion(region: string): Cloud {
  const known = knownRegionCloud(region);
  if (known) return known;
  if (/^(usgov|usdod)/.test(region)) return 'usgov';
  if (region.startsWith('china')) return 'china';
  return 'public';
}

/** `West US 2`, `WESTUS2` and ` westus2 ` all name westus2, as the portal and ARM write it. */
export function normaliseRegion(region: string): string {
  return region.toLowerCase().replace(/\s+/g, '');
}

/** The workspace discovery URL names the cloud through its API domain. */
export function cloudOfApiHost(host: string): Cloud | undefined {
  if (host.endsWith('.api.azureml.ms')) return 'public';
  if (host.endsWith('.api.ml.azure.us')) return 'usgov';
  if (host.endsWith('.api.ml.azure.cn')) return 'china';
  return undefined;
}
