import { CLOUD_NAMES } from '../../model/clouds.js';
import type { ExplainedDisagreement, Explanation, HostChange, HostChangeKind, RevisionStanding } from '../../catalog/explain.js';
import { escapeControl } from '../../model/text.js';
import { jsonDocument } from '../shared/json.js';
import type { Target } from '../../model/target.js';
import { sourceUrl } from '../../model/managed-network.js';
import { managedSourceAnchor, summarizeManaged, type ManagedNetworkAction, type ManagedView } from '../../remedies/managed-network.js';

/** How the host fares in each revision explained, and what changed between them; empty for a catalog without revisions. */
export interface RevisionContext {
  readonly revisions: readonly RevisionStanding[];
  readonly changes: readonly HostChange[];
}

/** With `--managed-network`: the host's targets and how the managed network meets each; null (or absent) without. */
export interface ExplainContext extends RevisionContext {
  readonly managedNetwork?: { readonly view: ManagedView; readonly targets: readonly Target[] } | null;
}

const NO_REVISIONS: ExplainContext = { revisions: [], changes: [] };

interface ManagedPort {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly protocol: string;
  readonly direction: string;
  readonly action: ManagedNetworkAction;
  readonly says: string;
  readonly source: string;
}

function managedPorts(context: ExplainContext): ManagedPort[] {
  const managed = context.managedNetwork;
  if (managed === undefined || managed === null) return [];
  return managed.targets.flatMap((t) => {
    const action = managed.view.actions.get(t.id);
    if (action === undefined) return [];
    const source = sourceUrl(managed.view.data.source, managedSourceAnchor(action, managed.view.mode));
    return [{ id: t.id, host: t.host, port: t.port, protocol: t.protocol, direction: t.direction, action, says: summarizeManaged(action), source }];
  });
}

/** The managed network's part of the table, after the catalog's rows. */
function managedText(context: ExplainContext): string[] {
  const managed = context.managedNetwork;
  if (managed === undefined || managed === null) return [];
  const { mode, data } = managed.view;
  const out = [`In a managed virtual network (${mode.az}), ${data.source.path} at ${data.source.commit}:`];
  const ports = managedPorts(context);
  if (ports.length === 0) out.push('  no port of this host is in the newest revision explained.');
  for (const p of ports) {
    out.push(`  ${p.host}:${p.port} ${p.protocol.toUpperCase()} ${p.direction}: ${p.says}`, `    source: ${p.source}`);
  }
  return [...out.map(escapeControl), ''];
}

function portList(explanation: Explanation): string {
  return explanation.ports.map((p) => `${p.protocol.toUpperCase()} ${p.port}`).join(', ');
}

const STATUS: Readonly<Record<RevisionStanding['status'], string>> = {
  required: 'required',
  conditional: 'required under a condition',
  optional: 'optional',
  'not-covered': 'not covered',
};

const CHANGE: Readonly<Record<HostChangeKind, string>> = {
  'newly-listed': 'newly listed',
  'no-longer-listed': 'no longer listed',
  'became-required': 'now required always',
  'became-conditional': 'now',
  'became-optional': 'now optional',
  'conditions-changed': 'now',
  'ports-added': 'ports added:',
  'ports-removed': 'ports removed:',
  'features-added': 'features added:',
  'features-removed': 'features removed:',
  'clouds-added': 'clouds added:',
  'clouds-removed': 'clouds removed:',
};

function changeText(change: HostChange): string {
  const items = change.kind === 'newly-listed' ? [`(${STATUS[change.items[0] as RevisionStanding['status']] ?? change.items[0] ?? ''})`] : change.items;
  return [CHANGE[change.kind], items.join(', ')].filter((x) => x !== '').join(' ');
}

function disagreementText(d: ExplainedDisagreement): string {
  return `${d.on}: ${d.this.article} (${d.this.sectionTitle}) says ${d.this.says}; ${d.other.article} (${d.other.sectionTitle}) says ${d.other.says}.`;
}

/** `explain HOST`: which features need the host, on which ports, and why; in which revisions of the article, and what changed. */
export function renderExplainText(query: string, explanations: readonly Explanation[], context: ExplainContext = NO_REVISIONS): string {
  // The query is a flag and every other value comes from catalog files: all of it is escaped.
  const shown = escapeControl(query);
  if (explanations.length === 0) {
    const only = context.revisions.length === 1 ? ` revision ${escapeControl(context.revisions[0]?.revision ?? '')} of` : '';
    return `No requirement in${only} the catalog covers ${shown}.\n`;
  }
  const features = [...new Set(explanations.flatMap((e) => e.features.map((f) => `${f.name} (${f.id})`)))];
  const out = [`${shown} is needed by ${escapeControl(features.join(', '))}.`, ''];
  // Said before the rows, plainly: the catalog keeps both articles' rows and checks each as written.
  const disagreements = [...new Set(explanations.flatMap((e) => e.disagreements.map(disagreementText)))];
  if (disagreements.length > 0) {
    out.push('The articles disagree on this host; the catalog keeps the rows of both:');
    for (const text of disagreements) out.push(escapeControl(`  ${text}`));
    out.push('');
  }
  if (context.revisions.length > 0) {
    out.push(escapeControl(`Revisions: ${context.revisions.map((r) => `${r.revision} ${STATUS[r.status]}`).join('; ')}.`));
    for (const change of context.changes) out.push(escapeControl(`  ${change.from} -> ${change.to}: ${changeText(change)}`));
    out.push('');
  }
  const line = (label: string, value: string): number => out.push(`  ${label.padEnd(11)} ${escapeControl(value)}`);
  for (const e of explanations) {
    const what = e.serviceTag ? `service tag ${e.serviceTag}` : e.matchedBy;
    out.push(escapeControl(`${e.sectionTitle}: ${what}`));
    if (e.serviceTag) line('stands for:', e.standsFor.length > 0 ? e.standsFor.join(', ') : 'no host that can be checked: allow the tag');
    line('features:', e.features.map((f) => f.name).join(', '));
    line('ports:', `${portList(e)} ${e.direction}`);
    line('clouds:', e.clouds.map((c) => CLOUD_NAMES[c]).join(', '));
    line('when:', e.condition ?? (e.required ? 'always' : 'optional: only some samples or setups use it'));
    line('why:', e.purpose);
    if (e.revisions.length > 0) line('revisions:', e.revisions.join(', '));
    for (const source of e.provenance) line('source:', `${source.revision} ${source.url}`);
    for (const d of e.disagreements) line('disagrees:', `on ${d.on} with ${d.other.article} (${d.other.sectionTitle})`);
    line('catalog:', `${e.file} ${e.keyPath}`);
    out.push('');
  }
  out.push(...managedText(context));
  return out.join('\n');
}

export function renderExplainJson(query: string, explanations: readonly Explanation[], context: ExplainContext = NO_REVISIONS): string {
  const managed = context.managedNetwork;
  const managedNetwork = managed === undefined || managed === null ? {} : { managedNetwork: { mode: managed.view.mode, source: managed.view.data.source, ports: managedPorts(context) } };
  return jsonDocument({ query, matches: explanations, revisions: context.revisions, changes: context.changes, ...managedNetwork });
}
