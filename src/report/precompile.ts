/**
 * Build step (`npm run build` runs it after tsc): the report schema as Ajv standalone code,
 * dist/report/report-validator.cjs, so reading a saved report does not compile the schema
 * first. report-schema.ts compiles it itself when the file is missing.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import standaloneModule from 'ajv/dist/standalone/index.js';
import { compileReportSchema, PRECOMPILED_REPORT_VALIDATOR } from './report-schema.js';

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { ajv, validate } = compileReportSchema({ code: { source: true } });
  // A CommonJS module: its default export sits under .default when imported from ESM.
  writeFileSync(PRECOMPILED_REPORT_VALIDATOR, standaloneModule.default(ajv, validate));
  process.stdout.write('precompiled the report schema\n');
}
