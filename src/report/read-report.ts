import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { decodeInputText, nestedDeeperThan, readInputFile } from '../io/input-file.js';
import { InputError } from '../model/errors.js';
import { quote } from '../model/text.js';
import { REPORT_SCHEMA_VERSION, type CheckReport } from './report.js';

/** A report nests about eight levels; far deeper is not one, and would overflow a recursive walk. */
const REPORT_MAX_DEPTH = 64;

let validator: ValidateFunction | null = null;

/** The published schema, compiled on first use: only `rules --from-report` reads reports. */
function validateReport(document: unknown): string | null {
  if (validator === null) {
    const schema = JSON.parse(readFileSync(new URL('../../schema/report.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    validator = new Ajv2020({ strict: true, allowUnionTypes: true }).compile(schema);
  }
  if (validator(document)) return null;
  const error = validator.errors?.[0];
  return error === undefined ? 'does not match the report schema' : `does not match the report schema at ${error.instancePath || '(top level)'}: ${error.message ?? 'invalid'}`;
}

/**
 * Reads a saved `check -o json` report (`-` for standard input). Anything else (another
 * tool's JSON, a report of another schema version, a hand-edited one that no longer fits the
 * schema) is one InputError naming the file.
 */
export function readCheckReport(file: string, flag: string): CheckReport {
  const where = `${flag} ${file === '-' ? '(standard input)' : quote(file)}`;
  const text = decodeInputText(readInputFile(file, flag), where);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new InputError(where, `is not JSON (${(error as Error).message})`);
  }
  if (nestedDeeperThan(document, REPORT_MAX_DEPTH)) throw new InputError(where, `nested more than ${REPORT_MAX_DEPTH} levels deep: not an aml-netcheck report`);
  const record = document !== null && typeof document === 'object' && !Array.isArray(document) ? (document as Record<string, unknown>) : null;
  const tool = record?.['tool'];
  if (record === null || tool === null || typeof tool !== 'object' || (tool as Record<string, unknown>)['name'] !== 'aml-netcheck') {
    throw new InputError(where, 'is not an aml-netcheck check report (save one with `aml-netcheck check -o json` or `--out FILE`)');
  }
  if (record['schemaVersion'] !== REPORT_SCHEMA_VERSION) {
    throw new InputError(where, `is a report of schemaVersion ${quote(record['schemaVersion'])}; this aml-netcheck reads schemaVersion ${REPORT_SCHEMA_VERSION}`);
  }
  const problem = validateReport(document);
  if (problem !== null) throw new InputError(where, problem);
  return document as CheckReport;
}
