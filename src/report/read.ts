import type { ErrorObject } from 'ajv';
import { decodeInputText, inputLabel, InputFileError, nestedDeeperThan, readInputFile } from '../io/input-file.js';
import { isObject, JsonSyntaxError, parseJson, pointerToPath, quoteJson, valueAt } from '../io/json-input.js';
import { formatKeyPath, InputError } from '../model/errors.js';
import { quote } from '../model/text.js';
import { OLDEST_READABLE_REPORT_SCHEMA_VERSION, REPORT_SCHEMA_VERSION, type CheckReport } from './report.js';
import { reportSchemaProblems } from './report-schema.js';
import { redactReport } from './redact-report.js';
import { SECRETS_ONLY } from '../model/redact.js';
import { DIFF_KIND } from './diff.js';
import { MERGE_KIND } from './merge.js';

/**
 * Reads a report that `check` or `demo` saved (`--out FILE`, or `-o json > FILE`: the same
 * text), for `diff` and `merge`. Whatever the file holds, the answer is the report or one
 * InputError naming the file and the problem; nothing else is trusted before the schema
 * has accepted it.
 */

/**
 * Reports are larger than the other inputs: about 4.5 KiB a target, so a run of several
 * thousand targets passes the 16 MiB an input file may otherwise have.
 */
export const REPORT_MAX_BYTES = 64 * 1024 * 1024;

/** A real report nests eight levels; far deeper data is not one, and would strain the validator. */
const REPORT_MAX_DEPTH = 32;

/** How many of the schema's complaints one error line names. */
const PROBLEMS_SHOWN = 2;

export function readReport(file: string): CheckReport {
  const label = inputLabel(file);
  const fail = (message: string): never => {
    throw new InputError(label, message);
  };
  return validateReport(parseReportText(readReportText(file, label), fail), fail);
}

/** The text of a report file, or one InputError naming it. */
export function readReportText(file: string, label: string): string {
  try {
    return decodeInputText(readInputFile(file, label, { maxBytes: REPORT_MAX_BYTES }), label);
  } catch (error) {
    // The label already names the file: keep the reason alone.
    if (error instanceof InputFileError) throw new InputError(label, `cannot read the report: ${error.reason}`);
    throw error;
  }
}

/** The JSON of a report's text, not yet trusted. */
export function parseReportText(text: string, fail: (message: string) => never): unknown {
  if (text.trim() === '') return fail('is empty, not an aml-netcheck report');
  try {
    return parseJson(text);
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    return fail(`is not an aml-netcheck report: not valid JSON (${error.message})${printedFormatHint(text)}`);
  }
}

/** The parsed JSON as a report of this schema version, or `fail` with what is wrong. */
export function validateReport(document: unknown, fail: (message: string) => never): CheckReport {
  if (!isObject(document)) return fail(`is not an aml-netcheck report: the JSON is ${Array.isArray(document) ? 'a list' : typeof document === 'object' ? 'null' : `a ${typeof document}`}, not an object`);
  if (document['kind'] === DIFF_KIND) return fail('is the output of aml-netcheck diff, not a check report: compare the reports check saved');
  if (document['kind'] === MERGE_KIND) return fail('is the output of aml-netcheck merge, not a check report: give the reports check saved');
  const tool = isObject(document['tool']) ? document['tool']['name'] : undefined;
  if (tool !== 'aml-netcheck') return fail(`is not an aml-netcheck report (${tool === undefined ? 'it has no tool.name' : `tool.name is ${quoteJson(tool)}`})`);
  checkSchemaVersion(document['schemaVersion'], fail);
  if (nestedDeeperThan(document, REPORT_MAX_DEPTH)) return fail(`is nested more than ${REPORT_MAX_DEPTH} levels deep: not an aml-netcheck report`);
  const problems = reportSchemaProblems(document);
  if (problems.length > 0) return fail(`is not a valid aml-netcheck report: ${describeProblems(problems, document)}`);
  const report = document as unknown as CheckReport;
  checkUniqueTargets(report, fail);
  // A report saved before redaction reached check's output may hold a secret from a server:
  // what diff, merge and rules print from it passes the redactor as check's own report does.
  return redactReport(report, SECRETS_ONLY);
}

function checkSchemaVersion(version: unknown, fail: (message: string) => never): void {
  if (typeof version === 'number' && version >= OLDEST_READABLE_REPORT_SCHEMA_VERSION && version <= REPORT_SCHEMA_VERSION) return;
  const reads = `this aml-netcheck reads versions ${OLDEST_READABLE_REPORT_SCHEMA_VERSION} to ${REPORT_SCHEMA_VERSION}`;
  if (typeof version !== 'number' || !Number.isInteger(version)) fail(version === undefined ? `has no schemaVersion; ${reads}` : `has schemaVersion ${quote(JSON.stringify(version))}, not a whole number; ${reads}`);
  const hint = (version as number) < OLDEST_READABLE_REPORT_SCHEMA_VERSION ? 'an older aml-netcheck wrote it: run the check again with this one' : 'a newer aml-netcheck wrote it: upgrade this one';
  fail(`is schema version ${String(version)}; ${reads} (${hint})`);
}

/** Two targets with one id would make every comparison by id ambiguous. */
function checkUniqueTargets(report: CheckReport, fail: (message: string) => never): void {
  const seen = new Map<string, number>();
  report.targets.forEach((target, index) => {
    const key = `${target.direction} ${target.id}`;
    const first = seen.get(key);
    if (first !== undefined) fail(`targets[${index}].id: ${quote(target.id)} is listed twice (first at targets[${first}])`);
    seen.set(key, index);
  });
}

/** The report printed in another format is the likeliest non-JSON file to be given here. */
function printedFormatHint(text: string): string {
  const start = text.trimStart();
  const format = start.startsWith('aml-netcheck ') ? 'table' : start.startsWith('## aml-netcheck') ? 'Markdown' : start.startsWith('<?xml') || start.startsWith('<testsuites') ? 'JUnit' : null;
  return format === null ? '' : `; it looks like the ${format} output: save the report with --out FILE or -o json`;
}

function describeProblem(error: ErrorObject, document: unknown): string {
  const segments = pointerToPath(error.instancePath);
  const value = valueAt(document, segments);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${formatKeyPath([...segments, String(params['missingProperty'])])} is missing`;
    case 'additionalProperties':
      return `${formatKeyPath(segments)}: unknown key ${quote(params['additionalProperty'])}`;
    case 'enum':
      return `${formatKeyPath(segments)} is ${quoteJson(value)}, not one of ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `${formatKeyPath(segments)} is ${quoteJson(value)}, not ${JSON.stringify(params['allowedValue'])}`;
    case 'type':
      return `${formatKeyPath(segments)} is ${quoteJson(value)}, not ${String(params['type'])}`;
    default:
      return `${formatKeyPath(segments)} ${error.message ?? 'is not valid'} (it is ${quoteJson(value)})`;
  }
}

/**
 * The schema's first complaints, most specific first. A value that matches none of several
 * forms (`anyOf`) gets one complaint per form and one for the `anyOf`: they are said together.
 */
function describeProblems(errors: readonly ErrorObject[], document: unknown): string {
  const concrete = errors.filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf');
  const deepest = Math.max(...concrete.map((e) => e.instancePath.length));
  const chosen = concrete.filter((e) => e.instancePath.length === deepest);
  const first = chosen[0];
  if (first === undefined) return describeProblem(errors[0] as ErrorObject, document);
  const atSamePath = chosen.filter((e) => e.instancePath === first.instancePath);
  if (atSamePath.length > 1 && atSamePath.every((e) => e.keyword === 'type')) {
    const segments = pointerToPath(first.instancePath);
    return `${formatKeyPath(segments)} is ${quoteJson(valueAt(document, segments))}, not ${atSamePath.map((e) => String((e.params as Record<string, unknown>)['type'])).join(' or ')}`;
  }
  return atSamePath
    .slice(0, PROBLEMS_SHOWN)
    .map((e) => describeProblem(e, document))
    .join('; ');
}
