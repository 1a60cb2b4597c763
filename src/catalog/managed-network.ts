import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { InputError } from '../model/errors.js';
import type { ManagedNetworkData } from '../model/managed-network.js';
import { BUILTIN_CATALOG_DIR, YAML_OPTIONS } from './parse-file.js';

/** The shipped data of managed virtual networks; a directory of its own, so the catalog loader passes it by. */
const MANAGED_NETWORK_FILE = join(BUILTIN_CATALOG_DIR, 'managed-network', 'managed-network.yaml');

const text = { type: 'string', minLength: 1 } as const;
const anchor = { type: 'string', pattern: '^#[a-z0-9-]+$' } as const;
const repositoryFile = {
  repository: { type: 'string', pattern: '^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$' },
  path: text,
  commit: { type: 'string', pattern: '^[0-9a-f]{40}$' },
} as const;
const modeId = { enum: ['allow-internet-outbound', 'allow-only-approved-outbound'] } as const;

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['source', 'contracts', 'modes', 'requiredServiceTags', 'requiredPrivateEndpoints', 'limitations'],
  properties: {
    source: { type: 'object', additionalProperties: false, required: ['repository', 'path', 'commit'], properties: repositoryFile },
    contracts: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, required: ['what', 'repository', 'path', 'commit'], properties: { what: text, ...repositoryFile } },
    },
    modes: {
      type: 'array',
      minItems: 2,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'az', 'internet', 'ruleTypes', 'source'],
        properties: { id: modeId, az: text, internet: { type: 'boolean' }, ruleTypes: { type: 'array', items: { enum: ['private_endpoint', 'service_tag', 'fqdn'] }, minItems: 1, uniqueItems: true }, source: anchor },
      },
    },
    requiredServiceTags: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['tag', 'direction', 'purpose', 'source'],
        properties: {
          tag: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9.]*$' },
          direction: { enum: ['inbound', 'outbound'] },
          ports: { type: 'array', items: { type: 'integer', minimum: 1, maximum: 65535 }, minItems: 1 },
          purpose: text,
          source: anchor,
        },
      },
    },
    requiredPrivateEndpoints: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['resource', 'placeholder', 'subresources', 'source'],
        properties: {
          resource: { enum: ['workspace', 'storage', 'key-vault', 'container-registry'] },
          placeholder: { type: 'string', pattern: '^[a-z-]+$' },
          subresources: { type: 'array', items: { type: 'string', pattern: '^[a-z]+$' }, minItems: 1, uniqueItems: true },
          source: anchor,
        },
      },
    },
    limitations: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'requirement', 'alternative', 'source'],
        properties: {
          id: { enum: ['fqdn-ports', 'storage-needs-private-endpoint', 'spark-no-fqdn'] },
          ports: { type: 'array', items: { type: 'integer', minimum: 1, maximum: 65535 }, minItems: 1 },
          modes: { type: 'array', items: modeId, minItems: 1 },
          feature: { type: 'string', pattern: '^[a-z0-9-]+$' },
          requirement: text,
          alternative: text,
          source: anchor,
        },
      },
    },
  },
} as const;

let cached: ManagedNetworkData | undefined;

/**
 * The managed-network data, read and checked on first use (only `rules -o managed-network` and
 * a `check` of a workspace with a managed network need it). A broken file is exit 2, naming it.
 */
export function loadManagedNetworkData(file = MANAGED_NETWORK_FILE): ManagedNetworkData {
  if (file === MANAGED_NETWORK_FILE && cached !== undefined) return cached;
  let data: unknown;
  try {
    data = parse(readFileSync(file, 'utf8'), YAML_OPTIONS);
  } catch (error) {
    throw new InputError(file, `cannot read the managed network data: ${(error as Error).message.split('\n')[0] ?? ''}`);
  }
  const validate = new Ajv({ allErrors: false, strict: true }).compile(schema);
  if (!validate(data)) {
    const [first] = validate.errors ?? [];
    throw new InputError(file, `not managed network data: ${first?.instancePath || '/'} ${first?.message ?? ''}`);
  }
  const checked = data as unknown as ManagedNetworkData;
  for (const id of ['fqdn-ports', 'storage-needs-private-endpoint', 'spark-no-fqdn'] as const) {
    if (!checked.limitations.some((l) => l.id === id)) throw new InputError(file, `has no limitation ${id}`);
  }
  if (!checked.limitations.some((l) => l.id === 'fqdn-ports' && l.ports !== undefined)) throw new InputError(file, 'limitation fqdn-ports names no ports');
  if (file === MANAGED_NETWORK_FILE) cached = checked;
  return checked;
}
