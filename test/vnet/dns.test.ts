/**
 * `aml-netcheck check` inside a simulated VNet: a healthy VNet, and the ways the VNet's DNS
 * breaks a workspace (missing names, a resolver that is down or drops queries, a private
 * endpoint whose name still resolves to the public address).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { AD_AND_STORAGE, AZURE_AD, BLOB, FILE, ID, LOGIN, PHASE_TIMEOUT_MS, REGION, REGION_API, STORAGE, WORKSPACE_API, WORKSPACE_CERT, WORKSPACE_ID, featureOutcomes, healthyAdAndStorage, host, outcomes, reportOf, requireRoot, startVnet, targetOf } from '../helpers/vnet.js';

t.test('every endpoint reachable: exit 0, every target reachable, every feature ok', async (t) => {
  if (!requireRoot(t)) return;
  const vnet = await startVnet(t, { hosts: healthyAdAndStorage() });
  const out = path.join(vnet.dir, 'report.json');
  const report = reportOf(t, await vnet.check([...AD_AND_STORAGE, '--out', out]), 0);

  t.same(outcomes(report), {
    [ID.login80]: 'reachable -',
    [ID.login443]: 'reachable -',
    [ID.blob443]: 'reachable -',
    [ID.file443]: 'reachable -',
    [ID.file445]: 'reachable -',
  });
  t.same(featureOutcomes(report), {
    'azure-ad': { status: 'ok', blockedBy: [] },
    'workspace-storage': { status: 'ok', blockedBy: [] },
  });
  t.match(report.summary, { targets: 5, reachable: 5, blocked: 0, unfinished: 0, requiredBlocked: 0, featuresBroken: [], complete: true });
  t.same(
    report.targets.map((target) => target.via),
    ['direct', 'direct', 'direct', 'direct', 'direct'],
  );
  t.match(targetOf(report, ID.login443).detail, /^HTTP 401 from 10\.99\.1\.1:443 over TLSv1\.[23], certificate issued by CN=aml-netcheck Simulated Azure Root CA$/);
  t.match(targetOf(report, ID.file445).detail, /^TCP connect to 10\.99\.1\.3:445 in \d+/);
  t.same(JSON.parse(await readFile(out, 'utf8')), report, '--out holds the report printed on stdout');
});

t.test('NXDOMAIN: the name does not exist, the feature that needs it breaks, the others do not', async (t) => {
  if (!requireRoot(t)) return;
  const vnet = await startVnet(t, { hosts: [host(LOGIN, { 80: 'ok', 443: 'ok' }, { dns: 'nxdomain' }), host(BLOB, { 443: 'ok' }), host(FILE, { 443: 'ok', 445: 'ok' })] });
  const report = reportOf(t, await vnet.check(AD_AND_STORAGE), 1);

  t.same(outcomes(report), {
    [ID.login80]: 'blocked dns-nxdomain',
    [ID.login443]: 'blocked dns-nxdomain',
    [ID.blob443]: 'reachable -',
    [ID.file443]: 'reachable -',
    [ID.file445]: 'reachable -',
  });
  t.same(featureOutcomes(report), {
    'azure-ad': { status: 'broken', blockedBy: [ID.login443, ID.login80] },
    'workspace-storage': { status: 'ok', blockedBy: [] },
  });
  t.same(report.summary.featuresBroken, ['azure-ad']);
  const login = targetOf(report, ID.login443);
  t.equal(login.detail, `10.99.0.53:53 says ${LOGIN} does not exist (NXDOMAIN)`);
  t.match(login.fix, [/^make login\.microsoftonline\.com resolve here: your DNS server must forward public names/]);
  t.same(login.phases.tcp, [], 'nothing was dialled for a name that does not resolve');
});

t.test('the resolver is down: nothing listens, it drops every query, it drops one name', async (t) => {
  if (!requireRoot(t)) return;
  const deadResolver = '10.99.0.54';
  const vnet = await startVnet(t, {
    hosts: [host(LOGIN, { 80: 'ok', 443: 'ok' }), host(BLOB, { 443: 'ok' }, { dns: 'drop' }), host(FILE, { 443: 'ok', 445: 'ok' })],
    idleAddresses: [deadResolver],
  });

  await t.test('nothing listens on the resolver address: dns-failed, said to be ECONNREFUSED', async (t) => {
    const report = reportOf(t, await vnet.check(AZURE_AD, { dnsServer: deadResolver }), 1);
    t.same(outcomes(report), { [ID.login80]: 'blocked dns-failed', [ID.login443]: 'blocked dns-failed' }, 'verdict and reason of every target');
    t.same(featureOutcomes(report), { 'azure-ad': { status: 'broken', blockedBy: [ID.login443, ID.login80] } }, 'feature status and what breaks it');
    t.equal(targetOf(report, ID.login80).detail, `DNS lookup of ${LOGIN} at ${deadResolver}:53 failed: nothing is listening for DNS there (ECONNREFUSED)`);
    t.match(targetOf(report, ID.login80).fix, [/DNS server this machine uses failed to answer/]);
  });

  await t.test('the resolver never answers one name: dns-timeout for it alone', async (t) => {
    const run = await vnet.check(['--region', REGION, '--storage-account', STORAGE, '--features', 'workspace-storage']);
    const report = reportOf(t, run, 1);
    t.same(outcomes(report), { [ID.blob443]: 'blocked dns-timeout', [ID.file443]: 'reachable -', [ID.file445]: 'reachable -' });
    t.same(featureOutcomes(report), { 'workspace-storage': { status: 'broken', blockedBy: [ID.blob443] } });
    t.equal(targetOf(report, ID.blob443).detail, `no answer from 10.99.0.53:53 for ${BLOB} within ${PHASE_TIMEOUT_MS} ms`);
    t.ok(run.ms < PHASE_TIMEOUT_MS + 5000, `the timeout bounds the run (${run.ms} ms)`);
  });

  await t.test('a firewall drops DNS to the resolver: dns-timeout for every name', async (t) => {
    await vnet.firewall({ address: vnet.dnsServer, port: 53, protocol: 'udp', action: 'drop' });
    const report = reportOf(t, await vnet.check(AZURE_AD), 1);
    t.same(outcomes(report), { [ID.login80]: 'blocked dns-timeout', [ID.login443]: 'blocked dns-timeout' });
    t.same(featureOutcomes(report), { 'azure-ad': { status: 'broken', blockedBy: [ID.login443, ID.login80] } });
    t.equal(targetOf(report, ID.login443).detail, `no answer from 10.99.0.53:53 for ${LOGIN} within ${PHASE_TIMEOUT_MS} ms`);
  });
});

t.test('a resolver with no route to it: dns-failed naming ENETUNREACH, not a crash', async (t) => {
  if (!requireRoot(t)) return;
  const vnet = await startVnet(t, { hosts: [host(LOGIN, { 80: 'ok', 443: 'ok' })] });
  // On no route in the namespace: the kernel refuses at connect(), nothing is sent anywhere.
  const run = await vnet.check(AZURE_AD, { dnsServer: '10.98.0.53' });
  t.notMatch(run.stderr, /ERR_SOCKET_BAD_PORT/, 'no uncaught exception');
  const report = reportOf(t, run, 1);
  t.same(outcomes(report), { [ID.login80]: 'blocked dns-failed', [ID.login443]: 'blocked dns-failed' }, 'verdict and reason of every target');
  t.same(featureOutcomes(report), { 'azure-ad': { status: 'broken', blockedBy: [ID.login443, ID.login80] } }, 'feature status and what breaks it');
  t.match(targetOf(report, ID.login80).detail, /^DNS lookup of login\.microsoftonline\.com at 10\.98\.0\.53:53 failed: .*ENETUNREACH/);
});

t.test('private endpoint: a private-link name that resolves to a public address is dns-not-private', async (t) => {
  if (!requireRoot(t)) return;
  // Public addresses that exist only inside the namespace; a documentation range would be a sinkhole's answer.
  const publicBlob = '20.60.113.10';
  const publicWorkspaceApi = '20.60.113.11';
  const publicRegionApi = '20.60.113.12';
  const vnet = await startVnet(t, {
    hosts: [
      // The privatelink zone answers, but with the public record: no private DNS zone is linked.
      host(BLOB, { 443: 'ok' }, { cname: `${STORAGE}.privatelink.blob.core.windows.net`, address: publicBlob }),
      host(FILE, { 443: 'ok', 445: 'ok' }, { cname: `${STORAGE}.privatelink.file.core.windows.net`, address: '10.99.2.3' }),
      host(WORKSPACE_API, { 443: 'ok' }, { cname: `${WORKSPACE_ID}.workspace.${REGION}.privatelink.api.azureml.ms`, address: publicWorkspaceApi }),
      host(WORKSPACE_CERT, { 443: 'ok' }),
      // Shared by every workspace in the region: not behind the workspace's private endpoint.
      host(REGION_API, { 443: 'ok' }, { address: publicRegionApi }),
    ],
  });
  const facts = ['--region', REGION, '--workspace-id', WORKSPACE_ID, '--storage-account', STORAGE, '--features', 'workspace-storage,workspace-api'];

  await t.test('with --private-endpoint and --private-resources storage', async (t) => {
    const report = reportOf(t, await vnet.check([...facts, '--private-endpoint', '--private-resources', 'storage']), 1);
    t.same(outcomes(report), {
      [ID.workspaceApi]: 'blocked dns-not-private',
      [ID.workspaceCert]: 'reachable -',
      [ID.regionApi]: 'reachable -',
      [ID.blob443]: 'blocked dns-not-private',
      [ID.file443]: 'reachable -',
      [ID.file445]: 'reachable -',
    });
    t.same(featureOutcomes(report), {
      'workspace-api': { status: 'broken', blockedBy: [ID.workspaceApi] },
      'workspace-storage': { status: 'broken', blockedBy: [ID.blob443] },
    });
    const blob = targetOf(report, ID.blob443);
    t.equal(blob.detail, `${BLOB} resolves to public ${publicBlob} via ${STORAGE}.privatelink.blob.core.windows.net at 10.99.0.53:53; ` + 'its private endpoint needs it to resolve to a private address (the privatelink zone answers with a public record)');
    t.equal(blob.phase, 'dns');
    t.same(blob.phases.tcp, [], 'the public address is not dialled');
    t.match(blob.fix, [/^make st1\.blob\.core\.windows\.net resolve to its private endpoint/]);
    t.match(targetOf(report, ID.workspaceApi).detail, new RegExp(`resolves to public ${publicWorkspaceApi.replace(/\./g, '\\.')} via ${WORKSPACE_ID}\\.workspace\\.${REGION}\\.privatelink\\.api\\.azureml\\.ms`));
    t.match(targetOf(report, ID.file443).phases.dns?.details, { addresses: ['10.99.2.3'], cnameChain: [`${STORAGE}.privatelink.file.core.windows.net`] });
  });

  await t.test('storage without a private endpoint of its own may resolve publicly', async (t) => {
    const report = reportOf(t, await vnet.check([...facts, '--private-endpoint']), 1);
    t.same(outcomes(report)[ID.blob443], 'reachable -');
    t.same(outcomes(report)[ID.workspaceApi], 'blocked dns-not-private');
  });

  await t.test('without a private endpoint the same answers are fine', async (t) => {
    const report = reportOf(t, await vnet.check(facts), 0);
    t.same(new Set(Object.values(outcomes(report))), new Set(['reachable -']));
    t.equal(report.targets.length, 6);
  });
});

t.test('a DNS filter in the VNet answers with 0.0.0.0 or loopback: dns-sinkholed, fixed on the filter, nothing dialled', async (t) => {
  if (!requireRoot(t)) return;
  const loopback = '127.0.0.2';
  const vnet = await startVnet(t, {
    hosts: [host(LOGIN, { 80: 'ok', 443: 'ok' }, { dns: 'sinkhole' }), host(BLOB, { 443: 'ok' }), host(FILE, {}, { address: loopback })],
  });
  // The hidden allowance of the loopback tests changes nothing here: this resolver is not on loopback.
  const report = reportOf(t, await vnet.check([...AD_AND_STORAGE, '--allow-loopback-answers']), 1);
  t.same(outcomes(report), {
    [ID.login80]: 'blocked dns-sinkholed',
    [ID.login443]: 'blocked dns-sinkholed',
    [ID.blob443]: 'reachable -',
    [ID.file443]: 'blocked dns-sinkholed',
    [ID.file445]: 'blocked dns-sinkholed',
  });
  const login = targetOf(report, ID.login443);
  t.equal(login.detail, `10.99.0.53:53 answered ${LOGIN} with 0.0.0.0 (this network), :: (unspecified): a DNS filter or sinkhole, not the service`);
  t.equal(login.phase, 'dns');
  t.same(login.phases.tcp, [], 'nothing was dialled');
  t.same(login.fix, [`allow ${LOGIN} on the DNS filter that answered for it (the resolver's block list, a DNS security policy or DNS firewall), or use a resolver that does not filter it; a firewall rule cannot fix a DNS answer`]);
  t.equal(targetOf(report, ID.file445).detail, `10.99.0.53:53 answered ${FILE} with ${loopback} (loopback): a DNS filter or sinkhole, not the service`);
  t.same(featureOutcomes(report), {
    'azure-ad': { status: 'broken', blockedBy: [ID.login443, ID.login80] },
    'workspace-storage': { status: 'broken', blockedBy: [ID.file443, ID.file445] },
  });
});
