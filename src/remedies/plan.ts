import type { Cloud } from '../model/clouds.js';
import type { WorkspaceFacts } from '../model/facts.js';
import type { ReasonCode } from '../model/reasons.js';
import type { CheckedTarget } from '../model/result.js';
import type { Direction, FirewallProtocol, Target } from '../model/target.js';
import { privateZoneRecord, type PrivateZoneRecord } from './private-zones.js';
import { remediesFor, type Remedy } from './remedy.js';

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
export function planFromTargets(targets: readonly Target[], facts: Pick<WorkspaceFacts, 'cloud' | 'region'>): RulesPlan {
  const wanted = targets.filter((t) => t.skipped === null || waitsOnlyForNode(t) || t.skipped.ruleOnly === true);
  const privateTargets = wanted.filter((t) => t.mustResolvePrivately);
  return {
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
export function planFromReport(targets: readonly CheckedTarget[], facts: Pick<WorkspaceFacts, 'cloud' | 'region'>, proxied = false): RulesPlan {
  const blocked = targets.filter((t) => t.verdict === 'blocked');
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
    origin: 'report',
    cloud: facts.cloud,
    region: facts.region ?? null,
    allow: allowEntriesFor(byKind('allow')),
    findings,
    privateNames: privateNameFixes(dnsPrivate, facts.cloud),
    noProxy: [...new Set(byKind('no-proxy').map((t) => t.host))],
  };
}
