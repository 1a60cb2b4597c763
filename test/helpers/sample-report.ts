import { loadCatalog } from '../../src/catalog/load.js';
import { defaultFacts } from '../../src/facts/facts.js';
import type { CheckedTarget } from '../../src/model/result.js';
import { buildReport, type CheckReport } from '../../src/report/report.js';
import type { FirewallRule } from '../../src/model/target.js';
import { sampleChecked } from './targets.js';

/** A report with one target of every kind a reporter must render, hostile text included. */
export function sampleReport(): CheckReport {
  const checked = (id: string, features: string[], verdict: CheckedTarget['verdict'], reason: CheckedTarget['reason'], extra: Partial<CheckedTarget> = {}): CheckedTarget => sampleChecked(id, verdict, reason, { features, ...extra });
  const rule = (destination: string, protocol: FirewallRule['protocol'], port: number): FirewallRule => ({ type: 'fqdn', destination, protocol, port, direction: 'outbound' });
  // The report attaches each fix from the rules: the first two blocked targets get one.
  const targets = [
    checked('st1.file.core.windows.net:445', ['workspace-storage', 'integrated-notebook'], 'blocked', 'tcp-timeout', { rules: [rule('st1.file.core.windows.net', 'TCP', 445)] }),
    checked('pypi.org:443', ['python-packages'], 'blocked', 'http-denied', {
      detail: 'a firewall denied GET https://pypi.org/ (HTTP 470): "Action: Deny | <script>alert(1)</script> ]]> \u001b[2J"',
      rules: [rule('pypi.org', 'HTTPS', 443)],
    }),
    checked('download.pytorch.org:443', ['python-packages'], 'blocked', 'tcp-refused', { required: false }),
    checked('login.microsoftonline.com:443', ['azure-ad'], 'warning', null, { warnings: ['DNS servers disagree'] }),
    checked('ml.azure.com:443', ['studio'], 'unknown', 'aborted', { detail: 'not finished: the 2m deadline came first' }),
    checked('gcr.io:443', ['arc-extension'], 'skipped', null, { detail: 'arc-extension is opt-in (add --features arc-extension)' }),
    checked('graph.windows.net:443', ['compute-instance'], 'reachable', null),
  ];
  return buildReport({
    catalog: loadCatalog(),
    version: '9.9.9',
    startedAt: new Date('2026-01-02T03:04:05Z'),
    durationMs: 1234,
    facts: { ...defaultFacts(), region: 'westus2' },
    settings: { timeoutMs: 5000, deadlineMs: 120000, concurrency: 32, retries: 1, dnsServers: [], proxy: null, proxySource: null },
    targets,
    stoppedBy: 'deadline',
  });
}
