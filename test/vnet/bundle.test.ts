/**
 * `aml-netcheck bundle` inside a VNet whose only way out is a proxy that needs credentials:
 * the bundle holds the run as it was, the VNet's own resolver configuration and routes, and
 * not one secret.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { Manifest } from '../../src/bundle/manifest.js';
import { spawnCli } from '../helpers/cli.js';
import { AD_AND_STORAGE, DNS_ADDRESS, ID, PROXY_ADDRESS, PROXY_PORT, healthyAdAndStorage, outcomes, reportOf, requireRoot, startVnet } from '../helpers/vnet.js';

t.test('a bundle made behind a proxy that requires credentials', async (t) => {
  if (!requireRoot(t, ['tinyproxy', 'tar'])) return;
  const username = 'svc-aml';
  const password = 'Zq7-bundle-s3cret';
  const vnet = await startVnet(t, { hosts: healthyAdAndStorage() });
  const proxy = await vnet.startProxy({ basicAuth: { username, password } });
  await vnet.allowOnlyProxyEgress();
  // What `ip netns exec` shows the CLI as /etc/resolv.conf, with a secret someone left in a comment.
  const resolvSecret = 'ResolvSigSecret77';
  await writeFile(`/etc/netns/${vnet.namespace}/resolv.conf`, `# fetched with ?sv=2030-01-01&sig=${resolvSecret}\nnameserver ${DNS_ADDRESS}\noptions timeout:1 attempts:1\n`);
  const dir = await mkdtemp(join(tmpdir(), 'amlnc-vnet-bundle-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'vnet.tar.gz');

  const run = await vnet.check([...AD_AND_STORAGE, '--proxy', proxy.urlWithCredentials ?? '', '--out', file], { command: 'bundle', cwd: dir, env: { HTTPS_PROXY: proxy.urlWithCredentials ?? '' } });
  const report = reportOf(t, run, 1);
  t.same(outcomes(report), { [ID.login80]: 'reachable -', [ID.login443]: 'reachable -', [ID.blob443]: 'reachable -', [ID.file443]: 'reachable -', [ID.file445]: 'blocked tcp-refused' }, 'through the proxy, all but SMB');
  t.match(run.stderr, /aml-netcheck: bundle .*vnet\.tar\.gz \(\d+\.\d KiB, \d+ files\)\n$/);
  t.same((await readdir(dir)).sort(), ['vnet.tar.gz'], 'the bundle and nothing else');

  const verified = await spawnCli(['bundle', 'verify', file]);
  t.equal(verified.code, 0, verified.stdout);
  t.match(verified.stdout, /check: exit 1, broken: workspace-storage\n/);
  execFileSync('tar', ['-xzf', file, '-C', dir]);
  const top = join(dir, (await readdir(dir)).find((name) => name.startsWith('aml-netcheck-')) ?? '');
  const read = (name: string): Promise<string> => readFile(join(top, name), 'utf8');
  t.same(JSON.parse(await read('report.json')), report, 'the report inside is the report of the run');
  t.equal(await read('environment/resolv.conf'), `# fetched with ?sv=[redacted]&sig=[redacted]\nnameserver ${DNS_ADDRESS}\noptions timeout:1 attempts:1\n`, "the VNet's resolver configuration, redacted");
  t.notMatch(await read('environment/routes.txt'), /^default/m, 'the VNet has no default route, and the bundle says so');
  t.match(await read('environment/interfaces.json'), new RegExp(`"${DNS_ADDRESS.replace(/\./g, '\\.')}/32"`), 'with the VNet addresses');
  const proxyJson = JSON.parse(await read('environment/proxy.json')) as { variables: Record<string, string>; flag: string; used: string };
  t.same(
    proxyJson,
    { variables: { HTTPS_PROXY: `http://${username}:[redacted]@${PROXY_ADDRESS}:${PROXY_PORT}` }, flag: `http://${username}:[redacted]@${PROXY_ADDRESS}:${PROXY_PORT}`, used: `http://${username}:***@${PROXY_ADDRESS}:${PROXY_PORT}/`, source: '--proxy' },
    'the proxy used is shown masked, as the report shows it; the values given are redacted',
  );
  t.match(JSON.parse(await read('environment/clock.json')), { basis: 'https', skewed: false }, 'the clock against the HTTPS answers that came through the proxy');

  const manifest = JSON.parse(await read('manifest.json')) as Manifest;
  const everything = (await Promise.all(manifest.files.map((f) => read(f.name)))).join('\n') + JSON.stringify(manifest);
  for (const [where, text] of [
    ['the bundle', everything],
    ['stdout', run.stdout],
    ['stderr', run.stderr],
  ] as const) {
    t.notOk(text.includes(password), `the proxy password is not in ${where}`);
    t.notOk(text.includes(resolvSecret), `the resolv.conf secret is not in ${where}`);
  }
});
