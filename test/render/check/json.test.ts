import t from 'tap';
import { loadCatalog } from '../../../src/catalog/load.js';
import { defaultFacts } from '../../../src/facts/facts.js';
import { buildReport, type CheckReport } from '../../../src/report/report.js';
import type { CheckedTarget } from '../../../src/model/result.js';
import { sampleChecked } from '../../helpers/targets.js';
import { checkJsonChunks, renderCheckJson } from '../../../src/render/check/json.js';

const catalog = loadCatalog();

function target(host: string, detail: string): CheckedTarget {
  return sampleChecked(`${host}:443`, 'blocked', 'http-denied', { probe: 'https', features: ['studio'], phase: 'http', detail, warnings: ['a "quoted"\nwarning'], timings: { total: 3 } });
}

function reportOf(targets: CheckedTarget[]): CheckReport {
  return buildReport({
    catalog,
    version: '1.2.3',
    startedAt: new Date('2026-01-02T03:04:05Z'),
    durationMs: 12,
    facts: defaultFacts(),
    settings: { timeoutMs: 5000, deadlineMs: null, concurrency: 32, retries: 1, dnsServers: [], proxy: null, proxySource: null },
    targets,
    stoppedBy: null,
  });
}

t.test('the chunks make exactly the text JSON.stringify would, one target per chunk', async (t) => {
  const report = reportOf([target('ml.azure.com', 'deny page:\n"Action: Deny" ✗'), target('a.test', 'tab\there'), target('b.test', '')]);
  t.equal(renderCheckJson(report), `${JSON.stringify(report, null, 2)}\n`);
  const chunks = [...checkJsonChunks(report)];
  t.equal(chunks.filter((c) => c.startsWith('    {')).length, 3, 'each target is written on its own');
  t.ok(Math.max(...chunks.map((c) => c.length)) < renderCheckJson(report).length / 2, 'no chunk holds most of the report');
});

t.test('a report with no targets is still the same document', async (t) => {
  const report = reportOf([]);
  t.equal(renderCheckJson(report), `${JSON.stringify(report, null, 2)}\n`);
});
