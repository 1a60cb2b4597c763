import type { Target } from '../model/target.js';
import { APPLICATION_COLLECTION, FIREWALL_PRIORITY_RANGE, NETWORK_COLLECTION, NSG_PRIORITY_RANGE, RULE_COLLECTION_GROUP } from '../remedies/names.js';
import { ruleName } from '../remedies/validate.js';
import type { Span } from './addresses.js';
import { classicLayer } from './classic.js';
import { orderRules, tiersOf, trafficOf, verdictFor, type Traffic } from './evaluate.js';
import { nsgLayerVerdict } from './nsg.js';
import {
  SOURCE_PLACEHOLDER,
  type AddedFirewallRule,
  type ApplicationRule,
  type AuditConfig,
  type AuditedTarget,
  type AuditLayer,
  type AuditVerdict,
  type FirewallAddition,
  type FirewallLayerChange,
  type FirewallPlace,
  type FirewallRuleRef,
  type NetworkRule,
  type NetworkSecurityGroup,
  type NsgAddition,
  type NsgLayerChange,
  type NsgRule,
  type PolicySettingChange,
  type RuleCollection,
  type RuleCollectionGroup,
  type Unfixable,
} from './types.js';

/**
 * The closing change: what to add to the admin's own configuration so that each required target
 * a layer blocks is allowed there, and nothing else changes. Only additions, because a fix that
 * removes or replaces a rule can cut off what that rule let through:
 * - Azure Firewall Policy: a rule appended to an existing Allow collection of the right kind
 *   (`collection rule add` reads the whole group and writes it back with one rule more), else a
 *   new collection at a free priority ahead of the deny in the same group (`add-filter-collection`,
 *   the same read and write), else a new group at a free priority ahead of it (`rule-collection-group
 *   create`, a PUT, so only under a name the policy does not have). A filter collection holds rules
 *   of one kind: application rules for HTTP and HTTPS to names (wildcards too), network rules
 *   otherwise, on a service tag, or on a name only with the policy's DNS proxy on.
 * - NSG: an outbound Allow at a priority the NSG does not use, below (ahead of) the deny.
 * Each place is chosen by adding the rule to a copy of the configuration and auditing the target
 * again with the same evaluator (evaluate.ts, nsg.ts), so what is proposed is what that evaluator
 * would then allow; the whole change is audited again at the end (`verified`).
 */

/** The targets a layer blocks that the workspace needs. */
const BLOCKING: ReadonlyArray<AuditVerdict['verdict']> = ['denied', 'no-rule', 'inexpressible'];

const AUDIT_SUFFIX = 'audit';
const NEW_GROUP_NAME = ruleName(RULE_COLLECTION_GROUP.name, AUDIT_SUFFIX);
const NEW_COLLECTION_NAME = { ApplicationRule: ruleName(APPLICATION_COLLECTION.name, AUDIT_SUFFIX), NetworkRule: ruleName(NETWORK_COLLECTION.name, AUDIT_SUFFIX) } as const;

type Kind = 'ApplicationRule' | 'NetworkRule';
type FilterRule = NetworkRule | ApplicationRule;

/** A name not yet used among `taken` (Azure names are case-insensitive). */
function freeName(base: string, taken: readonly string[]): string {
  const used = new Set(taken.map((name) => name.toLowerCase()));
  if (!used.has(base.toLowerCase())) return base;
  for (let n = 2; ; n++) {
    const name = ruleName(`${base.slice(0, 74)}-${n}`);
    if (!used.has(name.toLowerCase())) return name;
  }
}

/** Priorities from `below` down to `first`, multiples of the step first: where a rule goes ahead of another. */
function prioritiesBelow(below: number, used: ReadonlySet<number>, range: { readonly first: number; readonly step: number }): number[] {
  const found: number[] = [];
  for (let p = Math.floor((below - 1) / range.step) * range.step; p >= range.first; p -= range.step) if (!used.has(p)) found.push(p);
  for (let p = below - 1; p >= range.first; p--) if (p % range.step !== 0 && !used.has(p)) found.push(p);
  return found;
}

/** The first free priority after every one used, or the last free one: where order does not matter. */
function priorityAfter(used: ReadonlySet<number>, range: { readonly first: number; readonly step: number; readonly last: number }): number | null {
  const max = Math.max(range.first - range.step, ...used);
  for (let p = Math.ceil((max + 1) / range.step) * range.step; p <= range.last; p += range.step) if (!used.has(p)) return p;
  return prioritiesBelow(range.last + 1, used, range)[0] ?? null;
}

// ---------------------------------------------------------------- the firewall

/** Mutable copies of the groups, so that additions accumulate while targets are placed one by one. */
interface WorkGroup {
  readonly group: RuleCollectionGroup;
  /** The tier (policy) it belongs to, as tiersOf orders them. */
  readonly tier: string | null;
  readonly collections: Array<{ collection: RuleCollection; rules: FilterRule[]; isNew: boolean; added: AddedFirewallRule[] }>;
  readonly isNew: boolean;
}

interface Work {
  readonly config: AuditConfig;
  readonly groups: WorkGroup[];
  dnsProxy: boolean | null;
}

/** The policy a group belongs to, as tiersOf orders them (the policy the firewall runs when the group names none). */
function tierFinder(config: AuditConfig): (group: RuleCollectionGroup) => string | null {
  const { tiers } = tiersOf(config);
  return (group) => tiers.find((tier) => tier.groups.includes(group))?.policy ?? group.policy;
}

function startWork(config: AuditConfig): Work {
  const tierOf = tierFinder(config);
  return {
    config,
    groups: config.groups.map((group) => ({
      group,
      tier: tierOf(group),
      isNew: false,
      collections: group.collections.map((collection) => ({ collection, rules: collection.rules.filter((r): r is FilterRule => r.ruleType !== 'NatRule'), isNew: false, added: [] })),
    })),
    dnsProxy: tiersOf(config).settings.dnsProxy,
  };
}

/** The configuration the work stands for: the admin's, with every addition so far. */
function configOf(work: Work): AuditConfig {
  const groups = work.groups.map((g): RuleCollectionGroup => ({
    ...g.group,
    collections: g.collections.map((c) => ({ ...c.collection, rules: [...c.collection.rules, ...c.added.map(forModel)] })),
  }));
  const leaf = leafPolicy(work.config);
  const policies = work.config.policies.map((p) => (p === leaf && work.dnsProxy === true ? { ...p, dnsProxy: true } : p));
  return { ...work.config, groups, policies };
}

/** The policy whose settings the firewall runs with: the one no other names as its parent. */
function leafPolicy(config: AuditConfig): AuditConfig['policies'][number] | undefined {
  const parents = new Set(config.policies.map((p) => p.basePolicy));
  return config.policies.find((p) => !parents.has(p.name));
}

/**
 * An added rule as the evaluator reads it: a source left for the admin to fill stands for the
 * workspace's subnets, which is what the admin is asked to put there.
 */
function forModel(rule: AddedFirewallRule): FilterRule {
  const { fixes: _fixes, ...plain } = rule;
  return plain.sourceAddresses.includes(SOURCE_PLACEHOLDER) ? { ...plain, sourceAddresses: ['*'] } : plain;
}

/** Where a candidate rule would go: an existing collection, a new one in a group, or a new group. */
type Slot = { readonly kind: 'collection'; readonly group: WorkGroup; readonly index: number } | { readonly kind: 'new-collection'; readonly group: WorkGroup; readonly priority: number } | { readonly kind: 'new-group'; readonly tier: string | null; readonly priority: number };

/** What a target needs from the firewall: the rule without its name, or why none can be added. */
type Need = { readonly kind: Kind; readonly shape: Omit<ApplicationRule, 'name'> | Omit<NetworkRule, 'name'>; readonly dnsProxy: boolean } | { readonly unfixable: string };

/** The first rule that denies (or may deny) the traffic: an allow must come before it. */
function firstDeny(traffic: Traffic, config: AuditConfig, sources: readonly Span[]): FirewallRuleRef | null {
  const { tiers, settings } = tiersOf(config);
  for (const { ref, match } of orderRules(tiers, sources, settings)) {
    if (ref.action !== 'Deny' || ref.layer !== 'firewall') continue;
    const result = match(traffic);
    if (result.kind === 'yes' || result.kind === 'depends') return ref;
  }
  return null;
}

function needOf(traffic: Traffic, deny: FirewallRuleRef | null, dnsProxy: boolean | null, hasPolicy: boolean, sourceAddresses: readonly string[]): Need {
  const base = { sourceAddresses: [...sourceAddresses], sourceIpGroups: [] };
  const web = traffic.application !== 'other' && traffic.destination.kind !== 'tag';
  // Network rules are processed before application rules (RULE_PROCESSING): a network deny can only be passed by a network rule.
  if (web && (deny === null || deny.ruleType === 'ApplicationRule')) {
    const fqdn = traffic.destination.kind === 'host' ? traffic.destination.name : traffic.destination.kind === 'wildcard' ? `*.${traffic.destination.domain}` : '';
    return {
      kind: 'ApplicationRule',
      dnsProxy: false,
      shape: { ...base, ruleType: 'ApplicationRule', protocols: [{ protocolType: traffic.application === 'http' ? 'Http' : 'Https', port: traffic.port }], targetFqdns: [fqdn], targetUrls: [], fqdnTags: [], webCategories: [], destinationAddresses: [] },
    };
  }
  const network = (destination: { destinationAddresses?: string[]; destinationFqdns?: string[] }, needsProxy: boolean): Need => ({
    kind: 'NetworkRule',
    dnsProxy: needsProxy,
    shape: {
      ...base,
      ruleType: 'NetworkRule',
      ipProtocols: [traffic.transport === 'udp' ? 'UDP' : 'TCP'],
      destinationAddresses: destination.destinationAddresses ?? [],
      destinationIpGroups: [],
      destinationFqdns: destination.destinationFqdns ?? [],
      destinationPorts: [String(traffic.port)],
    },
  });
  if (traffic.destination.kind === 'tag') return network({ destinationAddresses: [traffic.destination.tag] }, false);
  if (traffic.destination.kind === 'host' && dnsProxy === true) return network({ destinationFqdns: [traffic.destination.name] }, false);
  const tag = traffic.tags[0];
  if (tag !== undefined) return network({ destinationAddresses: [tag] }, false);
  const why = deny === null ? '' : ` (the network rule ${deny.group}/${deny.collection}/${deny.rule} denies it, and network rules are processed before application rules)`;
  if (traffic.destination.kind === 'wildcard') return { unfixable: `a network rule takes no wildcard name and the catalog gives no service tag for *.${traffic.destination.domain}${why}; give the concrete host to get a rule for it` };
  if (!hasPolicy) return { unfixable: `a network rule on a name needs the policy's DNS proxy on; give the policy (az network firewall policy show) to know whether it is${why}` };
  return network({ destinationFqdns: [traffic.destination.name] }, true);
}

function slotsFor(work: Work, kind: Kind, deny: FirewallRuleRef | null): Slot[] {
  const tiers = tiersOf(work.config).tiers.map((t) => t.policy);
  // The policy the firewall runs first (the admin's own), then its parents, nearest first.
  const preference = [...tiers].reverse();
  const byPriority = (a: WorkGroup, b: WorkGroup): number => a.group.priority - b.group.priority;
  const limiting = deny !== null && deny.ruleType === kind ? deny : null;
  const slots: Slot[] = [];
  for (const tier of preference) {
    for (const group of work.groups.filter((g) => g.tier === tier).sort(byPriority)) {
      group.collections
        .map((c, index) => ({ c, index }))
        .filter(({ c }) => c.collection.action === 'Allow' && [...c.rules, ...c.added].every((r) => r.ruleType === kind))
        .sort((a, b) => a.c.collection.priority - b.c.collection.priority)
        .forEach(({ index }) => slots.push({ kind: 'collection', group, index }));
    }
  }
  for (const tier of preference) {
    const groups = work.groups.filter((g) => g.tier === tier).sort(byPriority);
    // The deny's own group first: a collection just ahead of the deny.
    groups.sort((a, b) => Number(isDenyGroup(b, limiting)) - Number(isDenyGroup(a, limiting)));
    for (const group of groups) {
      const used = new Set(group.collections.map((c) => c.collection.priority));
      const priority = isDenyGroup(group, limiting) && limiting !== null ? prioritiesBelow(limiting.collectionPriority, used, FIREWALL_PRIORITY_RANGE)[0] : priorityAfter(used, FIREWALL_PRIORITY_RANGE);
      if (priority !== undefined && priority !== null) slots.push({ kind: 'new-collection', group, priority });
    }
  }
  slots.push(...newGroupSlots(work, limiting));
  return slots;
}

function isDenyGroup(group: WorkGroup, deny: FirewallRuleRef | null): boolean {
  return deny !== null && group.group.name === deny.group && group.group.priority === deny.groupPriority;
}

/** A new group ahead of the deny in its policy, or after every group of the policy the firewall runs when nothing denies. */
function newGroupSlots(work: Work, deny: FirewallRuleRef | null): Slot[] {
  const tiers = tiersOf(work.config).tiers.map((t) => t.policy);
  const tier = deny !== null ? (work.groups.find((g) => isDenyGroup(g, deny))?.tier ?? null) : (tiers.at(-1) ?? null);
  const used = new Set(work.groups.filter((g) => g.tier === tier).map((g) => g.group.priority));
  const priority = deny !== null ? prioritiesBelow(deny.groupPriority, used, FIREWALL_PRIORITY_RANGE)[0] : priorityAfter(used, FIREWALL_PRIORITY_RANGE);
  return priority === undefined || priority === null ? [] : [{ kind: 'new-group', tier, priority }];
}

/** Puts the rule in the slot; returns how to take it out again. */
function place(work: Work, slot: Slot, rule: AddedFirewallRule): () => void {
  if (slot.kind === 'collection') {
    const entry = slot.group.collections[slot.index];
    entry?.added.push(rule);
    return () => entry?.added.pop();
  }
  const base = rule.ruleType === 'NetworkRule' ? NETWORK_COLLECTION : APPLICATION_COLLECTION;
  const collection = (rules: RuleCollection['rules'], taken: readonly string[]): RuleCollection => ({ name: freeName(NEW_COLLECTION_NAME[rule.ruleType], taken), priority: slot.kind === 'new-collection' ? slot.priority : base.priority, action: 'Allow', rules });
  if (slot.kind === 'new-collection') {
    const made = collection(
      [],
      slot.group.collections.map((c) => c.collection.name),
    );
    slot.group.collections.push({ collection: made, rules: [], isNew: true, added: [rule] });
    return () => slot.group.collections.pop();
  }
  const name = freeName(
    NEW_GROUP_NAME,
    work.groups.filter((g) => g.tier === slot.tier).map((g) => g.group.name),
  );
  const group: RuleCollectionGroup = { name, priority: slot.priority, policy: slot.tier, collections: [], where: 'the closing change', resourceGroup: resourceGroupOfTier(work, slot.tier) };
  work.groups.push({ group, tier: slot.tier, isNew: true, collections: [{ collection: collection([], []), rules: [], isNew: true, added: [rule] }] });
  return () => work.groups.pop();
}

function resourceGroupOfTier(work: Work, tier: string | null): string | null {
  const policy = work.config.policies.find((p) => p.name === tier);
  return policy?.resourceGroup ?? work.groups.find((g) => g.tier === tier && g.group.resourceGroup != null)?.group.resourceGroup ?? null;
}

function firewallVerdict(work: Work, traffic: Traffic, sources: readonly Span[]): AuditVerdict {
  const config = configOf(work);
  const { tiers, unknownParent, settings } = tiersOf(config);
  return verdictFor(traffic, orderRules(tiers, sources, settings), unknownParent);
}

/** The names of the rules already in (or added to) the collection of a slot. */
function namesIn(slot: Slot): string[] {
  if (slot.kind !== 'collection') return [];
  const entry = slot.group.collections[slot.index];
  return entry === undefined ? [] : [...entry.rules, ...entry.added].map((r) => r.name);
}

interface Fixable {
  readonly target: Target;
  readonly traffic: Traffic;
}

/** Sorted, so that the same needs give the same rules whatever order the targets came in. */
function shapeKey(rule: FilterRule): string {
  return rule.ruleType === 'ApplicationRule'
    ? JSON.stringify(['app', rule.protocols.map((p) => `${p.protocolType}:${p.port}`).sort(), rule.sourceAddresses])
    : JSON.stringify(['net', rule.ipProtocols, [...rule.destinationPorts].sort(), rule.destinationFqdns.length > 0, rule.sourceAddresses]);
}

/**
 * One rule for every target of a collection that needs the same protocols and ports: its names
 * (or tags) together. First each destination's ports are joined, then destinations with the same
 * ports, so that no rule allows a port to a name that did not need it.
 */
function mergeRules(added: readonly AddedFirewallRule[], taken: readonly string[]): AddedFirewallRule[] {
  const byDestination = new Map<string, AddedFirewallRule>();
  for (const rule of added) {
    const destination = rule.ruleType === 'ApplicationRule' ? `app|${rule.targetFqdns.join(',')}` : `net|${rule.ipProtocols.join(',')}|${[...rule.destinationFqdns, ...rule.destinationAddresses].join(',')}`;
    const known = byDestination.get(destination);
    if (known === undefined) {
      byDestination.set(destination, rule);
    } else if (known.ruleType === 'ApplicationRule' && rule.ruleType === 'ApplicationRule') {
      const protocols = [...known.protocols, ...rule.protocols.filter((p) => !known.protocols.some((k) => k.port === p.port && k.protocolType === p.protocolType))];
      byDestination.set(destination, { ...known, protocols, fixes: [...known.fixes, ...rule.fixes] });
    } else if (known.ruleType === 'NetworkRule' && rule.ruleType === 'NetworkRule') {
      byDestination.set(destination, { ...known, destinationPorts: [...new Set([...known.destinationPorts, ...rule.destinationPorts])], fixes: [...known.fixes, ...rule.fixes] });
    }
  }
  const byShape = new Map<string, AddedFirewallRule>();
  for (const rule of byDestination.values()) {
    const key = shapeKey(rule);
    const known = byShape.get(key);
    if (known === undefined) byShape.set(key, rule);
    else if (known.ruleType === 'ApplicationRule' && rule.ruleType === 'ApplicationRule') byShape.set(key, { ...known, targetFqdns: [...known.targetFqdns, ...rule.targetFqdns], fixes: [...known.fixes, ...rule.fixes] });
    else if (known.ruleType === 'NetworkRule' && rule.ruleType === 'NetworkRule')
      byShape.set(key, { ...known, destinationFqdns: [...known.destinationFqdns, ...rule.destinationFqdns], destinationAddresses: [...known.destinationAddresses, ...rule.destinationAddresses], fixes: [...known.fixes, ...rule.fixes] });
  }
  const names: string[] = [...taken];
  return [...byShape.values()].map((rule) => {
    const name = freeName(ruleNameOf(rule), names);
    names.push(name);
    return { ...rule, name };
  });
}

/** After the rules renderers' names: the destination when there is one, else what it carries. */
function ruleNameOf(rule: FilterRule): string {
  if (rule.ruleType === 'ApplicationRule') {
    const ports = rule.protocols.map((p) => `${p.protocolType.toLowerCase()}${p.port}`);
    return rule.targetFqdns.length === 1 ? ruleName('aml', rule.targetFqdns[0] ?? '') : ruleName('aml', ...ports);
  }
  const destinations = [...rule.destinationFqdns, ...rule.destinationAddresses];
  const protocol = rule.ipProtocols[0] === 'UDP' ? ['udp'] : [];
  return destinations.length === 1 ? ruleName('aml', destinations[0] ?? '', ...protocol) : ruleName('aml', ...protocol, ...rule.destinationPorts);
}

function describeDeny(deny: FirewallRuleRef): string {
  return `${deny.group}/${deny.collection}/${deny.rule} (group ${deny.groupPriority}, collection ${deny.collectionPriority})`;
}

/** The additions of a work, in the order to apply them, with each collection's rules merged. */
function additionsOf(work: Work): FirewallAddition[] {
  const additions: FirewallAddition[] = [];
  for (const g of work.groups) {
    for (const c of g.collections) {
      if (c.added.length === 0) continue;
      const rules = mergeRules(
        c.added,
        c.rules.map((r) => r.name),
      );
      const place: FirewallPlace = {
        policy: g.tier,
        resourceGroup: g.group.resourceGroup ?? resourceGroupOfTier(work, g.tier),
        group: g.group.name,
        groupPriority: g.group.priority,
        newGroup: g.isNew,
        collection: c.collection.name,
        collectionPriority: c.collection.priority,
        newCollection: c.isNew,
      };
      additions.push({ place, ruleType: rules[0]?.ruleType ?? 'NetworkRule', rules });
    }
  }
  return additions;
}

function firewallChange(config: AuditConfig, fixable: readonly Fixable[], sources: readonly Span[], sourceAddresses: readonly string[]): FirewallLayerChange {
  const work = startWork(config);
  const unfixable: Unfixable[] = [];
  const proxyFixes: string[] = [];
  const hasPolicy = config.policies.length > 0;
  for (const { target, traffic } of fixable) {
    // An earlier addition (a wildcard, a tag) may allow it already.
    const now = firewallVerdict(work, traffic, sources);
    if (now.verdict === 'allowed') {
      if (!creditExisting(work, now, target.id)) proxyFixes.push(target.id);
      continue;
    }
    const deny = firstDeny(traffic, configOf(work), sources);
    const need = needOf(traffic, deny, work.dnsProxy, hasPolicy, sourceAddresses);
    if ('unfixable' in need) {
      unfixable.push({ target: target.id, reason: need.unfixable });
      continue;
    }
    const proxyBefore = work.dnsProxy;
    if (need.dnsProxy) work.dnsProxy = true;
    let placed = false;
    for (const slot of slotsFor(work, need.kind, deny)) {
      const rule = { ...need.shape, name: freeName(ruleName('aml', target.host), namesIn(slot)), fixes: [target.id] } as AddedFirewallRule;
      const undo = place(work, slot, rule);
      const after = firewallVerdict(work, traffic, sources);
      if (after.verdict === 'allowed' && after.rule.layer === 'firewall' && after.rule.rule === rule.name) {
        placed = true;
        break;
      }
      undo();
    }
    if (placed) {
      if (need.dnsProxy) proxyFixes.push(target.id);
      continue;
    }
    work.dnsProxy = proxyBefore;
    unfixable.push({ target: target.id, reason: deny === null ? 'no place in the policy lets an added rule allow it' : `no free priority ahead of ${describeDeny(deny)}, which denies it: an addition cannot pass it; narrow or move that rule` });
  }
  // A rule added for a later target (a service tag's network rule, ahead of every application rule) may allow an earlier one.
  for (const item of fixable) {
    const index = unfixable.findIndex((u) => u.target === item.target.id);
    if (index === -1) continue;
    const now = firewallVerdict(work, item.traffic, sources);
    if (now.verdict !== 'allowed') continue;
    unfixable.splice(index, 1);
    if (!creditExisting(work, now, item.target.id)) proxyFixes.push(item.target.id);
  }
  const settings: PolicySettingChange[] =
    proxyFixes.length > 0 && config.policies.find((p) => p === leafPolicy(config))?.dnsProxy !== true
      ? [
          {
            setting: 'dns-proxy',
            policy: leafPolicy(config)?.name ?? null,
            resourceGroup: leafPolicy(config)?.resourceGroup ?? null,
            why: 'network rules on names resolve only with the DNS proxy on (the firewall then answers DNS for every client of every firewall that uses the policy, and those clients must use it as their DNS server)',
            fixes: proxyFixes,
          },
        ]
      : [];
  const unfixed = new Set(unfixable.map((u) => u.target));
  const fixed = fixable.filter((f) => !unfixed.has(f.target.id));
  return { layer: 'firewall', additions: additionsOf(work), settings, asNewGroups: asNewGroups(config, fixed, sources, sourceAddresses, settings.length > 0), unfixable };
}

/**
 * A target an earlier addition allows joins that addition's list of what it fixes; false when a
 * rule of the admin's allows it, which only the DNS proxy turned on for another target can do.
 */
function creditExisting(work: Work, verdict: Extract<AuditVerdict, { verdict: 'allowed' }>, id: string): boolean {
  const ref = verdict.rule;
  if (ref.layer !== 'firewall') return false;
  for (const g of work.groups) {
    if (g.group.name !== ref.group || g.group.priority !== ref.groupPriority) continue;
    for (const c of g.collections) {
      const index = c.added.findIndex((r) => c.collection.name === ref.collection && r.name === ref.rule);
      const rule = c.added[index];
      if (rule === undefined) continue;
      c.added[index] = { ...rule, fixes: [...rule.fixes, id] };
      return true;
    }
  }
  return false;
}

/**
 * The same additions as new groups only, one per policy, each at a free priority ahead of every
 * deny its rules must pass: what a Bicep deployment can add without restating the admin's groups.
 * Null when some target cannot be allowed that way.
 */
function asNewGroups(config: AuditConfig, fixable: readonly Fixable[], sources: readonly Span[], sourceAddresses: readonly string[], dnsProxy: boolean): FirewallAddition[] | null {
  const work = startWork(config);
  if (dnsProxy) work.dnsProxy = true;
  const pending: Array<{ target: Target; traffic: Traffic; need: Extract<Need, { kind: Kind }>; tier: string | null; below: number | null }> = [];
  for (const { target, traffic } of fixable) {
    const deny = firstDeny(traffic, configOf(work), sources);
    const need = needOf(traffic, deny, work.dnsProxy, config.policies.length > 0, sourceAddresses);
    if ('unfixable' in need) continue;
    const limiting = deny !== null && deny.ruleType === need.kind ? deny : null;
    const tier = limiting !== null ? (work.groups.find((g) => isDenyGroup(g, limiting))?.tier ?? null) : (tiersOf(config).tiers.at(-1)?.policy ?? null);
    pending.push({ target, traffic, need, tier, below: limiting?.groupPriority ?? null });
  }
  for (const tier of new Set(pending.map((p) => p.tier))) {
    const mine = pending.filter((p) => p.tier === tier);
    const used = new Set(work.groups.filter((g) => g.tier === tier).map((g) => g.group.priority));
    const limits = mine.map((p) => p.below).filter((b): b is number => b !== null);
    const priority = limits.length > 0 ? prioritiesBelow(Math.min(...limits), used, FIREWALL_PRIORITY_RANGE)[0] : priorityAfter(used, FIREWALL_PRIORITY_RANGE);
    if (priority === undefined || priority === null) return null;
    const name = freeName(
      NEW_GROUP_NAME,
      work.groups.filter((g) => g.tier === tier).map((g) => g.group.name),
    );
    const group: WorkGroup = { group: { name, priority, policy: tier, collections: [], where: 'the closing change', resourceGroup: resourceGroupOfTier(work, tier) }, tier, isNew: true, collections: [] };
    work.groups.push(group);
    for (const kind of ['NetworkRule', 'ApplicationRule'] as const) {
      const rules = mine.filter((p) => p.need.kind === kind).map((p): AddedFirewallRule => ({ ...p.need.shape, name: ruleName('aml', p.target.host), fixes: [p.target.id] }) as AddedFirewallRule);
      if (rules.length === 0) continue;
      const base = kind === 'NetworkRule' ? NETWORK_COLLECTION : APPLICATION_COLLECTION;
      group.collections.push({ collection: { name: NEW_COLLECTION_NAME[kind], priority: base.priority, action: 'Allow', rules: [] }, rules: [], isNew: true, added: rules });
    }
  }
  for (const p of pending) {
    const verdict = firewallVerdict(work, p.traffic, sources);
    if (verdict.verdict !== 'allowed') return null;
  }
  return pending.length === 0 ? null : additionsOf(work);
}

/** The configuration with the firewall additions (and the policy settings they need) applied: what the audit expects after the change. */
function withFirewallChange(config: AuditConfig, change: Pick<FirewallLayerChange, 'settings'>, additions: readonly FirewallAddition[]): AuditConfig {
  const tierOf = tierFinder(config);
  const groups = config.groups.map((group) => ({ ...group, tier: tierOf(group), collections: [...group.collections] }));
  const leaf = leafPolicy(config);
  for (const { place, rules } of additions) {
    const model = rules.map(forModel);
    let group = groups.find((g) => g.name === place.group && g.tier === place.policy);
    if (group === undefined) {
      group = { name: place.group, priority: place.groupPriority, policy: place.policy, collections: [], where: 'the closing change', tier: place.policy };
      groups.push(group);
    }
    const index = group.collections.findIndex((c) => c.name === place.collection);
    const existing = group.collections[index];
    if (existing === undefined) group.collections.push({ name: place.collection, priority: place.collectionPriority, action: 'Allow', rules: model });
    else group.collections[index] = { ...existing, rules: [...existing.rules, ...model] };
  }
  const proxy = change.settings.some((s) => s.setting === 'dns-proxy');
  return { ...config, groups: groups.map(({ tier: _tier, ...group }) => group), policies: config.policies.map((p) => (proxy && p === leaf ? { ...p, dnsProxy: true } : p)) };
}

// ---------------------------------------------------------------- NSGs

/** Where the traffic goes, as an NSG can say it: a service tag, the VNet (a private endpoint), or the Internet. */
function nsgDestinations(traffic: Traffic): string[] {
  const publicSide = traffic.destination.kind === 'tag' ? traffic.destination.tag : (traffic.tags[0] ?? 'Internet');
  if (traffic.address === 'private') return ['VirtualNetwork'];
  if (traffic.address === 'public') return [publicSide];
  // A name that may resolve either way: a rule for each side, since an NSG takes one service tag a rule.
  return [publicSide, 'VirtualNetwork'];
}

/** An added NSG rule as the evaluator reads it: the workspace subnet left for the admin stands for the subnet (`*` here). */
function nsgForModel(rule: NsgRule): NsgRule {
  const fill = (prefixes: readonly string[]): readonly string[] => (prefixes.includes(SOURCE_PLACEHOLDER) ? ['*'] : prefixes);
  return { ...rule, sourcePrefixes: fill(rule.sourcePrefixes), destinationPrefixes: fill(rule.destinationPrefixes) };
}

function nsgVerdictWith(nsg: NetworkSecurityGroup, added: readonly NsgRule[], traffic: Traffic, sources: readonly Span[], config: AuditConfig): AuditVerdict {
  const model = added.map(nsgForModel);
  return nsgLayerVerdict([{ ...nsg, rules: [...nsg.rules, ...model] }], traffic, sources, tiersOf(config).settings);
}

function nsgChange(config: AuditConfig, nsg: NetworkSecurityGroup, fixable: readonly Fixable[], sources: readonly Span[], sourceAddresses: readonly string[]): { additions: NsgAddition[]; unfixable: Unfixable[] } {
  const specs = new Map<string, { direction: 'Inbound' | 'Outbound'; remote: string; protocol: 'Tcp' | 'Udp'; ports: Set<number>; targets: Fixable[]; below: number }>();
  for (const item of fixable) {
    const verdict = nsgLayerVerdict([nsg], item.traffic, sources, tiersOf(config).settings);
    if (!BLOCKING.includes(verdict.verdict)) continue;
    const below = verdict.verdict === 'denied' && verdict.rule.layer === 'nsg' ? verdict.rule.priority : NSG_PRIORITY_RANGE.last + 1;
    const protocol = item.traffic.transport === 'udp' ? 'Udp' : 'Tcp';
    // Inbound (Azure ML managing compute with a public IP): from the sender's service tag to the workspace subnet.
    const direction = item.traffic.direction === 'inbound' ? 'Inbound' : 'Outbound';
    const remotes = direction === 'Inbound' && item.traffic.destination.kind === 'tag' ? [item.traffic.destination.tag] : nsgDestinations(item.traffic);
    for (const remote of remotes) {
      const key = `${direction}|${remote.toLowerCase()}|${protocol}`;
      const spec = specs.get(key) ?? { direction, remote, protocol, ports: new Set<number>(), targets: [], below };
      spec.ports.add(item.traffic.port);
      spec.targets.push(item);
      specs.set(key, { ...spec, below: Math.min(spec.below, below) });
    }
  }
  const used = new Set(nsg.rules.filter((r) => !r.isDefault).map((r) => r.priority));
  const names = nsg.rules.map((r) => r.name);
  const chosen: Array<{ rule: NsgRule; targets: Fixable[] }> = [];
  for (const spec of specs.values()) {
    const inbound = spec.direction === 'Inbound';
    const name = freeName(ruleName(inbound ? 'aml-in' : 'aml-out', spec.remote, ...(spec.protocol === 'Udp' ? ['udp'] : []), AUDIT_SUFFIX), names);
    names.push(name);
    const rule = (priority: number): NsgRule => ({
      name,
      priority,
      direction: spec.direction,
      access: 'Allow',
      protocol: spec.protocol,
      sourcePrefixes: inbound ? [spec.remote] : [...sourceAddresses],
      sourcePorts: ['*'],
      destinationPrefixes: inbound ? [...sourceAddresses] : [spec.remote],
      destinationPorts: [...spec.ports].sort((a, b) => a - b).map(String),
      sourceAsgs: [],
      destinationAsgs: [],
      isDefault: false,
    });
    // Highest free priority ahead of the deny; lower while a rule ahead of it may still deny.
    const candidates = prioritiesBelow(Math.min(spec.below, NSG_PRIORITY_RANGE.last + 1), used, NSG_PRIORITY_RANGE);
    const first = candidates[0];
    if (first === undefined) continue;
    used.add(first);
    chosen.push({ rule: rule(first), targets: spec.targets });
  }
  // Check every target with every rule in place; move a rule ahead while one of its targets is still blocked.
  for (let round = 0; round < 64; round++) {
    const rules = chosen.map((c) => c.rule);
    const stuck = chosen.find((c) => c.targets.some((t) => nsgVerdictWith(nsg, rules, t.traffic, sources, config).verdict !== 'allowed'));
    if (stuck === undefined) break;
    const next = prioritiesBelow(stuck.rule.priority, used, NSG_PRIORITY_RANGE)[0];
    if (next === undefined) {
      chosen.splice(chosen.indexOf(stuck), 1);
      continue;
    }
    used.add(next);
    stuck.rule = { ...stuck.rule, priority: next };
  }
  const rules = chosen.map((c) => c.rule);
  const unfixable: Unfixable[] = [];
  const fixed = new Set<string>();
  for (const item of fixable) {
    const before = nsgLayerVerdict([nsg], item.traffic, sources, tiersOf(config).settings);
    if (!BLOCKING.includes(before.verdict)) continue;
    if (nsgVerdictWith(nsg, rules, item.traffic, sources, config).verdict === 'allowed') fixed.add(item.target.id);
    else unfixable.push({ target: item.target.id, reason: `no free priority in NSG ${nsg.name} ahead of the rule that denies it${before.verdict === 'denied' && before.rule.layer === 'nsg' ? ` (${before.rule.rule}, ${before.rule.priority})` : ''}` });
  }
  const additions = chosen.map(({ rule, targets }) => ({ nsg: nsg.name, resourceGroup: nsg.resourceGroup ?? null, rule, fixes: [...new Set(targets.map((t) => t.target.id).filter((id) => fixed.has(id)))] })).sort((a, b) => b.rule.priority - a.rule.priority);
  return { additions: additions.filter((a) => a.fixes.length > 0), unfixable };
}

/** The configuration with the NSG additions applied. */
function withNsgChange(config: AuditConfig, additions: readonly NsgAddition[]): AuditConfig {
  return { ...config, nsgs: (config.nsgs ?? []).map((nsg) => ({ ...nsg, rules: [...nsg.rules, ...additions.filter((a) => a.nsg === nsg.name).map((a) => nsgForModel(a.rule))] })) };
}

// ---------------------------------------------------------------- together

/** The required targets each layer blocks, with the traffic they need. */
function fixablesOf(targets: readonly Target[], audited: readonly AuditedTarget[], layer: AuditLayer): Fixable[] {
  const byId = new Map(targets.map((t) => [t.id, t]));
  return audited.flatMap((a) => {
    const target = byId.get(a.id);
    const verdict = a.layers.find((l) => l.layer === layer)?.verdict;
    if (target === undefined || !a.required || verdict === undefined || !BLOCKING.includes(verdict.verdict)) return [];
    const traffic = trafficOf(target);
    return typeof traffic === 'string' ? [] : [{ target, traffic }];
  });
}

/** The change for each layer that blocks a required target, in path order. */
export function closingLayers(config: AuditConfig, targets: readonly Target[], audited: readonly AuditedTarget[], sources: readonly Span[], sourceValues: readonly string[]): Array<FirewallLayerChange | NsgLayerChange> {
  const sourceAddresses = sourceValues.length > 0 ? [...sourceValues] : [SOURCE_PLACEHOLDER];
  const layers: Array<FirewallLayerChange | NsgLayerChange> = [];
  const nsgFixable = fixablesOf(targets, audited, 'nsg');
  if (nsgFixable.length > 0) {
    const each = (config.nsgs ?? []).map((nsg) => nsgChange(config, nsg, nsgFixable, sources, sourceAddresses));
    layers.push({ layer: 'nsg', additions: each.flatMap((e) => e.additions), unfixable: each.flatMap((e) => e.unfixable) });
  }
  const firewallFixable = fixablesOf(targets, audited, 'firewall');
  if (firewallFixable.length > 0 && classicLayer(config, sources) !== null) {
    // Classic rules (or a policy not given) decide: the additions written here are a policy's.
    const reason =
      config.groups.length === 0 && config.policies.length === 0 && config.firewalls?.[0]?.policy === null
        ? 'classic Azure Firewall rules: their closing change is not written yet (rules -o az-classic adds the allow-list)'
        : 'the firewall runs a policy that was not given: give its exports to get the change';
    layers.push({ layer: 'firewall', additions: [], settings: [], asNewGroups: null, unfixable: firewallFixable.map((f) => ({ target: f.target.id, reason })) });
  } else if (firewallFixable.length > 0) layers.push(firewallChange(config, firewallFixable, sources, sourceAddresses));
  return layers;
}

/** The configuration with every layer's additions applied. */
export function withClosingChange(config: AuditConfig, layers: ReadonlyArray<FirewallLayerChange | NsgLayerChange>): AuditConfig {
  let changed = config;
  for (const layer of layers) {
    if (layer.layer === 'firewall') changed = withFirewallChange(changed, layer, layer.additions);
    else changed = withNsgChange(changed, layer.additions);
  }
  return changed;
}
