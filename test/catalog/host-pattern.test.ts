import t from 'tap';
import { fillTemplate, parseHostPattern, patternCovers, PatternError, placeholderValues } from '../../src/catalog/host-pattern.js';
import { isHostName } from '../../src/model/identifiers.js';

t.test('patterns keep the article’s form and split off a URL path', async (t) => {
  t.match(parseHostPattern('*.blob.core.windows.net'), { host: '*.blob.core.windows.net', wildcard: 'subdomain', path: null });
  t.match(parseHostPattern('*pytorch.org'), { wildcard: 'suffix' });
  t.match(parseHostPattern('<storage>.file.core.windows.net'), { wildcard: 'none', placeholders: ['storage'] });
  const raw = parseHostPattern('raw.githubusercontent.com/microsoft/vscode-tools-for-ai/master/azureml_remote_websocket_server/*');
  t.equal(raw.host, 'raw.githubusercontent.com');
  t.equal(raw.path, '/microsoft/vscode-tools-for-ai/master/azureml_remote_websocket_server/');
  t.same(parseHostPattern('ml-<workspace-name>-<region>-<workspace-id>.<region>.notebooks.azure.net').placeholders, ['workspace-name', 'region', 'workspace-id', 'region']);
});

t.test('invalid patterns say what is wrong', async (t) => {
  for (const [text, message] of [
    ['', /empty/],
    [' a.com', /surrounding spaces/],
    ['A.com', /lower case/],
    ['a.*.com', /wildcard may only start/],
    ['*.com', /two-label/],
    ['a..com', /empty label/],
    ['a_b.com', /invalid characters in label 'a_b'/],
    ['-a.com', /starts or ends with '-'/],
    [`${'a'.repeat(64)}.com`, /longer than 63/],
    ['<nope>.com', /unknown placeholder <nope>/],
    ['x.<node>', /stands for a whole host/],
    ['a.com/bad path', /invalid URL path/],
  ] as const) {
    t.throws(() => parseHostPattern(text), PatternError, text);
    t.throws(() => parseHostPattern(text), { message }, text);
  }
});

t.test('matching reads wildcards as firewalls do', async (t) => {
  const covers = (pattern: string, host: string) => patternCovers(parseHostPattern(pattern), host);
  t.ok(covers('*.blob.core.windows.net', 'st1.blob.core.windows.net'));
  t.ok(covers('*.azureml.ms', 'ws.workspace.westus2.api.azureml.ms'), 'any depth of subdomain');
  t.notOk(covers('*.blob.core.windows.net', 'blob.core.windows.net'), '*.x does not cover x');
  t.ok(covers('*pytorch.org', 'pytorch.org'), '*x covers x');
  t.ok(covers('*pytorch.org', 'download.pytorch.org'));
  t.notOk(covers('*.vault.azure.net', 'kv1.vault.azure.net.evil.com'));
  t.ok(covers('<storage>.file.core.windows.net', 'ST1.file.core.windows.net'), 'case-insensitive, placeholder is one label');
  t.notOk(covers('<storage>.file.core.windows.net', 'a.b.file.core.windows.net'));
});

t.test('templates fill from facts; several values give several hosts; missing ones are named', async (t) => {
  const values: Record<string, string[]> = { region: ['westus2'], 'compute-instance': ['ci1', 'ci2'], storage: [] };
  t.same(
    fillTemplate('<compute-instance>.<region>.instances.azureml.ms', (n) => values[n] ?? []),
    { ok: true, hosts: ['ci1.westus2.instances.azureml.ms', 'ci2.westus2.instances.azureml.ms'] },
  );
  t.same(
    fillTemplate('<storage>.<region>.x.net', (n) => values[n] ?? []),
    { ok: false, missing: ['storage'], partial: '<storage>.westus2.x.net' },
  );
});

t.test('host name validity', async (t) => {
  t.ok(isHostName('a-b.c'));
  t.notOk(isHostName(`${'a'.repeat(64)}.com`));
  t.notOk(isHostName(`${'a.'.repeat(127)}com`));
  t.notOk(isHostName('a_b.com'));
});

t.test('placeholderValues reads what each placeholder stands for in a name the pattern covers', async (t) => {
  t.same(
    [...(placeholderValues(parseHostPattern('<compute-instance>.<region>.instances.azureml.ms'), 'CI1.westus2.instances.azureml.ms') ?? [])],
    [
      ['compute-instance', 'ci1'],
      ['region', 'westus2'],
    ],
  );
  t.same([...(placeholderValues(parseHostPattern('*.<region>.batch.azure.com'), 'a.b.westus2.batch.azure.com') ?? [])], [['region', 'westus2']]);
  t.equal(placeholderValues(parseHostPattern('<storage>.file.core.windows.net'), 'st1.blob.core.windows.net'), null);
});
