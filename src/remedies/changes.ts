import type { AllowEntry, PrivateNameFix, RulesPlan } from './plan.js';

/**
 * `rules --changes-since`: how the allow-list of one revision of the article differs from an
 * earlier one's, for the same workspace. Rules are matched as a firewall holds them (direction,
 * destination, service tag, protocol, port), never by their text.
 */
export type ContextChange = 'features' | 'required';

export interface ChangedRule {
  readonly before: AllowEntry;
  readonly after: AllowEntry;
  /** What differs: the features that need the rule, or whether it is required at all. */
  readonly what: readonly ContextChange[];
}

export interface RuleChanges {
  /** The revision the firewall was built from, and the one it should now follow. */
  readonly from: string;
  readonly to: string;
  readonly cloud: RulesPlan['cloud'];
  readonly region: string | null;
  /** In the newer list only: what the admin must add. */
  readonly added: readonly AllowEntry[];
  /** In the older list only: what the admin may remove, if nothing else uses it. */
  readonly removable: readonly AllowEntry[];
  /** The same rule in both, needed by other features or no longer (or newly) required. */
  readonly changed: readonly ChangedRule[];
  /** How many rules are the same in both. */
  readonly unchanged: number;
  readonly privateNames: { readonly added: readonly PrivateNameFix[]; readonly removable: readonly PrivateNameFix[] };
  readonly noProxy: { readonly added: readonly string[]; readonly removable: readonly string[] };
}

/**
 * A rule as a firewall sees it. The service tag is part of it: the command formats turn an entry
 * with a tag into a tag rule, so gaining or losing one makes another rule.
 */
export function ruleIdentity(entry: AllowEntry): string {
  return JSON.stringify([entry.direction, entry.fqdn, entry.serviceTag, entry.protocol, entry.port]);
}

function contextChanges(before: AllowEntry, after: AllowEntry): ContextChange[] {
  const what: ContextChange[] = [];
  const features = new Set(before.features);
  if (features.size !== new Set(after.features).size || after.features.some((f) => !features.has(f))) what.push('features');
  if (before.required !== after.required) what.push('required');
  return what;
}

function onlyIn<T>(items: readonly T[], other: readonly T[], key: (item: T) => string): T[] {
  const keys = new Set(other.map(key));
  return items.filter((item) => !keys.has(key(item)));
}

/** Compares the plans of two revisions, made from the same facts and features. */
export function compareRulePlans(before: RulesPlan, after: RulesPlan, revisions: { readonly from: string; readonly to: string }): RuleChanges {
  const earlier = new Map(before.allow.map((entry) => [ruleIdentity(entry), entry]));
  const changed: ChangedRule[] = [];
  let unchanged = 0;
  for (const entry of after.allow) {
    const previous = earlier.get(ruleIdentity(entry));
    if (previous === undefined) continue;
    const what = contextChanges(previous, entry);
    if (what.length > 0) changed.push({ before: previous, after: entry, what });
    else unchanged++;
  }
  const byHost = (fix: PrivateNameFix): string => fix.host;
  const same = (name: string): string => name;
  return {
    from: revisions.from,
    to: revisions.to,
    cloud: after.cloud,
    region: after.region,
    added: onlyIn(after.allow, before.allow, ruleIdentity),
    removable: onlyIn(before.allow, after.allow, ruleIdentity),
    changed,
    unchanged,
    privateNames: { added: onlyIn(after.privateNames, before.privateNames, byHost), removable: onlyIn(before.privateNames, after.privateNames, byHost) },
    noProxy: { added: onlyIn(after.noProxy, before.noProxy, same), removable: onlyIn(before.noProxy, after.noProxy, same) },
  };
}

export function nothingChanged(changes: RuleChanges): boolean {
  return changes.added.length + changes.removable.length + changes.changed.length + changes.privateNames.added.length + changes.privateNames.removable.length + changes.noProxy.added.length + changes.noProxy.removable.length === 0;
}

/** The additions as a plan of their own, for the renderers that print commands: they never see a removal. */
export function additionsPlan(changes: RuleChanges): RulesPlan {
  return { origin: 'catalog', cloud: changes.cloud, region: changes.region, allow: changes.added, findings: [], privateNames: changes.privateNames.added, noProxy: changes.noProxy.added };
}

/** The removals as a plan, for renderers that list them (as comments, never as commands). */
export function removalsPlan(changes: RuleChanges): RulesPlan {
  return { origin: 'catalog', cloud: changes.cloud, region: changes.region, allow: changes.removable, findings: [], privateNames: changes.privateNames.removable, noProxy: changes.noProxy.removable };
}
