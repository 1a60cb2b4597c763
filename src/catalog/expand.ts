import { InputError } from '../model/errors.js';
import { quote } from '../model/text.js';
import type { Direction, FirewallProtocol, FirewallRule, ProbeDepth, RuleProtocol, Skip, Target, TargetSource } from '../model/target.js';
import { CONDITIONS } from './conditions.js';
import { fillTemplate, patternCovers, type HostPattern } from './host-pattern.js';
import { PLACEHOLDERS } from './placeholders.js';
import type { Catalog, CatalogEntry, PortSpec, ServiceTagEntry } from './types.js';
import { CLOUD_NAMES } from '../model/clouds.js';
import type { WorkspaceFacts } from '../model/facts.js';
import { isValidHostOrAddress } from '../model/hosts.js';
import { mustResolvePrivately, privateNameKind } from '../model/private-names.js';

export interface ExpandOptions {
  /** --features: only these features; absent means every feature that applies by default. */
  readonly features?: readonly string[];
}

/** A host a pattern stands for, or the reason it cannot stand for one yet. */
interface Candidate {
  readonly host: string;
  readonly representative: boolean;
  readonly unresolved: Skip | null;
}

interface Contribution {
  readonly entry: CatalogEntry;
  readonly pattern: HostPattern;
  readonly candidate: Candidate;
  readonly port: PortSpec;
  readonly features: readonly string[];
  /** Skipped because every feature it serves is opt-in; other reasons matter more. */
  readonly optIn: boolean;
  readonly skipped: Skip | null;
}

/**
 * Which protocol a merged target is written as. `any` outranks the rest: it allows every IP
 * protocol, so a rule that says less would not open what that requirement needs. `udp` never
 * meets the others (UDP targets are kept apart); it has a rank only to complete the table.
 */
const PROTOCOL_RANK: Record<RuleProtocol, number> = { tcp: 0, http: 1, https: 2, any: 3, udp: 4 };
const FIREWALL_PROTOCOL: Record<RuleProtocol, FirewallProtocol> = { tcp: 'TCP', http: 'HTTP', https: 'HTTPS', udp: 'UDP', any: 'Any' };

function widest<P extends RuleProtocol>(protocols: readonly P[]): P {
  return protocols.reduce((a, b) => (PROTOCOL_RANK[b] > PROTOCOL_RANK[a] ? b : a));
}

export function checkFeatureSelection(catalog: Catalog, features: readonly string[]): void {
  for (const id of features) {
    if (!catalog.features.has(id)) {
      const elsewhere = catalog.featureRevisions.get(id);
      if (elsewhere !== undefined && catalog.revision !== null) {
        throw new InputError('--features', `feature ${quote(id)} is not in revision ${catalog.revision.id} of the article, only in ${elsewhere.join(', ')} (use --revision ${elsewhere.at(-1) ?? ''} to check it)`);
      }
      throw new InputError('--features', `unknown feature ${quote(id)} (known: ${[...catalog.features.keys()].join(', ')})`);
    }
  }
}

function flagsFor(placeholders: readonly string[]): string {
  return placeholders.map((p) => PLACEHOLDERS.get(p)?.flag ?? `<${p}>`).join(' ');
}

function describeMissing(placeholder: string): string {
  const why = PLACEHOLDERS.get(placeholder)?.missing;
  return why === undefined ? `<${placeholder}>` : `<${placeholder}> (${why})`;
}

/** A skip keeps `ruleOnly` only when every part of it is one: a condition that fails drops the rule too. */
function ruleOnlyOf(skips: readonly Skip[]): { ruleOnly?: true } {
  return skips.every((s) => s.ruleOnly === true) ? { ruleOnly: true } : {};
}

function combineSkips(skips: ReadonlyArray<Skip | null>): Skip | null {
  const present = skips.filter((s): s is Skip => s !== null);
  if (present.length === 0) return null;
  const flags = [...new Set(present.map((s) => s.flag).filter((f): f is string => f !== null))];
  return { reason: present.map((s) => s.reason).join('; '), flag: flags.length > 0 ? flags.join(' ') : null, ...ruleOnlyOf(present) };
}

/**
 * A merged target comes in when any of its sources does; say each way in, leaving
 * out opt-in features when a default feature also wants the target.
 */
function eitherSkip(group: readonly Contribution[]): Skip {
  const byDefault = group.filter((c) => !c.optIn);
  const skips = (byDefault.length > 0 ? byDefault : group).map((c) => c.skipped as Skip);
  const reasons = [...new Set(skips.map((s) => s.reason))];
  const flags = [...new Set(skips.map((s) => s.flag).filter((f): f is string => f !== null))];
  return { reason: reasons.join('; or '), flag: flags.length > 0 ? flags.join(' | ') : null, ...ruleOnlyOf(skips) };
}

/**
 * Turns a template (placeholders allowed) into hosts. A name that needs facts the
 * user did not give stays as the template, marked with the flags that would fill it.
 */
function resolveTemplate(template: string, facts: WorkspaceFacts, wildcard: HostPattern | null, representative: boolean): Candidate[] {
  const filled = fillTemplate(template, (name) => PLACEHOLDERS.get(name)?.values(facts) ?? []);
  if (!filled.ok) {
    return [{ host: filled.partial, representative, unresolved: { reason: `needs ${filled.missing.map(describeMissing).join(', ')}`, flag: flagsFor(filled.missing) } }];
  }
  return filled.hosts.map((host) => {
    if (!isValidHostOrAddress(host)) {
      return { host: template, representative, unresolved: { reason: `'${host}' built from the workspace facts is not a valid host name`, flag: null } };
    }
    if (wildcard && !patternCovers(wildcard, host)) {
      return { host: template, representative, unresolved: { reason: `'${host}' is not under ${wildcard.host}`, flag: null } };
    }
    return { host, representative, unresolved: null };
  });
}

/** The first alternative whose facts are all known wins; if none is, say what each would need. */
function resolveAlternatives(alternatives: readonly string[], facts: WorkspaceFacts, wildcard: HostPattern): Candidate[] {
  const attempts = alternatives.map((alt) => resolveTemplate(alt, facts, wildcard, false));
  const usable = attempts.find((candidates) => candidates.every((c) => c.unresolved === null));
  if (usable) return usable;
  const last = attempts[attempts.length - 1] as Candidate[];
  const reasons = attempts.map((candidates) => candidates[0]?.unresolved).filter((s): s is Skip => s !== undefined && s !== null);
  return [
    {
      host: last[0]?.host ?? (alternatives[0] as string),
      representative: false,
      unresolved: {
        reason: reasons.map((r) => r.reason).join(', or '),
        flag:
          reasons
            .map((r) => r.flag)
            .filter(Boolean)
            .join(' or ') || null,
      },
    },
  ];
}

/** A wildcard with its placeholders filled from the facts, when they name exactly one; null otherwise. */
function filledWildcard(pattern: HostPattern, facts: WorkspaceFacts): string | null {
  if (pattern.placeholders.length === 0) return pattern.host;
  const filled = fillTemplate(pattern.host, (name) => PLACEHOLDERS.get(name)?.values(facts) ?? []);
  return filled.ok && filled.hosts.length === 1 ? (filled.hosts[0] as string) : null;
}

function candidatesFor(pattern: HostPattern, catalog: Catalog, facts: WorkspaceFacts): Candidate[] {
  if (pattern.wildcard === 'none') return resolveTemplate(pattern.host, facts, null, false);
  const rule = catalog.wildcards.get(pattern.host);
  if (!rule) {
    // Nothing to dial, but the wildcard itself still belongs in the allow-list once the facts fill it (*.westus2.batch.azure.com).
    const filled = filledWildcard(pattern, facts);
    return [
      {
        host: filled ?? pattern.host,
        representative: false,
        unresolved: { reason: `no concrete host is documented for ${pattern.host}; name one under 'wildcards' in a --catalog file`, flag: '--catalog', ...(filled === null ? {} : { ruleOnly: true }) },
      },
    ];
  }
  return [...rule.names.flatMap((alternatives) => resolveAlternatives(alternatives, facts, pattern)), ...rule.representatives.flatMap((rep) => resolveTemplate(rep, facts, pattern, true))];
}

function patternsOf(entry: CatalogEntry, facts: WorkspaceFacts): readonly HostPattern[] {
  return entry.kind === 'host' ? [entry.pattern] : (entry.hosts[facts.cloud] ?? []);
}

function tagDestination(entry: ServiceTagEntry, facts: WorkspaceFacts): string {
  return facts.region ? entry.tagName.replace(/\.region$/, `.${facts.region}`) : entry.tagName;
}

/**
 * A service tag that no host stands for in this cloud (the article names the tag but no host
 * there) still belongs in the allow-list. It becomes one skipped target named after the tag,
 * which `rules` keeps and `check` cannot dial.
 */
function tagOnlyCandidate(entry: CatalogEntry, facts: WorkspaceFacts): { pattern: HostPattern; candidate: Candidate } | null {
  if (entry.kind !== 'service-tag' || entry.hosts[facts.cloud]?.length !== 0) return null;
  const tag = tagDestination(entry, facts);
  const pattern: HostPattern = { text: entry.serviceTag, host: tag, path: null, wildcard: 'none', placeholders: [] };
  const reason = `no host stands for service tag ${entry.tagName} in ${CLOUD_NAMES[facts.cloud]}, so nothing here can be checked; allow the tag`;
  return { pattern, candidate: { host: tag, representative: false, unresolved: { reason, flag: null, ruleOnly: true } } };
}

function featureGate(entry: CatalogEntry, catalog: Catalog, selection: ReadonlySet<string> | null): { features: string[]; skip: Skip | null } | null {
  if (selection) {
    const features = entry.features.filter((f) => selection.has(f));
    return features.length === 0 ? null : { features, skip: null };
  }
  const enabled = entry.features.filter((f) => catalog.features.get(f)?.default !== false);
  if (enabled.length > 0) return { features: enabled, skip: null };
  const first = entry.features[0] as string;
  return { features: [...entry.features], skip: { reason: `${entry.features.join(', ')} ${entry.features.length > 1 ? 'are' : 'is'} opt-in`, flag: `--features ${first}` } };
}

function ruleFor(entry: CatalogEntry, candidate: Candidate, pattern: HostPattern, port: PortSpec, facts: WorkspaceFacts): FirewallRule {
  const protocol = FIREWALL_PROTOCOL[port.protocol];
  if (entry.kind === 'service-tag') {
    return { type: 'service-tag', destination: tagDestination(entry, facts), protocol, port: port.port, direction: entry.direction };
  }
  // A placeholder pattern names one host; a wildcard is what the firewall rule should hold.
  const destination = pattern.wildcard === 'none' ? (candidate.unresolved === null ? candidate.host : pattern.host) : (filledWildcard(pattern, facts) ?? pattern.host);
  return { type: 'fqdn', destination, protocol, port: port.port, direction: entry.direction };
}

/**
 * `any` is probed as tcp would be (TCP is what can be checked of it): the port glossary says how
 * deep, and an http or https requirement on the same port goes deeper.
 */
function probeDepth(catalog: Catalog, protocols: readonly RuleProtocol[], port: number): ProbeDepth {
  const probed = widest(protocols.map((p) => (p === 'any' ? 'tcp' : p)));
  if (probed !== 'tcp') return probed;
  return catalog.ports.find((p) => p.from <= port && port <= p.to)?.probe ?? 'tcp';
}

/** Where two sources give the same destination and port, the rule that allows more (Any over TCP) wins. */
function wider(a: FirewallRule, b: FirewallRule): FirewallRule {
  return b.protocol === 'Any' && a.protocol !== 'Any' ? b : a;
}

function sourceOf(c: Contribution): TargetSource {
  return {
    section: c.entry.section.id,
    file: c.entry.origin.file,
    keyPath: c.entry.origin.keyPath,
    pattern: c.entry.kind === 'host' ? c.entry.pattern.text : c.entry.serviceTag,
    serviceTag: c.entry.kind === 'service-tag' ? c.entry.serviceTag : null,
    features: c.features,
    condition: c.entry.condition,
    required: c.entry.required,
    representative: c.candidate.representative,
    purpose: c.entry.purpose,
    skipped: c.skipped,
  };
}

function mergeTarget(catalog: Catalog, facts: WorkspaceFacts, group: Contribution[]): Target {
  const first = group[0] as Contribution;
  const active = group.filter((c) => c.skipped === null);
  const counted = active.length > 0 ? active : group;
  const lead = counted.find((c) => c.entry.kind === 'host') ?? (counted[0] as Contribution);
  const protocols = counted.map((c) => c.port.protocol);
  const protocol = widest(protocols);
  const features = [...new Set(counted.flatMap((c) => c.features))];
  const rules = new Map<string, FirewallRule>();
  for (const c of counted) {
    const rule = ruleFor(c.entry, c.candidate, c.pattern, c.port, facts);
    // One rule per destination and port is enough to fix it, whichever kind came first.
    const key = `${rule.type}|${rule.destination}|${rule.port}`;
    const known = rules.get(key);
    rules.set(key, known ? wider(known, rule) : rule);
  }
  const unconditional = counted.some((c) => c.entry.condition === null);
  const paths = counted.map((c) => c.pattern.path).filter((p): p is string => p !== null);
  const direction: Direction = first.entry.direction;
  const privateName = privateNameKind(first.candidate.host, facts);
  return {
    id: `${direction === 'inbound' ? 'inbound:' : ''}${first.candidate.host}:${first.port.port}${protocol === 'udp' ? '/udp' : ''}`,
    host: first.candidate.host,
    port: first.port.port,
    protocol,
    probe: probeDepth(catalog, protocols, first.port.port),
    direction,
    path: paths[0] ?? null,
    pattern: lead.pattern.text,
    features,
    // A row whose article disagrees with another article's is not enough on its own to call the
    // target required: where only it applies, a failure is a warning naming the disagreement
    // (explain shows both), not a blocked feature that the other article says is fine.
    required: counted.some((c) => c.entry.required && c.entry.disagrees.length === 0),
    condition: unconditional ? null : (counted[0] as Contribution).entry.condition,
    representative: counted.every((c) => c.candidate.representative),
    privateName,
    mustResolvePrivately: mustResolvePrivately(privateName, facts),
    skipped: active.length > 0 ? null : eitherSkip(group),
    purpose: lead.entry.purpose,
    rules: [...rules.values()],
    sources: group.map(sourceOf),
  };
}

/**
 * Expands the catalog into concrete targets for one workspace: placeholders from
 * the facts, wildcards into their documented names or representatives, conditions
 * and opt-in features into skips. Targets that share host, port and transport are merged.
 */
export function expandCatalog(catalog: Catalog, facts: WorkspaceFacts, options: ExpandOptions = {}): Target[] {
  if (options.features) checkFeatureSelection(catalog, options.features);
  const selection = options.features && options.features.length > 0 ? new Set(options.features) : null;
  const groups = new Map<string, Contribution[]>();
  for (const entry of catalog.entries) {
    if (!entry.clouds.includes(facts.cloud)) continue;
    const gate = featureGate(entry, catalog, selection);
    if (!gate) continue;
    const condition = entry.condition === null ? undefined : CONDITIONS.get(entry.condition);
    const conditionSkip: Skip | null = condition && !condition.holds(facts) ? { reason: `needed only when ${condition.when}`, flag: condition.flag } : null;
    const tagOnly = tagOnlyCandidate(entry, facts);
    const pairs = tagOnly ? [tagOnly] : patternsOf(entry, facts).flatMap((pattern) => candidatesFor(pattern, catalog, facts).map((candidate) => ({ pattern, candidate })));
    for (const { pattern, candidate } of pairs) {
      const skipped = combineSkips([gate.skip, conditionSkip, candidate.unresolved]);
      for (const port of entry.ports) {
        // UDP is another port space: a UDP requirement never merges with a TCP one on the same number.
        const key = `${entry.direction}|${candidate.host}|${port.port}${port.protocol === 'udp' ? '|udp' : ''}`;
        const group = groups.get(key) ?? [];
        group.push({ entry, pattern, candidate, port, features: gate.features, optIn: gate.skip !== null, skipped });
        groups.set(key, group);
      }
    }
  }
  const targets = [...groups.values()].map((group) => mergeTarget(catalog, facts, group));
  return targets.sort(compareTargets);
}

function compareTargets(a: Target, b: Target): number {
  return Number(a.skipped !== null) - Number(b.skipped !== null) || Number(a.direction === 'inbound') - Number(b.direction === 'inbound') || a.host.localeCompare(b.host) || a.port - b.port || Number(a.protocol === 'udp') - Number(b.protocol === 'udp');
}
