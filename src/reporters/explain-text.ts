import { CLOUD_NAMES } from '../model/clouds.js';
import type { Explanation } from '../catalog/explain.js';
import { escapeControl } from '../model/text.js';

function portList(explanation: Explanation): string {
  return explanation.ports.map((p) => `${p.protocol.toUpperCase()} ${p.port}`).join(', ');
}

/** `explain HOST`: which features need the host, on which ports, and why. */
export function renderExplainText(query: string, explanations: readonly Explanation[]): string {
  // The query is a flag and every other value comes from catalog files: all of it is escaped.
  const shown = escapeControl(query);
  if (explanations.length === 0) return `No requirement in the catalog covers ${shown}.\n`;
  const features = [...new Set(explanations.flatMap((e) => e.features.map((f) => `${f.name} (${f.id})`)))];
  const out = [`${shown} is needed by ${escapeControl(features.join(', '))}.`, ''];
  const line = (label: string, value: string): number => out.push(`  ${label.padEnd(11)} ${escapeControl(value)}`);
  for (const e of explanations) {
    const what = e.serviceTag ? `service tag ${e.serviceTag}` : e.matchedBy;
    out.push(escapeControl(`${e.sectionTitle}: ${what}`));
    if (e.serviceTag) line('stands for:', e.standsFor.join(', '));
    line('features:', e.features.map((f) => f.name).join(', '));
    line('ports:', `${portList(e)} ${e.direction}`);
    line('clouds:', e.clouds.map((c) => CLOUD_NAMES[c]).join(', '));
    line('when:', e.condition ?? (e.required ? 'always' : 'optional: only some samples or setups use it'));
    line('why:', e.purpose);
    line('catalog:', `${e.file} ${e.keyPath}`);
    out.push('');
  }
  return out.join('\n');
}

export function renderExplainJson(query: string, explanations: readonly Explanation[]): string {
  return `${JSON.stringify({ query, matches: explanations }, null, 2)}\n`;
}
