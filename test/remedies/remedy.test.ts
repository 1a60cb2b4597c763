import { readdirSync, readFileSync } from 'node:fs';
import t from 'tap';
import type { CheckReport } from '../../src/report/report.js';
import { fixSentences, remediesFor, type RemedyKind } from '../../src/remedies/remedy.js';
import { privateZoneRecord } from '../../src/remedies/private-zones.js';
import { REASON_CODES, type ReasonCode } from '../../src/model/reasons.js';
import { makeTarget } from '../helpers/target.js';

const DIR = new URL('../fixtures/reports/', import.meta.url);
const reports = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ name: f, report: JSON.parse(readFileSync(new URL(f, DIR), 'utf8')) as CheckReport }));

/** What each cause must be fixed by: a DNS or TLS-inspection failure never by an allow rule. */
const EXPECTED: Partial<Record<ReasonCode, RemedyKind[]>> = {
  'tcp-timeout': ['allow'],
  'tcp-refused': ['allow'],
  'http-denied': ['allow'],
  'tls-reset': ['allow'],
  'tls-timeout': ['allow'],
  'dns-nxdomain': ['dns-public'],
  'dns-timeout': ['dns-server-repair'],
  'dns-failed': ['dns-server-repair'],
  'dns-not-private': ['dns-private'],
  'dns-sinkholed': ['dns-filter-allow'],
  'tls-untrusted': ['tls-exempt'],
  'tls-expired': ['tls-exempt'],
  'tls-hostname-mismatch': ['tls-exempt'],
  'proxy-unreachable': ['proxy-reach'],
  'proxy-auth-required': ['proxy-credentials'],
  'proxy-denied': ['proxy-allow', 'allow'],
  'proxy-gateway-error': ['gateway-egress', 'allow'],
  'udp-port-unreachable': ['allow'],
  'udp-prohibited': ['allow'],
};

t.test('every blocked target of the recorded reports gets the remedies of its cause', async (t) => {
  const seen = new Set<string>();
  for (const { name, report } of reports) {
    for (const target of report.targets.filter((x) => x.verdict === 'blocked')) {
      const reason = target.reason as ReasonCode;
      seen.add(reason);
      const kinds = remediesFor(target, reason, report.facts.cloud).map((r) => r.kind);
      t.same(kinds, EXPECTED[reason], `${name}: ${target.id} (${reason})`);
      if (reason.startsWith('dns-') || ['tls-untrusted', 'tls-expired', 'tls-hostname-mismatch'].includes(reason)) t.notOk(kinds.includes('allow'), `${target.id}: no allow rule for ${reason}`);
      // The report's fix sentences come from the same remedies: recorded reports keep their text.
      t.same(fixSentences(target, reason, report.facts.cloud, report.settings.proxy !== null), target.fix, `${name}: ${target.id} fix unchanged`);
    }
  }
  for (const reason of ['tcp-timeout', 'tcp-refused', 'http-denied', 'dns-nxdomain', 'dns-not-private', 'tls-untrusted', 'tls-reset', 'proxy-gateway-error', 'proxy-auth-required', 'proxy-unreachable']) {
    t.ok(seen.has(reason), `the recorded reports have a ${reason}`);
  }
});

t.test('a private-link name that resolves publicly is fixed in its privatelink zone', async (t) => {
  const { report } = reports.find((r) => r.name.startsWith('dns-with-private-endpoint-and-private-resources')) as { report: CheckReport };
  const byHost = (host: string) => report.targets.find((x) => x.host === host && x.verdict === 'blocked');
  const storage = remediesFor(byHost('st1.blob.core.windows.net')!, 'dns-not-private', 'public');
  t.match(storage, [{ kind: 'dns-private', answer: 'public', record: { zone: 'privatelink.blob.core.windows.net', record: 'st1', alias: 'st1.privatelink.blob.core.windows.net', forwardZones: ['blob.core.windows.net'] } }]);
  const api = report.targets.find((x) => x.privateName === 'workspace-api' && x.verdict === 'blocked')!;
  t.match(remediesFor(api, 'dns-not-private', 'public'), [{ record: { zone: 'privatelink.api.azureml.ms', alias: `${api.host.replace('.api.azureml.ms', '')}.privatelink.api.azureml.ms`, forwardZones: ['api.azureml.ms'] } }]);
});

t.test('privatelink zones per cloud', async (t) => {
  t.match(privateZoneRecord('0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11.workspace.usgovvirginia.api.ml.azure.us', 'workspace-api', 'usgov'), { zone: 'privatelink.api.ml.azure.us', record: '0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11.workspace.usgovvirginia' });
  t.match(privateZoneRecord('st1.file.core.chinacloudapi.cn', 'storage', 'china'), { zone: 'privatelink.file.core.chinacloudapi.cn', record: 'st1' });
  t.match(privateZoneRecord('kv1.vault.usgovcloudapi.net', 'key-vault', 'usgov'), { zone: 'privatelink.vaultcore.usgovcloudapi.net', record: 'kv1', alias: 'kv1.privatelink.vaultcore.usgovcloudapi.net' });
  t.match(privateZoneRecord('acr1.westus2.data.azurecr.io', 'container-registry', 'public'), { zone: 'privatelink.azurecr.io', record: 'acr1.westus2.data' });
  t.match(privateZoneRecord('ci1.chinaeast2.instances.azureml.cn', 'compute-instance', 'china'), { zone: null, forwardZones: ['instances.azureml.cn'] });
  t.equal(privateZoneRecord('st1.blob.core.windows.net', 'storage', 'china'), null, 'a name of another cloud is not given a zone of this one');
});

t.test('a private name the proxy denies must bypass the proxy; nothing is proposed for a target with no verdict', async (t) => {
  const { report } = reports[0]!;
  const target = { ...report.targets[0]!, mustResolvePrivately: true };
  t.same(
    remediesFor(target, 'proxy-denied', 'public').map((r) => r.kind),
    ['no-proxy'],
  );
  t.same(remediesFor(target, 'aborted', 'public'), []);
  t.same(remediesFor(target, null, 'public'), []);
});

t.test('a silent UDP port asks to confirm its rule; an ICMP refusal is fixed by the UDP allow rule', async (t) => {
  const report = reports.find((r) => r.name.startsWith('udp-check'))?.report as CheckReport;
  const dropped = report.targets.find((x) => x.id.startsWith('dropped.'))!;
  t.same(
    remediesFor(dropped, 'udp-unverified', 'public').map((r) => r.kind),
    ['confirm-udp'],
  );
  t.same(fixSentences(dropped, 'udp-unverified', 'public'), ['no UDP answer proves it either way: confirm the firewall has the rule to allow outbound UDP 3478 to dropped.relay.test']);
  t.same(dropped.fix, fixSentences(dropped, 'udp-unverified', 'public'), 'the recorded report says the same');
  const rejected = report.targets.find((x) => x.id.startsWith('rejected.'))!;
  t.match(remediesFor(rejected, 'udp-port-unreachable', 'public'), [{ kind: 'allow', rules: [{ protocol: 'UDP', port: 3478, destination: 'rejected.relay.test' }] }]);
});

t.test('behind a web proxy, what no web proxy carries is fixed by a direct egress rule; web ports and DNS causes are not', async (t) => {
  const smb = makeTarget('st1.file.core.windows.net', 445);
  t.same(fixSentences(smb, 'tcp-timeout', 'public', true), ['allow direct outbound TCP 445 to st1.file.core.windows.net from this subnet — it cannot go through the proxy']);
  t.same(fixSentences(smb, 'tcp-timeout', 'public', false), ['allow outbound TCP 445 to st1.file.core.windows.net'], 'no proxy: the plain allow rule');
  t.same(
    remediesFor(smb, 'dns-nxdomain', 'public', true).map((r) => r.kind),
    ['dns-public'],
    'a name that does not resolve is still a DNS fix',
  );
  t.same(fixSentences(makeTarget('pypi.org', 443), 'tcp-refused', 'public', true), ['allow outbound TCP 443 to pypi.org'], 'a web port goes direct only by NO_PROXY: no direct wording');
  t.same(fixSentences(makeTarget('node.test', 44224, { direction: 'inbound', rules: [] }), 'tcp-refused', 'public', true), [], 'inbound has no outbound rule to word');
});

t.test('a server that does not speak TLS is fixed in the proxy settings or the DNS record, never by an allow rule', async (t) => {
  const target = makeTarget('st1.blob.core.windows.net', 443, { rules: [{ direction: 'outbound', protocol: 'tcp', port: 443, destination: 'st1.blob.core.windows.net', serviceTag: null }] as never });
  t.same(
    remediesFor(target, 'tls-not-tls', 'public').map((r) => r.kind),
    ['not-tls'],
  );
  t.match(fixSentences(target, 'tls-not-tls', 'public'), [/^something other than the TLS service of st1\.blob\.core\.windows\.net answers at its address: check the proxy settings .* and the DNS record or hosts entry of st1\.blob\.core\.windows\.net$/]);
  t.notMatch(fixSentences(target, 'tls-not-tls', 'public').join(' '), /allow outbound/);
});

t.test('a sinkholed name is fixed on the DNS filter that answered, never by a firewall rule', async (t) => {
  const { report } = reports[0]!;
  const target = report.targets.find((x) => x.rules.length > 0)!;
  t.same(remediesFor(target, 'dns-sinkholed', 'public'), [{ kind: 'dns-filter-allow', host: target.host }]);
  t.same(fixSentences(target, 'dns-sinkholed', 'public'), [`allow ${target.host} on the DNS filter that answered for it (the resolver's block list, a DNS security policy or DNS firewall), or use a resolver that does not filter it; a firewall rule cannot fix a DNS answer`]);
});

t.test('a device that could not reach the host: its own egress is the fix, a private name bypasses the proxy', async (t) => {
  const { report } = reports[0]!;
  const target = { ...report.targets.find((x) => x.port === 443)!, mustResolvePrivately: false };
  t.same(
    remediesFor(target, 'proxy-gateway-error', 'public').map((r) => r.kind),
    ['gateway-egress', 'allow'],
  );
  t.match(fixSentences(target, 'proxy-gateway-error', 'public')[0], `the proxy let the request through but could not reach ${target.host}:443 itself: allow the proxy's own outbound traffic to it`);
  t.same(
    remediesFor(target, 'http-gateway-error', 'public').map((r) => r.kind),
    ['gateway-egress', 'allow'],
  );
  t.match(fixSentences(target, 'http-gateway-error', 'public')[0], `a device between here and ${target.host} (a transparent proxy or inspecting firewall) could not reach it`);
  t.same(
    remediesFor({ ...target, mustResolvePrivately: true }, 'proxy-gateway-error', 'public').map((r) => r.kind),
    ['no-proxy'],
  );
  t.same(
    remediesFor(target, 'proxy-denied', 'public').map((r) => r.kind),
    ['proxy-allow', 'allow'],
    'a proxy deny is allowed on the proxy',
  );
  t.same(
    remediesFor(target, 'http-denied', 'public').map((r) => r.kind),
    ['allow'],
    'a firewall deny page is fixed by its allow rule',
  );
});

t.test('no firewall rule by default: only the codes the reason table fixes with an allow rule get one on their own', async (t) => {
  const target = makeTarget('st1.blob.core.windows.net', 443);
  t.same(remediesFor(target, 'tcp-future' as ReasonCode, 'public'), [], 'a code the table does not know gets no remedy');
  for (const code of REASON_CODES) {
    const kinds = remediesFor(target, code, 'public').map((r) => r.kind);
    if (code.startsWith('dns-') || (code.startsWith('tls-') && !['tls-reset', 'tls-timeout', 'tls-failed'].includes(code))) t.notOk(kinds.includes('allow'), `${code}: ${kinds.join(', ')}`);
    if (EXPECTED[code] !== undefined) t.same(kinds, EXPECTED[code], code);
  }
});
