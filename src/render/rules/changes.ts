import { CLOUD_NAMES } from '../../model/clouds.js';
import { escapeControl, plural } from '../../model/text.js';
import { additionsPlan, nothingChanged, removalsPlan, type RuleChanges } from '../../remedies/changes.js';
import type { AllowEntry, RulesPlan } from '../../remedies/plan.js';
import { isFqdnPattern } from '../../model/identifiers.js';
import { partitionEntries } from '../../remedies/validate.js';
import { cell, code } from '../shared/markdown.js';
import { formatColumns } from '../shared/columns.js';
import { renderRulesAzClassic } from './az-classic.js';
import { renderRulesAzPolicy } from './az-policy.js';
import { renderRulesBicep } from './bicep.js';
import { CSV_HEADER, rulesCsvRows } from './csv.js';
import { renderRulesDns } from './dns.js';
import type { RulesRenderOptions } from './formats.js';
import type { RulesFormat } from './registry.js';
import { allowMarkdownTable } from './markdown.js';
import { renderRulesNsg } from './nsg.js';
import { renderRulesProxy } from './proxy.js';
import { commentText, csvField } from '../shared/quote.js';
import { allowTable, remoteOf } from './table.js';
import { PLAIN, wrap, type TextOptions } from '../shared/terminal.js';
import { jsonDocument } from '../shared/json.js';

/**
 * `rules --changes-since`: what a firewall built from an earlier revision's allow-list needs
 * now. The command formats print commands for the additions only; what may be removed is
 * listed as comments, because another workload may still need it and deleting is the admin's
 * call.
 */

function where(changes: RuleChanges): string {
  return [CLOUD_NAMES[changes.cloud], changes.region ?? 'no region given'].join(', ');
}

function summary(changes: RuleChanges): string {
  const { from, to } = changes;
  if (from === to) return `--changes-since names the revision selected (${from}): nothing changed (${where(changes)}).`;
  if (nothingChanged(changes)) return `No rule changed from revision ${from} to ${to} of the article for this workspace (${where(changes)}; ${plural(changes.unchanged, 'rule')} in both).`;
  const counts = [`${changes.added.length} to add`, `${changes.removable.length} that may be removed`, ...(changes.changed.length > 0 ? [`${changes.changed.length} changed`] : []), `${changes.unchanged} unchanged`];
  return `From revision ${from} to ${to} of the article, this workspace's allow-list has ${counts.join(', ')} (${where(changes)}).`;
}

const ADDED_TITLE = (c: RuleChanges): string => `Add (in the ${c.to} list, not in ${c.from}'s):`;
const REMOVABLE_TITLE = (c: RuleChanges): string => `May be removed (in the ${c.from} list only; keep any rule another workload still uses):`;
const CHANGED_TITLE = 'Changed (the same rule, needed by other features, or required where it was optional or the other way round):';

function featuresOf(entry: AllowEntry): string {
  return `${entry.features.join(', ')}${entry.required ? '' : ' (optional)'}`;
}

/** The change as a table: additions, removals, changed rules, then where to get commands. */
export function renderChangesTable(changes: RuleChanges, options: TextOptions = PLAIN): string {
  const out = [...wrap(escapeControl(summary(changes)), options.width, ''), ''];
  const section = (title: string, entries: readonly AllowEntry[]): void => {
    if (entries.length > 0) out.push(...wrap(escapeControl(title), options.width, ''), allowTable(entries, options.width), '');
  };
  section(ADDED_TITLE(changes), changes.added);
  section(REMOVABLE_TITLE(changes), changes.removable);
  if (changes.changed.length > 0) {
    const rows = [['DESTINATION', 'DIR', 'PROTO', 'PORT', `${changes.from}`, `${changes.to}`]];
    for (const { before, after } of changes.changed) rows.push([remoteOf(after), after.direction === 'inbound' ? 'in' : 'out', after.protocol, String(after.port), featuresOf(before), featuresOf(after)]);
    out.push(...wrap(CHANGED_TITLE, options.width, ''), formatColumns(rows, new Set([3]), options.width, true), '');
  }
  const names = (title: string, hosts: readonly string[]): void => {
    if (hosts.length > 0) out.push(...wrap(escapeControl(`${title} ${hosts.join(', ')}`), options.width, '  '), '');
  };
  names(
    'Newly private-link names (need a private DNS record, and must bypass a proxy):',
    changes.privateNames.added.map((p) => p.host),
  );
  names(
    'Private-link names no longer listed:',
    changes.privateNames.removable.map((p) => p.host),
  );
  if (!nothingChanged(changes)) {
    out.push(...wrap('Additions as commands: -o az, -o az-classic, -o nsg, -o bicep (removals only as comments).', options.width, ''));
  }
  return `${out.join('\n').trimEnd()}\n`;
}

export function renderChangesMarkdown(changes: RuleChanges): string {
  const out = ['## aml-netcheck rules: changes', '', cell(summary(changes)), ''];
  const section = (title: string, entries: readonly AllowEntry[]): void => {
    if (entries.length > 0) out.push(`### ${cell(title)}`, '', ...allowMarkdownTable(entries), '');
  };
  section(ADDED_TITLE(changes), changes.added);
  section(REMOVABLE_TITLE(changes), changes.removable);
  if (changes.changed.length > 0) {
    out.push(`### ${cell(CHANGED_TITLE)}`, '', `| Direction | Destination | Protocol | Port | ${cell(changes.from)} | ${cell(changes.to)} |`, '| --- | --- | --- | ---: | --- | --- |');
    for (const { before, after } of changes.changed) out.push(`| ${after.direction} | ${code(remoteOf(after))} | ${after.protocol} | ${after.port} | ${cell(featuresOf(before))} | ${cell(featuresOf(after))} |`);
    out.push('');
  }
  const hosts = (title: string, list: readonly string[]): void => {
    if (list.length > 0) out.push(`${cell(title)} ${list.map(code).join(', ')}`, '');
  };
  hosts(
    'Newly private-link names:',
    changes.privateNames.added.map((p) => p.host),
  );
  hosts(
    'Private-link names no longer listed:',
    changes.privateNames.removable.map((p) => p.host),
  );
  return `${out.join('\n').trimEnd()}\n`;
}

/** Bump when a consumer of `rules --changes-since -o json` would have to change. */
const RULE_CHANGES_SCHEMA_VERSION = 1;

/** The change as data; entries that fail validation (a hostile user catalog) are moved to `refused`, as `rules -o json` does. */
export function renderChangesJson(changes: RuleChanges): string {
  const added = partitionEntries(changes.added);
  const removable = partitionEntries(changes.removable);
  const changed = changes.changed.filter((c) => partitionEntries([c.before, c.after]).refused.length === 0);
  const refused = [...added.refused, ...removable.refused, ...changes.changed.filter((c) => !changed.includes(c)).flatMap((c) => partitionEntries([c.before, c.after]).refused)];
  const document = {
    kind: 'aml-netcheck-rule-changes',
    schemaVersion: RULE_CHANGES_SCHEMA_VERSION,
    from: changes.from,
    to: changes.to,
    cloud: changes.cloud,
    region: changes.region,
    added: added.safe,
    removable: removable.safe,
    changed,
    unchanged: changes.unchanged,
    privateNames: changes.privateNames,
    noProxy: changes.noProxy,
    refused,
  };
  return jsonDocument(document);
}

const CHANGES_CSV_HEADER = ['change', ...CSV_HEADER, 'previous_features', 'previous_required'] as const;

/** One row per rule, `change` saying added, removable or changed (with what the rule was for before). */
export function renderChangesCsv(changes: RuleChanges): string {
  const plan = (allow: readonly AllowEntry[]): RulesPlan => ({ ...additionsPlan(changes), allow });
  const rows: string[][] = [
    ...rulesCsvRows(plan(changes.added)).map((row) => ['added', ...row, '', '']),
    ...rulesCsvRows(plan(changes.removable)).map((row) => ['removable', ...row, '', '']),
    ...changes.changed.flatMap(({ before, after }) => rulesCsvRows(plan([after])).map((row) => ['changed', ...row, before.features.join(' '), before.required ? 'yes' : 'no'])),
  ];
  return [CHANGES_CSV_HEADER as readonly string[], ...rows].map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}

function removableLines(changes: RuleChanges, prefix: '#' | '//'): string[] {
  const { safe, refused } = partitionEntries(changes.removable);
  const lines = safe.map(
    (e) =>
      `${prefix}   ${commentText(`${e.direction} ${e.protocol} ${e.port} ${e.direction === 'inbound' ? 'from' : 'to'} ${e.direction === 'inbound' ? (e.serviceTag ?? '') : (e.fqdn ?? e.serviceTag ?? '')}${e.serviceTag !== null && e.direction === 'outbound' && e.fqdn !== null ? ` (service tag ${e.serviceTag})` : ''}: ${e.features.join(', ')}`)}`,
  );
  for (const line of refused) lines.push(`${prefix}   left out: ${commentText(line)}`);
  if (lines.length === 0) return ['', `${prefix} Nothing in the ${commentText(changes.from)} list is gone from ${commentText(changes.to)}'s.`];
  return ['', `${prefix} May be removed: in the allow-list of revision ${commentText(changes.from)}, not in ${commentText(changes.to)}'s.`, `${prefix} Nothing here deletes them: another workload may still need them. Check before you remove any.`, ...lines];
}

/** The command formats: commands for the additions, in rules and collections of their own; the removals as comments after them. */
function commands(render: (plan: RulesPlan, options: RulesRenderOptions) => string, prefix: '#' | '//'): (changes: RuleChanges, before: RulesPlan, options: RulesRenderOptions) => string {
  return (changes, before, options) => {
    const additions = { since: changes.from, revision: changes.to, earlier: before };
    return `${render(additionsPlan(changes), { ...options, additions }).trimEnd()}\n${removableLines(changes, prefix).join('\n')}\n`;
  };
}

/** `-o dns`: the records new private-link names need, and the names no longer listed (their records may go). */
function renderChangesDns(changes: RuleChanges): string {
  const out: string[] = [];
  if (changes.privateNames.added.length > 0) out.push(renderRulesDns(additionsPlan(changes)).trimEnd());
  else out.push(`# aml-netcheck rules: DNS. No private-link name is new in revision ${commentText(changes.to)} against ${commentText(changes.from)}.`);
  const gone = removalsPlan(changes).privateNames.map((p) => p.host);
  if (gone.length > 0) out.push('', `# No longer listed in revision ${commentText(changes.to)}; their records may go if nothing else uses them:`, ...gone.map((h) => `#   ${commentText(h)}`));
  return `${out.join('\n')}\n`;
}

/** `-o proxy`: names to add to the proxy and to NO_PROXY; the names that may leave either, as comments. */
function renderChangesProxy(changes: RuleChanges): string {
  const out = [renderRulesProxy(additionsPlan(changes)).trimEnd()];
  const removable = partitionEntries(changes.removable.filter((e) => e.direction === 'outbound' && e.fqdn !== null && (e.protocol === 'HTTP' || e.protocol === 'HTTPS'))).safe;
  const web = [...new Set(removable.map((e) => e.fqdn as string))];
  if (web.length > 0) out.push('', `# May be removed from the proxy (in revision ${commentText(changes.from)}'s list only, if nothing else uses them):`, ...web.map((h) => `#   ${commentText(h)}`));
  const noProxy = changes.noProxy.removable.filter(isFqdnPattern);
  if (noProxy.length > 0) out.push('', '# No longer need to bypass the proxy:', ...noProxy.map((h) => `#   ${commentText(h)}`));
  return `${out.join('\n')}\n`;
}

/** Every format `rules --changes-since` prints; `before` is the earlier plan, so additions can be placed after what it made. */
export const CHANGES_RENDERERS: Readonly<Record<RulesFormat, (changes: RuleChanges, before: RulesPlan, options: RulesRenderOptions, text: TextOptions) => string>> = {
  table: (changes, _before, _options, text) => renderChangesTable(changes, text),
  json: renderChangesJson,
  markdown: renderChangesMarkdown,
  csv: renderChangesCsv,
  az: commands(renderRulesAzPolicy, '#'),
  'az-classic': commands(renderRulesAzClassic, '#'),
  nsg: commands(renderRulesNsg, '#'),
  bicep: commands(renderRulesBicep, '//'),
  dns: renderChangesDns,
  proxy: renderChangesProxy,
  'managed-network': () =>
    ['# aml-netcheck rules: managed virtual network. --changes-since has no managed-network form: run `rules -o managed-network`', '# for the newer revision instead; its script sets only the rules the workspace lacks, so it adds just what is new.', ''].join('\n'),
};
