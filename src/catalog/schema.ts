/**
 * JSON Schema of one catalog file. It fixes the shape (keys, types); the loader
 * then checks what a schema says badly: host patterns, port ranges and references
 * between files, each with a message of its own.
 */
const nonEmptyString = { type: 'string', minLength: 1 } as const;
const stringList = { type: 'array', items: nonEmptyString, minItems: 1, uniqueItems: true } as const;
const revisionIds = stringList;
const tagHosts = { type: 'array', items: nonEmptyString, uniqueItems: true } as const;
/** One anchor for every revision, or one per revision id. */
const source = {
  anyOf: [nonEmptyString, { type: 'object', minProperties: 1, additionalProperties: nonEmptyString }],
} as const;
/** What one entry says differently from another section's entry for the same host or tag. */
export const DISAGREEMENT_ASPECTS = ['ports', 'condition', 'required', 'clouds'] as const;
const clouds = { type: 'array', items: { enum: ['public', 'usgov', 'china'] }, minItems: 1, uniqueItems: true } as const;

/** How the schema is compiled, at build time (precompile.ts) and as the fallback at run time. */
export const CATALOG_AJV_OPTIONS = { allErrors: false, strict: true, allowUnionTypes: true } as const;

export const catalogFileSchema = {
  $id: 'https://aml-netcheck.dev/schema/catalog-file.json',
  title: 'aml-netcheck catalog file',
  type: 'object',
  additionalProperties: false,
  required: ['section', 'title'],
  properties: {
    section: nonEmptyString,
    title: nonEmptyString,
    source,
    // A file whose rows come from another article than the revisions' one: which file, at which commit.
    article: {
      type: 'object',
      additionalProperties: false,
      required: ['repo', 'path', 'commit'],
      properties: { repo: nonEmptyString, path: nonEmptyString, commit: nonEmptyString },
    },
    revisions: revisionIds,
    articleRevisions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'date', 'title', 'url'],
        properties: { id: nonEmptyString, date: nonEmptyString, title: nonEmptyString, url: nonEmptyString, notes: nonEmptyString },
      },
    },
    features: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'name'],
        properties: { id: nonEmptyString, name: nonEmptyString, impact: nonEmptyString, default: { type: 'boolean' }, revisions: revisionIds },
      },
    },
    ports: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['port', 'probe', 'purpose'],
        properties: {
          port: { type: ['integer', 'string'] },
          probe: { enum: ['tcp', 'http', 'https'] },
          purpose: nonEmptyString,
          revisions: revisionIds,
        },
      },
    },
    wildcards: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['pattern'],
        properties: {
          pattern: nonEmptyString,
          names: { type: 'array', minItems: 1, items: { anyOf: [nonEmptyString, stringList] } },
          representatives: stringList,
          revisions: revisionIds,
        },
      },
    },
    privateDns: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['cloud', 'source', 'privateZones', 'forwardZones', 'onPremisesZones', 'privateNames', 'endpointRecords'],
        properties: {
          cloud: { enum: ['public', 'usgov', 'china'] },
          source: nonEmptyString,
          privateZones: stringList,
          forwardZones: stringList,
          onPremisesZones: stringList,
          privateNames: stringList,
          endpointRecords: {
            type: 'array',
            items: { type: 'object', additionalProperties: false, required: ['zone', 'record'], properties: { zone: nonEmptyString, record: nonEmptyString } },
          },
        },
      },
    },
    entries: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['ports', 'clouds', 'features', 'purpose'],
        properties: {
          pattern: nonEmptyString,
          serviceTag: nonEmptyString,
          tagName: nonEmptyString,
          hosts: {
            type: 'object',
            additionalProperties: false,
            // An empty list: the tag is needed in that cloud, but no host stands for it there.
            properties: { public: tagHosts, usgov: tagHosts, china: tagHosts },
          },
          direction: { enum: ['inbound', 'outbound'] },
          ports: { type: 'array', items: nonEmptyString, minItems: 1, uniqueItems: true },
          clouds,
          features: stringList,
          condition: nonEmptyString,
          required: { type: 'boolean' },
          purpose: nonEmptyString,
          revisions: revisionIds,
          source,
          disagrees: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['section', 'on'],
              properties: { section: nonEmptyString, on: { enum: DISAGREEMENT_ASPECTS } },
            },
          },
        },
      },
    },
  },
} as const;
