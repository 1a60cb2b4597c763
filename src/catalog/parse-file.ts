/**
 * Reading one catalog file: its bytes (capped), its syntax (YAML or JSON, with limits on
 * aliases and nesting) and its shape (the JSON schema), every error naming the file, line and
 * key path. What the entries mean, and how files refer to each other, is load.ts's job.
 */
import { createHash } from 'node:crypto';
import { quote } from '../model/text.js';
import { InputFileError, decodeInputText, nestedDeeperThan, readInputFile } from '../io/input-file.js';
import { JsonSyntaxError, parseJson, pointerToPath, quoteJson, valueAt } from '../io/json-input.js';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { relative, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type * as Yaml from 'yaml';
import { InputError, formatKeyPath } from '../model/errors.js';
import type { Cloud } from '../model/clouds.js';
import { CATALOG_AJV_OPTIONS, catalogFileSchema } from './schema.js';
import type { DisagreementAspect, Origin, PortDef } from './types.js';

/** The catalog that ships with aml-netcheck, beside dist/ in the package. */
export const BUILTIN_CATALOG_DIR = fileURLToPath(new URL('../../probes/', import.meta.url));

export const CATALOG_EXTENSIONS = /\.(ya?ml|json)$/;

export const YAML_OPTIONS = { uniqueKeys: true, prettyErrors: true, maxAliasCount: 100 } as const;

/** Written by precompile.ts at build time; absent when running from src/. */
export const PRECOMPILED_VALIDATOR = fileURLToPath(new URL('./catalog-validator.cjs', import.meta.url));
export const PRECOMPILED_SNAPSHOT = fileURLToPath(new URL('./catalog-snapshot.json', import.meta.url));

export function textHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

// Ajv and the YAML parser are loaded on first use, synchronously: with the build's
// precompiled validator and snapshot, a run with the shipped catalog needs neither.
const requireLazily = createRequire(import.meta.url);
let yamlModule: typeof Yaml | undefined;
const yaml = (): typeof Yaml => (yamlModule ??= requireLazily('yaml') as typeof Yaml);

let validator: ValidateFunction | undefined;
function validateFile(data: unknown): ErrorObject | null {
  if (!validator) {
    try {
      validator = requireLazily(PRECOMPILED_VALIDATOR) as ValidateFunction;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
      const { Ajv } = requireLazily('ajv') as typeof import('ajv');
      validator = new Ajv(CATALOG_AJV_OPTIONS).compile(catalogFileSchema);
    }
  }
  return validator(data) ? null : (validator.errors?.[0] ?? null);
}

let snapshot: Map<string, unknown> | undefined;
/** Parsed data of the shipped catalog files, by hash of their text, so they need no YAML parser. */
function precompiledData(text: string): unknown {
  if (!snapshot) {
    try {
      snapshot = new Map(Object.entries(JSON.parse(readFileSync(PRECOMPILED_SNAPSHOT, 'utf8')) as Record<string, unknown>));
    } catch {
      snapshot = new Map();
    }
  }
  return snapshot.get(textHash(text));
}

export type Path = Array<string | number>;

export type RawSource = string | Record<string, string>;
export interface RawRevision {
  id: string;
  date: string;
  title: string;
  url: string;
  notes?: string;
}
export interface RawFeature {
  id: string;
  name: string;
  impact?: string;
  default?: boolean;
  revisions?: string[];
}
export interface RawPort {
  port: number | string;
  probe: PortDef['probe'];
  purpose: string;
  revisions?: string[];
}
export interface RawWildcard {
  pattern: string;
  names?: Array<string | string[]>;
  representatives?: string[];
  revisions?: string[];
}
export interface RawEntry {
  pattern?: string;
  serviceTag?: string;
  tagName?: string;
  hosts?: Partial<Record<Cloud, string[]>>;
  direction?: 'inbound' | 'outbound';
  ports: string[];
  clouds: Cloud[];
  features: string[];
  condition?: string;
  required?: boolean;
  purpose: string;
  revisions?: string[];
  source?: RawSource;
  disagrees?: Array<{ section: string; on: DisagreementAspect }>;
}
export interface RawArticle {
  repo: string;
  path: string;
  commit: string;
}
export interface RawPrivateDns {
  cloud: Cloud;
  source: string;
  privateZones: string[];
  forwardZones: string[];
  onPremisesZones: string[];
  privateNames: string[];
  endpointRecords: Array<{ zone: string; record: string }>;
}
export interface RawFile {
  section: string;
  title: string;
  source?: RawSource;
  article?: RawArticle;
  revisions?: string[];
  articleRevisions?: RawRevision[];
  features?: RawFeature[];
  ports?: RawPort[];
  wildcards?: RawWildcard[];
  privateDns?: RawPrivateDns[];
  entries?: RawEntry[];
}

/** One parsed file, able to say which line a key path sits on. */
export class ParsedFile {
  constructor(
    readonly label: string,
    readonly data: RawFile,
    readonly text: string,
  ) {}

  fail(path: Path, message: string): never {
    const line = this.lineAt(path);
    const where = line === undefined ? this.label : `${this.label}:${line}`;
    throw new InputError(`${where}: ${formatKeyPath(path)}`, message);
  }

  origin(path: Path): Origin {
    return { file: this.label, keyPath: formatKeyPath(path) };
  }

  /** Parses again, with positions, only on the way to an error: a node tree per file costs memory. */
  private lineAt(path: Path): number | undefined {
    const { LineCounter, isNode, parseDocument } = yaml();
    const lineCounter = new LineCounter();
    const doc = parseDocument(this.text, { lineCounter, uniqueKeys: true });
    for (let depth = path.length; depth >= 0; depth--) {
      const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  }
}

export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** A catalog's syntax errors say where as `file:line:column`, for JSON as for YAML. */
function parseCatalogJson(text: string, label: string): unknown {
  try {
    return parseJson(text);
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    throw new InputError(`${label}:${error.line}:${error.column}`, `not valid JSON: ${error.reason}`);
  }
}

/**
 * How deep a catalog may nest. The real files go five levels down; far deeper input is a
 * mistake or an attack, and would overflow the stack of the YAML parser or the validator.
 */
const CATALOG_MAX_DEPTH = 64;

/** Leading indentation (and compact `- ` indicators) deeper than this is not a catalog. */
const MAX_INDENT = 512;

/**
 * Looks at the text before a parser does: flow brackets nested beyond the limit, or block
 * nesting so deep the YAML parser would exhaust its stack or its heap. Quoted strings and
 * comments are skipped; a bracket inside a plain value only makes the count err on the safe side.
 */
function tooDeepText(text: string): boolean {
  let depth = 0;
  let inQuote: '"' | "'" | null = null;
  let lineStart = true;
  let indent = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (char === '\n') {
      lineStart = true;
      indent = 0;
      continue;
    }
    if (lineStart && inQuote === null) {
      const next = text[i + 1];
      if (char === ' ' || char === '\t' || ('-?:'.includes(char) && (next === ' ' || next === '\t'))) {
        if (++indent > MAX_INDENT) return true;
        continue;
      }
      lineStart = false;
    }
    if (inQuote !== null) {
      if (char === '\\' && inQuote === '"') i++;
      else if (char === inQuote) inQuote = null;
      continue;
    }
    if (char === '"' || char === "'") inQuote = char;
    else if (char === '#' && (i === 0 || /\s/.test(text[i - 1] as string))) {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end - 1;
    } else if (char === '[' || char === '{') {
      if (++depth > CATALOG_MAX_DEPTH) return true;
    } else if (char === ']' || char === '}') depth = Math.max(0, depth - 1);
  }
  return false;
}

function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError || (error instanceof Error && /Maximum call stack size exceeded/.test(error.message));
}

function readCatalogText(file: string, label: string): string {
  try {
    return decodeInputText(readInputFile(file, label), label);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    // The label already says which file: take the reason without the file's name.
    throw new InputError(label, `cannot read catalog file: ${error instanceof InputFileError ? error.reason : error.message}`);
  }
}

export function parseFile(file: string): ParsedFile {
  const label = displayPath(file);
  const text = readCatalogText(file, label);
  const deep = `nested more than ${CATALOG_MAX_DEPTH} levels deep`;
  let data: unknown;
  try {
    // JSON.parse is far lighter than a YAML parser on a large generated catalog.
    if (file.endsWith('.json')) data = parseCatalogJson(text, label);
    else {
      data = precompiledData(text);
      if (data === undefined) {
        if (tooDeepText(text)) throw new InputError(label, `not valid YAML: ${deep}`);
        // Silent: the parser would print its warnings (an unknown tag) as Node warnings on
        // stderr. A catalog is strict: its first warning is an error of ours, like any other.
        const doc = yaml().parseDocument(text, { ...YAML_OPTIONS, logLevel: 'silent' });
        const problem = doc.errors[0] ?? doc.warnings[0];
        if (problem !== undefined) throw problem;
        data = doc.toJS({ maxAliasCount: YAML_OPTIONS.maxAliasCount });
      }
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    if (error instanceof ReferenceError && /alias/i.test(error.message)) {
      throw new InputError(label, `not valid YAML: more than ${YAML_OPTIONS.maxAliasCount} alias expansions (an alias bomb?)`);
    }
    if (isStackOverflow(error)) throw new InputError(label, deep);
    if (!(error instanceof yaml().YAMLError)) throw error;
    if (/Maximum call stack size exceeded/.test(error.message)) throw new InputError(label, `not valid YAML: ${deep}`);
    const pos = error.linePos?.[0];
    const where = pos ? `${label}:${pos.line}:${pos.col}` : label;
    // The pretty message repeats the position and adds a code frame; keep the first clause.
    const message = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    throw new InputError(where, `not valid YAML: ${message}`);
  }
  if (data === null || data === undefined) throw new InputError(label, 'catalog file is empty');
  if (nestedDeeperThan(data, CATALOG_MAX_DEPTH)) throw new InputError(label, deep);
  const parsed = new ParsedFile(label, data as RawFile, text);
  let error: ErrorObject | null;
  try {
    error = validateFile(data);
  } catch (caught) {
    if (isStackOverflow(caught)) throw new InputError(label, deep);
    throw caught;
  }
  if (error) parsed.fail(pointerToPath(error.instancePath), describeSchemaError(error, data));
  return parsed;
}

const TYPE_WORDS: Record<string, string> = { object: 'a mapping of keys', array: 'a list', string: 'a string', boolean: 'true or false', integer: 'a whole number' };

function describeSchemaError(error: ErrorObject, data: unknown): string {
  const value = valueAt(data, pointerToPath(error.instancePath));
  // JSON shows the value's type as the file wrote it; a whole mapping is cut short.
  const shown = quoteJson(value);
  switch (error.keyword) {
    case 'additionalProperties':
      return `unknown key ${quote(String(error.params['additionalProperty']))}`;
    case 'required':
      return `missing key ${quote(String(error.params['missingProperty']))}`;
    case 'type':
      return `must be ${String(error.params['type'])
        .split(',')
        .map((type) => TYPE_WORDS[type] ?? type)
        .join(' or ')}, got ${shown}`;
    case 'enum':
      return `${shown} is not one of ${(error.params['allowedValues'] as unknown[]).join(', ')}`;
    case 'minItems':
      return 'must not be empty';
    case 'minLength':
      return 'must not be empty';
    case 'uniqueItems':
      return `lists ${quoteJson(valueAt(value, [error.params['i'] as number]))} twice`;
    case 'anyOf':
      return `must be a host name or a list of alternative host names, got ${shown}`;
    default:
      return error.message ?? 'is invalid';
  }
}
