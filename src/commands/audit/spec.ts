import { Option } from 'commander';
import { AUDIT_EXIT_MEANING } from '../../audit/exit-meaning.js';
import { AUDIT_FORMATS, type AuditFormat } from '../../render/audit/registry.js';
import { outOption } from '../shared/output-options.js';
import { auditInputOptions, type AuditInputValues } from '../shared/audit-options.js';
import type { CommandSpec } from '../shared/spec.js';
import { workspaceOptions, type WorkspaceOptionValues } from '../shared/workspace-options.js';

// Kept apart from run.ts so that building the CLI loads no reader and no renderer.
export interface AuditOptions extends WorkspaceOptionValues, AuditInputValues {
  output: AuditFormat;
  out?: string[];
}

const AUDIT_EXAMPLE = `
Inputs (--config, repeatable; the kind is read from the JSON):
  az network firewall policy show -g RG -n POLICY > policy.json
  az network firewall policy rule-collection-group list -g RG --policy-name POLICY > groups.json
  az group export -g RG > template.json      (Microsoft.Network/firewallPolicies and their ruleCollectionGroups)
  az network list-service-tags -l REGION > service-tags.json   (decides service tags by address)
  az network nsg show -g RG -n NSG > nsg.json                   (the NSG on the workspace's subnet)
  az network nic list-effective-nsg -g RG -n NIC > effective.json   (the NSG rules that apply to a NIC)
  az network firewall show -g RG -n FIREWALL > firewall.json      (a firewall's classic rules, DNS proxy, private IP)
  az ml workspace outbound-rule list -g RG --workspace-name WS > outbound-rules.json
                                  (a managed network's rules; its isolation mode from --workspace-json or --managed-network)
  az network route-table show -g RG -n ROUTE_TABLE > routes.json   (the route table on the workspace's subnet)
  az network nic show-effective-route-table -g RG -n NIC > effective-routes.json   (or every route a NIC has)
Give the parent policy's files too when the policy has one: its rules come first.

Examples:
  $ aml-netcheck audit --workspace-json ws.json --config policy.json --config groups.json --source 10.0.1.0/24
  $ aml-netcheck audit --workspace-json ws.json --config template.json -o json
  $ aml-netcheck audit --workspace-json ws.json --config nsg.json --config template.json --out audit.html --out audit.xml
      (HTML by target and by rule; JUnit, a testcase per target; -o markdown for a change request)

Exit codes:
${Object.entries(AUDIT_EXIT_MEANING)
  .map(([code, meaning]) => `  ${code.padEnd(4)} ${meaning}`)
  .join('\n')}`;

export const AUDIT: CommandSpec = {
  name: 'audit',
  summary: "audit the admin's own firewall rules, NSGs, routes and managed-network outbound rules (exported with az) against the endpoints the workspace needs; names the rule that allows or blocks each (no network calls)",
  options: () => [...workspaceOptions(), ...auditInputOptions(), new Option('-o, --output <format>', 'report format').choices(AUDIT_FORMATS).default('table'), outOption()],
  examples: AUDIT_EXAMPLE,
  load: () => import('./run.js'),
};
