import type { Command } from 'commander';
import type { WorkspaceOptionValues } from './shared/workspace-options.js';

export interface ListOptions extends WorkspaceOptionValues {
  output: 'table' | 'json';
  out?: string[];
}

export const LIST_EXAMPLE = `
Example:
  $ aml-netcheck list --cloud public --region westus2 \\
      --workspace-id 0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11 --workspace-name ws1 \\
      --storage-account st1 --key-vault kv1 --container-registry acr1 \\
      --compute-instance ci1 --private-endpoint --hbi -o json
  $ aml-netcheck list --workspace-json ws.json --features compute-instance,workspace-storage`;

export function describeListCommand(command: Command): Command {
  return command.description('list the endpoints this workspace needs, expanded to concrete hosts and ports (no network calls)').addHelpText('after', LIST_EXAMPLE);
}
