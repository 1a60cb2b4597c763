import type { LimitationRow, ManagedModeRow } from '../model/managed-network.js';
import { hasManagedNetwork, type ManagedNetworkMode } from '../model/facts.js';
import type { Target } from '../model/target.js';
import { quote } from '../model/text.js';
import { classifyManaged, describeRuleSpec, managedModeRow, PRIVATE_ENDPOINT_ARM_TYPE, storageOf, tagMatches, type ManagedNetworkAction, type ManagedNetworkContext } from '../remedies/managed-network.js';
import { addressMatch, anyOf, fqdnCovers, NO, portsMatch, tagMatch, YES, type Match, type PolicySettings, type Traffic } from './evaluate.js';
import type { AuditConfig, AuditedTarget, AuditVerdict, ManagedAudit, ManagedChange, ManagedOutboundRule, ManagedRuleRef } from './types.js';

/**
 * A workspace's managed virtual network as a layer of `audit`: what leaves it, by the isolation
 * mode, the outbound rules the admin added (`az ml workspace outbound-rule list`) and those Azure
 * adds by itself. What Azure adds, and what a managed network cannot express, is the remedies'
 * knowledge (remedies/managed-network.ts classifyManaged, from probes/managed-network/), read from
 * the article at its pinned commit:
 * - allow_internet_outbound lets all internet traffic out; a resource reached privately still needs a private endpoint rule;
 * - allow_only_approved_outbound lets out only the outbound rules and the required rules Azure adds;
 * - an FQDN rule carries ports 80 and 443 only (limitation fqdn-ports);
 * - in approved-only mode, storage is reached through a private endpoint rule, never an FQDN rule
 *   (limitation storage-needs-private-endpoint).
 */

const LAYER_MODES: readonly ManagedNetworkMode[] = ['allow-internet-outbound', 'allow-only-approved-outbound'];

/**
 * The isolation modes to audit the managed network's rules in, and what to warn about: the mode the
 * facts give; both when they give none (a verdict both agree on stands); none when the facts say the
 * workspace has no managed network. A managed network the facts name but no export gives is named too.
 */
export function managedModes(config: AuditConfig, facts: ManagedNetworkMode | undefined): { modes: ManagedNetworkMode[]; warnings: string[] } {
  const given = config.inputs.find((input) => input.kind === 'managed-outbound-rules')?.file;
  const exported = config.managedMode;
  if (given !== undefined && facts !== undefined && exported !== undefined && facts !== exported) {
    const { modes, warnings } = managedModes({ ...config, managedMode: facts }, facts);
    return { modes, warnings: [`${quote(given)} gives isolation mode ${exported}, the facts ${facts}: audited in ${facts}`, ...warnings] };
  }
  const mode = facts ?? exported;
  if (given === undefined) {
    const others = config.inputs.length > 0;
    return {
      modes: [],
      warnings: hasManagedNetwork(mode) && others ? [`the workspace has a managed virtual network (${mode}): its compute's outbound traffic leaves through it, not through the firewall or NSGs given; give \`az ml workspace outbound-rule list\` with --config to audit it`] : [],
    };
  }
  if (mode === 'disabled') return { modes: [], warnings: [`${quote(given)} holds a managed network's outbound rules, but the workspace has no managed network (isolation_mode disabled): they apply to nothing, and the managed layer is left out`] };
  if (mode === undefined) {
    return { modes: [...LAYER_MODES], warnings: [`${quote(given)} holds a managed network's outbound rules, but neither --workspace-json nor --managed-network gives the isolation mode: a verdict that differs between the modes depends on it`] };
  }
  const warnings =
    config.policies.length + config.groups.length + (config.nsgs?.length ?? 0) + (config.firewalls?.length ?? 0) > 0
      ? ["the workspace's compute sits in its managed network, whose traffic does not pass the firewall or NSGs given: their verdicts are shown for traffic that does"]
      : [];
  return { modes: [mode], warnings };
}

function limitation(context: ManagedNetworkContext, id: LimitationRow['id']): LimitationRow | undefined {
  return context.data.limitations.find((l) => l.id === id);
}

function refOf(rule: ManagedOutboundRule): ManagedRuleRef {
  const destination = rule.type === 'fqdn' ? rule.destination : rule.type === 'service_tag' ? `${rule.serviceTag} ${rule.protocol} ${rule.portRanges.join(',')}` : `${rule.serviceResourceId.split('/').at(-1) ?? rule.serviceResourceId} ${rule.subresourceTarget}`;
  return { layer: 'managed', rule: rule.name, ruleType: rule.type, destination, category: rule.category, listed: true, action: 'Allow' };
}

/** The resource a private endpoint rule reaches: its ARM type and name, lower case. */
function endpointOf(rule: Extract<ManagedOutboundRule, { type: 'private_endpoint' }>): { type: string; name: string; subresource: string } {
  const parts = rule.serviceResourceId.toLowerCase().split('/');
  const providers = parts.indexOf('providers');
  return { type: `${parts[providers + 1] ?? ''}/${parts[providers + 2] ?? ''}`, name: parts[providers + 3] ?? '', subresource: rule.subresourceTarget.toLowerCase() };
}

/** How one of the admin's outbound rules meets the traffic. */
function ruleMatch(rule: ManagedOutboundRule, target: Target, traffic: Traffic, mode: ManagedModeRow, action: ManagedNetworkAction, context: ManagedNetworkContext, settings: PolicySettings): Match {
  switch (rule.type) {
    case 'fqdn': {
      if (!fqdnCovers(rule.destination, traffic.destination)) return NO;
      const ports = limitation(context, 'fqdn-ports');
      if (traffic.transport === 'udp' || !(ports?.ports ?? [80, 443]).includes(traffic.port)) {
        return { kind: 'inexpressible', reason: `an FQDN outbound rule carries ports ${(ports?.ports ?? [80, 443]).join(' and ')} only; ${traffic.transport.toUpperCase()} ${traffic.port} needs ${ports?.alternative ?? 'another rule type'}` };
      }
      const host = traffic.destination.kind === 'host' ? traffic.destination.name : traffic.destination.kind === 'wildcard' ? `any-name.${traffic.destination.domain}` : '';
      const storage = limitation(context, 'storage-needs-private-endpoint');
      if (!mode.internet && storageOf(host) !== null && storage !== undefined) return { kind: 'inexpressible', reason: `${storage.requirement} does not work in ${mode.az} mode; instead: ${storage.alternative}` };
      return YES;
    }
    case 'service_tag': {
      // The service tag rules Azure adds serve the targets classifyManaged names (azure-adds-tag): matched
      // there by purpose, never here by the tag's whole address space.
      if (rule.category === 'required' || rule.category === 'dependency') return NO;
      const protocol = rule.protocol === '*' || rule.protocol === traffic.transport.toUpperCase();
      if (!protocol || !portsMatch(rule.portRanges, traffic.port)) return NO;
      // ServiceTagDestination.addressPrefixes: "if provided, the ServiceTag property will be ignored".
      if (rule.addressPrefixes.length > 0) return anyOf(rule.addressPrefixes.map((prefix) => addressMatch(prefix, traffic, settings)));
      return tagMatch(rule.serviceTag, traffic, settings);
    }
    case 'private_endpoint': {
      const reached = endpointOf(rule);
      const storage = storageOf(target.host);
      if (storage !== null) return reached.type === PRIVATE_ENDPOINT_ARM_TYPE.storage.toLowerCase() && reached.name === storage.account && reached.subresource === storage.subresource ? YES : NO;
      if (action.kind !== 'add' || action.rule.type !== 'private_endpoint') return NO;
      const wanted = action.rule;
      return reached.type === PRIVATE_ENDPOINT_ARM_TYPE[wanted.resource].toLowerCase() && reached.name === wanted.resourceName?.toLowerCase() && reached.subresource === wanted.subresource.toLowerCase() ? YES : NO;
    }
  }
}

/** Whether a listed rule is the one Azure adds for the action. */
function isAzureRule(rule: ManagedOutboundRule, action: ManagedNetworkAction): boolean {
  if (action.kind === 'azure-adds-tag') return rule.type === 'service_tag' && tagMatches(action.row, rule.serviceTag);
  if (action.kind !== 'azure-adds-endpoint') return false;
  if (rule.type !== 'private_endpoint') return false;
  const reached = endpointOf(rule);
  return reached.type === PRIVATE_ENDPOINT_ARM_TYPE[action.row.resource].toLowerCase() && reached.subresource === action.subresource.toLowerCase();
}

/** An allow by a rule that is not yet in force is not one yet. */
function allowedBy(rule: ManagedOutboundRule | null, ref: ManagedRuleRef): AuditVerdict {
  if (rule?.status === 'Inactive') return { verdict: 'depends', on: [`outbound rule ${rule.name} becoming Active (Inactive until the managed network is provisioned, or its private endpoint approved: az ml workspace provision-network)`], rule: ref };
  return { verdict: 'allowed', rule: ref };
}

function verdictIn(context: ManagedNetworkContext, rules: readonly ManagedOutboundRule[], target: Target, traffic: Traffic, settings: PolicySettings): AuditVerdict {
  const mode = managedModeRow(context);
  const action = classifyManaged(target, context);
  if (mode === null || action === null) return { verdict: 'not-audited', reason: 'the workspace has no managed network' };
  if (action.kind === 'internet') return { verdict: 'allowed', rule: { layer: 'managed', rule: mode.az, ruleType: 'isolation_mode', destination: 'internet', category: null, listed: false, action: 'Allow' } };
  if (action.kind === 'azure-adds-tag' || action.kind === 'azure-adds-endpoint') {
    const listed = rules.find((rule) => isAzureRule(rule, action)) ?? null;
    const unlisted: ManagedRuleRef =
      action.kind === 'azure-adds-tag'
        ? { layer: 'managed', rule: `required service tag rule ${action.row.tag}`, ruleType: 'service_tag', destination: action.row.tag, category: 'required', listed: false, action: 'Allow' }
        : { layer: 'managed', rule: `required private endpoint rule to the workspace's ${action.row.resource}`, ruleType: 'private_endpoint', destination: `${action.row.resource} ${action.subresource}`, category: 'required', listed: false, action: 'Allow' };
    return allowedBy(listed, listed === null ? unlisted : refOf(listed));
  }
  const matches = rules.map((rule) => ({ rule, match: ruleMatch(rule, target, traffic, mode, action, context, settings) }));
  const yes = matches.find((m) => m.match.kind === 'yes');
  if (yes !== undefined) return allowedBy(yes.rule, refOf(yes.rule));
  const undecided = matches.filter((m) => m.match.kind === 'depends');
  if (undecided.length > 0) return { verdict: 'depends', on: [...new Set(undecided.flatMap((m) => (m.match.kind === 'depends' ? m.match.on : [])))], rule: refOf((undecided[0] as (typeof undecided)[number]).rule) };
  const cannot = matches.find((m) => m.match.kind === 'inexpressible');
  if (cannot !== undefined && cannot.match.kind === 'inexpressible') return { verdict: 'inexpressible', rule: refOf(cannot.rule), reason: cannot.match.reason };
  return { verdict: 'no-rule' };
}

export interface ManagedLayer {
  verdict(target: Target, traffic: Traffic): AuditVerdict;
  /** The rules to add for the required targets this layer blocks, and those no rule can let out. */
  closing(targets: readonly Target[], audited: readonly AuditedTarget[]): ManagedAudit;
}

const BLOCKS: ReadonlyArray<AuditVerdict['verdict']> = ['denied', 'no-rule', 'inexpressible'];

/** The managed layer of a workspace audited in `contexts` (one per isolation mode; see managedModes); null without its export. */
export function managedLayerOf(config: AuditConfig, contexts: readonly ManagedNetworkContext[]): ManagedLayer | null {
  const rules = config.managedRules;
  if (rules === undefined || contexts.length === 0) return null;
  const settings: PolicySettings = { dnsProxy: null, serviceTags: config.serviceTags };
  const known = contexts.length === 1 ? contexts[0] : undefined;
  return {
    verdict(target, traffic) {
      const verdicts = contexts.map((context) => verdictIn(context, rules, target, traffic, settings));
      // The same verdict in every mode stands, named as the strictest mode (approved-only, the last) has it.
      const strictest = verdicts.at(-1) as AuditVerdict;
      if (verdicts.every((v) => v.verdict === strictest.verdict)) return strictest;
      return { verdict: 'depends', on: ["the managed network's isolation mode (give --workspace-json from `az ml workspace show`, or --managed-network)"], rule: null };
    },
    closing(targets, audited) {
      const changes: Array<{ rule: ManagedChange['rule']; description: string; targets: string[] }> = [];
      const cannot: Array<{ target: string; requirement: string; alternative: string }> = [];
      for (const result of audited) {
        const layer = result.layers.find((l) => l.layer === 'managed');
        const target = targets.find((t) => t.id === result.id);
        if (known === undefined || !result.required || layer === undefined || !BLOCKS.includes(layer.verdict.verdict) || target === undefined) continue;
        const action = classifyManaged(target, known);
        if (action?.kind === 'add') {
          const same = changes.find((change) => JSON.stringify(change.rule) === JSON.stringify(action.rule));
          if (same === undefined) changes.push({ rule: action.rule, description: describeRuleSpec(action.rule), targets: [result.id] });
          else same.targets.push(result.id);
        } else if (action?.kind === 'cannot') cannot.push({ target: result.id, requirement: action.limitation.requirement, alternative: action.limitation.alternative });
      }
      const mode = known === undefined ? null : (managedModeRow(known)?.az ?? null);
      return { mode, rules: rules.length, changes, cannot };
    },
  };
}
