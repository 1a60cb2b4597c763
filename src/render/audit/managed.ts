import type { ManagedAudit } from '../../audit/types.js';

/** The managed network's closing change under the table: rules that only add, then what no rule can let out. */
export function managedClosingLines(managed: ManagedAudit): string[] {
  const out: string[] = [];
  if (managed.changes.length > 0) {
    out.push('Managed network: add these outbound rules (only adds; `outbound-rule set` replaces a rule of the same name, so run each only when `az ml workspace outbound-rule list` lacks it):');
    for (const change of managed.changes) {
      out.push(`  # ${change.description}: ${change.targets.join(', ')}`);
      if (change.printed !== undefined) out.push(change.printed.command === null ? `  # left out: ${change.printed.refused ?? ''}` : `  ${change.printed.command}`);
    }
    const yaml = managed.changes.flatMap((c) => c.printed?.yaml ?? []);
    if (yaml.length > 0) {
      out.push('', 'The same rules as managed_network.outbound_rules YAML (append them to what `az ml workspace show --query managed_network -o yaml` prints):', '  outbound_rules:', ...yaml.map((line) => `  ${line}`));
    }
    out.push('');
  }
  if (managed.cannot.length > 0) {
    out.push('A managed network cannot let these out:');
    for (const item of managed.cannot) out.push(`  ${item.target}: ${item.requirement} is not possible; instead: ${item.alternative}`);
    out.push('');
  }
  return out;
}
