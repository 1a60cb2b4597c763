import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Ajv2020 } from 'ajv/dist/2020.js';

/**
 * The published schema of the JSON report (schema/report.schema.json, shipped in the npm
 * package) as a validator. Compiling it takes a few hundred milliseconds, more than the rest
 * of a `diff`: the build compiles it once into standalone code (precompile.ts), and the
 * schema is compiled here only when that is missing (tests run from src/).
 */

export const REPORT_SCHEMA_FILE = fileURLToPath(new URL('../../schema/report.schema.json', import.meta.url));
export const PRECOMPILED_REPORT_VALIDATOR = fileURLToPath(new URL('./report-validator.cjs', import.meta.url));

/** How the schema is compiled, at build time and as the fallback at run time. */
const REPORT_AJV_OPTIONS = { strict: true, allowUnionTypes: true, allErrors: false } as const;

const requireLazily = createRequire(import.meta.url);
let validator: ValidateFunction | undefined;

/** An Ajv that knows the report schema; `validate` is its compiled form. */
export function compileReportSchema(options: { code?: { source: boolean } } = {}): { ajv: Ajv2020; validate: ValidateFunction } {
  const { Ajv2020: Ajv } = requireLazily('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  const schema = JSON.parse(readFileSync(REPORT_SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv({ ...REPORT_AJV_OPTIONS, ...options });
  return { ajv, validate: ajv.compile(schema) };
}

/** The schema's complaints about a document, empty when it is a valid report. */
export function reportSchemaProblems(document: unknown): readonly ErrorObject[] {
  if (!validator) {
    try {
      validator = requireLazily(PRECOMPILED_REPORT_VALIDATOR) as ValidateFunction;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
      validator = compileReportSchema().validate;
    }
  }
  return validator(document) ? [] : (validator.errors ?? []);
}
