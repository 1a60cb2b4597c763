import t from 'tap';
import { spawnCli } from '../helpers/cli.js';
import { reportSchemaErrors } from '../helpers/schema.js';

interface ReportTarget {
  host: string;
  port: number;
  verdict: string;
  reason: string | null;
  detail: string;
}

t.test('the demo runs the real checks against the simulated Azure and finds what it broke', async (t) => {
  const run = await spawnCli(['demo', '-o', 'json'], { timeoutMs: 60_000 });
  t.equal(run.code, 1, 'required endpoints are blocked, so exit 1');
  t.notMatch(run.stderr, /Warning|Error/, 'no warnings or errors on stderr');
  const report = JSON.parse(run.stdout) as { targets: ReportTarget[]; features: Array<{ id: string; status: string }>; summary: { complete: boolean } };
  t.same(reportSchemaErrors(report), [], 'the report matches the published schema');
  const blocked = report.targets
    .filter((x) => x.verdict === 'blocked')
    .map((x) => `${x.host}:${x.port} ${x.reason}`)
    .sort();
  // The newest revision: hosts the article gives no port are checked on 443 only.
  t.same(blocked, [
    'cloud.r-project.org:443 dns-nxdomain',
    'conda.anaconda.org:443 http-denied',
    'demodata.file.core.windows.net:445 tcp-timeout',
    'download.pytorch.org:443 dns-sinkholed',
    'graph.windows.net:443 tls-reset',
    'pypi.org:443 http-denied',
    'repo.anaconda.com:443 tls-untrusted',
  ]);
  // A transparent Squid answers for conda.anaconda.org with its own deny page: named, with its error.
  t.match(
    report.targets.find((x) => x.host === 'conda.anaconda.org'),
    { reason: 'http-denied', detail: /^blocked by Squid \(block page\) for https:\/\/conda\.anaconda\.org:443\/ at 127\.\d+\.\d+\.\d+:443 \(HTTP 403, ERR_ACCESS_DENIED\)$/ },
    'the documented port, not the one the demo serves it at',
  );
  // UDP 5831 gets no reply in the demo, which UDP cannot tell from a drop: a warning, not a block.
  t.match(
    report.targets.find((x) => x.host === 'westus2.tundra.azureml.ms'),
    { port: 5831, verdict: 'warning', reason: 'udp-unverified' },
  );
  // A DNS filter answers PyTorch's wheels with 0.0.0.0: blocked at DNS, fixed on the filter, nothing dialled.
  t.match(
    report.targets.find((x) => x.host === 'download.pytorch.org'),
    {
      verdict: 'blocked',
      reason: 'dns-sinkholed',
      phase: 'dns',
      detail: /^127\.\d+\.0\.1:\d+ answered download\.pytorch\.org with 0\.0\.0\.0 \(this network\), :: \(unspecified\): a DNS filter or sinkhole, not the service$/,
      fix: [/^allow download\.pytorch\.org on the DNS filter that answered for it/],
      phases: { tcp: [] },
    },
  );
  t.ok(report.targets.filter((x) => x.verdict === 'reachable').length > 30, 'the rest is reachable');
  t.same(
    report.features
      .filter((f) => f.status === 'broken')
      .map((f) => f.id)
      .sort(),
    ['compute-cluster', 'compute-instance', 'integrated-notebook', 'python-packages', 'r-packages', 'workspace-storage'],
  );
  t.equal(report.summary.complete, true);
  t.ok(run.ms < 20_000, `finished in ${run.ms} ms`);
});

t.test('the demo table says what it is and what broke', async (t) => {
  const run = await spawnCli(['demo'], { timeoutMs: 60_000 });
  t.equal(run.code, 1);
  t.match(run.stdout, /^Demo: a simulated Azure on 127\.(\d+)\.0\.0\/16/);
  t.match(run.stdout, /BROKEN\s+Python packages \(python-packages\)/);
  t.match(run.stdout, /fix:\s+exempt repo\.anaconda\.com from TLS inspection/);
  t.match(run.stdout, /BLOCKED\s+conda\.anaconda\.org:443\s+http-denied\s+blocked by Squid \(block page\)/, 'the Squid deny page, with its reason and device');
  t.match(run.stdout, /BLOCKED\s+download\.pytorch\.org:443\s+dns-sinkholed/);
  t.match(run.stdout, /Broken: .*workspace-storage/);
});

t.test('demo -o html prints one whole HTML document that names what broke', async (t) => {
  const run = await spawnCli(['demo', '-o', 'html'], { timeoutMs: 60_000 });
  t.equal(run.code, 1);
  t.equal(run.stderr, '');
  t.match(run.stdout, /^<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;/);
  t.match(run.stdout, /<\/html>\n$/);
  t.equal(run.stdout.match(/<html\b/g)?.length, 1, 'one document, nothing printed around it');
  t.match(run.stdout, /<strong>6 features broken: 6 required endpoints blocked\.<\/strong> <span class="exit">Exit code 1: a required endpoint is blocked\.<\/span>/);
  for (const id of ['compute-cluster', 'compute-instance', 'integrated-notebook', 'python-packages', 'r-packages', 'workspace-storage']) {
    t.match(run.stdout, new RegExp(`<tr data-tags="broken" class="tone-bad"><td data-sort="[^"]+"><strong>[^<]+</strong> <code class="muted">${id}</code><div class="impact">`), `${id} is broken`);
  }
  t.match(run.stdout, '<div class="fix">exempt repo.anaconda.com from TLS inspection');
});

t.test('every revision checks in every cloud: each target gets a verdict, and only what the demo breaks fails', async (t) => {
  const BROKEN_HOST = /^(demodata\.file\.core\.|pypi\.org$|conda\.anaconda\.org$|download\.pytorch\.org$|repo\.anaconda\.com$|graph\.windows\.net$|cloud\.r-project\.org$|[a-z0-9]+\.tundra\.azureml\.)/;
  for (const revision of ['2021-11', '2026-03']) {
    for (const cloud of ['public', 'usgov', 'china']) {
      const run = await spawnCli(['demo', '--revision', revision, '--cloud', cloud, '-o', 'json'], { timeoutMs: 60_000 });
      const report = JSON.parse(run.stdout) as { revision: { id: string }; facts: { cloud: string }; targets: ReportTarget[]; summary: { complete: boolean; internalErrors: number } };
      const label = `${revision} ${cloud}`;
      t.equal(run.code, 1, `${label}: exit 1, for what the demo broke`);
      t.same([report.revision.id, report.facts.cloud], [revision, cloud], `${label}: the report says what it checked`);
      t.same(reportSchemaErrors(report), [], `${label}: valid report`);
      t.equal(report.summary.complete, true, `${label}: complete`);
      const unexpected = report.targets.filter((x) => x.verdict !== 'skipped' && x.verdict !== 'reachable' && !BROKEN_HOST.test(x.host));
      t.same(
        unexpected.map((x) => `${x.host}:${x.port} ${x.verdict} ${x.reason}`),
        [],
        `${label}: everything not broken on purpose is reachable`,
      );
      t.ok(report.targets.filter((x) => x.verdict === 'reachable').length > 30, `${label}: most targets checked and reachable`);
    }
  }
});

t.test('demos side by side: each picks a loopback block of its own, and both report the documented ports', async (t) => {
  const [a, b] = await Promise.all([spawnCli(['demo', '-o', 'json'], { timeoutMs: 120_000 }), spawnCli(['demo', '-o', 'json'], { timeoutMs: 120_000 })]);
  for (const run of [a, b]) {
    t.equal(run.code, 1, run.stderr);
    t.equal(run.stderr, '', 'no EADDRINUSE, no warning');
  }
  const blocked = (stdout: string): string[] =>
    (JSON.parse(stdout) as { targets: Array<{ verdict: string; host: string; port: number; reason: string | null; detail: string }> }).targets
      .filter((x) => x.verdict === 'blocked')
      .map((x) => `${x.host}:${x.port} ${x.reason}`)
      .sort();
  t.same(blocked(a.stdout), blocked(b.stdout), 'both find the same things broken');
  const smb = (JSON.parse(a.stdout) as { targets: Array<{ host: string; port: number; detail: string }> }).targets.find((x) => x.host === 'demodata.file.core.windows.net' && x.port === 445);
  t.match(smb?.detail, /:445 timed out/, 'the SMB drop names port 445');
  t.notMatch(smb?.detail, /:20445/, 'not the port the demo serves it at');
});
