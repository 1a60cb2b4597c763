import t from 'tap';
import type { AuditResult } from '../../../src/audit/types.js';
import { renderAuditJunit } from '../../../src/render/audit/junit.js';
import { parseJunit as parse, type JunitTestcase as Case } from '../../helpers/junit.js';
import { hostileGroups, MISTAKES_BEHIND_NSG, sampleAudit } from '../../helpers/sample-audit.js';

const result = sampleAudit(MISTAKES_BEHIND_NSG, ['10.0.1.0/24']);
const parsed = parse(renderAuditJunit(result));
const suites = parsed.testsuites.testsuite;
const all = suites.flatMap((s) => s.testcase);
const one = (id: string, feature: string): Case | undefined => all.find((c) => c['@_name'] === id && c['@_classname'] === `aml-netcheck.audit.${feature}`);

t.test('one testsuite per feature, named as check names it, one testcase per target of it; the counts add up', async (t) => {
  const features = [...new Set(result.targets.flatMap((x) => x.features))];
  t.same(
    suites.map((s) => /\(([a-z0-9-]+)\)$/.exec(s['@_name'])?.[1]),
    features,
  );
  t.ok(
    suites.some((s) => s['@_name'] === 'Workspace storage account (workspace-storage)'),
    'the catalog’s name of the feature',
  );
  for (const suite of suites) {
    const id = /\(([a-z0-9-]+)\)$/.exec(suite['@_name'])?.[1] as string;
    t.equal(suite.testcase.length, result.targets.filter((x) => x.features.includes(id)).length, `${id}: a testcase per target`);
    t.equal(Number(suite['@_tests']), suite.testcase.length);
    t.equal(Number(suite['@_failures']), suite.testcase.filter((c) => c.failure).length, `${id}: failures`);
    t.equal(Number(suite['@_errors']), suite.testcase.filter((c) => c.error).length, `${id}: errors`);
    t.equal(Number(suite['@_skipped']), suite.testcase.filter((c) => c.skipped).length, `${id}: skipped`);
    t.equal(suite['@_timestamp'], '2026-12-02T18:00:00.000', 'dated when the audit ran');
  }
  t.equal(Number(parsed.testsuites['@_tests']), all.length);
  t.equal(Number(parsed.testsuites['@_failures']), all.filter((c) => c.failure).length);
});

t.test('a required target denied, without a rule or with a rule that cannot work fails, its type the verdict, each layer in the text', async (t) => {
  const blob = one('st1.blob.core.windows.net:443', 'workspace-storage');
  t.match(blob?.failure, { '@_type': 'denied', '@_message': 'denied by Deny-First/block-blob/no-blob (100/100, application, fwp-mistakes)' });
  t.match(blob?.failure?.['#text'], /\nNSG: allowed by NSG nsg-aml-subnet\/Allow-Storage \(110\)\nAzure Firewall: denied by Deny-First\/block-blob\/no-blob/);
  t.match(one('anaconda.com:443', 'python-packages')?.failure, { '@_type': 'no-rule', '@_message': 'no rule matches: the implicit deny' });
  t.match(one('login.microsoftonline.com:443', 'azure-ad')?.failure, { '@_type': 'inexpressible', '@_message': /^cannot work: FQDN login\.microsoftonline\.com in a network rule needs the policy's DNS proxy/ });
});

t.test('depends: a required target is an error (exit 3: not decided), an optional one is skipped; not audited is skipped; optional blocked passes with a note', async (t) => {
  const required = result.targets.find((x) => x.required && x.verdict.verdict === 'depends');
  t.ok(required, 'the sample has a required target that depends');
  t.match(one(required?.id ?? '', required?.features[0] ?? '')?.error, { '@_type': 'depends', '@_message': /^depends on service tag / });
  const skipped = result.targets.find((x) => x.verdict.verdict === 'not-audited' && x.features.length > 0);
  t.match(one(skipped?.id ?? '', skipped?.features[0] ?? '')?.skipped, { '@_message': /^not audited: / });
  const optional = result.targets.find((x) => !x.required && x.verdict.verdict === 'no-rule');
  const passed = one(optional?.id ?? '', optional?.features[0] ?? '');
  t.equal(passed?.failure, undefined);
  t.match(passed?.['system-out'], /^no rule matches: the implicit deny/);
  const allowed = sampleAudit(['hub-parent-policy.json', 'hub-parent-groups.json', 'hub-child-policy.json', 'hub-child-groups.json']);
  const smb = parse(renderAuditJunit(allowed))
    .testsuites.testsuite.flatMap((s) => s.testcase)
    .find((c) => c['@_name'] === 'st1.file.core.windows.net:445');
  t.equal(smb?.failure ?? smb?.error ?? smb?.skipped, undefined, 'an allowed target passes');
  t.match(smb?.['system-out'], /^allowed by Hub-Network\/azure-services\/storage-smb/);
});

t.test('a run that audited nothing required (exit 3) is not green', async (t) => {
  const nothing: AuditResult = { ...result, targets: result.targets.filter((x) => !x.required || x.verdict.verdict === 'not-audited'), exitCode: 3 };
  t.ok(nothing.targets.every((x) => x.verdict.verdict !== 'depends' || !x.required));
  const verification = parse(renderAuditJunit(nothing)).testsuites.testsuite.at(-1);
  t.match(verification, { '@_name': 'Verification (aml-netcheck audit)', '@_errors': '1' });
  t.equal(
    parse(renderAuditJunit(result)).testsuites.testsuite.some((s) => s['@_name'].startsWith('Verification')),
    false,
    'not when a testcase already errs or fails',
  );
});

t.test('names from the exports are escaped: the document stays well-formed XML with no control character', async (t) => {
  // No slash: the group's ARM id holds its name.
  const hostile = ']]><failure><x a="1">&amp;\u001b[31m\u0000';
  const text = renderAuditJunit(sampleAudit(['mistakes-policy.json', hostileGroups(t.testdir({}), hostile)]));
  t.notMatch(text, /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
  const blob = parse(text)
    .testsuites.testsuite.flatMap((s) => s.testcase)
    .find((c) => c['@_name'] === 'st1.blob.core.windows.net:443');
  const shown = ']]><failure><x a="1">&amp;\\x1b[31m\\x00';
  t.equal(blob?.failure?.['@_message'], `denied by ${shown}/${shown}/${shown} (100/100, application, fwp-mistakes)`, 'the parser reads back the names, control characters made visible');
});
