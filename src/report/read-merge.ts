import path from 'node:path';
import { inputLabel } from '../io/input-file.js';
import { isObject } from '../io/json-input.js';
import { InputError } from '../model/errors.js';
import { escapeControl, quote, truncate } from '../model/text.js';
import { NODE_LABEL, REPORT_KEY } from './fleet-configmap.js';
import type { NodeReport, PendingNode } from './merge.js';
import { parseReportText, readReportText, validateReport } from './read.js';

/**
 * The inputs of `merge`: each file (or `-`) holds either one saved check report, or what
 * `kubectl get configmap -l aml-netcheck/run=<id> -o json` prints (a List of ConfigMaps, or
 * one ConfigMap), whose items hold the report under `data["report.json"]`. Every report is
 * validated as `diff` validates its inputs; an error names the file and the item.
 */

/** What `kubectl get … -o json` calls a list of ConfigMaps: `List` for a label query, `ConfigMapList` from the API itself. */
const LIST_KINDS: ReadonlySet<unknown> = new Set(['List', 'ConfigMapList']);

interface Found {
  readonly report: NodeReport['report'];
  readonly source: string;
  /** The node, when a ConfigMap's label or name says it; null for a plain report file. */
  readonly node: string | null;
  readonly file: string;
}

export interface MergeInputs {
  readonly nodes: NodeReport[];
  /** ConfigMaps without a report yet, reports of the same node given twice. */
  readonly warnings: string[];
  /** The nodes (ConfigMap labels or names) whose report is not written yet: no verdict from them. */
  readonly pending: PendingNode[];
}

function isKubernetesDocument(document: unknown): document is Record<string, unknown> {
  return isObject(document) && document['apiVersion'] === 'v1' && (LIST_KINDS.has(document['kind']) || document['kind'] === 'ConfigMap');
}

function shownName(value: unknown): string {
  return escapeControl(truncate(String(value)));
}

function readConfigMaps(file: string, label: string, document: Record<string, unknown>, warnings: string[], pending: PendingNode[]): Found[] {
  const single = document['kind'] === 'ConfigMap';
  const items: unknown = single ? [document] : document['items'];
  if (!Array.isArray(items)) throw new InputError(label, `is a Kubernetes ${shownName(document['kind'])} without an items list`);
  const found: Found[] = [];
  items.forEach((item: unknown, index) => {
    const metadata = isObject(item) && isObject(item['metadata']) ? item['metadata'] : {};
    const name = typeof metadata['name'] === 'string' && metadata['name'] !== '' ? metadata['name'] : null;
    const where = single ? `ConfigMap ${name === null ? '(no name)' : shownName(name)}` : `items[${index}]${name === null ? '' : ` (${shownName(name)})`}`;
    const fail = (message: string): never => {
      throw new InputError(label, `${where}: ${message}`);
    };
    if (!isObject(item)) return fail('is not an object');
    if (item['kind'] !== undefined && item['kind'] !== 'ConfigMap') return fail(`is a ${shownName(item['kind'])}, not a ConfigMap`);
    const data = item['data'];
    const text = isObject(data) ? data[REPORT_KEY] : undefined;
    if (text === undefined) {
      // A single-mode report ConfigMap is created empty, and a fleet pod that has not finished has written nothing yet.
      warnings.push(`${label}: ${where} has no ${REPORT_KEY} (its check has not written a report yet): no verdict from it`);
      const labels = isObject(metadata['labels']) ? metadata['labels'] : {};
      const nodeLabel = labels[NODE_LABEL];
      pending.push({ node: typeof nodeLabel === 'string' && nodeLabel !== '' ? nodeLabel : (name ?? where), source: `${label} ${where}` });
      return;
    }
    if (typeof text !== 'string') return fail(`data[${quote(REPORT_KEY)}] is not a string`);
    const report = validateReport(parseReportText(text, fail), fail);
    const labels = isObject(metadata['labels']) ? metadata['labels'] : {};
    const nodeLabel = labels[NODE_LABEL];
    const node = typeof nodeLabel === 'string' && nodeLabel !== '' ? nodeLabel : name;
    found.push({ report, source: `${label} ${where}`, node, file });
  });
  return found;
}

function readOne(file: string, warnings: string[], pending: PendingNode[]): Found[] {
  const label = inputLabel(file);
  const fail = (message: string): never => {
    throw new InputError(label, message);
  };
  const document = parseReportText(readReportText(file, label), fail);
  if (isKubernetesDocument(document)) return readConfigMaps(file, label, document, warnings, pending);
  return [{ report: validateReport(document, fail), source: label, node: null, file }];
}

/**
 * A plain report names no node (a report does not record the host it ran on), so its file
 * does: `node-a.json` is node `node-a`. Two files of one base name in different folders keep
 * their paths, so they stay two nodes.
 */
function fileNodeNames(found: readonly Found[]): string[] {
  const base = (file: string): string => (file === '-' ? 'standard input' : path.basename(file).replace(/\.json$/i, ''));
  const counts = new Map<string, Set<string>>();
  for (const f of found) if (f.node === null) counts.set(base(f.file), (counts.get(base(f.file)) ?? new Set()).add(f.file));
  return found.map((f) => f.node ?? ((counts.get(base(f.file))?.size ?? 0) > 1 ? f.file : base(f.file)));
}

/**
 * Reads every input. The same node twice (a ConfigMap list and a saved copy of one of its
 * reports, or a list given twice) is a warning, and the newer report wins: a retried pod
 * rewrites its node's ConfigMap, so the newer run is the one that stands.
 */
export function readMergeInputs(files: readonly string[]): MergeInputs {
  const warnings: string[] = [];
  const pending: PendingNode[] = [];
  const found = files.flatMap((file) => readOne(file, warnings, pending));
  if (found.length === 0) throw new InputError('merge', `no report to merge: ${files.length === 1 ? 'the input holds' : 'the inputs hold'} no ${REPORT_KEY} yet`);
  const names = fileNodeNames(found);
  const byNode = new Map<string, NodeReport>();
  found.forEach((f, i) => {
    const node = names[i] as string;
    const candidate: NodeReport = { node, source: f.source, report: f.report };
    const earlier = byNode.get(node);
    if (earlier === undefined) {
      byNode.set(node, candidate);
      return;
    }
    const newer = Date.parse(candidate.report.startedAt) > Date.parse(earlier.report.startedAt) ? candidate : earlier;
    const older = newer === candidate ? earlier : candidate;
    warnings.push(`two reports of node ${quote(node)} (${older.source}, ${newer.source}): the newer one (${newer.report.startedAt}, ${newer.source}) is used`);
    // The node keeps its first place in the order, with the newer report.
    byNode.set(node, newer);
  });
  // A node that reported after all is not pending; one listed twice is pending once.
  const silent = pending.filter((p, i) => !byNode.has(p.node) && pending.findIndex((q) => q.node === p.node) === i);
  return { nodes: [...byNode.values()], warnings, pending: silent };
}
