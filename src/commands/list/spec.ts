import { outOption, outputOption } from '../shared/output-options.js';
import type { CommandSpec } from '../shared/spec.js';
import { workspaceOptions, type WorkspaceOptionValues } from '../shared/workspace-options.js';

export interface ListOptions extends WorkspaceOptionValues {
  output: 'table' | 'json';
  out?: string[];
}

const LIST_EXAMPLE = `
Example:
  $ aml-netcheck list --cloud public --region westus2 \\
      --workspace-id 0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11 --workspace-name ws1 \\
      --storage-account st1 --key-vault kv1 --container-registry acr1 \\
      --compute-instance ci1 --private-endpoint --hbi -o json
  $ aml-netcheck list --workspace-json ws.json --features compute-instance,workspace-storage`;

export const LIST: CommandSpec = {
  name: 'list',
  summary: 'list the endpoints this workspace needs, expanded to concrete hosts and ports (no network calls)',
  options: () => [...workspaceOptions(), outputOption(), outOption()],
  examples: LIST_EXAMPLE,
  load: () => import('./run.js'),
};
