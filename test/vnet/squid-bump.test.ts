/**
 * `aml-netcheck check` in a VNet whose only way out is a real Squid (squid-openssl) that
 * inspects TLS (ssl_bump) with its own CA, made for the run: some names bumped, one denied
 * inside the TLS Squid re-signs, the rest spliced. test/vnet/squid.test.ts has its
 * authentication and CONNECT denials.
 */
import t, { type Test } from 'tap';
import { TRUSTED_CA_SUBJECT } from '../../src/simulate/pki.js';
import { AD_AND_STORAGE, BLOB, FILE, ID, LOGIN, healthyAdAndStorage, literal, outcomes, reportOf, requireRoot, startVnet, targetOf, type ReportTarget } from '../helpers/vnet.js';

/** The simulated Azure's own CA, which a spliced (not bumped) name still shows. */
const SERVICE_ISSUER = `CN=${TRUSTED_CA_SUBJECT}`;

t.test('Squid inspecting TLS (ssl_bump) with its own CA', async (t) => {
  if (!requireRoot(t, ['squid'])) return;
  const vnet = await startVnet(t, { hosts: healthyAdAndStorage() });
  // The file share's name is spliced: Squid passes its TLS through untouched.
  const squid = await vnet.startSquid({ bump: [LOGIN, BLOB], denyInsideTunnel: [LOGIN] });
  await vnet.allowOnlyProxyEgress();
  const squidCa = squid.caFile ?? '';
  const squidIssuer = squid.caSubject ?? '';

  /** A spliced name shows the service's own certificate: reachable, with no word of inspection. */
  function splicedIsReachable(t: Test, file: ReportTarget): void {
    t.equal(file.verdict, 'reachable', 'the spliced name is reachable');
    t.same(file.warnings, [], 'no inspection warning for the spliced name');
    t.equal(file.detail, `HTTP 401 from ${FILE} through proxy ${squid.url}/ over TLSv1.3, certificate issued by ${SERVICE_ISSUER}`);
    t.match(file.phases.http?.details, { tls: { certificate: { issuer: SERVICE_ISSUER }, verifyError: null } }, 'the chain inside the tunnel is in the report');
  }

  await t.test("without Squid's CA: a bumped name is tls-untrusted, naming Squid's CA as the issuer", async (t) => {
    const report = reportOf(t, await vnet.check([...AD_AND_STORAGE, '--proxy', squid.url]), 1);
    t.same(outcomes(report), { [ID.login80]: 'blocked proxy-denied', [ID.login443]: 'blocked tls-untrusted', [ID.blob443]: 'blocked tls-untrusted', [ID.file443]: 'reachable -', [ID.file445]: 'blocked tcp-refused' }, 'verdict and reason of every target');
    for (const [id, host] of [
      [ID.blob443, BLOB],
      [ID.login443, LOGIN],
    ] as const) {
      const bumped = targetOf(report, id);
      t.match(bumped.detail, new RegExp(`^certificate presented via proxy ${literal(squid.url)} for ${literal(host)} is not trusted \\(SELF_SIGNED_CERT_IN_CHAIN\\)[;:] it was (issued|re-signed) by "${literal(squidIssuer)}"`), `${id}: names Squid's CA`);
      t.match(bumped.detail, /TLS inspection/, `${id}: says what re-signing means`);
      t.notMatch(bumped.detail, /self-signed certificate in certificate chain/, `${id}: no raw OpenSSL text`);
      const presented = bumped.phases.http?.details.tls;
      t.match(presented, { certificate: { issuer: squidIssuer }, issuerChain: [squidIssuer], verifyError: 'SELF_SIGNED_CERT_IN_CHAIN' }, `${id}: the presented chain is the evidence`);
      t.ok(presented?.certificate?.subjectAltNames.includes(`DNS:${host}`), `${id}: Squid's certificate mimics the service's names`);
      t.match(bumped.fix, [new RegExp(`^exempt ${literal(host)} from TLS inspection, or trust the inspecting CA here \\(--ca-file\\)`)], `${id}: the fix is the inspection, not a firewall rule`);
    }
    t.equal(targetOf(report, ID.login80).detail, `proxy ${squid.url} (Squid) denied GET http://${LOGIN}/ itself (HTTP 403, ERR_ACCESS_DENIED)`, "plain HTTP: Squid's own deny page");
    splicedIsReachable(t, targetOf(report, ID.file443));
  });

  await t.test("with Squid's CA (--ca-file): a bumped name works through Squid's CA, with the inspection warning; a denial inside the bumped TLS is proxy-denied", async (t) => {
    const report = reportOf(t, await vnet.check([...AD_AND_STORAGE, '--proxy', squid.url, '--ca-file', squidCa]), 1);
    const blob = targetOf(report, ID.blob443);
    t.equal(`${blob.verdict} ${blob.reason ?? '-'}`, 'warning -', 'trusted through --ca-file: it works, and it is still inspection');
    t.match(blob.warnings, [new RegExp(`^TLS to ${literal(BLOB)} is re-signed by "${literal(squidIssuer)}", trusted only through a CA added to this machine .*TLS inspection`)], 'the same warning as direct');
    t.equal(blob.detail, `HTTP 401 from ${BLOB} through proxy ${squid.url}/ over TLSv1.3, certificate issued by ${squidIssuer}`, "the detail names Squid's CA");
    const login = targetOf(report, ID.login443);
    t.equal(`${login.verdict} ${login.reason ?? '-'}`, 'blocked proxy-denied', "Squid's 403 inside the tunnel is Squid's, not the service's");
    t.equal(login.detail, `proxy ${squid.url} (Squid) denied GET https://${LOGIN}/ itself inside the TLS it inspects (HTTP 403, ERR_ACCESS_DENIED)`, 'names Squid and its error');
    t.equal(login.phases.http?.details.status, 403, "the answer was Squid's 403");
    t.match(login.phases.http?.details.tls, { certificate: { issuer: squidIssuer }, verifyError: null }, "it came over TLS re-signed by Squid's CA, which --ca-file trusts");
    t.match(login.fix, [`allow ${LOGIN} on the proxy`], 'the fix is on the proxy');
    t.equal(targetOf(report, ID.login80).reason, 'proxy-denied');
    splicedIsReachable(t, targetOf(report, ID.file443));
  });

  // Last: from here on every run in this VNet trusts Squid's CA through the machine's store.
  await t.test("with Squid's CA in this machine's CA store: a bumped name is reachable, with the TLS-inspection warning", async (t) => {
    await vnet.trustInMachineStore(squidCa);
    const report = reportOf(t, await vnet.check([...AD_AND_STORAGE, '--proxy', squid.url]), 1);
    const blob = targetOf(report, ID.blob443);
    t.equal(`${blob.verdict} ${blob.reason ?? '-'}`, 'warning -');
    t.equal(blob.phase, 'tls', 'the warning is about TLS');
    t.match(blob.warnings, [new RegExp(`^TLS to ${literal(BLOB)} is re-signed by "${literal(squidIssuer)}", trusted only through .*TLS inspection`)]);
    t.equal(blob.detail, `HTTP 401 from ${BLOB} through proxy ${squid.url}/ over TLSv1.3, certificate issued by ${squidIssuer}`);
    splicedIsReachable(t, targetOf(report, ID.file443));
  });
});
