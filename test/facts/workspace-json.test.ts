import t from 'tap';
import { readWorkspaceJson } from '../../src/facts/workspace-json.js';
import { resolveFacts } from '../../src/facts/facts.js';
import { InputError } from '../../src/model/errors.js';
import type { PartialFacts } from '../../src/model/facts.js';

const DIR = 'test/fixtures/workspace';
const WS_ID = '0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11';

const read = (name: string, flags: PartialFacts = {}) => readWorkspaceJson(`${DIR}/${name}`, { flags });
const resolved = (name: string, flags: PartialFacts = {}) => resolveFacts([read(name, flags), { facts: flags, source: (k) => `--${k}` }]).facts;

function errorLine(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error.toLine();
    throw error;
  }
  return '(no error)';
}

const ARM_FACTS = {
  workspaceName: 'ws1',
  region: 'westus2',
  workspaceId: WS_ID,
  storageAccount: 'st1',
  keyVault: 'kv1',
  containerRegistry: 'acr1',
  hbi: true,
  notebookFqdn: `ml-ws1-westus2-${WS_ID}.westus2.notebooks.azure.net`,
  privateEndpoint: true,
  cloud: 'public',
};

t.test('the ARM resource shape gives every fact it holds', async (t) => {
  t.same(read('arm.json').facts, ARM_FACTS);
});

t.test('a UTF-8 byte-order mark and UTF-16 as PowerShell `>` writes it read the same', async (t) => {
  t.same(read('arm-utf8-bom.json').facts, ARM_FACTS);
  t.same(read('arm-utf16le.json').facts, ARM_FACTS);
});

t.test('the az ml workspace show shape, with the cloud read from the discovery URL', async (t) => {
  t.same(read('az-cli.json').facts, {
    workspaceName: 'ws2',
    region: 'usgovvirginia',
    storageAccount: 'govst',
    keyVault: 'govkv',
    containerRegistry: 'govacr',
    hbi: false,
    privateEndpoint: true,
    cloud: 'usgov',
  });
  const full = resolved('cli-v2-full.json');
  t.match(
    full,
    {
      workspaceName: 'ws3',
      region: 'westeurope',
      workspaceId: WS_ID,
      storageAccount: 'st3',
      keyVault: 'kv3',
      containerRegistry: 'acr3',
      hbi: true,
      notebookFqdn: `ml-ws3-westeurope-${WS_ID}.westeurope.notebooks.azure.net`,
      privateEndpoint: true,
      cloud: 'public',
    },
    'workspace_id, notebook_info and private_endpoint_connections; "West Europe" normalised like --region',
  );
});

t.test('the v1 SDK/CLI shape (camelCase at the top)', async (t) => {
  t.same(
    read('sdk-v1.json').facts,
    {
      cloud: 'china',
      region: 'chinaeast2',
      workspaceId: WS_ID,
      workspaceName: 'ws4',
      storageAccount: 'st4',
      keyVault: 'kv4',
      containerRegistry: 'acr4',
      notebookFqdn: `ml-ws4-chinaeast2-${WS_ID}.chinaeast2.notebooks.chinacloudapi.cn`,
      privateEndpoint: true,
      hbi: false,
    },
    'publicNetworkAccess: DISABLED means a private endpoint even with no connection listed',
  );
});

t.test('public network access disabled means a private endpoint in every shape and casing', async (t) => {
  t.equal(read('az-cli.json').facts.privateEndpoint, true, 'public_network_access: Disabled');
  t.equal(read('sdk-v1.json').facts.privateEndpoint, true, 'publicNetworkAccess: DISABLED');
  t.equal(read('arm-list.json', { workspaceName: 'ws2' }).facts.privateEndpoint, true, 'properties.publicNetworkAccess: disabled');
});

t.test('an ARM list: the workspace is picked by --workspace-name, and the candidates are named otherwise', async (t) => {
  const ws2 = read('arm-list.json', { workspaceName: 'WS2' });
  t.match(ws2.facts, { workspaceName: 'ws2', region: 'eastus', storageAccount: 'st2', workspaceId: '11111111-2222-3333-4444-555555555555' });
  t.equal(ws2.source('storageAccount'), `${DIR}/arm-list.json: value[1].properties.storageAccount`, 'errors name the item');
  t.equal(read('arm-list.json', { workspaceName: 'ws1' }).facts.storageAccount, 'st1');
  t.equal(
    errorLine(() => read('arm-list.json')),
    `${DIR}/arm-list.json: value: holds 2 workspaces (ws1, ws2); pick one with --workspace-name`,
  );
  t.equal(
    errorLine(() => read('arm-list.json', { workspaceName: 'ws7' })),
    `${DIR}/arm-list.json: value: holds no workspace named 'ws7' (candidates: ws1, ws2)`,
  );
  t.equal(
    errorLine(() => read('arm-list-empty.json')),
    `${DIR}/arm-list-empty.json: value: holds no Microsoft.MachineLearningServices/workspaces resource`,
  );
  t.equal(read('cli-v2-list.json', { workspaceName: 'ws5' }).facts.storageAccount, 'st5', '`az ml workspace list` prints a bare array');
});

t.test('an exported ARM template: expressions with literal values are evaluated; private endpoints are linked', async (t) => {
  const layer = read('template.json');
  t.same(
    layer.facts,
    {
      region: 'westus2',
      workspaceName: 'ws1',
      storageAccount: 'st1',
      keyVault: 'kv1',
      containerRegistry: 'acr1',
      hbi: false,
      privateEndpoint: true,
      privateResources: ['storage', 'key-vault'],
    },
    'the endpoint to another registry does not count',
  );
  t.equal(layer.source('privateResources'), `${DIR}/template.json: resources[2].properties.privateLinkServiceConnections[0].properties.privateLinkServiceId`);
  t.equal(layer.source('privateEndpoint'), `${DIR}/template.json: resources[4].properties.privateLinkServiceConnections[0].properties.privateLinkServiceId`);
  t.equal(read('template-two-workspaces.json', { workspaceName: 'ws9' }).facts.workspaceName, 'ws9');
  t.match(
    errorLine(() => read('template-two-workspaces.json')),
    /resources: holds 2 workspaces \(ws1, ws9\); pick one with --workspace-name$/,
  );
});

t.test('an expression that cannot be evaluated is an error naming the key, unless a flag gives that fact', async (t) => {
  t.equal(
    errorLine(() => read('template-unevaluable.json')),
    `${DIR}/template-unevaluable.json: resources[1].properties.storageAccount: cannot evaluate the ARM expression '[resourceId('Microsoft.Storage/storageAccounts', parameters('storageAccounts_st…': parameter 'storageAccounts_st1_name' has no defaultValue; its value comes with the deployment; give --storage-account instead`,
  );
  t.match(
    errorLine(() => read('template-unevaluable.json', { storageAccount: 'st1' })),
    /resources\[2\]\.properties\.privateLinkServiceConnections\[0\]\.properties\.privateLinkServiceId: .*; give --private-resources instead$/,
    'the private endpoint to that account cannot be placed either',
  );
  const layer = read('template-unevaluable.json', { storageAccount: 'st1', privateResources: ['storage'] });
  t.equal(layer.facts.storageAccount, undefined, 'left to the flag');
  t.equal(layer.facts.keyVault, 'kv1');
});

t.test('flags override the file, and errors name where a value came from', async (t) => {
  const file = read('arm.json');
  const merged = resolveFacts([file, { facts: { storageAccount: 'other1', hbi: false }, source: () => '--flag' }]).facts;
  t.equal(merged.storageAccount, 'other1');
  t.equal(merged.hbi, false, '--no-hbi beats hbiWorkspace: true');
  t.equal(merged.keyVault, 'kv1', 'what flags do not say stays from the file');
  t.throws(() => resolveFacts([file, { facts: { cloud: 'china' }, source: (k) => `--${k}` }]), {
    message: "region 'westus2' belongs to Azure public but the cloud is china, from --cloud (set --cloud public)",
    where: `${DIR}/arm.json: location`,
  });
  // Both from the file: the message must not blame a flag nobody gave.
  t.throws(() => resolveFacts([{ facts: { region: 'usgovvirginia', cloud: 'public' }, source: (k) => `ws.json: ${k === 'cloud' ? 'properties.discoveryUrl' : 'location'}` }]), {
    message: "region 'usgovvirginia' belongs to Azure Government but the cloud is public, from ws.json: properties.discoveryUrl (the two disagree; --cloud usgov or --region overrides the file)",
  });
});

const BAD: Record<string, string> = {
  'malformed.json': 'not valid JSON: Expected double-quoted property name at line 6 column 4',
  'empty.json': 'not valid JSON: Unexpected end of JSON input',
  'not-utf8.json': 'is not UTF-8 or UTF-16 text',
  'not-object.json': '[0]: expected an object describing a resource, got "ws1"',
  'bad-list-item.json': 'value[1]: expected an object describing a resource, got "ws2"',
  'scalar.json':
    'matches no workspace JSON shape; expected an ARM resource (name, location, properties), `az ml workspace show` output (storage_account, key_vault, ...), v1 SDK/CLI output (storageAccount, workspaceid, ...), an ARM list {"value": [...]} or an exported ARM template (resources[])',
  'no-shape.json': 'matches no workspace JSON shape; expected an ARM resource',
  'mixed-shapes.json': 'mixes keys of `az ml workspace show` (v2) (storage_account) and of the v1 SDK/CLI (keyVault); use the output of one tool as it printed it',
  'arm-foreign-key.json': 'storage_account: is how `az ml workspace show` (v2) spells it; an ARM resource holds it at properties.storageAccount',
  'arm-snake-in-properties.json': 'properties.key_vault: is how `az ml workspace show` (v2) spells it; an ARM resource holds it at properties.keyVault',
  'arm-wrong-case.json': 'properties.notebookInfo.FQDN: is spelled like no workspace JSON shape; an ARM resource holds it at properties.notebookInfo.fqdn',
  'cli-v2-wrong-case.json': 'Storage_Account: is spelled like no workspace JSON shape; `az ml workspace show` (v2) holds it at storage_account',
  'not-a-workspace.json': "type: is 'Microsoft.Storage/storageAccounts', not a Microsoft.MachineLearningServices/workspaces resource",
  'bad-properties.json': 'properties: must be an object',
  'bad-hbi-type.json': 'hbi_workspace: must be true or false, got "yes"',
  'bad-name-type.json': 'name: must be a string, got 42',
  'bad-connections-type.json': 'properties.privateEndpointConnections: must be a list, got "pe1"',
  'bad-public-access.json': 'public_network_access: must be Enabled or Disabled, got "Sometimes"',
  'bad-discovery-url.json': "discoveryUrl: 'not a url' is not a URL",
  'bad-storage-id.json': "properties.storageAccount: '/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/…' is not a resource id of type Microsoft.Storage/storageAccounts",
};

t.test('a bad workspace JSON is bad input, named by file and key', async (t) => {
  for (const [name, message] of Object.entries(BAD)) {
    const line = errorLine(() => read(name));
    t.ok(line.startsWith(`${DIR}/${name}: ${message}`), `${name}: ${line}`);
  }
  t.equal(
    errorLine(() => read('nope.json')),
    "--workspace-json: 'test/fixtures/workspace/nope.json': cannot open: no such file (ENOENT)",
  );
});

t.test('values from the file are checked like flags', async (t) => {
  for (const [name, message] of [
    ['bad-guid.json', "properties.workspaceId: 'not-a-guid' is not a GUID such as 0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11"],
    ['bad-storage-name.json', "storage_account: 'Storage_One' is not a storage account name of 3-24 lower-case letters and digits"],
  ] as const) {
    t.throws(() => resolveFacts([read(name)]), { where: `${DIR}/${name}: ${message.split(': ')[0]}`, message: message.slice(message.indexOf(': ') + 2) }, name);
  }
});

t.test('review findings: deep nesting, a name twice in a list, connections not approved', async (t) => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const dir = mkdtempSync(path.join(tmpdir(), 'amlnc-wsjson-'));
  const file = (name: string, text: string): string => {
    const full = path.join(dir, name);
    writeFileSync(full, text);
    return full;
  };
  const deep = file('deep.json', `{"name":"ws1","location":"westus2","properties":{"workspaceId":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`);
  t.match(
    errorLine(() => readWorkspaceJson(deep)),
    /deep\.json: nested more than 100 levels deep: not a workspace document$/,
    'one line naming the file, no stack overflow',
  );
  const workspace = (location: string, id: string) => ({ type: 'Microsoft.MachineLearningServices/workspaces', name: 'ws1', location, id: `/subscriptions/s/resourceGroups/${location}/providers/Microsoft.MachineLearningServices/workspaces/ws1`, properties: { workspaceId: id } });
  const twins = file('twins.json', JSON.stringify({ value: [workspace('westus2', WS_ID), workspace('eastus', '1d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11')] }));
  t.match(
    errorLine(() => readWorkspaceJson(twins, { flags: { workspaceName: 'ws1' } })),
    /holds 2 workspaces named 'ws1'; keep only the one you mean/,
  );
  const connection = (status: string) => ({ properties: { privateLinkServiceConnectionState: { status } } });
  const arm = (connections: unknown[]) => JSON.stringify({ name: 'ws1', location: 'westus2', properties: { workspaceId: WS_ID, privateEndpointConnections: connections } });
  t.equal(readWorkspaceJson(file('pending.json', arm([connection('Pending'), connection('Rejected')]))).facts.privateEndpoint, false, 'pending and rejected connections carry no traffic');
  t.equal(readWorkspaceJson(file('approved.json', arm([connection('Rejected'), connection('Approved')]))).facts.privateEndpoint, true);
  t.equal(readWorkspaceJson(file('bare.json', arm([{ id: '/subscriptions/s/pe1' }]))).facts.privateEndpoint, true, 'a connection without a state counts');
});

t.test('the outline of a resource with no workspace fact in it is not a workspace', async (t) => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const dir = mkdtempSync(path.join(tmpdir(), 'amlnc-wsjson-'));
  for (const [name, text] of [
    ['empty-properties.json', '{"properties":{}}'],
    ['unrelated.json', '{"properties":{"foo":1}}'],
  ] as const) {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    t.match(
      errorLine(() => readWorkspaceJson(file)),
      /: holds no workspace fact \(no name, location, workspace id or resource of the workspace\); expected /,
      name,
    );
  }
});
