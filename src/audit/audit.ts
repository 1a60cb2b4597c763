import { EXIT } from '../model/exit-codes.js';
import { InputError } from '../model/errors.js';
import type { Target } from '../model/target.js';
import { quote } from '../model/text.js';
import { ipv4Span, type Span } from './addresses.js';
import { orderRules, tiersOf, trafficOf, verdictFor, type Traffic } from './evaluate.js';
import { classicLayer } from './classic.js';
import { managedLayerOf } from './managed.js';
import { nsgLayerVerdict } from './nsg.js';
import { firewallPathOf, replyRouteVerdict, routeLayerVerdict } from './routes.js';
import type { ManagedNetworkContext } from '../remedies/managed-network.js';
import { advisoriesOf } from './advisory.js';
import { closingLayers, withClosingChange } from './close.js';
import { SOURCE_PLACEHOLDER, type AuditConfig, type AuditedTarget, type AuditLayer, type AuditResult, type AuditVerdict, type ClosingChange, type LayerVerdict } from './types.js';

/** Parses --source: IPv4 prefixes of the workspace's subnets. */
function parseSources(values: readonly string[]): Span[] {
  return values.map((value) => {
    const span = ipv4Span(value);
    if (span === null || value.includes('-')) throw new InputError('--source', `expected an IPv4 address or CIDR prefix of the workspace's subnet; got ${quote(value)}`);
    return span;
  });
}

function exitCodeOf(targets: readonly AuditedTarget[]): number {
  const required = targets.filter((t) => t.required && t.verdict.verdict !== 'not-audited');
  if (required.some((t) => ['denied', 'no-rule', 'inexpressible'].includes(t.verdict.verdict))) return EXIT.blocked;
  if (required.length === 0 || required.some((t) => t.verdict.verdict === 'depends')) return EXIT.incomplete;
  return EXIT.ok;
}

const INBOUND_WITHOUT_NSG = "inbound to the compute's public IP: only NSGs filter it, and none was given (--config an NSG or effective NSG rules)";

const BLOCKS: ReadonlyArray<AuditVerdict['verdict']> = ['denied', 'no-rule', 'inexpressible'];

/**
 * The layers together, in the order the traffic meets them: the first that blocks decides, since
 * nothing after it sees the traffic; else what one of them leaves undecided; else the last allow
 * (the firewall's, when both are given: the NSG's allow is in `layers`). A layer the routes take
 * the traffic past decides nothing; one they may take it past blocks only maybe, and then the
 * route's own verdict already depends.
 */
function combined(layers: readonly LayerVerdict[]): AuditVerdict {
  const onPath = layers.filter((l) => l.bypassed === undefined);
  const blocking = onPath.find((l) => BLOCKS.includes(l.verdict.verdict));
  if (blocking !== undefined) return blocking.verdict;
  const depends = layers
    .filter((l) => l.bypassed?.always !== true)
    .map((l) => l.verdict)
    .filter((v): v is Extract<AuditVerdict, { verdict: 'depends' }> => v.verdict === 'depends');
  if (depends.length > 0) return { verdict: 'depends', on: [...new Set(depends.flatMap((v) => v.on))], rule: depends[0]?.rule ?? null };
  return onPath.at(-1)?.verdict ?? { verdict: 'no-rule' };
}

/**
 * One verdict per target through every layer given, the exit code `check` would give for them,
 * the change that closes what the NSG and firewall layers block (close.ts; the managed network's
 * own in `managed`) and the advisory list (advisory.ts).
 * `managed`: the workspace's managed network in each isolation mode to audit (managed.ts managedModes).
 */
export function auditTargets(config: AuditConfig, targets: readonly Target[], sourceValues: readonly string[], managed: readonly ManagedNetworkContext[] = []): AuditResult {
  const sources = parseSources(sourceValues);
  const audited = verdictsOf(config, targets, sources, managed);
  const layers = closingLayers(config, targets, audited, sources, sourceValues);
  const after = verdictsOf(withClosingChange(config, layers), targets, sources, managed);
  const verdictIn = (target: AuditedTarget | undefined, layer: AuditLayer): AuditVerdict['verdict'] | undefined => target?.layers.find((l) => l.layer === layer)?.verdict.verdict;
  // What each layer's change is for: the required targets it blocked.
  const fixable = (target: AuditedTarget | undefined, layer: AuditLayer): boolean => target !== undefined && target.required && layers.some((c) => c.layer === layer) && BLOCKS.includes(verdictIn(target, layer) ?? 'allowed');
  const verified = {
    allowed: after.filter((t, i) => t.layers.some((l) => fixable(audited[i], l.layer)) && t.layers.every((l) => !fixable(audited[i], l.layer) || l.verdict.verdict === 'allowed')).map((t) => t.id),
    // Any other change: a verdict the change was not for, or one it was for that did not become allowed.
    otherVerdictsChanged: after.filter((t, i) => t.layers.some((l) => verdictIn(audited[i], l.layer) !== l.verdict.verdict && (!fixable(audited[i], l.layer) || l.verdict.verdict !== 'allowed'))).map((t) => t.id),
  };
  const change: ClosingChange = { sourceAddresses: sourceValues.length > 0 ? [...sourceValues] : [SOURCE_PLACEHOLDER], layers, verified };
  const nsgs = config.nsgs ?? [];
  const routeTables = config.routeTables ?? [];
  const managedLayer = managedLayerOf(config, managed);
  const policies = config.policies.map(({ name, basePolicy, dnsProxy, threatIntelMode, sku }) => ({ name, basePolicy, dnsProxy, threatIntelMode, sku }));
  const firewalls = (config.firewalls ?? []).map(({ name, policy, dnsProxy, threatIntelMode, sku, privateIp }) => ({ name, policy, dnsProxy, threatIntelMode, sku, privateIp }));
  const routes = routeTables.map(({ name, effective, disableBgpRoutePropagation, systemRoutesAdded }) => ({ name, effective, disableBgpRoutePropagation, systemRoutesAdded }));
  return {
    policies,
    nsgs: nsgs.map(({ name, effective, defaultsAdded }) => ({ name, effective, defaultsAdded })),
    sources: [...sourceValues],
    targets: audited,
    exitCode: exitCodeOf(audited),
    change,
    advisories: advisoriesOf(config),
    ...(firewalls.length > 0 ? { firewalls } : {}),
    ...(managedLayer === null ? {} : { managed: managedLayer.closing(targets, audited) }),
    ...(routes.length > 0 ? { routeTables: routes } : {}),
  };
}

/** Each target's verdict in every layer given, in path order, and all layers together. */
function verdictsOf(config: AuditConfig, targets: readonly Target[], sources: readonly Span[], managed: readonly ManagedNetworkContext[]): AuditedTarget[] {
  const nsgs = config.nsgs ?? [];
  const routeTables = config.routeTables ?? [];
  const classic = classicLayer(config, sources);
  const managedLayer = managedLayerOf(config, managed);
  // Without a firewall export, the NSG, the routes or the managed network alone decide; a service-tag file alone still audits the (empty) firewall.
  const firewall = (nsgs.length === 0 && routeTables.length === 0 && config.managedRules === undefined) || config.policies.length > 0 || config.groups.length > 0 || classic !== null;
  // The firewall's own private address (az network firewall show) says which virtual appliance next hop it is.
  const path = firewallPathOf(
    routeTables,
    firewall,
    (config.firewalls ?? []).map((f) => f.privateIp).filter((ip): ip is string => ip !== null),
  );
  const { tiers, unknownParent, settings } = tiersOf(config);
  const ordered = firewall ? orderRules(tiers, sources, settings) : [];
  const audited: AuditedTarget[] = targets.map((target) => {
    const traffic = trafficOf(target);
    const base = { id: target.id, host: target.host, port: target.port, protocol: target.protocol, required: target.required, features: target.features };
    if (typeof traffic === 'string') return { ...base, verdict: { verdict: 'not-audited', reason: traffic }, layers: [] };
    if (traffic.direction === 'inbound' && nsgs.length === 0 && managedLayer === null) {
      // No NSG given: only a reply route that cannot work decides anything.
      const reply = replyRouteVerdict(routeTables, traffic, settings, path);
      if (reply === null || !BLOCKS.includes(reply.verdict)) return { ...base, verdict: { verdict: 'not-audited', reason: INBOUND_WITHOUT_NSG }, layers: [] };
      return { ...base, verdict: reply, layers: [{ layer: 'route', verdict: reply }] };
    }
    const layers = layersOf(target, traffic);
    return { ...base, verdict: combined(layers), layers };
  });
  function layersOf(target: Target, traffic: Traffic): LayerVerdict[] {
    const layers: LayerVerdict[] = [];
    if (managedLayer !== null) layers.push({ layer: 'managed', verdict: managedLayer.verdict(target, traffic) });
    if (nsgs.length > 0) layers.push({ layer: 'nsg', verdict: nsgLayerVerdict(nsgs, traffic, sources, settings) });
    if (traffic.direction === 'inbound') {
      // Azure reaches a node's public IP directly: the firewall is not on the way in, but the replies follow the routes.
      const reply = replyRouteVerdict(routeTables, traffic, settings, path);
      if (reply !== null) layers.push({ layer: 'route', verdict: reply });
      return layers;
    }
    const own = firewall ? (classic?.(traffic) ?? verdictFor(traffic, ordered, unknownParent)) : null;
    const route = routeLayerVerdict(routeTables, traffic, settings, path, own);
    if (route !== null) layers.push({ layer: 'route', verdict: route.verdict });
    if (own !== null) layers.push({ layer: 'firewall', verdict: own, ...(route?.firewall ? { bypassed: route.firewall } : {}) });
    return layers;
  }
  return audited;
}
