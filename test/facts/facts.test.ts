import t from 'tap';
import { resolveFacts } from '../../src/facts/facts.js';
import type { PartialFacts } from '../../src/model/facts.js';

const fromFlags = (facts: PartialFacts) => resolveFacts([{ facts, source: (key) => `--${key}` }]);

t.test('defaults: public cloud, no conditions', async (t) => {
  const facts = fromFlags({});
  t.equal(facts.cloud, 'public');
  t.same([facts.privateEndpoint, facts.hbi, facts.customImages, facts.userManagedDependencies, facts.customPackageIndex], [false, false, false, false, false]);
});

t.test('names follow Azure naming rules', async (t) => {
  const cases: Array<[PartialFacts, RegExp]> = [
    [{ workspaceId: '0d5c1a52-7a3e-4b34-9c5f' }, /not a GUID/],
    [{ storageAccount: 'ab' }, /storage account name/],
    [{ storageAccount: 'UPPER1' }, /storage account name/],
    [{ keyVault: 'kv--double' }, /key vault name/],
    [{ keyVault: '1kv' }, /key vault name/],
    [{ containerRegistry: 'acr-1' }, /registry name/],
    [{ workspaceName: 'w' }, /workspace name/],
    [{ computeInstances: ['ok1', 'bad_name'] }, /'bad_name' is not a compute instance name/],
    [{ region: 'West US 2' }, /not an Azure region name/],
    [{ notebookFqdn: 'not a host' }, /not a valid host name/],
    [{ nodeAddress: 'bad host!' }, /not an IP address or host name/],
    [{ cloud: 'mars' as never }, /unknown cloud 'mars'/],
  ];
  for (const [facts, message] of cases) t.throws(() => fromFlags(facts), { message }, JSON.stringify(facts));
});

t.test('a region of another cloud is caught', async (t) => {
  t.throws(() => fromFlags({ region: 'chinaeast2' }), { message: /belongs to Azure China.*set --cloud china/, where: '--region' });
  t.throws(() => fromFlags({ cloud: 'china', region: 'westeurope' }), { message: /belongs to Azure public/ });
  t.equal(fromFlags({ cloud: 'usgov', region: 'usgovarizona' }).region, 'usgovarizona');
});

t.test('values are normalised: GUIDs lower-cased, compute instances de-duplicated', async (t) => {
  const facts = fromFlags({ workspaceId: '0D5C1A52-7A3E-4B34-9C5F-2F8F1B0F7D11', computeInstances: ['ci1', 'ci1', 'ci2'] });
  t.equal(facts.workspaceId, '0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11');
  t.same(facts.computeInstances, ['ci1', 'ci2']);
});
