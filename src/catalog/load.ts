import { createHash } from 'node:crypto';
import { quote, truncate } from '../model/text.js';
import { decodeInputText, readInputFile } from '../io/input-file.js';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type * as Yaml from 'yaml';
import { InputError, formatKeyPath } from '../model/errors.js';
import { type Cloud, CLOUDS } from '../model/clouds.js';
import { CONDITIONS } from './conditions.js';
import { PatternError, parseHostPattern, type HostPattern } from './host-pattern.js';
import { CATALOG_AJV_OPTIONS, catalogFileSchema } from './schema.js';
import type { Catalog, CatalogEntry, FeatureDef, Origin, PortDef, PortSpec, SectionInfo, WildcardRule } from './types.js';
import type { RuleProtocol } from '../model/target.js';

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

type Path = Array<string | number>;

interface RawFeature { id: string; name: string; default?: boolean }
interface RawPort { port: number | string; probe: PortDef['probe']; purpose: string }
interface RawWildcard { pattern: string; names?: Array<string | string[]>; representatives?: string[] }
interface RawEntry {
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
}
interface RawFile {
  section: string;
  title: string;
  source?: string;
  features?: RawFeature[];
  ports?: RawPort[];
  wildcards?: RawWildcard[];
  entries?: RawEntry[];
}

/** One parsed file, able to say which line a key path sits on. */
class ParsedFile {
  constructor(
    readonly label: string,
    readonly data: RawFile,
    private readonly text: string,
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

function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

function parseJson(text: string, label: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const offset = Number(/position (\d+)/.exec((error as Error).message)?.[1] ?? Number.NaN);
    const before = Number.isNaN(offset) ? '' : text.slice(0, offset);
    const where = Number.isNaN(offset) ? label : `${label}:${before.split('\n').length}:${offset - before.lastIndexOf('\n')}`;
    throw new InputError(where, `not valid JSON: ${(error as Error).message.replace(/ in JSON at position \d+.*$/, '')}`);
  }
}

/**
 * How deep a catalog may nest. The real files go five levels down; far deeper input is a
 * mistake or an attack, and would overflow the stack of the YAML parser or the validator.
 */
export const CATALOG_MAX_DEPTH = 64;

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

/** Nesting depth of parsed data, without recursion. */
function tooDeepData(data: unknown): boolean {
  const stack: Array<[unknown, number]> = [[data, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (node === null || typeof node !== 'object') continue;
    if (depth >= CATALOG_MAX_DEPTH) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
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
    // readInputFile names the file in its message too; the label already says which file.
    const prefix = `${quote(file)}: `;
    const reason = error.message.startsWith(prefix) ? error.message.slice(prefix.length).replace(/^cannot (open|read): /, '') : error.message;
    throw new InputError(label, `cannot read catalog file: ${reason}`);
  }
}

function parseFile(file: string): ParsedFile {
  const label = displayPath(file);
  const text = readCatalogText(file, label);
  const deep = `nested more than ${CATALOG_MAX_DEPTH} levels deep`;
  let data: unknown;
  try {
    // JSON.parse is far lighter than a YAML parser on a large generated catalog.
    if (file.endsWith('.json')) data = parseJson(text, label);
    else {
      data = precompiledData(text);
      if (data === undefined) {
        if (tooDeepText(text)) throw new InputError(label, `not valid YAML: ${deep}`);
        data = yaml().parse(text, YAML_OPTIONS);
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
  if (tooDeepData(data)) throw new InputError(label, deep);
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

function pointerToPath(pointer: string): Path {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

function valueAt(data: unknown, path: Path): unknown {
  let node = data;
  for (const key of path) node = (node as Record<string | number, unknown> | undefined)?.[key];
  return node;
}

const TYPE_WORDS: Record<string, string> = { object: 'a mapping of keys', array: 'a list', string: 'a string', boolean: 'true or false', integer: 'a whole number' };

function describeSchemaError(error: ErrorObject, data: unknown): string {
  const value = valueAt(data, pointerToPath(error.instancePath));
  // JSON shows the value's type as the file wrote it; a whole mapping is cut short.
  const shown = truncate(JSON.stringify(value) ?? 'nothing');
  switch (error.keyword) {
    case 'additionalProperties':
      return `unknown key ${quote(String(error.params['additionalProperty']))}`;
    case 'required':
      return `missing key ${quote(String(error.params['missingProperty']))}`;
    case 'type':
      return `must be ${String(error.params['type']).split(',').map((type) => TYPE_WORDS[type] ?? type).join(' or ')}, got ${shown}`;
    case 'enum':
      return `${shown} is not one of ${(error.params['allowedValues'] as unknown[]).join(', ')}`;
    case 'minItems':
      return 'must not be empty';
    case 'minLength':
      return 'must not be empty';
    case 'uniqueItems':
      return `lists ${truncate(JSON.stringify(valueAt(value, [error.params['i'] as number])) ?? 'nothing')} twice`;
    case 'anyOf':
      return `must be a host name or a list of alternative host names, got ${shown}`;
    default:
      return error.message ?? 'is invalid';
  }
}

const PORT_SPEC_RE = /^(tcp|http|https):(\d{1,5})(?:-(\d{1,5}))?$/;
const ID_RE = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const TAG_RE = /^[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)?$/;

/** `shown` is the value as the user wrote it, for the message. */
function parsePortRange(file: ParsedFile, path: Path, text: string, shown = text): { from: number; to: number } {
  const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  if (!match) file.fail(path, `${quote(shown)} is not a port or a range like 29876-29877`);
  const from = Number(match[1]);
  const to = match[2] === undefined ? from : Number(match[2]);
  for (const port of [from, to]) {
    if (port < 1 || port > 65535) file.fail(path, `port ${port} in ${quote(shown)} is out of range 1-65535`);
  }
  if (to < from) file.fail(path, `range ${quote(shown)} ends before it starts`);
  return { from, to };
}

function parsePortSpecs(file: ParsedFile, path: Path, specs: string[]): PortSpec[] {
  const out: PortSpec[] = [];
  specs.forEach((text, index) => {
    const match = PORT_SPEC_RE.exec(text);
    if (!match) file.fail([...path, index], `${quote(text)} is not protocol:port (tcp, http or https), like tcp:443 or tcp:29876-29877`);
    const { from, to } = parsePortRange(file, [...path, index], `${match[2]}${match[3] ? `-${match[3]}` : ''}`, text);
    for (let port = from; port <= to; port++) out.push({ protocol: match[1] as RuleProtocol, port });
  });
  return out;
}

function parsePattern(file: ParsedFile, path: Path, text: string): HostPattern {
  try {
    return parseHostPattern(text);
  } catch (error) {
    if (error instanceof PatternError) file.fail(path, `host pattern ${quote(text)}: ${error.message}`);
    throw error;
  }
}

/** A name or representative: a concrete host, placeholders allowed, no wildcard. */
function parseConcreteTemplate(file: ParsedFile, path: Path, text: string): string {
  const pattern = parsePattern(file, path, text);
  if (pattern.wildcard !== 'none') file.fail(path, `${quote(text)} must be a concrete host, not a wildcard`);
  if (pattern.path !== null) file.fail(path, `${quote(text)} must be a host without a URL path`);
  return text;
}

interface Registry {
  sections: Map<string, SectionInfo>;
  features: Map<string, FeatureDef>;
  ports: PortDef[];
  wildcards: Map<string, WildcardRule>;
}

function collectDefinitions(file: ParsedFile, registry: Registry): SectionInfo {
  const { data } = file;
  if (!ID_RE.test(data.section)) file.fail(['section'], `${quote(data.section)} is not a lower-case id like azure-ml-hosts`);
  const earlier = registry.sections.get(data.section);
  if (earlier) file.fail(['section'], `section ${quote(data.section)} is already defined in ${earlier.file}`);
  const section: SectionInfo = { id: data.section, title: data.title, source: data.source ?? null, file: file.label };
  registry.sections.set(section.id, section);

  data.features?.forEach((feature, index) => {
    const path: Path = ['features', index, 'id'];
    if (!ID_RE.test(feature.id)) file.fail(path, `${quote(feature.id)} is not a lower-case id like compute-instance`);
    const existing = registry.features.get(feature.id);
    if (existing) file.fail(path, `feature ${quote(feature.id)} is already defined in ${existing.origin.file}`);
    registry.features.set(feature.id, { id: feature.id, name: feature.name, default: feature.default ?? true, origin: file.origin(['features', index]) });
  });

  data.ports?.forEach((port, index) => {
    const path: Path = ['ports', index, 'port'];
    const { from, to } = parsePortRange(file, path, String(port.port));
    const clash = registry.ports.find((p) => p.from <= to && from <= p.to);
    if (clash) file.fail(path, `port ${String(port.port)} is already described in ${clash.origin.file}`);
    registry.ports.push({ from, to, probe: port.probe, purpose: port.purpose, origin: file.origin(['ports', index]) });
  });

  data.wildcards?.forEach((rule, index) => {
    const pattern = parsePattern(file, ['wildcards', index, 'pattern'], rule.pattern);
    if (pattern.wildcard === 'none') file.fail(['wildcards', index, 'pattern'], `${quote(rule.pattern)} has no wildcard`);
    const existing = registry.wildcards.get(rule.pattern);
    if (existing) file.fail(['wildcards', index, 'pattern'], `wildcard ${quote(rule.pattern)} is already mapped in ${existing.origin.file}`);
    if (!rule.names && !rule.representatives) file.fail(['wildcards', index], "needs 'names' or 'representatives'");
    const names = (rule.names ?? []).map((item, i) => {
      const alternatives = typeof item === 'string' ? [item] : item;
      return alternatives.map((alt, j) => parseConcreteTemplate(file, ['wildcards', index, 'names', i, ...(typeof item === 'string' ? [] : [j])], alt));
    });
    const representatives = (rule.representatives ?? []).map((rep, i) => parseConcreteTemplate(file, ['wildcards', index, 'representatives', i], rep));
    registry.wildcards.set(rule.pattern, { pattern, names, representatives, origin: file.origin(['wildcards', index]) });
  });
  return section;
}

function buildEntry(file: ParsedFile, section: SectionInfo, raw: RawEntry, index: number, registry: Registry): CatalogEntry {
  const at = (...rest: Path): Path => ['entries', index, ...rest];
  raw.features.forEach((id, i) => {
    if (!registry.features.has(id)) file.fail(at('features', i), `unknown feature ${quote(id)} (known: ${[...registry.features.keys()].join(', ')})`);
  });
  if (raw.condition !== undefined && !CONDITIONS.has(raw.condition)) {
    file.fail(at('condition'), `unknown condition ${quote(raw.condition)} (known: ${[...CONDITIONS.keys()].join(', ')})`);
  }
  const common = {
    section,
    origin: file.origin(at()),
    direction: raw.direction ?? 'outbound',
    clouds: raw.clouds,
    ports: parsePortSpecs(file, at('ports'), raw.ports),
    features: raw.features,
    condition: raw.condition ?? null,
    required: raw.required ?? true,
    purpose: raw.purpose,
  } as const;

  if ((raw.pattern === undefined) === (raw.serviceTag === undefined)) {
    file.fail(at(), "needs exactly one of 'pattern' (a host) or 'serviceTag'");
  }
  if (raw.pattern !== undefined) {
    if (raw.hosts !== undefined) file.fail(at('hosts'), "only a serviceTag entry lists 'hosts'");
    if (raw.tagName !== undefined) file.fail(at('tagName'), "only a serviceTag entry has a 'tagName'");
    return { ...common, kind: 'host', pattern: parsePattern(file, at('pattern'), raw.pattern) };
  }
  const serviceTag = raw.serviceTag as string;
  if (!TAG_RE.test(serviceTag)) file.fail(at('serviceTag'), `${quote(serviceTag)} is not a service tag name like Storage.region`);
  if (raw.tagName !== undefined && !TAG_RE.test(raw.tagName)) file.fail(at('tagName'), `${quote(raw.tagName)} is not a service tag name`);
  if (raw.hosts === undefined) file.fail(at(), "missing key 'hosts' (the host patterns that stand for the tag, per cloud)");
  const hosts: Partial<Record<Cloud, HostPattern[]>> = {};
  for (const cloud of CLOUDS) {
    const list = raw.hosts[cloud];
    if (list === undefined) continue;
    if (!raw.clouds.includes(cloud)) file.fail(at('hosts', cloud), `lists hosts for ${cloud}, which is not in clouds`);
    hosts[cloud] = list.map((text, i) => parsePattern(file, at('hosts', cloud, i), text));
  }
  for (const cloud of raw.clouds) {
    if (!hosts[cloud]) file.fail(at('hosts'), `has no hosts for ${cloud}, which is in clouds`);
  }
  return { ...common, kind: 'service-tag', serviceTag, tagName: raw.tagName ?? serviceTag, hosts };
}

export interface LoadOptions {
  /** Directory of the shipped catalog; tests point it elsewhere. */
  builtinDir?: string;
  /** User catalog files (--catalog), loaded after the shipped ones. */
  extraFiles?: readonly string[];
}

function listCatalogDir(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    throw new InputError(displayPath(dir), `cannot read catalog directory: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return names.filter((n) => CATALOG_EXTENSIONS.test(n)).sort().map((n) => join(dir, n));
}

export function loadCatalog(options: LoadOptions = {}): Catalog {
  const files = [...listCatalogDir(options.builtinDir ?? BUILTIN_CATALOG_DIR), ...(options.extraFiles ?? [])];
  const parsed = files.map(parseFile);
  const registry: Registry = { sections: new Map(), features: new Map(), ports: [], wildcards: new Map() };
  // Definitions first, so any file may use features and wildcards defined in another.
  const sections = parsed.map((file) => collectDefinitions(file, registry));
  const entries = parsed.flatMap((file, i) => (file.data.entries ?? []).map((raw, index) => buildEntry(file, sections[i] as SectionInfo, raw, index, registry)));
  return {
    files: parsed.map((p) => p.label),
    sections,
    features: registry.features,
    ports: registry.ports,
    wildcards: registry.wildcards,
    entries,
  };
}
