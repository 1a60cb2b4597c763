import t from 'tap';
import { cells, tablesOf } from '../../helpers/markdown.js';
import { renderCheckMarkdown } from '../../../src/render/check/markdown.js';
import { renderRulesAzPolicy } from '../../../src/render/rules/az-policy.js';
import { sampleReport } from '../../helpers/sample-report.js';

const report = sampleReport();
const text = renderCheckMarkdown(report, renderRulesAzPolicy);

t.test('one summary line, what is broken, then the blocked targets with reason and fix', async (t) => {
  const lines = text.split('\n');
  t.equal(lines[0], '## aml-netcheck report');
  t.match(lines[2], /^aml-netcheck 9\.9\.9: \*\*3 feature\(s\) broken\*\*, 2 required endpoint\(s\) blocked \(Azure public, westus2, requirements of 2026-03; .* the run was cut short \(deadline\)\)\.$/);
  t.match(text, /\*\*Broken\*\*, and what their users see:\n\n(- .*\n)*- Workspace storage account \(`workspace-storage`\): Jobs cannot read inputs or write outputs/);
  t.match(text, /- \*\*No verdict:\*\* .*\(`studio`\)/);
  t.match(text, /- \*\*Degraded:\*\* .*\(`azure-ad`\)/);
  t.match(text, /\| `st1\.file\.core\.windows\.net:445` \| workspace-storage, integrated-notebook \| `tcp-timeout` \| .* \| allow outbound TCP 445 to st1\.file\.core\.windows\.net \|/);
  t.match(text, /<details>\n<summary>Without a verdict \(1\)<\/summary>/, 'the rest is collapsed');
  t.match(text, /<summary>Every target \(7\)<\/summary>/);
});

t.test('every table is well formed: each row has as many cells as its header', async (t) => {
  const blocks = tablesOf(text);
  t.ok(blocks.length >= 4, `${blocks.length} tables`);
  for (const block of blocks) {
    const [header, rule, ...rows] = block;
    const width = cells(header as string).length;
    t.match(rule, /^\| (?:--- \| )*--- \|$/, 'a separator row under the header');
    t.equal(cells(rule as string).length, width);
    for (const row of rows) t.equal(cells(row).length, width, row);
  }
});

t.test('text from outside cannot break a cell, inject HTML or reach the terminal raw', async (t) => {
  t.notMatch(text, /\u001b/);
  t.notMatch(text, /<script>/);
  t.match(text, /Action: Deny \\\| &lt;script&gt;alert\(1\)&lt;\/script&gt; \]\]&gt; \\x1b\[2J/);
});
