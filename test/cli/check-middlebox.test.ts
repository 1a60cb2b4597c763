/**
 * `check` end to end against answers written by devices: a transparent device in front of the
 * hosts, and an inspecting proxy whose CA is trusted with --ca-file. Real servers on loopback,
 * certificates per run; the verdict, reason, detail and fix an admin sees.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { startDnsServer } from '../../src/simulate/dns-server.js';
import { createPki } from '../../src/simulate/pki.js';
import { spawnCli } from '../helpers/cli.js';
import { SIMULATED_ROOT_VARIABLE } from '../../src/runner/trust.js';
import { BLOCK_PAGES, GATEWAY_ERRORS, SERVICE_ANSWERS, startInspectingProxy } from '../helpers/middleboxes.js';
import { reportSchemaErrors } from '../helpers/schema.js';
import type { ReportAsserts } from '../helpers/vnet.js';
import { started, startHttpServer } from '../helpers/servers.js';
import { loopbackNet } from '../helpers/loopback.js';

const CATALOG = 'test/fixtures/catalog/sim/middlebox.yaml';
const NET = loopbackNet();
const ADDRESS = { blocked: `${NET}.2`, gateway: `${NET}.3`, own: `${NET}.4`, pypi: `${NET}.5`, down: `${NET}.6` };

interface ReportTarget {
  id: string;
  verdict: string;
  reason: string | null;
  detail: string;
  fix: string[];
  via: string;
}

const pki = await createPki();
const inspected = (host: string) => pki.issue({ names: [host], issuer: 'interception', withChain: true });

async function setUp(t: { teardown(fn: () => unknown): void }) {
  const zone = Object.fromEntries(Object.entries(ADDRESS).map(([name, address]) => [`${name}.mb.test`, { a: [address] }]));
  const dns = await started(
    t,
    startDnsServer(zone).then((server) => ({ ...server, port: server.server.port })),
  );
  const dir = mkdtempSync(join(tmpdir(), 'amlnc-middlebox-'));
  const caFile = join(dir, 'ca.pem');
  // The inspecting CA trusted, as an admin does with --ca-file: the device's answer gets through TLS.
  writeFileSync(caFile, `${pki.trusted.cert}\n${pki.interception.cert}`);
  // The simulated hosts' own root stands in for the public roots (the inspecting CA does not).
  const rootFile = join(dir, 'root.pem');
  writeFileSync(rootFile, pki.trusted.cert);
  process.env[SIMULATED_ROOT_VARIABLE] = rootFile;
  // The loopback resolver answers with loopback addresses on purpose: they are the services here.
  // Nothing here is dropped: a long phase budget costs nothing, and a busy machine needs it.
  const args = ['check', '--catalog', CATALOG, '--dns-server', `${dns.server.address}:${dns.server.port}`, '--allow-loopback-answers', '--ca-file', caFile, '--retries', '0', '--timeout', '20s', '-o', 'json'];
  return { args };
}

/** Runs check, which finds something blocked (exit 1) in a valid report, and gives its targets by id. */
async function checkTargets(t: Pick<ReportAsserts, 'equal' | 'same'>, args: readonly string[]): Promise<Record<string, ReportTarget>> {
  const run = await spawnCli(args, { timeoutMs: 60_000 });
  t.equal(run.code, 1, run.stderr);
  const report = JSON.parse(run.stdout) as { targets: ReportTarget[] };
  t.same(reportSchemaErrors(report), [], 'the report matches the published schema');
  return Object.fromEntries(report.targets.map((target) => [target.id, target]));
}

t.test('a transparent device: its block page and its gateway error are blocked and name it; the service’s own 403 is reachable', async (t) => {
  const { args } = await setUp(t);
  await started(t, startHttpServer(BLOCK_PAGES.zscaler!.handler, inspected('blocked.mb.test'), { address: ADDRESS.blocked, port: 18443 }));
  await started(t, startHttpServer(GATEWAY_ERRORS['zscaler-timeout']!.handler, inspected('gateway.mb.test'), { address: ADDRESS.gateway, port: 18443 }));
  await started(t, startHttpServer(SERVICE_ANSWERS['own 403 through Squid']!.handler, pki.issue({ names: ['own.mb.test'] }), { address: ADDRESS.own, port: 18443 }));
  const targets = await checkTargets(t, [...args, '--features', 'sim-direct']);
  t.match(targets['blocked.mb.test:18443'], {
    verdict: 'blocked',
    reason: 'http-denied',
    detail: `blocked by Zscaler (block page) for https://blocked.mb.test:18443/ at ${ADDRESS.blocked}:18443 (HTTP 403)`,
    fix: ['allow outbound HTTPS 18443 to blocked.mb.test'],
  });
  t.match(targets['gateway.mb.test:18443'], {
    verdict: 'blocked',
    reason: 'http-gateway-error',
    detail: `Zscaler could not reach gateway.mb.test:18443: it answered GET https://gateway.mb.test:18443/ at ${ADDRESS.gateway}:18443 itself (HTTP 504)`,
    fix: [/^a device between here and gateway\.mb\.test \(a transparent proxy or inspecting firewall\) could not reach it/, 'allow outbound HTTPS 18443 to gateway.mb.test'],
  });
  t.match(targets['own.mb.test:18443'], { verdict: 'reachable', reason: null, detail: /^HTTP 403 from / });
});

t.test('an inspecting proxy: its deny inside the tunnel and for plain http, and its gateway error, are the proxy’s; the service’s own 403 through it is reachable', async (t) => {
  const { args } = await setUp(t);
  const proxy = await started(
    t,
    startInspectingProxy(inspected, {
      'pypi.mb.test': BLOCK_PAGES.squid!.handler,
      'down.mb.test': GATEWAY_ERRORS['squid-connect-fail']!.handler,
      'own.mb.test': SERVICE_ANSWERS['own 403 through Squid']!.handler,
    }),
  );
  const url = `http://127.0.0.1:${proxy.port}`;
  const targets = await checkTargets(t, [...args, '--features', 'sim-proxied', '--proxy', url]);
  t.match(targets['pypi.mb.test:18443'], {
    verdict: 'blocked',
    reason: 'proxy-denied',
    via: 'proxy',
    detail: `proxy ${url} (Squid) denied GET https://pypi.mb.test:18443/ itself inside the TLS it inspects (HTTP 403, ERR_ACCESS_DENIED)`,
    fix: ['allow pypi.mb.test on the proxy', 'allow outbound HTTPS 18443 to pypi.mb.test'],
  });
  t.match(targets['pypi.mb.test:18080'], {
    verdict: 'blocked',
    reason: 'proxy-denied',
    detail: `proxy ${url} (Squid) denied GET http://pypi.mb.test:18080/ itself (HTTP 403, ERR_ACCESS_DENIED)`,
  });
  t.match(targets['down.mb.test:18443'], {
    verdict: 'blocked',
    reason: 'proxy-gateway-error',
    detail: `proxy ${url} (Squid) could not reach down.mb.test:18443: it answered GET https://down.mb.test:18443/ itself inside the TLS it inspects (HTTP 503, ERR_CONNECT_FAIL)`,
    fix: [/^the proxy let the request through but could not reach down\.mb\.test:18443 itself/, 'allow outbound HTTPS 18443 to down.mb.test'],
  });
  // The service answered, but through TLS the proxy re-signs: it works, and it is inspection.
  t.match(targets['own.mb.test:18443'], {
    verdict: 'warning',
    reason: null,
    detail: new RegExp(`^HTTP 403 from own\\.mb\\.test through proxy ${url.replaceAll('.', '\\.')}/ over TLS`),
    warnings: [/^TLS to own\.mb\.test is re-signed by ".*", trusted only through a CA added to this machine/],
  });
});
