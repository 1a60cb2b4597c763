import type { RulesPlan } from '../../remedies/plan.js';
import { partitionEntries } from '../../remedies/validate.js';
import { csvField } from '../shared/quote.js';

/**
 * `rules -o csv`: for any firewall, one row per destination and port. The service tag column
 * names the Azure tag behind a row where there is one, for devices that import Azure's
 * published address ranges; inbound rows name it as the source.
 */
export const CSV_HEADER = ['direction', 'source', 'destination', 'protocol', 'port', 'service_tag', 'features', 'required', 'purpose'] as const;

export function rulesCsvRows(plan: RulesPlan): string[][] {
  return partitionEntries(plan.allow).safe.map((entry) => [
    entry.direction,
    entry.direction === 'inbound' ? (entry.serviceTag ?? '') : 'workspace subnets',
    entry.direction === 'inbound' ? 'compute nodes' : (entry.fqdn ?? entry.serviceTag ?? ''),
    entry.protocol,
    String(entry.port),
    entry.serviceTag ?? '',
    entry.features.join(' '),
    entry.required ? 'yes' : 'no',
    entry.purpose,
  ]);
}

export function renderRulesCsv(plan: RulesPlan): string {
  return [CSV_HEADER as readonly string[], ...rulesCsvRows(plan)].map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}
