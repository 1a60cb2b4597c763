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
 * Region names carry their cloud in their prefix (usgovvirginia, chinaeast2);
 * a mismatch with --cloud is almost always a copy-paste mistake worth stopping on.
 */
export function cloudOfRegion(region: string): Cloud {
  if (/^(usgov|usdod)/.test(region)) return 'usgov';
  if (region.startsWith('china')) return 'china';
  return 'public';
}

/** The workspace discovery URL names the cloud through its API domain. */
export function cloudOfApiHost(host: string): Cloud | undefined {
  if (host.endsWith('.api.azureml.ms')) return 'public';
  if (host.endsWith('.api.ml.azure.us')) return 'usgov';
  if (host.endsWith('.api.ml.azure.cn')) return 'china';
  return undefined;
}
