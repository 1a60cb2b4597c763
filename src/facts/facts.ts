import type { PartialFacts, WorkspaceFacts } from '../model/facts.js';
import { isIP } from 'node:net';
import { InputError } from '../model/errors.js';
import { cloudOfRegion, isCloud, CLOUD_NAMES } from '../model/clouds.js';
import { isValidHostname, isValidHostOrAddress } from '../model/hosts.js';


/** Where a fact came from, for error messages: a flag, or a file and key path. */
export type FactSource = (key: keyof WorkspaceFacts) => string;

const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface NameRule {
  re: RegExp;
  expected: string;
}

// Azure's own naming rules; a value outside them cannot be the real resource.
const NAME_RULES: Partial<Record<keyof WorkspaceFacts, NameRule>> = {
  region: { re: /^[a-z][a-z0-9]{2,29}$/, expected: 'an Azure region name such as westus2' },
  workspaceId: { re: GUID_RE, expected: 'a GUID such as 0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11' },
  workspaceName: { re: /^[A-Za-z0-9][A-Za-z0-9_-]{2,32}$/, expected: 'a workspace name of 3-33 letters, digits, hyphens or underscores' },
  storageAccount: { re: /^[a-z0-9]{3,24}$/, expected: 'a storage account name of 3-24 lower-case letters and digits' },
  keyVault: { re: /^[A-Za-z](?:[A-Za-z0-9]|-(?!-)){1,22}[A-Za-z0-9]$/, expected: 'a key vault name of 3-24 letters, digits and single hyphens' },
  // Azure asks for at least 5 characters today, but older registries can be shorter.
  containerRegistry: { re: /^[A-Za-z0-9]{1,50}$/, expected: 'a registry name of up to 50 letters and digits' },
};

const COMPUTE_RULE: NameRule = { re: /^[A-Za-z][A-Za-z0-9-]{1,22}[A-Za-z0-9]$/, expected: 'a compute instance name of 3-24 letters, digits and hyphens' };

function checkName(value: string, rule: NameRule, where: string): void {
  if (!rule.re.test(value)) throw new InputError(where, `'${value}' is not ${rule.expected}`);
}

export function defaultFacts(): WorkspaceFacts {
  return {
    cloud: 'public',
    computeInstances: [],
    privateEndpoint: false,
    hbi: false,
    customImages: false,
    userManagedDependencies: false,
    customPackageIndex: false,
  };
}

/**
 * Merges layers of facts (later layers win, as flags override the file) and checks
 * every value against Azure's naming rules, naming the flag or key it came from.
 */
export function resolveFacts(layers: Array<{ facts: PartialFacts; source: FactSource }>): WorkspaceFacts {
  const facts = defaultFacts();
  const origin = new Map<keyof WorkspaceFacts, string>();
  for (const { facts: layer, source } of layers) {
    for (const [key, value] of Object.entries(layer) as Array<[keyof WorkspaceFacts, unknown]>) {
      if (value === undefined) continue;
      if (key === 'computeInstances' && Array.isArray(value) && value.length === 0) continue;
      (facts as unknown as Record<string, unknown>)[key] = value;
      origin.set(key, source(key));
    }
  }
  const where = (key: keyof WorkspaceFacts): string => origin.get(key) ?? key;

  if (!isCloud(facts.cloud)) throw new InputError(where('cloud'), `unknown cloud '${String(facts.cloud)}' (expected public, usgov or china)`);
  for (const [key, rule] of Object.entries(NAME_RULES) as Array<[keyof WorkspaceFacts, NameRule]>) {
    const value = facts[key];
    if (typeof value === 'string') checkName(value, rule, where(key));
  }
  if (facts.workspaceId) facts.workspaceId = facts.workspaceId.toLowerCase();
  for (const name of facts.computeInstances) checkName(name, COMPUTE_RULE, where('computeInstances'));
  facts.computeInstances = [...new Set(facts.computeInstances)];
  if (facts.notebookFqdn !== undefined && !isValidHostname(facts.notebookFqdn.toLowerCase())) {
    throw new InputError(where('notebookFqdn'), `'${facts.notebookFqdn}' is not a valid host name`);
  }
  if (facts.nodeAddress !== undefined && !isValidHostOrAddress(facts.nodeAddress) && isIP(facts.nodeAddress) === 0) {
    throw new InputError(where('nodeAddress'), `'${facts.nodeAddress}' is not an IP address or host name`);
  }
  if (facts.region !== undefined) {
    const regionCloud = cloudOfRegion(facts.region);
    if (regionCloud !== facts.cloud) {
      throw new InputError(
        where('region'),
        `region '${facts.region}' belongs to ${CLOUD_NAMES[regionCloud]} but the cloud is ${facts.cloud} (set --cloud ${regionCloud})`,
      );
    }
  }
  return facts;
}
