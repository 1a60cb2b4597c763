import t from 'tap';
import { cells, tablesOf } from '../../helpers/markdown.js';
import { renderDiffMarkdown } from '../../../src/render/diff/markdown.js';
import { diffReports } from '../../../src/report/diff.js';
import { recordedReport, sampleDiff } from '../../helpers/sample-diff.js';

const text = renderDiffMarkdown(sampleDiff());

t.test('a summary line, then newly broken, changed; what cannot be compared collapsed', async (t) => {
  const lines = text.split('\n');
  t.equal(lines[0], '## aml-netcheck diff');
  t.match(lines[2], /^\*\*3 required targets newly blocked; targets: 2 changed, 1 without a verdict in one run\*\* \(before: 2026-.*Z, after: 2026-.*Z\)\.$/);
  t.ok(text.indexOf('### Newly broken (3)') < text.indexOf('### Changed (2)'), 'newly broken first');
  t.match(
    text,
    /\| `st1\.file\.core\.windows\.net:445` \| workspace-storage \| blocked \(tcp-timeout\) \| blocked \(tcp-refused\) \| connect to 10\.99\.1\.3:445 refused \(ECONNREFUSED\); a web proxy cannot carry port 445, so this needs direct egress through the firewall \| allow direct outbound TCP 445 to st1\.file\.core\.windows\.net from this subnet — it cannot go through the proxy \|/,
  );
  t.match(text, /<details>\n<summary>No verdict \(1\)<\/summary>\n\n\| Target \| Features \| Before \| After \|\n\| --- \| --- \| --- \| --- \|\n\| `slow\.example\.com:443` \| workspace-storage \| reachable \| no verdict \(aborted\) \|/);
  t.match(text, /<summary>Added \(1\)<\/summary>[^]*`new\.example\.com:443`/);
  t.match(text, /<summary>Removed \(1\)<\/summary>[^]*`old\.example\.com:443`/);
});

t.test('every table is well formed: each row has as many cells as its header', async (t) => {
  const blocks = tablesOf(text);
  t.ok(blocks.length >= 5, `${blocks.length} tables`);
  for (const block of blocks) {
    const [header, rule, ...rows] = block;
    const width = cells(header as string).length;
    t.match(rule, /^\| (?:--- \| )*--- \|$/);
    for (const row of rows) t.equal(cells(row).length, width, row);
  }
});

t.test('text from outside cannot break a cell, inject HTML or reach the terminal raw', async (t) => {
  t.notMatch(text, /\u001b/);
  t.notMatch(text, /<script>/);
  t.match(text, /Action: Deny \\\| &lt;script&gt;alert\(1\)&lt;\/script&gt; \]\]&gt; \\x1b\[2J/);
});

t.test('the comparison warnings are in the ticket, and the newly broken features say what users see', async (t) => {
  const before = recordedReport('dns-every-endpoint-reachable-exit-0-every-target-reachable-every-feature-ok');
  const after = recordedReport('interrupt-sigint-while-a-check-hangs-ends-at-once-full-report-exit-130');
  const cut = renderDiffMarkdown(diffReports(before, after));
  t.match(cut, /\*\*Warnings\*\*, the comparison may mislead:\n\n- the runs were given different workspace facts \(storageAccount 'st1' → \(none\)\)[^\n]*\n- the AFTER run was cut short \(SIGINT\)/);
  const broken = renderDiffMarkdown(diffReports(before, recordedReport('firewall-the-firewall-drops-smb-and-resets-http-tcp-timeout-and-tcp-refused-each-breaking-')));
  t.match(broken, /Newly broken, and what their users will see:\n\n- Azure AD sign-in \(`azure-ad`\): Nobody can sign in/);
  t.match(broken, /\| Workspace storage account \(`workspace-storage`\) \| Newly broken \| ok \| broken \|/);
});
