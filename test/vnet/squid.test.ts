/**
 * `aml-netcheck check` in a VNet whose only way out is a real Squid (squid-openssl), with Basic
 * authentication and a CONNECT refused by domain. test/vnet/squid-bump.test.ts has its TLS
 * inspection.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { TRUSTED_CA_SUBJECT } from '../../src/simulate/pki.js';
import { AD_AND_STORAGE, BLOB, ID, LOGIN, PROXY_ADDRESS, PROXY_PORT, healthyAdAndStorage, outcomes, reportOf, requireRoot, startVnet, targetOf, type Report } from '../helpers/vnet.js';

/** The simulated Azure's own CA, which the service shows through a proxy that does not inspect TLS. */
const SERVICE_ISSUER = `CN=${TRUSTED_CA_SUBJECT}`;

/** The same outcome for every web target, and the SMB target, which no web proxy carries, refused by the egress firewall. */
function webTargets(web: string): Record<string, string> {
  return { [ID.login80]: web, [ID.login443]: web, [ID.blob443]: web, [ID.file443]: web, [ID.file445]: 'blocked tcp-refused' };
}

t.test('Squid with Basic authentication and a CONNECT refused by domain', async (t) => {
  // openssl hashes the password for Squid's htpasswd file.
  if (!requireRoot(t, ['squid', 'openssl'])) return;
  const username = 'svc-aml';
  const password = 'Sq7-netcheck-s3cret';
  const vnet = await startVnet(t, { hosts: healthyAdAndStorage() });
  const squid = await vnet.startSquid({ basicAuth: { username, password }, denyConnect: [BLOB] });
  await vnet.allowOnlyProxyEgress();
  const masked = `http://${username}:***@${PROXY_ADDRESS}:${PROXY_PORT}`;
  const basicToken = Buffer.from(`${username}:${password}`).toString('base64');

  await t.test('no credentials: proxy-auth-required, naming the proxy', async (t) => {
    const report = reportOf(t, await vnet.check([...AD_AND_STORAGE, '--proxy', squid.url]), 1);
    t.same(outcomes(report), webTargets('blocked proxy-auth-required'), 'verdict and reason of every target');
    t.equal(targetOf(report, ID.login443).detail, `proxy ${squid.url} (Squid) requires authentication for ${LOGIN}:443 (HTTP 407, ERR_CACHE_ACCESS_DENIED)`);
    // undici turns a 407 to an absolute-form request into an error without its headers: the proxy is named by its URL alone.
    t.equal(targetOf(report, ID.login80).detail, `proxy ${squid.url} requires authentication for http://${LOGIN}/ (HTTP 407)`);
    t.match(targetOf(report, ID.login443).fix, [/^give the proxy credentials in the proxy URL/]);
  });

  await t.test('a wrong password: the same, and that password is not shown either', async (t) => {
    const wrong = 'Wr0ng-squid-guess';
    const run = await vnet.check([...AD_AND_STORAGE, '--proxy', `http://${username}:${wrong}@${PROXY_ADDRESS}:${PROXY_PORT}`]);
    const report = reportOf(t, run, 1);
    t.same(outcomes(report), webTargets('blocked proxy-auth-required'), 'verdict and reason of every target');
    t.equal(targetOf(report, ID.blob443).detail, `proxy ${masked} (Squid) requires authentication for ${BLOB}:443 (HTTP 407, ERR_CACHE_ACCESS_DENIED)`);
    t.notOk((run.stdout + run.stderr).includes(wrong), 'no password in the output');
  });

  await t.test('the right credentials: reachable; the refused domain is proxy-denied naming Squid; the password appears nowhere', async (t) => {
    const out = path.join(vnet.dir, 'squid-auth-report.json');
    // The table on stdout, the JSON report in --out, debug logs on stderr: every output at once.
    const run = await vnet.check([...AD_AND_STORAGE, '--proxy', squid.urlWithCredentials ?? '', '-o', 'table', '--out', out, '--log-level', 'debug']);
    const reportFile = await readFile(out, 'utf8');
    const report = reportOf(t, { ...run, json: JSON.parse(reportFile) as Report }, 1);
    t.same(outcomes(report), { [ID.login80]: 'reachable -', [ID.login443]: 'reachable -', [ID.blob443]: 'blocked proxy-denied', [ID.file443]: 'reachable -', [ID.file445]: 'blocked tcp-refused' }, 'verdict and reason of every target');
    const blob = targetOf(report, ID.blob443);
    t.equal(blob.detail, `proxy ${masked} (Squid) refused to tunnel to ${BLOB}:443 (HTTP 403, ERR_ACCESS_DENIED)`);
    t.equal(blob.phase, 'http');
    t.same(blob.fix, ['allow <storage>.blob.core.windows.net on the proxy', `allow outbound TCP 443 to ${BLOB}`], 'the fix is on the proxy first');
    t.equal(targetOf(report, ID.login443).detail, `HTTP 401 from ${LOGIN} through proxy ${masked}/ over TLSv1.3, certificate issued by ${SERVICE_ISSUER}`);
    t.equal(report.settings.proxy, `${masked}/`);
    t.match(run.stderr, /"level":20/, 'debug logs were written, and are checked below');

    t.match(run.stdout, /ERR_ACCESS_DENIED/, 'the table shows the denial');
    const outputs = [
      ['the table on stdout', run.stdout],
      ['stderr', run.stderr],
      ['the --out report', reportFile],
    ] as const;
    for (const [where, text] of outputs) {
      t.notOk(text.includes(password), `no password in ${where}`);
      t.notOk(text.includes(encodeURIComponent(password)), `no encoded password in ${where}`);
      t.notOk(text.includes(basicToken), `no Basic token in ${where}`);
    }
  });
});
