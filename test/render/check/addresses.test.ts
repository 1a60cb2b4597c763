/**
 * A name with several addresses: the table, the Markdown and the HTML show what each address
 * gave, compactly, beside the detail that names only the one that decided.
 */
import t from 'tap';
import { loadCatalog } from '../../../src/catalog/load.js';
import { defaultFacts } from '../../../src/facts/facts.js';
import { fail, succeed, type TcpDetails } from '../../../src/model/phases.js';
import { EMPTY_PHASES, type CheckedTarget } from '../../../src/model/result.js';
import { buildReport } from '../../../src/report/report.js';
import { renderCheckHtml } from '../../../src/render/check/html.js';
import { renderCheckMarkdown } from '../../../src/render/check/markdown.js';
import { renderRulesAzPolicy } from '../../../src/render/rules/az-policy.js';
import { renderCheckTable } from '../../../src/render/check/table.js';
import { makeTarget } from '../../helpers/target.js';

const at = (address: string): TcpDetails => ({ address, port: 443, localAddress: null, localPort: null });
const v4ok = succeed('tcp', 3, at('10.0.0.5'));
const v6timeout = fail('tcp', 5000, 'tcp-timeout', 'connect to [fd00::5]:443 timed out after 5000 ms', null, at('fd00::5'));
const v4refused = fail('tcp', 1, 'tcp-refused', 'connect to 10.0.0.6:443 refused (ECONNREFUSED)', 'ECONNREFUSED', at('10.0.0.6'));
const v6refused = fail('tcp', 1, 'tcp-refused', 'connect to [fd00::6]:443 refused (ECONNREFUSED)', 'ECONNREFUSED', at('fd00::6'));

function checked(host: string, outcome: Partial<CheckedTarget> & Pick<CheckedTarget, 'verdict' | 'detail'>): CheckedTarget {
  return { ...makeTarget(host, 443), reason: null, phase: null, warnings: [], fix: [], via: 'direct', attempts: 1, timings: { total: 5003 }, phases: EMPTY_PHASES, ...outcome };
}

const report = buildReport({
  catalog: loadCatalog(),
  version: '9.9.9',
  startedAt: new Date('2026-01-02T03:04:05Z'),
  durationMs: 5100,
  facts: { ...defaultFacts(), region: 'westus2' },
  settings: { timeoutMs: 5000, deadlineMs: 120000, concurrency: 32, retries: 0, dnsServers: [], proxy: null, proxySource: null },
  targets: [
    checked('dual.test', {
      verdict: 'warning',
      phase: 'tcp',
      detail: 'HTTP 401 from 10.0.0.5:443',
      warnings: ['IPv6 is blocked: connect to [fd00::5]:443 timed out after 5000 ms; IPv4 10.0.0.5:443 works — clients that try IPv6 first wait for the timeout before falling back'],
      phases: { ...EMPTY_PHASES, tcp: [v4ok, v6timeout] },
    }),
    checked('dead.test', {
      verdict: 'blocked',
      reason: 'tcp-refused',
      phase: 'tcp',
      detail: 'connect to 10.0.0.6:443 refused (ECONNREFUSED); the same for [fd00::6]:443',
      fix: ['allow outbound TCP 443 to dead.test'],
      phases: { ...EMPTY_PHASES, tcp: [v4refused, v6refused] },
    }),
    checked('single.test', { verdict: 'blocked', reason: 'tcp-refused', phase: 'tcp', detail: 'connect to 10.0.0.6:443 refused (ECONNREFUSED)', phases: { ...EMPTY_PHASES, tcp: [v4refused] } }),
  ],
  stoppedBy: null,
});

const DUAL = 'addresses: 10.0.0.5:443 connected in 3ms, [fd00::5]:443 tcp-timeout';
const DEAD = 'addresses: 10.0.0.6:443 tcp-refused, [fd00::6]:443 tcp-refused';

t.test('the table lists each address under a target that has several', async (t) => {
  const text = renderCheckTable(report, { width: 200, color: false });
  t.match(text, `\n      ${DUAL}\n      note: IPv6 is blocked`);
  t.match(text, `\n      ${DEAD}\n      fix:  allow outbound TCP 443 to dead.test`);
  t.equal(text.split('addresses:').length - 1, 2, 'a target dialled on one address gets no such line');
});

t.test('the Markdown puts them in the detail of a blocked target and beside a warning', async (t) => {
  const text = renderCheckMarkdown(report, renderRulesAzPolicy);
  t.match(text, `| connect to 10.0.0.6:443 refused (ECONNREFUSED); the same for [fd00::6]:443; ${DEAD} |`);
  t.match(text, `wait for the timeout before falling back; ${DUAL} |`);
  t.equal(text.split('addresses:').length - 1, 2);
});

t.test('the HTML shows them under the detail', async (t) => {
  const text = renderCheckHtml(report);
  t.match(text, `<div class="muted">${DUAL}</div>`);
  t.match(text, `<div class="muted">${DEAD}</div>`);
});
