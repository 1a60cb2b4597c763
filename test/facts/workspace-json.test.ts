import t from 'tap';
import { readWorkspaceJson } from '../../src/facts/workspace-json.js';
import { resolveFacts } from '../../src/facts/facts.js';
import { InputError } from '../../src/model/errors.js';

const DIR = 'test/fixtures/workspace';

t.test('the ARM resource shape gives every fact it holds', async (t) => {
  const { facts } = readWorkspaceJson(`${DIR}/arm.json`);
  t.same(facts, {
    workspaceName: 'ws1',
    region: 'westus2',
    workspaceId: '0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11',
    storageAccount: 'st1',
    keyVault: 'kv1',
    containerRegistry: 'acr1',
    hbi: true,
    notebookFqdn: 'ml-ws1-westus2-0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11.westus2.notebooks.azure.net',
    privateEndpoint: true,
    cloud: 'public',
  });
});

t.test('the az ml workspace show shape, with the cloud read from the discovery URL', async (t) => {
  const { facts } = readWorkspaceJson(`${DIR}/az-cli.json`);
  t.same(facts, {
    workspaceName: 'ws2',
    region: 'usgovvirginia',
    storageAccount: 'govst',
    keyVault: 'govkv',
    containerRegistry: 'govacr',
    hbi: false,
    privateEndpoint: true,
    cloud: 'usgov',
  });
});

t.test('flags override the file, and errors name where a value came from', async (t) => {
  const file = readWorkspaceJson(`${DIR}/arm.json`);
  const merged = resolveFacts([file, { facts: { storageAccount: 'other1', hbi: false }, source: () => '--flag' }]);
  t.equal(merged.storageAccount, 'other1');
  t.equal(merged.hbi, false, '--no-hbi beats hbiWorkspace: true');
  t.equal(merged.keyVault, 'kv1', 'what flags do not say stays from the file');
  t.throws(() => resolveFacts([file, { facts: { cloud: 'china' }, source: (k) => `--${k}` }]), {
    message: "region 'westus2' belongs to Azure public but the cloud is china (set --cloud public)",
    where: `${DIR}/arm.json: location`,
  });
});

const BAD: Record<string, string> = {
  'malformed.json': 'not valid JSON: Expected double-quoted property name at line 6 column 4',
  'not-object.json': 'expected a JSON object describing the workspace',
  'bad-properties.json': 'properties: must be an object',
  'bad-hbi-type.json': 'hbi_workspace: must be true or false, got "yes"',
  'bad-storage-id.json': "properties.storageAccount: '/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet1' is not a resource id of type Microsoft.Storage/storageAccounts",
  'nope.json': 'cannot read workspace JSON: ENOENT',
};

t.test('a bad workspace JSON is bad input, named by file and key', async (t) => {
  for (const [name, message] of Object.entries(BAD)) {
    let line = '';
    try {
      readWorkspaceJson(`${DIR}/${name}`);
    } catch (error) {
      t.type(error, InputError, name);
      line = (error as InputError).toLine();
    }
    t.equal(line, `${DIR}/${name}: ${message}`, name);
  }
});

t.test('values from the file are checked like flags', async (t) => {
  for (const [name, message] of [
    ['bad-guid.json', "properties.workspaceId: 'not-a-guid' is not a GUID such as 0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11"],
    ['bad-storage-name.json', "storage_account: 'Storage_One' is not a storage account name of 3-24 lower-case letters and digits"],
  ] as const) {
    t.throws(() => resolveFacts([readWorkspaceJson(`${DIR}/${name}`)]), { where: `${DIR}/${name}: ${message.split(': ')[0]}`, message: message.slice(message.indexOf(': ') + 2) }, name);
  }
});
