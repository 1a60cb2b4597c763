/**
 * `aml-netcheck check` in a VNet whose only way out is a web proxy (tinyproxy): the firewall
 * resets every direct connection to the simulated hosts except the proxy's own.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { AD_AND_STORAGE, BLOB, FILE, ID, LOGIN, PHASE_TIMEOUT_MS, PROXY_ADDRESS, PROXY_PORT, addressOf, featureOutcomes, healthyAdAndStorage, literal, outcomes, reportOf, requireRoot, startVnet, targetOf, type Report } from '../helpers/vnet.js';

const WEB_TARGETS = [ID.login80, ID.login443, ID.blob443, ID.file443];

/** The same outcome for every web target, and the SMB target checked directly. */
function webTargetsAnd445(web: string, smb: string): Record<string, string> {
  return { [ID.login80]: web, [ID.login443]: web, [ID.blob443]: web, [ID.file443]: web, [ID.file445]: smb };
}

function via(report: Report): Record<string, string> {
  return Object.fromEntries(report.targets.map((target) => [target.id, target.via]));
}

/** Through a proxy: sign-in works, the file share's SMB port (which no web proxy carries) does not. */
const AD_OK_SMB_BROKEN = {
  'azure-ad': { status: 'ok', blockedBy: [] },
  'workspace-storage': { status: 'broken', blockedBy: [ID.file445] },
};
/** What a direct failure says behind a proxy: the proxy could not have carried it, so the firewall must let it out. */
const NEEDS_DIRECT_445 = '; a web proxy cannot carry port 445, so this needs direct egress through the firewall';
const DIRECT_445_RULE = `allow direct outbound TCP 445 to ${FILE} from this subnet — it cannot go through the proxy`;
const VIA_PROXY_EXCEPT_445 = { [ID.login80]: 'proxy', [ID.login443]: 'proxy', [ID.blob443]: 'proxy', [ID.file443]: 'proxy', [ID.file445]: 'direct' };

t.test('proxy-only egress: web targets go through the proxy, SMB is checked directly and blocked', async (t) => {
  if (!requireRoot(t, ['tinyproxy'])) return;
  const deadProxy = '10.99.0.4';
  const vnet = await startVnet(t, { hosts: healthyAdAndStorage(), idleAddresses: [deadProxy] });
  const proxy = await vnet.startProxy();

  await t.test('before egress is locked down, SMB is reachable directly and the report says why it went direct', async (t) => {
    const report = reportOf(t, await vnet.check([...AD_AND_STORAGE, '--proxy', proxy.url]), 0);
    t.same(outcomes(report), webTargetsAnd445('reachable -', 'reachable -'), 'verdict and reason of every target');
    t.same(via(report), VIA_PROXY_EXCEPT_445, 'how each target was checked');
    t.match(targetOf(report, ID.file445).detail, /^TCP connect to 10\.99\.1\.3:445 in .* \(checked directly: a web proxy cannot carry port 445\)$/);
    t.same(targetOf(report, ID.file445).warnings, [], 'going direct is not a warning');
  });

  await vnet.allowOnlyProxyEgress();

  await t.test('without the proxy nothing gets out', async (t) => {
    const report = reportOf(t, await vnet.check(AD_AND_STORAGE), 1);
    t.same(outcomes(report), webTargetsAnd445('blocked tcp-refused', 'blocked tcp-refused'), 'verdict and reason of every target');
    t.same(report.summary.featuresBroken, ['azure-ad', 'workspace-storage']);
  });

  await t.test('with --proxy', async (t) => {
    const report = reportOf(t, await vnet.check([...AD_AND_STORAGE, '--proxy', proxy.url]), 1);
    t.same(outcomes(report), webTargetsAnd445('reachable -', 'blocked tcp-refused'), 'verdict and reason of every target');
    t.same(via(report), VIA_PROXY_EXCEPT_445, 'how each target was checked');
    t.same(featureOutcomes(report), AD_OK_SMB_BROKEN, 'feature status and what breaks it');
    t.match(report.settings, { proxy: `${proxy.url}/`, proxySource: '--proxy' });
    t.match(targetOf(report, ID.blob443).detail, new RegExp(`^HTTP 401 from ${literal(BLOB)} through proxy ${literal(proxy.url)}/ over TLSv1\\.[23], certificate issued by CN=aml-netcheck Simulated Azure Root CA$`));
    t.match(targetOf(report, ID.login80).phases.http?.details, { status: 401, headers: { server: 'simulated-azure', via: /tinyproxy/ } }, 'the service answered, through tinyproxy');
    t.equal(targetOf(report, ID.file445).detail, `connect to ${addressOf(FILE)}:445 refused (ECONNREFUSED)${NEEDS_DIRECT_445}`);
    t.same(targetOf(report, ID.file445).fix, [DIRECT_445_RULE]);
  });

  await t.test('the same proxy from HTTPS_PROXY and HTTP_PROXY', async (t) => {
    const report = reportOf(t, await vnet.check(AD_AND_STORAGE, { env: { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url } }), 1);
    t.same(outcomes(report), webTargetsAnd445('reachable -', 'blocked tcp-refused'), 'verdict and reason of every target');
    t.same(via(report), VIA_PROXY_EXCEPT_445, 'how each target was checked');
    t.equal(report.settings.proxySource, 'HTTPS_PROXY, HTTP_PROXY');
  });

  await t.test('nothing listens where the proxy should be: proxy-unreachable', async (t) => {
    const dead = `http://${deadProxy}:${PROXY_PORT}`;
    const report = reportOf(t, await vnet.check([...AD_AND_STORAGE, '--proxy', dead]), 1);
    t.same(outcomes(report), webTargetsAnd445('blocked proxy-unreachable', 'blocked tcp-refused'), 'verdict and reason of every target');
    t.same(via(report), VIA_PROXY_EXCEPT_445, 'how each target was checked');
    t.same(report.summary.featuresBroken, ['azure-ad', 'workspace-storage']);
    for (const id of WEB_TARGETS) {
      t.match(targetOf(report, id).detail, new RegExp(`^proxy ${dead.replace(/\./g, '\\.')} is unreachable: .*ECONNREFUSED`), `${id}: names the proxy`);
      t.same(targetOf(report, id).fix, ['check the proxy address (--proxy, HTTPS_PROXY) and that this machine may reach it']);
    }
  });

  await t.test('the proxy cannot reach the host: blocked, for plain HTTP as for HTTPS', async (t) => {
    // Resets every connection to the host on both ports, the proxy's included.
    await vnet.firewall({ address: addressOf(LOGIN), port: 80, action: 'reset' }, { address: addressOf(LOGIN), port: 443, action: 'reset' });
    const report = reportOf(t, await vnet.check([...AD_AND_STORAGE, '--proxy', proxy.url]), 1);
    const { [ID.login80]: plainHttp, ...others } = outcomes(report);
    t.same(others, { [ID.login443]: 'blocked proxy-gateway-error', [ID.blob443]: 'reachable -', [ID.file443]: 'reachable -', [ID.file445]: 'blocked tcp-refused' }, 'verdict and reason of every other target');
    t.equal(targetOf(report, ID.login443).detail, `proxy ${proxy.url} (tinyproxy) could not reach login.microsoftonline.com:443: it answered the CONNECT (HTTP 500)`);
    t.equal(plainHttp, 'blocked proxy-gateway-error', "plain HTTP: the proxy's own error page is not the service's answer");
    t.equal(targetOf(report, ID.login80).detail, `proxy ${proxy.url} (tinyproxy) could not reach login.microsoftonline.com:80: it answered GET http://login.microsoftonline.com/ itself (HTTP 500)`);
    t.match(targetOf(report, ID.login443).fix[0], /^the proxy let the request through but could not reach login\.microsoftonline\.com:443 itself/, "the fix is the proxy's own way out");
    t.same(featureOutcomes(report)['azure-ad'], { status: 'broken', blockedBy: [ID.login443, ID.login80] }, 'azure-ad is broken by both ports');
  });
});

t.test('a proxy that requires Basic credentials', async (t) => {
  if (!requireRoot(t, ['tinyproxy'])) return;
  const username = 'svc-aml';
  const password = 'Zq7-netcheck-s3cret';
  const vnet = await startVnet(t, { hosts: healthyAdAndStorage() });
  const proxy = await vnet.startProxy({ basicAuth: { username, password } });
  await vnet.allowOnlyProxyEgress();
  const withCredentials = proxy.urlWithCredentials ?? '';
  const masked = `http://${username}:***@${PROXY_ADDRESS}:${PROXY_PORT}/`;

  await t.test('no credentials: proxy-auth-required', async (t) => {
    const report = reportOf(t, await vnet.check([...AD_AND_STORAGE, '--proxy', proxy.url]), 1);
    t.same(outcomes(report), webTargetsAnd445('blocked proxy-auth-required', 'blocked tcp-refused'), 'verdict and reason of every target');
    t.same(via(report), VIA_PROXY_EXCEPT_445, 'how each target was checked');
    t.same(report.summary.featuresBroken, ['azure-ad', 'workspace-storage']);
    t.equal(targetOf(report, ID.login443).detail, `proxy ${proxy.url} requires authentication for ${LOGIN}:443 (HTTP 407)`);
    t.match(targetOf(report, ID.login443).fix, [/^give the proxy credentials in the proxy URL/]);
  });

  await t.test('a wrong password: blocked at the proxy, and the wrong password is not shown either', async (t) => {
    const wrong = 'Wr0ng-netcheck-guess';
    const run = await vnet.check([...AD_AND_STORAGE, '--proxy', `http://${username}:${wrong}@${PROXY_ADDRESS}:${PROXY_PORT}`]);
    const report = reportOf(t, run, 1);
    const { [ID.login80]: plainHttp, [ID.file445]: smb, ...tunnelled } = outcomes(report);
    t.equal(plainHttp, 'blocked proxy-auth-required', "plain HTTP: the proxy's 401 is not the service's");
    t.equal(targetOf(report, ID.login80).detail, `proxy http://${username}:***@${PROXY_ADDRESS}:${PROXY_PORT} (tinyproxy) requires authentication for http://login.microsoftonline.com/ (HTTP 401)`);
    t.equal(smb, 'blocked tcp-refused');
    t.same(
      Object.values(tunnelled).map((outcome) => outcome.split(' ')[0]),
      ['blocked', 'blocked', 'blocked'],
      'every tunnelled target is blocked',
    );
    t.same(
      tunnelled,
      { [ID.login443]: 'blocked proxy-auth-required', [ID.blob443]: 'blocked proxy-auth-required', [ID.file443]: 'blocked proxy-auth-required' },
      // tinyproxy refuses a wrong password with 401, not 407; to CONNECT it means the same.
      `the same 401 to CONNECT means the same thing (got ${JSON.stringify(tunnelled)})`,
    );
    t.same(report.summary.featuresBroken, ['azure-ad', 'workspace-storage']);
    t.notOk((run.stdout + run.stderr).includes(wrong), 'no password in the output');
  });

  await t.test('credentials in --proxy: reachable, and the password appears nowhere', async (t) => {
    const out = path.join(vnet.dir, 'auth-report.json');
    const run = await vnet.check([...AD_AND_STORAGE, '--proxy', withCredentials, '--out', out, '--log-level', 'debug']);
    const report = reportOf(t, run, 1);
    t.same(outcomes(report), webTargetsAnd445('reachable -', 'blocked tcp-refused'), 'verdict and reason of every target');
    t.same(via(report), VIA_PROXY_EXCEPT_445, 'how each target was checked');
    t.same(featureOutcomes(report), AD_OK_SMB_BROKEN, 'feature status and what breaks it');
    t.equal(report.settings.proxy, masked, 'the report names the proxy with the password masked');
    t.match(run.stderr, /"level":20/, 'debug logs were written, and are checked below');
    const basicToken = Buffer.from(`${username}:${password}`).toString('base64');
    const reportFile = await readFile(out, 'utf8');
    for (const [where, text] of [
      ['stdout', run.stdout],
      ['stderr', run.stderr],
      ['--out file', reportFile],
    ] as const) {
      t.notOk(text.includes(password), `no password in ${where}`);
      t.notOk(text.includes(encodeURIComponent(password)), `no encoded password in ${where}`);
      t.notOk(text.includes(basicToken), `no Basic token in ${where}`);
    }
  });

  await t.test('credentials in HTTPS_PROXY and HTTP_PROXY: reachable, and the password appears nowhere', async (t) => {
    const run = await vnet.check(AD_AND_STORAGE, { env: { HTTPS_PROXY: withCredentials, HTTP_PROXY: withCredentials } });
    const report = reportOf(t, run, 1);
    t.same(outcomes(report), webTargetsAnd445('reachable -', 'blocked tcp-refused'), 'verdict and reason of every target');
    t.equal(report.settings.proxy, masked);
    t.equal(report.settings.proxySource, 'HTTPS_PROXY, HTTP_PROXY');
    t.notOk((run.stdout + run.stderr).includes(password), 'no password in the output');
  });
});

t.test('behind a proxy, a firewall that drops direct SMB and rejects direct UDP: each says it needs direct egress, and its fix is a direct rule', async (t) => {
  if (!requireRoot(t, ['tinyproxy'])) return;
  const relayPort = 3478;
  const relay = { name: 'relay.test', address: '10.99.1.20', ports: {}, udpPorts: { [String(relayPort)]: 'ok' as const } };
  const vnet = await startVnet(t, { hosts: [...healthyAdAndStorage(), relay] });
  const proxy = await vnet.startProxy();
  await vnet.firewall({ address: addressOf(FILE), port: 445, action: 'drop' }, { address: relay.address, port: relayPort, protocol: 'udp', action: 'reject' });
  const catalog = path.join(vnet.dir, 'relay.yaml');
  await writeFile(
    catalog,
    ['section: relay', 'title: A UDP relay', 'features:', '  - id: relay', '    name: Relay', 'entries:', '  - pattern: relay.test', `    ports: ["udp:${relayPort}"]`, '    clouds: [public]', '    features: [relay]', '    purpose: A relay.', ''].join('\n'),
  );
  const udpId = `relay.test:${relayPort}/udp`;

  const report = reportOf(t, await vnet.check([...AD_AND_STORAGE.slice(0, -1), 'azure-ad,workspace-storage,relay', '--catalog', catalog, '--proxy', proxy.url]), 1);
  t.same(outcomes(report), { ...webTargetsAnd445('reachable -', 'blocked tcp-timeout'), [udpId]: 'blocked udp-port-unreachable' }, 'verdict and reason of every target');
  t.same(via(report), { ...VIA_PROXY_EXCEPT_445, [udpId]: 'direct' }, 'how each target was checked');
  t.equal(targetOf(report, ID.file445).detail, `connect to ${addressOf(FILE)}:445 timed out after ${PHASE_TIMEOUT_MS} ms${NEEDS_DIRECT_445}`);
  t.same(targetOf(report, ID.file445).fix, [DIRECT_445_RULE]);
  t.equal(targetOf(report, udpId).detail, `UDP to ${relay.address}:${relayPort} drew ICMP port unreachable (ECONNREFUSED): nothing receives on that port, or a firewall rejects it; a web proxy cannot carry UDP, so this needs direct egress through the firewall`);
  t.same(targetOf(report, udpId).fix, [`allow direct outbound UDP ${relayPort} to relay.test from this subnet — it cannot go through the proxy`]);
  t.same([...report.summary.featuresBroken].sort(), ['relay', 'workspace-storage']);
});
