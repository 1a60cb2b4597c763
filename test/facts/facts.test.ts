import t from 'tap';
import { resolveFacts } from '../../src/facts/facts.js';
import type { PartialFacts } from '../../src/model/facts.js';

const resolve = (facts: PartialFacts) => resolveFacts([{ facts, source: (key) => `--${key}` }]);
const fromFlags = (facts: PartialFacts) => resolve(facts).facts;

t.test('defaults: public cloud, no conditions, no private dependent resources', async (t) => {
  const facts = fromFlags({});
  t.equal(facts.cloud, 'public');
  t.same([facts.privateEndpoint, facts.hbi, facts.customImages, facts.userManagedDependencies, facts.customPackageIndex], [false, false, false, false, false]);
  t.same(facts.privateResources, []);
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
    [{ region: 'west-us-2' }, /not an Azure region name/],
    [{ notebookFqdn: 'not a host' }, /not a valid host name/],
    [{ nodeAddress: 'bad host!' }, /not an IP address or host name/],
    [{ cloud: 'mars' as never }, /unknown cloud 'mars'/],
    [{ privateResources: ['storage', 'cosmos' as never] }, /unknown private resource 'cosmos' \(known: storage, key-vault, container-registry\)/],
  ];
  for (const [facts, message] of cases) t.throws(() => fromFlags(facts), { message }, JSON.stringify(facts));
});

t.test('an error quotes a long or hostile value cut short and escaped', async (t) => {
  t.throws(() => fromFlags({ storageAccount: `\u001b[2J${'x'.repeat(200)}` }), { message: /^'\\x1b\[2Jx{75}…' is not/ });
});

t.test('region names are normalised the same way whatever their spelling', async (t) => {
  for (const spelling of ['West US 2', 'WESTUS2', ' westus2 ', 'westus2']) t.equal(fromFlags({ region: spelling }).region, 'westus2', JSON.stringify(spelling));
});

t.test('a sovereign region implies its cloud; a cloud that contradicts the region is bad input', async (t) => {
  t.equal(fromFlags({ region: 'chinaeast2' }).cloud, 'china');
  for (const region of ['usgovvirginia', 'usgovarizona', 'usgovtexas', 'usdodeast', 'usdodcentral']) t.equal(fromFlags({ region }).cloud, 'usgov', region);
  for (const region of ['chinaeast', 'chinaeast3', 'chinanorth', 'chinanorth2', 'chinanorth3']) t.equal(fromFlags({ region }).cloud, 'china', region);
  t.equal(fromFlags({ region: 'westeurope' }).cloud, 'public');
  t.throws(() => fromFlags({ cloud: 'public', region: 'chinaeast2' }), { message: /belongs to Azure China.*set --cloud china/, where: '--region' });
  t.throws(() => fromFlags({ cloud: 'china', region: 'westeurope' }), { message: /belongs to Azure public/ });
  t.equal(fromFlags({ cloud: 'usgov', region: 'usgovarizona' }).region, 'usgovarizona');
});

t.test('an unknown region is a warning, not an error', async (t) => {
  const known = resolve({ region: 'westus2' });
  t.same(known.warnings, []);
  const unknown = resolve({ region: 'westus9' });
  t.equal(unknown.facts.region, 'westus9');
  t.same(unknown.warnings, ["--region: 'westus9' is not an Azure region aml-netcheck knows; host names are built from it as given"]);
});

t.test('values are normalised: GUIDs and names lower-cased, lists de-duplicated', async (t) => {
  const facts = fromFlags({ workspaceId: '0D5C1A52-7A3E-4B34-9C5F-2F8F1B0F7D11', computeInstances: ['ci1', 'CI1', 'ci2'], keyVault: 'KV-One', privateResources: ['Storage' as never, 'storage'] });
  t.equal(facts.workspaceId, '0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11');
  t.same(facts.computeInstances, ['ci1', 'ci2']);
  t.equal(facts.keyVault, 'kv-one');
  t.same(facts.privateResources, ['storage']);
});
