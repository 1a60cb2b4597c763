/**
 * `aml-netcheck check` inside a simulated VNet whose firewall gets in the way: packets
 * dropped or reset, SNI filtering, TLS inspection, Azure Firewall's deny page, and
 * endpoints that never answer or never stop answering.
 */
import t from 'tap';
import { AD_AND_STORAGE, BLOB, FILE, ID, LOGIN, PHASE_TIMEOUT_MS, REGION, REGION_API, STORAGE, WORKSPACE_API, WORKSPACE_CERT, WORKSPACE_ID, addressOf, featureOutcomes, healthyAdAndStorage, host, outcomes, reportOf, requireRoot, startVnet, targetOf } from '../helpers/vnet.js';

t.test('the firewall drops SMB and resets HTTP: tcp-timeout and tcp-refused, each breaking its own feature', async (t) => {
  if (!requireRoot(t)) return;
  const vnet = await startVnet(t, { hosts: healthyAdAndStorage() });
  await vnet.firewall({ address: addressOf(FILE), port: 445, action: 'drop' }, { address: addressOf(LOGIN), port: 80, action: 'reset' });
  const run = await vnet.check(AD_AND_STORAGE);
  const report = reportOf(t, run, 1);

  t.same(
    outcomes(report),
    {
      [ID.login80]: 'blocked tcp-refused',
      [ID.login443]: 'reachable -',
      [ID.blob443]: 'reachable -',
      [ID.file443]: 'reachable -',
      [ID.file445]: 'blocked tcp-timeout',
    },
    'verdict and reason of every target',
  );
  t.same(
    featureOutcomes(report),
    {
      'azure-ad': { status: 'broken', blockedBy: [ID.login80] },
      'workspace-storage': { status: 'broken', blockedBy: [ID.file445] },
    },
    'SMB alone breaks workspace storage although HTTPS to the same host works',
  );
  t.same(report.summary.featuresBroken, ['azure-ad', 'workspace-storage']);
  const smb = targetOf(report, ID.file445);
  t.equal(smb.detail, `connect to ${addressOf(FILE)}:445 timed out after ${PHASE_TIMEOUT_MS} ms`);
  t.same(smb.fix, [`allow outbound TCP 445 to ${FILE}`]);
  const http = targetOf(report, ID.login80);
  t.equal(http.detail, `connect to ${addressOf(LOGIN)}:80 refused (ECONNREFUSED)`);
  t.same(http.fix, [`allow outbound TCP 80 to ${LOGIN}`, 'allow outbound TCP 80 to service tag AzureActiveDirectory']);
  t.ok(run.ms < PHASE_TIMEOUT_MS + 5000, `the dropped port costs one phase timeout (${run.ms} ms)`);
});

t.test('TLS broken on the path: reset after ClientHello, interception, a silent server, wrong certificates', async (t) => {
  if (!requireRoot(t)) return;
  const vnet = await startVnet(t, {
    hosts: [host(LOGIN, { 80: 'ok', 443: 'tls-reset' }), host(BLOB, { 443: 'tls-intercept' }), host(FILE, { 443: 'silent', 445: 'ok' }), host(WORKSPACE_API, { 443: 'tls-expired' }), host(WORKSPACE_CERT, { 443: 'tls-wrong-name' }), host(REGION_API, { 443: 'ok' })],
  });
  const run = await vnet.check(['--region', REGION, '--workspace-id', WORKSPACE_ID, '--storage-account', STORAGE, '--features', 'azure-ad,workspace-storage,workspace-api']);
  const report = reportOf(t, run, 1);
  t.same(
    outcomes(report),
    {
      [ID.login80]: 'reachable -',
      [ID.login443]: 'blocked tls-reset',
      [ID.workspaceApi]: 'blocked tls-expired',
      [ID.workspaceCert]: 'blocked tls-hostname-mismatch',
      [ID.regionApi]: 'reachable -',
      [ID.blob443]: 'blocked tls-untrusted',
      [ID.file443]: 'blocked tls-timeout',
      [ID.file445]: 'reachable -',
    },
    'verdict and reason of every target',
  );
  t.same(
    featureOutcomes(report),
    {
      'azure-ad': { status: 'broken', blockedBy: [ID.login443] },
      'workspace-api': { status: 'broken', blockedBy: [ID.workspaceApi, ID.workspaceCert] },
      'workspace-storage': { status: 'broken', blockedBy: [ID.blob443, ID.file443] },
    },
    'feature status and what breaks it',
  );

  await t.test('reset after the ClientHello: tls-reset, the SNI filter named', async (t) => {
    const login = targetOf(report, ID.login443);
    t.equal(login.phase, 'tls');
    t.match(login.detail, new RegExp(`^connection to ${addressOf(LOGIN).replace(/\./g, '\\.')}:443 was (reset|closed) during the TLS handshake for ${LOGIN.replace(/\./g, '\\.')}.*firewall filtering by SNI$`));
    t.same(login.fix, [`allow outbound TCP 443 to ${LOGIN}`, 'allow outbound TCP 443 to service tag AzureActiveDirectory'], 'the allow rule is the fix');
    t.equal(login.phases.tcp[0]?.ok, true, 'TCP itself connected');
  });

  await t.test('TLS interception by another CA: tls-untrusted, naming the interception issuer', async (t) => {
    const blob = targetOf(report, ID.blob443);
    t.match(blob.detail, /is not trusted \([A-Z_]+\): it was re-signed by "CN=Contoso Egress Inspection CA, O=Contoso Firewall" \(the TLS inspection of a firewall or proxy, or a CA this machine lacks\)$/);
    t.match(blob.phases.tls?.details.certificate, { issuer: 'CN=Contoso Egress Inspection CA, O=Contoso Firewall', subject: `CN=${BLOB}` });
    t.match(blob.fix, [/^exempt st1\.blob\.core\.windows\.net from TLS inspection, or trust the inspecting CA here \(--ca-file\)/]);
  });

  await t.test('a server that accepts and never answers: tls-timeout', async (t) => {
    const file = targetOf(report, ID.file443);
    t.match(file.detail, `TLS handshake with ${addressOf(FILE)}:443 for ${FILE} timed out after ${PHASE_TIMEOUT_MS} ms: the connection opened but the server sent nothing back to the ClientHello`);
    t.equal(file.phases.tls?.details.bytesReceived, 0, 'a timeout keeps its evidence');
    t.equal(file.phases.tcp[0]?.ok, true, 'TCP itself connected');
  });

  await t.test('an expired certificate and one for another name', async (t) => {
    t.match(targetOf(report, ID.workspaceApi).detail, /expired on 2020-02-01T00:00:00\.000Z \(CERT_HAS_EXPIRED\)$/);
    t.match(targetOf(report, ID.workspaceCert).detail, new RegExp(`does not cover that name; it is for DNS:other\\.${WORKSPACE_CERT.replace(/\./g, '\\.')}`));
  });
  t.ok(run.ms < PHASE_TIMEOUT_MS + 5000, `the silent server costs one phase timeout (${run.ms} ms)`);
});

t.test("Azure Firewall's 470 deny page is http-denied; a huge body is read only as far as needed", async (t) => {
  if (!requireRoot(t)) return;
  const vnet = await startVnet(t, { hosts: [host(LOGIN, { 80: 'deny-470', 443: 'deny-470' }), host(BLOB, { 443: 'huge-body' }), host(FILE, { 443: 'ok', 445: 'ok' })] });
  const run = await vnet.check(AD_AND_STORAGE);
  const report = reportOf(t, run, 1);
  t.same(
    outcomes(report),
    {
      [ID.login80]: 'blocked http-denied',
      [ID.login443]: 'blocked http-denied',
      [ID.blob443]: 'reachable -',
      [ID.file443]: 'reachable -',
      [ID.file445]: 'reachable -',
    },
    'verdict and reason of every target',
  );
  t.same(
    featureOutcomes(report),
    {
      'azure-ad': { status: 'broken', blockedBy: [ID.login443, ID.login80] },
      'workspace-storage': { status: 'ok', blockedBy: [] },
    },
    'feature status and what breaks it',
  );

  await t.test('the deny page', async (t) => {
    for (const id of [ID.login80, ID.login443]) {
      const denied = targetOf(report, id);
      t.equal(denied.phase, 'http');
      t.equal(denied.phases.http?.details.status, 470, `${id}: status 470`);
      t.match(denied.detail, new RegExp(`request from [0-9.]+:\\d+ to ${LOGIN.replace(/\./g, '\\.')}:(80|443)\\. Url: ${LOGIN.replace(/\./g, '\\.')}\\. Action: Deny\\. No rule matched`), `${id}: the firewall's words`);
      t.same(denied.fix, [`allow outbound TCP ${denied.port} to ${LOGIN}`, `allow outbound TCP ${denied.port} to service tag AzureActiveDirectory`], `${id}: the allow rule is the fix`);
    }
  });

  await t.test('the huge body', async (t) => {
    const blob = targetOf(report, ID.blob443);
    const http = blob.phases.http?.details;
    t.equal(http?.status, 200);
    t.ok(http !== undefined && http.bytesRead > 0 && http.bytesRead <= 8192, `at most a few KiB read (${http?.bytesRead})`);
    t.equal(http?.bodyComplete, false, 'hung up before the end');
    t.ok((blob.timings['http'] ?? Infinity) < PHASE_TIMEOUT_MS, `quickly (${blob.timings['http']} ms)`);
  });
  t.ok(run.ms < 10_000, `the run is not held up by the 1 GiB body (${run.ms} ms)`);
});
