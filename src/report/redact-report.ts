import { readFileSync } from 'node:fs';
import type { Redactor, Shape } from '../model/redact.js';
import type { CheckReport } from './report.js';
import { REPORT_SCHEMA_FILE } from './report-schema.js';

/**
 * A report is redacted as data, once, before any format is rendered from it: every format,
 * file and ConfigMap then shows the same redacted values, keys are never touched, and the
 * values the schema fixes (an enum, a const, a pattern: statuses, reason codes, times,
 * revisions) stay as they are, so the JSON stays a report `diff` and `merge` read.
 */

interface SchemaNode {
  readonly enum?: unknown;
  readonly const?: unknown;
  readonly pattern?: unknown;
  readonly format?: unknown;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly additionalProperties?: SchemaNode | boolean;
  readonly items?: SchemaNode | boolean;
  readonly anyOf?: readonly SchemaNode[];
  readonly oneOf?: readonly SchemaNode[];
  readonly allOf?: readonly SchemaNode[];
  readonly $ref?: string;
  readonly $defs?: Readonly<Record<string, SchemaNode>>;
}

type Definitions = Readonly<Record<string, SchemaNode>>;

const DEFINITION = '#/$defs/';

/** The node and every alternative it allows, flattened; a reference to the schema's `$defs` (the reason codes) stands for what it names. */
function alternatives(node: SchemaNode, defs: Definitions): SchemaNode[] {
  const named = node.$ref?.startsWith(DEFINITION) ? defs[node.$ref.slice(DEFINITION.length)] : undefined;
  const others = [...(named ? [named] : []), ...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])];
  return [node, ...others.flatMap((other) => alternatives(other, defs))];
}

/**
 * The shape the schema gives a value. Where alternatives differ, a value any of them fixes is
 * kept: the schema's words, never a secret.
 */
function schemaShape(nodes: readonly SchemaNode[], defs: Definitions): Shape {
  const all = nodes.flatMap((node) => alternatives(node, defs));
  const child = (pick: (node: SchemaNode) => SchemaNode | boolean | undefined): Shape | undefined => {
    const found = all.map(pick).filter((inner): inner is SchemaNode => typeof inner === 'object');
    return found.length === 0 ? undefined : schemaShape(found, defs);
  };
  return {
    fixed: all.some((node) => node.enum !== undefined || node.const !== undefined || node.pattern !== undefined || node.format !== undefined),
    at: (key) => (typeof key === 'number' ? child((node) => node.items) : child((node) => node.properties?.[key] ?? node.additionalProperties)),
  };
}

let reportShape: Shape | undefined;

/** The report's shape, from the published schema (read once). */
function checkReportShape(): Shape {
  if (reportShape === undefined) {
    const schema = JSON.parse(readFileSync(REPORT_SCHEMA_FILE, 'utf8')) as SchemaNode;
    reportShape = schemaShape([schema], schema.$defs ?? {});
  }
  return reportShape;
}

export function redactReport(report: CheckReport, redactor: Redactor): CheckReport {
  return redactor.value(report, checkReportShape());
}
