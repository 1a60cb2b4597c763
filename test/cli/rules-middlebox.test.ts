import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { runCli } from '../helpers/cli.js';

const REPORT = join(fileURLToPath(new URL('../fixtures/reports/', import.meta.url)), 'proxy-the-proxy-cannot-reach-the-host-blocked-for-plain-http-as-for-https.json');

t.test('rules --from-report: a proxy that could not reach the host is fixed on the proxy’s own way out', async (t) => {
  const proxy = await runCli(['rules', '--from-report', REPORT, '-o', 'proxy'], { forbidNetwork: true });
  t.equal(proxy.code, 0, proxy.stderr);
  t.match(proxy.stdout, /# The proxy let these through but could not reach them itself: allow the proxy's own outbound traffic to them .*\n#   login\.microsoftonline\.com:80\n#   login\.microsoftonline\.com:443\n/);
  const table = await runCli(['rules', '--from-report', REPORT], { forbidNetwork: true });
  t.equal(table.code, 0, table.stderr);
  t.match(table.stdout, /login\.microsoftonline\.com:443  proxy-gateway-error\n\s+fix:  the proxy let the request through but could not reach login\.microsoftonline\.com:443\s+itself/);
});
