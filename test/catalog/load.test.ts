import { join } from 'node:path';
import t from 'tap';
import { InputError } from '../../src/model/errors.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { tmpdir } from 'node:os';

const INVALID = 'test/fixtures/catalog/invalid';
const ID_RULE = '(lower-case letters and digits, words joined by single hyphens, starting with a letter, at most 63 characters)';
const TAG_RULE = '(a name of 2 to 80 letters and digits, and one optional .qualifier of up to 80, each starting with a letter)';

// One fixture per way a catalog file can be wrong, and the exact line the user sees.
const EXPECTED: Record<string, string> = {
  'json-syntax.json': '{file}:3:19: not valid JSON: Expected double-quoted property name',
  'bad-section-id.yaml': `{file}:1: section: 'Corp Hosts' is not a lower-case id like azure-ml-hosts ${ID_RULE}`,
  'bad-service-tag-name.yaml': `{file}:4: entries[0].serviceTag: 'Azure Monitor' is not a service tag name like Storage.region ${TAG_RULE}`,
  'duplicate-cloud.yaml': '{file}:6: entries[0].clouds: lists \"public\" twice',
  'duplicate-feature.yaml': "{file}:4: features[0].id: feature 'azure-ad' is already defined in probes/features.yaml",
  'duplicate-port.yaml': '{file}:4: ports[0].port: port 443 is already described in probes/ports.yaml',
  'duplicate-section.yaml': "{file}:1: section: section 'azure-ml-hosts' is already defined in probes/azure-ml-hosts.yaml",
  'duplicate-wildcard.yaml': "{file}:4: wildcards[0].pattern: wildcard '*.anaconda.com' is already mapped in probes/wildcards.yaml",
  'empty-label.yaml': "{file}:4: entries[0].pattern: host pattern 'api..example.com': empty label",
  'empty.yaml': '{file}: catalog file is empty',
  'hosts-on-pattern-entry.yaml': "{file}:9: entries[0].hosts: only a serviceTag entry lists 'hosts'",
  'invalid-hostname.yaml': "{file}:4: entries[0].pattern: host pattern 'api_1.corp.example.com': invalid characters in label 'api_1' (letters, digits and hyphens only)",
  'missing-purpose.yaml': "{file}:4: entries[0]: missing key 'purpose'",
  'neither-pattern-nor-tag.yaml': "{file}:4: entries[0]: needs exactly one of 'pattern' (a host) or 'serviceTag'",
  'pattern-and-service-tag.yaml': "{file}:4: entries[0]: needs exactly one of 'pattern' (a host) or 'serviceTag'",
  'port-out-of-range.yaml': "{file}:5: entries[0].ports[1]: port 70000 in 'tcp:70000' is out of range 1-65535",
  'port-range-reversed.yaml': "{file}:5: entries[0].ports[0]: range 'tcp:29877-29876' ends before it starts",
  'port-without-protocol.yaml': "{file}:5: entries[0].ports[0]: '443' is not protocol:port (tcp, http, https, udp or any), like tcp:443, udp:5831 or tcp:29876-29877",
  'port-unknown-protocol.yaml': "{file}:5: entries[0].ports[1]: 'icmp:0' is not protocol:port (tcp, http, https, udp or any), like tcp:443, udp:5831 or tcp:29876-29877",
  'port-udp-out-of-range.yaml': "{file}:5: entries[0].ports[1]: port 65536 in 'udp:65536' is out of range 1-65535",
  'port-zero.yaml': "{file}:4: ports[0].port: port 0 in '0' is out of range 1-65535",
  'ports-not-list.yaml': '{file}:5: entries[0].ports: must be a list, got \"tcp:443\"',
  'revision-bad-date.yaml': "{file}:5: articleRevisions[0].date: '2026-02-30' is not a date like 2021-11-05",
  'revision-bad-id.yaml': "{file}:4: articleRevisions[0].id: 'March 2026' is not a revision id: the year and month of the article, like 2021-11",
  'revision-date-other-month.yaml': "{file}:5: articleRevisions[0].date: '2026-03-01' is not in 2026-02, the month the id names",
  'revision-duplicate.yaml': "{file}:4: articleRevisions[0].id: revision '2021-11' is already defined in probes/revisions.yaml",
  'revision-feature-not-in-revision.yaml': "{file}:11: entries[0].features[0]: feature 'corp-legacy' is not in revision 2026-03, which this entry is in (the feature is in 2021-11)",
  'revision-features-of-two-revisions.yaml': "{file}:14: entries[0].features: no revision has all of 'corp-legacy', 'corp-new': use features of one revision, or name the revisions with 'revisions'",
  'revision-file-scope-unknown.yaml': "{file}:3: revisions[1]: unknown revision '2019-05' (known: 2021-11, 2026-03)",
  'revision-source-outside-scope.yaml': '{file}:9: entries[0].source["2026-03"]: names revision \'2026-03\', which this item is not in (it is in 2021-11)',
  'revision-unknown.yaml': "{file}:8: entries[0].revisions[0]: unknown revision '2030-01' (known: 2021-11, 2026-03)",
  'revision-url-not-https.yaml': "{file}:7: articleRevisions[0].url: 'http://example.com/article' is not an https URL",
  'required-not-boolean.yaml': '{file}:8: entries[0].required: must be true or false, got \"yes\"',
  'service-tag-hosts-other-cloud.yaml': '{file}:10: entries[0].hosts.china: lists hosts for china, which is not in clouds',
  'service-tag-missing-cloud-hosts.yaml': '{file}:9: entries[0].hosts: has no hosts for usgov, which is in clouds',
  'service-tag-without-hosts.yaml': "{file}:4: entries[0]: missing key 'hosts' (the host patterns that stand for the tag, per cloud)",
  'top-level-list.yaml': '{file}:1: (top level): must be a mapping of keys, got [{\"section\":\"corp\"}]',
  'unknown-cloud.yaml': '{file}:6: entries[0].clouds[1]: \"germany\" is not one of public, usgov, china',
  'unknown-condition.yaml':
    "{file}:8: entries[0].condition: unknown condition 'vnet-injected' (known: private-endpoint, hbi-workspace, custom-images, user-managed-dependencies, custom-package-index, public-ip-compute, no-public-ip-compute, rstudio, storage-firewall, azure-monitor-public)",
  'unknown-direction.yaml': '{file}:5: entries[0].direction: \"both\" is not one of inbound, outbound',
  'unknown-entry-key.yaml': "{file}:4: entries[0]: unknown key 'prot'",
  'unknown-feature.yaml':
    "{file}:7: entries[0].features[1]: unknown feature 'notebooks' (known: azure-ad, azure-portal, azure-resource-manager, studio, workspace-api, integrated-notebook, compute-instance, compute-cluster, microsoft-storage, workspace-storage, key-vault, container-registry, microsoft-container-registry, prebuilt-images, support-diagnostics, python-packages, r-packages, vscode-remote, aks-inference, arc-extension, arc-training, arc-inference, inbound-management, automl, model-management, azure-monitor, rstudio, vscode-web, interactive-jobs, kubernetes-training, kubernetes-inference, hugging-face, serverless-spark, prompt-flow, batch-endpoints, compute-instance-ssh, online-endpoint)",
  'unknown-placeholder.yaml':
    "{file}:4: entries[0].pattern: host pattern '<tenant>.corp.example.com': unknown placeholder <tenant> (known: <region>, <workspace-id>, <workspace-name>, <storage>, <key-vault>, <registry>, <compute-instance>, <online-endpoint>, <notebook-fqdn>, <node>, <notebook-workspace-name>)",
  'unknown-top-key.yaml': "{file}:1: (top level): unknown key 'entrys'",
  'uppercase-pattern.yaml': "{file}:4: entries[0].pattern: host pattern 'API.corp.example.com': must be lower case",
  'whole-host-placeholder-mixed.yaml': "{file}:4: entries[0].pattern: host pattern '<notebook-fqdn>.example.com': <notebook-fqdn> stands for a whole host and cannot be combined with other text",
  'wildcard-in-middle.yaml': "{file}:4: entries[0].pattern: host pattern 'api.*.example.com': a wildcard may only start the pattern",
  'wildcard-name-is-wildcard.yaml': "{file}:5: wildcards[0].names[0]: '*.eu.corp.example.com' must be a concrete host, not a wildcard",
  'wildcard-on-tld.yaml': "{file}:4: entries[0].pattern: host pattern '*.com': a wildcard must cover at least a two-label domain",
  'wildcard-rule-not-wildcard.yaml': "{file}:4: wildcards[0].pattern: 'api.corp.example.com' has no wildcard",
  'wildcard-without-hosts.yaml': "{file}:4: wildcards[0]: needs 'names' or 'representatives'",
  'yaml-duplicate-key.yaml': '{file}:3:1: not valid YAML: Map keys must be unique',
  'yaml-syntax.yaml': '{file}:5:1: not valid YAML: Sequence item without - indicator',
  'yaml-unknown-tag.yaml': '{file}:3:14: not valid YAML: Unresolved tag: !corp',
  'yaml-alias-bomb.yaml': '{file}: not valid YAML: more than 100 alias expansions (an alias bomb?)',
  'escape-sequence-value.yaml': `{file}:1: section: 'corp\\x1b[2J\\x1b]0;owned\\x07' is not a lower-case id like azure-ml-hosts ${ID_RULE}`,
  'long-value.yaml': `{file}:1: section: '${'A'.repeat(79)}…' is not a lower-case id like azure-ml-hosts ${ID_RULE}`,
  'not-utf8.yaml': '{file}: cannot read catalog file: is not UTF-8 or UTF-16 text',
  // Identifiers: the rules the rule renderers hold them to (src/model/identifiers.ts), at load time.
  'service-tag-one-letter.yaml': `{file}:4: entries[0].serviceTag: 'S' is not a service tag name like Storage.region ${TAG_RULE}`,
  'service-tag-too-long.yaml': `{file}:4: entries[0].serviceTag: 'A${'b'.repeat(78)}…' is not a service tag name like Storage.region ${TAG_RULE}`,
  'service-tag-qualifier-too-long.yaml': `{file}:4: entries[0].serviceTag: 'Storage.w${'x'.repeat(70)}…' is not a service tag name like Storage.region ${TAG_RULE}`,
  'service-tag-qualifier-digit.yaml': `{file}:4: entries[0].serviceTag: 'Storage.2west' is not a service tag name like Storage.region ${TAG_RULE}`,
  'tag-name-one-letter.yaml': `{file}:5: entries[0].tagName: 'S.region' is not a service tag name like Storage.region ${TAG_RULE}`,
  'feature-id-too-long.yaml': `{file}:4: features[0].id: 'corp-${'x'.repeat(59)}' is not a lower-case id like compute-instance ${ID_RULE}`,
  'section-id-too-long.yaml': `{file}:1: section: 'corp-${'x'.repeat(59)}' is not a lower-case id like azure-ml-hosts ${ID_RULE}`,
  'feature-id-trailing-hyphen.yaml': `{file}:4: features[0].id: 'corp-' is not a lower-case id like compute-instance ${ID_RULE}`,
  'host-too-long.yaml': `{file}:4: entries[0].pattern: host pattern '${'a'.repeat(63)}.${'a'.repeat(15)}…': the host is longer than 253 characters`,
  // A file's own article (article:) and a disagreement with another section (disagrees:).
  'article-commit-not-sha.yaml': "{file}:6: article.commit: 'main' is not a commit: 40 lower-case hexadecimal digits",
  'article-path-not-markdown.yaml': "{file}:5: article.path: 'articles/../secrets.txt' is not a Markdown file's path in the repository, like articles/machine-learning/how-to-managed-network.md",
  'article-repo-invalid.yaml': "{file}:4: article.repo: 'azure-ai-docs' is not a GitHub repository like MicrosoftDocs/azure-ai-docs",
  'article-missing-commit.yaml': "{file}:4: article: missing key 'commit'",
  'disagrees-own-section.yaml': '{file}:10: entries[0].disagrees[0].section: names its own section: a disagreement is between two articles',
  'disagrees-unknown-section.yaml': "{file}:10: entries[0].disagrees[0].section: unknown section 'compute-host', or one without entries",
  'disagrees-no-counterpart.yaml': "{file}:10: entries[0].disagrees[0].section: section 'compute-hosts' has no entry for api.corp.example.com in revisions 2021-11, 2026-03",
  'disagrees-nothing-differs.yaml': "{file}:11: entries[0].disagrees[0].on: section 'compute-hosts' says the same condition for this host and its ports: there is nothing to disagree on",
  'disagrees-unknown-aspect.yaml': '{file}:10: entries[0].disagrees[0].on: "port" is not one of ports, condition, required, clouds',
  // Private DNS rows (custom-dns.yaml) come from another article, which their file names.
  'private-dns-without-article.yaml': "{file}:4: privateDns[0]: needs the file's 'article' (repo, path, commit): private DNS rows come from another article than the revisions'",
  'private-dns-source-not-anchor.yaml': "{file}:9: privateDns[0].source: 'https://example.com/custom-dns' is not an anchor in the article like #example-custom-dns-server-hosted-in-virtual-network",
  'private-dns-zone-unlisted.yaml': "{file}:17: privateDns[0].endpointRecords[1].zone: 'inference.example.com' is in neither privateZones nor forwardZones",
  'private-dns-on-premises-unforwarded.yaml': "{file}:12: privateDns[0].onPremisesZones[1]: 'aznbcontent.net' is not in forwardZones",
  'private-dns-duplicate-cloud.yaml': '{file}:8: privateDns[0].cloud: private DNS of usgov is already given in probes/custom-dns.yaml',
  'host-label-too-long.yaml': `{file}:4: entries[0].pattern: host pattern '${'a'.repeat(64)}.corp.example.c…': label '${'a'.repeat(64)}' is longer than 63 characters`,
};

t.test('the shipped catalog loads and every section holds requirements', async (t) => {
  const catalog = loadCatalog();
  t.ok(catalog.entries.length > 100, `${catalog.entries.length} entries`);
  const perSection = new Map<string, number>();
  for (const entry of catalog.entries) perSection.set(entry.section.id, (perSection.get(entry.section.id) ?? 0) + 1);
  const definitionsOnly = new Set(['features', 'revisions', 'well-known-ports', 'wildcards']);
  for (const section of catalog.sections) {
    if (definitionsOnly.has(section.id)) t.notOk(perSection.has(section.id), `${section.id} defines, holds no entries`);
    else t.ok((perSection.get(section.id) ?? 0) > 0, `${section.id}: ${perSection.get(section.id) ?? 0} entries`);
  }
  t.equal(catalog.revision?.id, '2026-03', 'the newest revision by default');
  t.equal(catalog.features.size, 31);
  t.same(
    [...catalog.features.values()].filter((f) => !f.default).map((f) => f.id),
    ['kubernetes-training', 'kubernetes-inference', 'hugging-face', 'serverless-spark', 'prompt-flow', 'batch-endpoints'],
    'cluster features and the sister articles’ scenarios are opt-in',
  );
  const older = loadCatalog({ revision: '2021-11' });
  t.equal(older.features.size, 23);
  t.same(
    [...older.features.values()].filter((f) => !f.default).map((f) => f.id),
    ['aks-inference', 'arc-extension', 'arc-training', 'arc-inference'],
    'cluster features are opt-in in 2021-11 too',
  );
});

t.test('every invalid fixture fails with its own one-line message', async (t) => {
  const fixtures = readdirSync(INVALID)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort();
  t.same(fixtures, Object.keys(EXPECTED).sort(), 'each fixture has an expected message and each message a fixture');
  for (const name of fixtures) {
    const file = join(INVALID, name);
    let error: unknown;
    try {
      loadCatalog({ extraFiles: [file] });
    } catch (caught) {
      error = caught;
    }
    t.type(error, InputError, `${name} is rejected as bad input`);
    const line = error instanceof InputError ? error.toLine() : String(error);
    t.equal(line, (EXPECTED[name] as string).replace('{file}', file), name);
    t.notMatch(line, /\n/, `${name}: one line`);
  }
});

t.test('a missing catalog file names itself', async (t) => {
  t.throws(() => loadCatalog({ extraFiles: ['test/fixtures/catalog/nope.yaml'] }), { message: 'cannot read catalog file: no such file (ENOENT)', where: 'test/fixtures/catalog/nope.yaml' });
});

t.test('a user catalog adds features, wildcard names, entries and service tags', async (t) => {
  const catalog = loadCatalog({ extraFiles: ['test/fixtures/catalog/valid/corp.yaml'] });
  t.ok(catalog.features.has('corp-gateway'));
  t.ok(catalog.wildcards.has('*.gw.corp.example.com'));
  const entries = catalog.entries.filter((e) => e.section.id === 'corp-gateway');
  t.equal(entries.length, 2);
  t.same(
    entries[0]?.ports.map((p) => p.port),
    [443, 8443],
  );
  t.equal(entries[1]?.kind, 'service-tag');
});

/** Loads a catalog file; the one line it fails with, or null. */
function failure(file: string): string | null {
  try {
    loadCatalog({ extraFiles: [file] });
    return null;
  } catch (error) {
    return error instanceof InputError ? error.toLine() : `not an InputError: ${String(error)}`;
  }
}

t.test('hostile catalog files: one line naming the file, in bounded time and memory', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'amlnc-catalog-'));
  const make = (name: string, text: string): string => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  const deep = 100_000;
  const fifo = join(dir, 'fifo.yaml');
  execFileSync('mkfifo', [fifo]);
  const cases: Array<[string, string]> = [
    [make('deep-flow.yaml', `section: x\ntitle: ${'['.repeat(deep)}${']'.repeat(deep)}\n`), '{file}: not valid YAML: nested more than 64 levels deep'],
    [make('deep-block.yaml', `section: x\ntitle:\n${Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i)}-`).join('\n')}\n`), '{file}: not valid YAML: nested more than 64 levels deep'],
    [make('deep-compact.yaml', `section: x\ntitle:\n${'- '.repeat(deep)}x\n`), '{file}: not valid YAML: nested more than 64 levels deep'],
    [make('deep.json', `{"section": "x", "title": ${'['.repeat(deep)}${']'.repeat(deep)}}`), '{file}: nested more than 64 levels deep'],
    [make('deep-objects.json', `${'{"a":'.repeat(deep)}1${'}'.repeat(deep)}`), '{file}: nested more than 64 levels deep'],
    [make('huge.yaml', `# ${'x'.repeat(17 * 1024 * 1024)}\n`), `{file}: cannot read catalog file: is ${17 * 1024 * 1024 + 3} bytes, more than the 16 MiB an input file may have`],
    ['/dev/zero', '{file}: cannot read catalog file: holds more than the 16 MiB an input file may have'],
    ['/dev/urandom', '{file}: cannot read catalog file: holds more than the 16 MiB an input file may have'],
    [dir, '{file}: cannot read catalog file: is a directory, not a file'],
  ];
  for (const [file, expected] of cases) {
    const started = performance.now();
    const line = failure(file);
    t.equal(line, expected.replace('{file}', file), file);
    t.ok(performance.now() - started < 15_000, `${file}: ${Math.round(performance.now() - started)} ms`);
  }
  // A FIFO is read like any file (test/io/input-file.test.ts covers one nobody writes to).
  const writer = spawn('sh', ['-c', 'printf "section: [" > "$0"', fifo], { stdio: 'ignore' });
  t.match(failure(fifo), `${fifo}:1:11: not valid YAML`);
  await once(writer, 'close');
});

t.test('every shipped feature says, in plain words, what its users see when it breaks', async (t) => {
  const { loadCatalog: load } = await import('../../src/catalog/load.js');
  for (const feature of load().features.values()) t.match(feature.impact, /^[A-Z].{20,}\.$/, feature.id);
});
