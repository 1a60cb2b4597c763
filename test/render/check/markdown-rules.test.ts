import { readFileSync } from 'node:fs';
import t from 'tap';
import type { CheckReport } from '../../../src/report/report.js';
import { renderCheckMarkdown } from '../../../src/render/check/markdown.js';
import { renderRulesAzPolicy } from '../../../src/render/rules/az-policy.js';

function fixture(name: string): CheckReport {
  return JSON.parse(readFileSync(new URL(`../../fixtures/reports/${name}.json`, import.meta.url), 'utf8')) as CheckReport;
}

t.test('the Markdown report carries the firewall commands for what a firewall blocked, collapsed', async (t) => {
  const markdown = renderCheckMarkdown(fixture('firewall-the-firewall-drops-smb-and-resets-http-tcp-timeout-and-tcp-refused-each-breaking-'), renderRulesAzPolicy);
  t.match(markdown, /<details>\n<summary>Azure Firewall Policy commands for the blocked targets<\/summary>\n\n```sh\n#!\/usr\/bin\/env bash\n/);
  t.match(markdown, /--destination-fqdns 'st1\.file\.core\.windows\.net' \\\n +--destination-ports '445'\n/);
  t.match(markdown, /--destination-addresses 'AzureActiveDirectory'/);
  t.match(markdown, /```\n\n<\/details>/);
});

t.test('no firewall commands where DNS is the cause', async (t) => {
  const markdown = renderCheckMarkdown(fixture('dns-with-private-endpoint-and-private-resources-storage'), renderRulesAzPolicy);
  t.match(markdown, /### Blocked/);
  t.notMatch(markdown, /Azure Firewall Policy commands/);
});
