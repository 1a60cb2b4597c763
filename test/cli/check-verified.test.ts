/**
 * `check` never says "every required endpoint is reachable" or exits 0 when nothing required
 * got a verdict: the false green of a run whose targets were all skipped.
 */
import t from 'tap';
import { spawnCli } from '../helpers/cli.js';
import { reportSchemaErrors } from '../helpers/schema.js';

t.test('no false green: asking for features whose facts are missing checks nothing and exits 3 in every format', async (t) => {
  // Every target is skipped, so nothing is dialled; the dead loopback resolver is a second guard.
  const args = ['check', '--region', 'westus2', '--features', 'key-vault,container-registry', '--dns-server', '127.0.0.1:9'];
  const table = await spawnCli(args);
  t.equal(table.code, 3, table.stderr);
  t.notMatch(table.stdout, /Every required endpoint is reachable/);
  t.match(table.stdout.replace(/\s+/g, ' '), /No required endpoint got a verdict, so nothing is proven reachable; to check them, give --hbi --key-vault, --container-registry\./);
  const json = await spawnCli([...args, '-o', 'json']);
  const report = JSON.parse(json.stdout) as { summary: { exitCode: number; requiredVerified: number; featuresNotChecked: string[] }; settings: { features: string[] } };
  t.same(reportSchemaErrors(report), []);
  t.match(report, { summary: { exitCode: 3, requiredVerified: 0, featuresNotChecked: ['key-vault', 'container-registry'] }, settings: { features: ['key-vault', 'container-registry'] } });
  const junit = await spawnCli([...args, '-o', 'junit']);
  t.match(junit.stdout, /<testcase name="not-verified-1" classname="aml-netcheck\.verification"[^>]*>\s*<error type="no-verdict" message="No required endpoint got a verdict/, 'a CI test view shows an error, not green');
  const markdown = await spawnCli([...args, '-o', 'markdown']);
  t.match(markdown.stdout, /\*\*not verified\*\*: No required endpoint got a verdict/);
  t.notMatch(markdown.stdout, /every required endpoint is reachable/);
  const html = await spawnCli([...args, '-o', 'html']);
  t.match(html.stdout, /No required endpoint was checked/);
  t.match(html.stdout, /<strong>Not verified:<\/strong> Feature key-vault was asked for but not checked: it needs --hbi --key-vault\./);
  t.notMatch(html.stdout, /Every required endpoint is reachable/);
});
