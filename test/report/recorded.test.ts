/**
 * The recorded reports other tests render must still be reports of today's schema; when the
 * report changes, `npm run record-reports` records them again. A version this one still reads
 * (3 only added the optional `audit`) needs no new recording.
 */
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { reportSchemaErrors } from '../helpers/schema.js';
import { OLDEST_READABLE_REPORT_SCHEMA_VERSION, REPORT_SCHEMA_VERSION } from '../../src/report/report.js';

const dir = new URL('../fixtures/reports/', import.meta.url);
const files = readdirSync(dir).filter((name) => name.endsWith('.json'));

t.ok(files.length >= 20, `every scenario recorded (${files.length} reports)`);
for (const name of files) {
  const report = JSON.parse(readFileSync(new URL(name, dir), 'utf8')) as { schemaVersion: number };
  t.ok(report.schemaVersion >= OLDEST_READABLE_REPORT_SCHEMA_VERSION && report.schemaVersion <= REPORT_SCHEMA_VERSION, `${name}: schema version ${report.schemaVersion}, one this aml-netcheck reads`);
  t.same(reportSchemaErrors(report), [], `${name}: matches schema/report.schema.json`);
}
