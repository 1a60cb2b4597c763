import t from 'tap';
import { diffReports } from '../../../src/report/diff.js';
import { renderDiffTable } from '../../../src/render/diff/table.js';
import { recordedReport, sampleDiff } from '../../helpers/sample-diff.js';

const diff = sampleDiff();

t.test('newly broken first, each with its detail and fix; then changed, no verdict, added, removed', async (t) => {
  const text = renderDiffTable(diff, { width: 160, color: false });
  t.match(text, /^aml-netcheck diff: 3 required targets newly blocked; targets: 2 changed, 1 without a verdict in one run\.\n/);
  const order = ['NEWLY BROKEN  login.microsoftonline.com:443', 'CHANGED       login.microsoftonline.com:80', 'NO VERDICT    slow.example.com:443', 'added         new.example.com:443', 'removed       old.example.com:443'];
  const at = order.map((label) => text.indexOf(label));
  t.notOk(at.includes(-1), `every kind listed: ${at.join(', ')}`);
  t.same(
    [...at].sort((a, b) => a - b),
    at,
    'in the order of what needs action',
  );
  t.match(
    text,
    /CHANGED {7}st1\.file\.core\.windows\.net:445 +blocked \(tcp-timeout → tcp-refused\)\n {6}connect to 10\.99\.1\.3:445 refused \(ECONNREFUSED\); a web proxy cannot carry port 445, so this needs direct egress through the firewall\n {6}fix: {2}allow direct outbound TCP 445 to st1\.file\.core\.windows\.net from this subnet — it cannot go through the proxy/,
  );
  t.match(text, /STILL BROKEN {2}Workspace storage account \(workspace-storage\) +broken\n/);
  t.match(text, /\nNewly broken: login\.microsoftonline\.com:443, st1\.blob\.core\.windows\.net:443, st1\.file\.core\.windows\.net:443\.\nPartial: /);
});

t.test('the table fits the width it is given and never cuts a target name', async (t) => {
  for (const width of [40, 60, 80, 100, 160]) {
    const text = renderDiffTable(diff, { width, color: false });
    t.same(
      text.split('\n').filter((line) => line.length > width),
      [],
      `width ${width}`,
    );
    t.notMatch(text, /…/, `width ${width}: nothing cut`);
    for (const id of diff.targets.filter((x) => x.change !== 'unchanged').map((x) => x.id)) {
      if (id.length < width - 20) t.match(text, id, `width ${width}: ${id} whole`);
    }
  }
});

t.test('colour only when asked, and outside text never reaches the terminal raw', async (t) => {
  const plain = renderDiffTable(diff, { width: 100, color: false });
  const coloured = renderDiffTable(diff, { width: 100, color: true });
  t.notMatch(plain, /\u001b/);
  t.match(coloured, /\u001b\[31mNEWLY BROKEN\u001b\[0m/);
  t.match(coloured, /\u001b\[32m|\u001b\[33mCHANGED/);
  t.equal(coloured.replace(/\u001b\[\d+m/g, ''), plain, 'the same text, painted');
  t.match(plain, /Action: Deny \| <script>alert\(1\)<\/script> \]\]> \\x1b\[2J/);
});

t.test('nothing changed: said in a line, not an empty table', async (t) => {
  const report = recordedReport('dns-every-endpoint-reachable-exit-0-every-target-reachable-every-feature-ok');
  const text = renderDiffTable(diffReports(report, report), { width: 100, color: false });
  t.match(text, /^aml-netcheck diff: nothing newly broken\.\n/);
  t.match(text, /Features\n {2}2 features unchanged\n\nTargets\n {2}5 targets unchanged\n\nNothing newly broken\.\n$/);
});
