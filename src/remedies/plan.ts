import type { Cloud } from '../model/clouds.js';
import type { WorkspaceFacts } from '../model/facts.js';
import type { ReasonCode } from '../model/reasons.js';
import type { CheckedTarget } from '../model/result.js';
import type { Direction, FirewallProtocol, Target } from '../model/target.js';
import { privateZoneRecord, type PrivateZoneRecord } from './private-zones.js';
import { remediesFor, type Remedy } from './remedy.js';
import { classifyManaged, managedModeRow, type ManagedNetworkAction, type ManagedNetworkContext } from './managed-network.js';
import type { ManagedModeRow, ManagedNetworkData } from '../model/managed-network.js';

/**
 * One line of an allow-list: what a firewall must let through for one or more targets.
 * Renderers choose the form (application or network rule, FQDN or service tag) that their
 * device understands.
 */
export interface AllowEntry {
  readonly direction: Direction;
  /** The host or wildcard a name-based rule holds (the narrowest the catalog gives); null when only a service tag can say it (inbound). */
  readonly fqdn: string | null;
  /** The service tag Azure accepts for it, when the catalog has one. */
  readonly serviceTag: string | null;
  /**
   * HTTP or HTTPS when the port carries web traffic (an application rule or a web proxy can
   * hold it), TCP otherwise; UDP for a UDP requirement; Any where the catalog says any and the
   * rule is a network rule (a service tag, or a port without web traffic): web traffic to a
   * name stays HTTP or HTTPS, which is what a name-based rule can hold.
   */
  readonly protocol: FirewallProtocol;
  readonly port: number;
  readonly features: readonly string[];
  readonly required: boolean;
  /** The concrete hosts behind it, as checked (or to be checked). */
  readonly hosts: readonly string[];
  readonly purpose: string;
}

/** A blocked target of a saved report, and what fixes it. */
export interface Finding {
  readonly target: string;
  readonly host: string;
  readonly port: number;
  readonly reason: ReasonCode | null;
  readonly features: readonly string[];
  readonly remedies: readonly Remedy[];
}

/** A private-link name and the DNS record it needs. */
export interface PrivateNameFix {
  readonly host: string;
  readonly record: PrivateZoneRecord | null;
}

/** Everything the rule renderers print, whether it comes from the catalog (`rules`) or from a report (`rules --from-report`). */
export interface RulesPlan {
  readonly origin: 'catalog' | 'report';
  readonly cloud: Cloud;
  readonly region: string | null;
  readonly allow: readonly AllowEntry[];
  /** Report only: every blocked target with its remedies, DNS and TLS ones included. */
  readonly findings: readonly Finding[];
  readonly privateNames: readonly PrivateNameFix[];
  /** Names that must bypass the web proxy. */
  readonly noProxy: readonly string[];
  /** The workspace has a managed virtual network: how it meets each target. Absent otherwise. */
  readonly managedNetwork?: ManagedNetworkPlan;
}

/** One way the managed network meets one or more targets. */
export interface ManagedItem {
  readonly action: ManagedNetworkAction;
  readonly hosts: readonly string[];
  readonly ports: readonly number[];
  readonly features: readonly string[];
  readonly required: boolean;
}

export interface ManagedNetworkPlan {
  readonly mode: ManagedModeRow;
  readonly data: ManagedNetworkData;
  readonly workspaceName: string | null;
  readonly items: readonly ManagedItem[];
}

/** What makes two actions the same rule (or the same limitation, or the same rule Azure adds). */
function actionKey(action: ManagedNetworkAction): string {
  switch (action.kind) {
    case 'internet':
      return 'internet';
    case 'azure-adds-tag':
      return `tag|${action.row.direction}|${action.row.tag}`;
    case 'azure-adds-endpoint':
      return `pe|${action.row.resource}|${action.subresource}`;
    case 'cannot':
      return `cannot|${action.limitation.id}|${action.host}`;
    case 'add': {
      const { rule } = action;
      if (rule.type === 'fqdn') return `add|fqdn|${rule.destination}`;
      if (rule.type === 'service_tag') return `add|tag|${rule.serviceTag}|${rule.protocol}|${rule.portRanges}`;
      return `add|pe|${rule.resource}|${rule.resourceName ?? '*'}|${rule.subresource}|${rule.sparkEnabled}`;
    }
  }
}

function managedPlanOf(targets: readonly Target[], context: ManagedNetworkContext | undefined, workspaceName: string | null): ManagedNetworkPlan | undefined {
  if (context === undefined) return undefined;
  const mode = managedModeRow(context);
  if (mode === null) return undefined;
  const items = new Map<string, { action: ManagedNetworkAction; hosts: Set<string>; ports: Set<number>; features: Set<string>; required: boolean }>();
  for (const target of targets) {
    const action = classifyManaged(target, context);
    if (action === null) continue;
    const key = actionKey(action);
    const item = items.get(key) ?? { action, hosts: new Set<string>(), ports: new Set<number>(), features: new Set<string>(), required: false };
    item.hosts.add(target.host);
    item.ports.add(target.port);
    for (const f of target.features) item.features.add(f);
    item.required ||= target.required;
    items.set(key, item);
  }
  return {
    mode,
    data: context.data,
    workspaceName,
    items: [...items.values()].map((i) => ({ action: i.action, hosts: [...i.hosts], ports: [...i.ports], features: [...i.features], required: i.required })),
  };
}

/**
 * A name-based rule for one host holds the narrowest destination the catalog gives: the host
 * itself before a wildcard. On a port that carries no web traffic the rule becomes a network
 * rule, which takes no wildcard: the concrete host the facts expanded to is used instead.
 */
function narrowestFqdn(target: Target): string | null {
  const fqdns = target.rules.filter((r) => r.type === 'fqdn').map((r) => r.destination);
  const narrowest = fqdns.find((d) => !d.includes('*')) ?? fqdns[0] ?? null;
  const concreteHost = !target.host.includes('*') && !target.host.includes('<');
  const networkOnly = target.probe === 'tcp' || target.probe === 'udp';
  if (narrowest !== null && narrowest.includes('*') && networkOnly && concreteHost) return target.host;
  return narrowest;
}

function protocolOf(target: Target, serviceTag: string | null): FirewallProtocol {
  if (target.probe === 'udp') return 'UDP';
  if (target.protocol === 'any' && (serviceTag !== null || target.probe === 'tcp')) return 'Any';
  return target.probe === 'http' ? 'HTTP' : target.probe === 'https' ? 'HTTPS' : 'TCP';
}

/** Allow entries for targets, merged where they need the same rule (two hosts under one wildcard, one port). */
function allowEntriesFor(targets: readonly Target[]): AllowEntry[] {
  const entries = new Map<string, { entry: AllowEntry; hosts: Set<string>; features: Set<string> }>();
  for (const target of targets) {
    const serviceTag = target.rules.find((r) => r.type === 'service-tag')?.destination ?? null;
    // Inbound rules protect the compute nodes: the remote side is Azure, named by its tag.
    const fqdn = target.direction === 'inbound' ? null : narrowestFqdn(target);
    if (fqdn === null && serviceTag === null) continue;
    const protocol = protocolOf(target, serviceTag);
    const key = `${target.direction}|${fqdn ?? `tag:${serviceTag ?? ''}`}|${protocol}|${target.port}`;
    const known = entries.get(key);
    if (known) {
      known.hosts.add(target.host);
      for (const f of target.features) known.features.add(f);
      if (known.entry.serviceTag === null && serviceTag !== null) known.entry = { ...known.entry, serviceTag };
      if (target.required && !known.entry.required) known.entry = { ...known.entry, required: true };
      continue;
    }
    const entry: AllowEntry = { direction: target.direction, fqdn, serviceTag, protocol, port: target.port, features: [], required: target.required, hosts: [], purpose: target.purpose };
    entries.set(key, { entry, hosts: new Set([target.host]), features: new Set(target.features) });
  }
  return [...entries.values()].map(({ entry, hosts, features }) => ({ ...entry, hosts: [...hosts], features: [...features] }));
}

/**
 * An inbound target is listed as skipped until `--inbound-from-here` names a node to dial;
 * its rule does not depend on that node, so the allow-list still needs it.
 */
function waitsOnlyForNode(target: Target): boolean {
  return target.direction === 'inbound' && target.skipped !== null && target.skipped.flag === '--inbound-from-here';
}

function privateNameFixes(targets: readonly Target[], cloud: Cloud): PrivateNameFix[] {
  const seen = new Map<string, PrivateNameFix>();
  for (const t of targets) {
    if (t.privateName === null || seen.has(t.host)) continue;
    seen.set(t.host, { host: t.host, record: privateZoneRecord(t.host, t.privateName, cloud) });
  }
  return [...seen.values()];
}

/** `rules`: the whole allow-list for a workspace, before anything is deployed or probed. */
export function planFromTargets(targets: readonly Target[], facts: Pick<WorkspaceFacts, 'cloud' | 'region' | 'workspaceName'>, managed?: ManagedNetworkContext): RulesPlan {
  const wanted = targets.filter((t) => t.skipped === null || waitsOnlyForNode(t) || t.skipped.ruleOnly === true);
  const privateTargets = wanted.filter((t) => t.mustResolvePrivately);
  const managedNetwork = managedPlanOf(wanted, managed, facts.workspaceName ?? null);
  return {
    ...(managedNetwork === undefined ? {} : { managedNetwork }),
    origin: 'catalog',
    cloud: facts.cloud,
    region: facts.region ?? null,
    allow: allowEntriesFor(wanted),
    findings: [],
    privateNames: privateNameFixes(privateTargets, facts.cloud),
    noProxy: [...new Set(privateTargets.map((t) => t.host))],
  };
}

/**
 * `rules --from-report`: only what fixes the blocked targets of a saved report, each by its
 * cause. `proxied`: the report's run had a web proxy (its `settings.proxy`).
 */
export function planFromReport(targets: readonly CheckedTarget[], facts: Pick<WorkspaceFacts, 'cloud' | 'region' | 'workspaceName'>, proxied = false, managed?: ManagedNetworkContext): RulesPlan {
  const blocked = targets.filter((t) => t.verdict === 'blocked');
  // Only what a firewall broke needs a rule: the targets whose remedy is an allow rule.
  const managedNetwork = managedPlanOf(
    blocked.filter((t) => remediesFor(t, t.reason, facts.cloud, proxied).some((r) => r.kind === 'allow')),
    managed,
    facts.workspaceName ?? null,
  );
  const findings: Finding[] = blocked.map((t) => ({
    target: t.id,
    host: t.host,
    port: t.port,
    reason: t.reason,
    features: t.features,
    remedies: remediesFor(t, t.reason, facts.cloud, proxied),
  }));
  const byKind = (kind: Remedy['kind']): CheckedTarget[] => blocked.filter((_, i) => (findings[i] as Finding).remedies.some((r) => r.kind === kind));
  const dnsPrivate = byKind('dns-private');
  return {
    ...(managedNetwork === undefined ? {} : { managedNetwork }),
    origin: 'report',
    cloud: facts.cloud,
    region: facts.region ?? null,
    allow: allowEntriesFor(byKind('allow')),
    findings,
    privateNames: privateNameFixes(dnsPrivate, facts.cloud),
    noProxy: [...new Set(byKind('no-proxy').map((t) => t.host))],
  };
}
