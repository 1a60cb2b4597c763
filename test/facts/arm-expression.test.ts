import t from 'tap';
import { evaluate } from '../../src/facts/arm-expression.js';

const scope = {
  parameters: { name: { defaultValue: 'st1' }, noDefault: { type: 'String' }, chained: { defaultValue: "[variables('base')]" }, hbi: { defaultValue: true } },
  variables: { base: 'kv1', loop: "[variables('loop')]" },
};

t.test('literal values and the expressions an exported template uses for names', async (t) => {
  const cases: Array<[unknown, unknown]> = [
    ['westus2', 'westus2'],
    [true, true],
    ['[[not an expression]', '[not an expression]'],
    ["[parameters('name')]", 'st1'],
    ["[parameters('hbi')]", true],
    ["[parameters('chained')]", 'kv1'],
    ["[resourceId('Microsoft.Storage/storageAccounts', 'st1')]", '/providers/Microsoft.Storage/storageAccounts/st1'],
    ["[resourceId('Microsoft.Storage/storageAccounts', parameters('name'))]", '/providers/Microsoft.Storage/storageAccounts/st1'],
    ["[resourceId('sub', 'rg', 'Microsoft.KeyVault/vaults', 'kv''1')]", "/providers/Microsoft.KeyVault/vaults/kv'1"],
    ["[resourceId('Microsoft.Network/privateEndpoints/privateDnsZoneGroups', 'pe', 'default')]", '/providers/Microsoft.Network/privateEndpoints/pe/privateDnsZoneGroups/default'],
    ["[concat('st', '1')]", 'st1'],
    ["[toLower(concat('ST', variables('base')))]", 'stkv1'],
  ];
  for (const [input, value] of cases) t.same(evaluate(input, scope), { ok: true, value }, String(input));
});

t.test('what depends on the deployment is not evaluated, and says why', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ["[parameters('noDefault')]", /has no defaultValue/],
    ["[parameters('missing')]", /declares no parameter 'missing'/],
    ['[resourceGroup().location]', /property access/],
    ["[reference('x').id]", /property access/],
    ['[uniqueString(resourceGroup().id)]', /depends on the deployment|property access/],
    ["[variables('loop')]", /nest too deeply/],
    ["[concat('a']", /malformed|unterminated/],
  ];
  for (const [input, why] of cases) t.match(evaluate(input, scope), { ok: false, why }, input);
});
