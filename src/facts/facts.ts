import type { PartialFacts, WorkspaceFacts } from '../model/facts.js';
import { InputError } from '../model/errors.js';
import { cloudOfRegion, knownRegionCloud, CLOUD_NAMES } from '../model/clouds.js';
import { quote } from '../model/text.js';
import { FACT_ROWS, type FactKey } from './table.js';

/** Where a fact came from, for error messages: a flag, or a file and key path. */
export type FactSource = (key: keyof WorkspaceFacts) => string;

export interface FactLayer {
  readonly facts: PartialFacts;
  readonly source: FactSource;
}

export interface ResolvedFacts {
  readonly facts: WorkspaceFacts;
  /** Doubts worth a line on stderr that do not stop the run (an unknown region name). */
  readonly warnings: string[];
}

export function defaultFacts(): WorkspaceFacts {
  return {
    cloud: 'public',
    computeInstances: [],
    onlineEndpoints: [],
    privateEndpoint: false,
    privateResources: [],
    hbi: false,
    customImages: false,
    userManagedDependencies: false,
    customPackageIndex: false,
    publicIpCompute: false,
    rstudio: false,
    storageFirewall: false,
    privateAzureMonitor: false,
  };
}

function isEmptyList(value: unknown): boolean {
  return Array.isArray(value) && value.length === 0;
}

/**
 * Merges layers of facts (later layers win, as flags override the file), then checks and
 * normalises every value with its row's rule, naming the flag or key it came from.
 */
export function resolveFacts(layers: readonly FactLayer[]): ResolvedFacts {
  const merged: Record<string, unknown> = {};
  const origin = new Map<FactKey, string>();
  for (const { facts: layer, source } of layers) {
    for (const [key, value] of Object.entries(layer) as Array<[FactKey, unknown]>) {
      if (value === undefined || isEmptyList(value)) continue;
      merged[key] = value;
      origin.set(key, source(key));
    }
  }
  const where = (key: FactKey): string => origin.get(key) ?? key;

  const facts = defaultFacts() as unknown as Record<string, unknown>;
  for (const row of FACT_ROWS) {
    const value = merged[row.key];
    if (value === undefined) continue;
    const check = row.check ?? ((v: string) => v);
    if (row.kind === 'boolean') {
      if (typeof value !== 'boolean') throw new InputError(where(row.key), `must be true or false, got ${quote(value)}`);
      facts[row.key] = value;
    } else if (row.kind === 'string') {
      if (typeof value !== 'string') throw new InputError(where(row.key), `must be a string, got ${quote(value)}`);
      facts[row.key] = check(value, where(row.key));
    } else {
      if (!Array.isArray(value)) throw new InputError(where(row.key), `must be a list, got ${quote(value)}`);
      facts[row.key] = [...new Set(value.map((item) => check(String(item), where(row.key))))];
    }
  }
  const resolved = facts as unknown as WorkspaceFacts;
  const warnings: string[] = [];
  if (resolved.region !== undefined) {
    const regionCloud = cloudOfRegion(resolved.region);
    if (!origin.has('cloud')) {
      // usgovvirginia alone says Azure Government; asking for --cloud too would only invite a mismatch.
      resolved.cloud = regionCloud;
    } else if (regionCloud !== resolved.cloud) {
      throw new InputError(
        where('region'),
        `region '${resolved.region}' belongs to ${CLOUD_NAMES[regionCloud]} but the cloud is ${resolved.cloud}, from ${where('cloud')} (${where('cloud') === '--cloud' ? `set --cloud ${regionCloud}` : `the two disagree; --cloud ${regionCloud} or --region overrides the file`})`,
      );
    }
    if (knownRegionCloud(resolved.region) === undefined) {
      warnings.push(`${where('region')}: ${quote(resolved.region)} is not an Azure region aml-netcheck knows; host names are built from it as given`);
    }
  }
  return { facts: resolved, warnings };
}
