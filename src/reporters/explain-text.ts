import { CLOUD_NAMES } from '../model/clouds.js';
import type { Explanation } from '../catalog/explain.js';

function portList(explanation: Explanation): string {
  return explanation.ports.map((p) => `${p.protocol.toUpperCase()} ${p.port}`).join(', ');
}

/** `explain HOST`: which features need the host, on which ports, and why. */
export function renderExplainText(query: string, explanations: readonly Explanation[]): string {
  if (explanations.length === 0) return `No requirement in the catalog covers ${query}.\n`;
  const features = [...new Set(explanations.flatMap((e) => e.features.map((f) => `${f.name} (${f.id})`)))];
  const out = [`${query} is needed by ${features.join(', ')}.`, ''];
  for (const e of explanations) {
    const what = e.serviceTag ? `service tag ${e.serviceTag}` : e.matchedBy;
    out.push(`${e.sectionTitle}: ${what}`);
    if (e.serviceTag) out.push(`  stands for: ${e.standsFor.join(', ')}`);
    out.push(`  features:   ${e.features.map((f) => f.name).join(', ')}`);
    out.push(`  ports:      ${portList(e)} ${e.direction}`);
    out.push(`  clouds:     ${e.clouds.map((c) => CLOUD_NAMES[c]).join(', ')}`);
    out.push(`  when:       ${e.condition ?? (e.required ? 'always' : 'optional: only some samples or setups use it')}`);
    out.push(`  why:        ${e.purpose}`);
    out.push(`  catalog:    ${e.file} ${e.keyPath}`, '');
  }
  return out.join('\n');
}

export function renderExplainJson(query: string, explanations: readonly Explanation[]): string {
  return `${JSON.stringify({ query, matches: explanations }, null, 2)}\n`;
}
