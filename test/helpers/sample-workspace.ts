import type { Cloud } from '../../src/model/clouds.js';

/** The workspace the command tests describe: one set of facts, so their outputs compare across files. */
const SAMPLE_WORKSPACE_ID = '0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11';

export const SAMPLE_REGION: Record<Cloud, string> = { public: 'westus2', usgov: 'usgovvirginia', china: 'chinaeast2' };

const NOTEBOOKS: Record<Cloud, string> = { public: 'notebooks.azure.net', usgov: 'notebooks.usgovcloudapi.net', china: 'notebooks.chinacloudapi.cn' };

/** Workspace ws1 in `region`: its id, storage st1, key vault kv1, registry acr1 and compute instance ci1. */
export function sampleWorkspaceFlags(region: string = SAMPLE_REGION.public): string[] {
  return ['--region', region, '--workspace-id', SAMPLE_WORKSPACE_ID, '--workspace-name', 'ws1', '--storage-account', 'st1', '--key-vault', 'kv1', '--container-registry', 'acr1', '--compute-instance', 'ci1'];
}

/** The integrated notebook's host name, as Azure names it for ws1 in the cloud's sample region. */
export function sampleNotebookFqdn(cloud: Cloud): string {
  const region = SAMPLE_REGION[cloud];
  return `ml-ws1-${region}-${SAMPLE_WORKSPACE_ID}.${region}.${NOTEBOOKS[cloud]}`;
}
