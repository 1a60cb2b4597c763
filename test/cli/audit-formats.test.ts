import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import t from 'tap';
import { runCli } from '../helpers/cli.js';
import { AUDIT_FIXTURES, MISTAKES_BEHIND_NSG } from '../helpers/sample-audit.js';
import { sampleWorkspaceFlags } from '../helpers/sample-workspace.js';

// `audit` in the formats a report has beside table and JSON, end to end from the CLI.
const MISTAKES = [...MISTAKES_BEHIND_NSG.flatMap((name) => ['--config', `${AUDIT_FIXTURES}${name}`]), '--source', '10.0.1.0/24'];

t.test('-o markdown, -o junit and -o html print the audit; the exit code is the audit’s', async (t) => {
  const markdown = await runCli(['audit', ...sampleWorkspaceFlags(), ...MISTAKES, '-o', 'markdown'], { forbidNetwork: true });
  t.equal(markdown.code, 1, markdown.stderr);
  t.match(markdown.stdout, /^## aml-netcheck audit\n\n\*\*0 of \d+ targets allowed\*\*/);
  t.match(markdown.stdout, /\n\| `st1\.blob\.core\.windows\.net:443` \| required \| \*\*DENIED\*\* \| by Deny-First\/block-blob\/no-blob \(100\/100, application, fwp-mistakes\) \|/);
  const junit = await runCli(['audit', ...sampleWorkspaceFlags(), ...MISTAKES, '-o', 'junit'], { forbidNetwork: true });
  t.equal(junit.code, 1);
  t.equal(XMLValidator.validate(junit.stdout), true);
  t.match(junit.stdout, /<testsuite name="Workspace storage account \(workspace-storage\)" tests="\d+" failures="[1-9]\d*"/, 'suites named as the catalog names the feature');
  t.match(junit.stdout, new RegExp(`timestamp="${new Date().getUTCFullYear()}-`), 'dated when the audit ran');
  const html = await runCli(['audit', ...sampleWorkspaceFlags(), ...MISTAKES, '-o', 'html'], { forbidNetwork: true });
  t.equal(html.code, 1);
  t.match(html.stdout, /^<!doctype html>/);
  t.match(html.stdout, /<section id="by-rule"><h2>By rule<\/h2>/);
});

t.test('the warnings printed on stderr are in the report too', async (t) => {
  const run = await runCli(['audit', ...sampleWorkspaceFlags(), '--config', `${AUDIT_FIXTURES}no-smb-template.json`, '--features', 'workspace-storage', '--source', '10.0.1.0/24', '-o', 'markdown'], { forbidNetwork: true });
  t.equal(run.code, 1);
  const warning = /^aml-netcheck: warning: (.*)$/m.exec(run.stderr)?.[1];
  t.ok(warning);
  t.match(run.stdout, `### Warnings (1)\n\n- ${warning}\n`);
});

t.test('--out picks the format by the file’s ending, as for check', async (t) => {
  const dir = t.testdir({});
  const files = ['audit.md', 'audit.markdown', 'audit.xml', 'audit.html', 'audit.htm', 'audit.json', 'audit.txt'].map((name) => join(dir, name));
  const run = await runCli(['audit', ...sampleWorkspaceFlags(), ...MISTAKES, ...files.flatMap((file) => ['--out', file])], { forbidNetwork: true, columns: 120 });
  t.equal(run.code, 1, run.stderr);
  const [md, markdown, xml, html, htm, json, txt] = files.map((file) => readFileSync(file, 'utf8'));
  t.match(md, /^## aml-netcheck audit\n/);
  t.equal(markdown, md);
  t.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="aml-netcheck audit"/);
  t.match(html, /^<!doctype html>[^]*id="by-rule"/);
  t.equal(htm, html);
  t.match(JSON.parse(json as string), { kind: 'aml-netcheck-audit', exitCode: 1 });
  t.match(txt, /^0 of \d+ targets allowed by NSG nsg-aml-subnet; fwp-mistakes, DNS proxy off; sources 10\.0\.1\.0\/24\n\nHOST +PORT +VERDICT +RULE OR REASON\n/, 'the table');
});

t.test('a file ending no audit format has is refused, naming the endings it writes', async (t) => {
  const run = await runCli(['audit', ...sampleWorkspaceFlags(), ...MISTAKES, '--out', join(t.testdir({}), 'audit.sh')], { forbidNetwork: true });
  t.equal(run.code, 2);
  t.match(run.stderr, /^aml-netcheck: --out: '[^']*' names [^;]* by its ending \.sh, which this command does not write; it writes \.json json; \.txt table; \.md or \.markdown markdown; \.xml junit; \.html or \.htm html; and JSON for any other name\n$/);
});

t.test('audit --help lists the formats', async (t) => {
  const run = await runCli(['audit', '--help']);
  t.match(run.stdout.replace(/\s+/g, ' '), /-o, --output <format> report format \(choices: "table", "json", "markdown", "junit", "html", default: "table"\)/);
});
