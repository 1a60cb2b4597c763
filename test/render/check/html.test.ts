import { readdirSync, readFileSync } from 'node:fs';
import t from 'tap';
import { byImpact } from '../../../src/report/features.js';
import type { CheckReport } from '../../../src/report/report.js';
import { renderCheckHtml } from '../../../src/render/check/html.js';
import { sampleReport } from '../../helpers/sample-report.js';
import { assertStandalonePage, decodeEntities, element } from '../../helpers/standalone-page.js';

const FIXTURES = new URL('../../fixtures/reports/', import.meta.url);
const recorded = readdirSync(FIXTURES)
  .filter((name) => name.endsWith('.json'))
  .map((name) => ({ name, report: JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as CheckReport }));

// The markup is ours and every value in it escaped, so no `>` or `"` occurs inside an
// attribute value and no `</td>` inside a cell: plain patterns read it reliably.

/** Text as a reader sees it: tags dropped, the five entities decoded. */
function text(markup: string): string {
  return decodeEntities(markup.replace(/<[^>]*>/g, ''));
}

interface TableRow {
  readonly tags: string[];
  readonly cells: Array<{ text: string; sort: string | undefined; markup: string }>;
}

function tableRows(page: string, id: string): TableRow[] {
  const body = element(page, new RegExp(`<table id="${id}"[\\s\\S]*?<tbody>([\\s\\S]*?)</tbody>`));
  return [...body.matchAll(/<tr data-tags="([^"]*)"[^>]*>([\s\S]*?)<\/tr>/g)].map((row) => ({
    tags: (row[1] as string).split(' '),
    cells: [...(row[2] as string).matchAll(/<td([^>]*)>([\s\S]*?)<\/td>/g)].map((cell) => ({
      markup: cell[2] as string,
      text: text(cell[2] as string),
      sort: /data-sort="([^"]*)"/.exec(cell[1] as string)?.[1],
    })),
  }));
}

const PROBLEM_RANK = (target: CheckReport['targets'][number]): number => (target.verdict === 'blocked' ? (target.required ? 0 : 1) : { unknown: 2, warning: 3, reachable: 4, skipped: 5 }[target.verdict]);

t.test('every recorded report renders to a page that stands alone and says what the report says', async (t) => {
  t.ok(recorded.length >= 20, `${recorded.length} recorded reports`);
  for (const { name, report } of recorded) {
    t.test(name, async (t) => {
      const page = renderCheckHtml(report);
      const { summary } = report;

      // Nothing is fetched, and the policy lets exactly our inline style and script in.
      assertStandalonePage(t, page);

      // The summary's numbers are the report's.
      const tiles = [...page.matchAll(/<div class="tile [^"]*"><span class="n">(\d+)<\/span> ([^<]+)<\/div>/g)].map((m) => `${m[1]} ${m[2]}`);
      t.same(tiles, [`${summary.targets} targets`, `${summary.reachable} reachable`, `${summary.blocked} blocked (${summary.requiredBlocked} required)`, `${summary.warning} warnings`, `${summary.unknown} without a verdict`, `${summary.skipped} skipped`]);
      t.match(page, `Exit code ${summary.exitCode}: `);
      if (summary.stoppedBy === null) t.notMatch(page, /Incomplete:/);
      else t.match(page, /<strong>Incomplete:<\/strong> /);

      // Features by impact; the broken ones say what their users see and which targets break them.
      const matrix = tableRows(page, 'feature-matrix');
      const features = [...report.features].sort(byImpact);
      t.same(
        matrix.map((row) => /\(?([a-z0-9-]+)$/.exec(text(row.cells[0]?.markup.replace(/<div class="impact">[\s\S]*$/, '') ?? ''))?.[1]),
        features.map((f) => f.id),
        'features in order of impact',
      );
      features.forEach((feature, i) => {
        const row = matrix[i] as TableRow;
        t.same(row.tags, [feature.status], `${feature.id} is ${feature.status}`);
        const count = (verdict: string): number => report.targets.filter((x) => x.features.includes(feature.id) && x.verdict === verdict).length;
        t.same(
          row.cells.slice(2, 7).map((c) => Number(c.sort)),
          ['reachable', 'blocked', 'warning', 'unknown', 'skipped'].map(count),
          `${feature.id}: counts by verdict`,
        );
        if (feature.status === 'broken' && feature.impact !== null) t.match(row.cells[0]?.text, `Users see: ${feature.impact}`);
        else t.notMatch(row.cells[0]?.text, 'Users see:');
        for (const id of feature.blockedBy) t.match(row.cells[7]?.text, id, `${feature.id} names ${id}`);
      });
      t.same(matrix.filter((row) => row.tags[0] === 'broken').length, summary.featuresBroken.length);

      // Every target, problems first, with its verdict and per-phase timings.
      const rows = tableRows(page, 'target-table');
      const ordered = report.targets
        .map((x, i) => ({ x, i }))
        .sort((a, b) => PROBLEM_RANK(a.x) - PROBLEM_RANK(b.x) || a.i - b.i)
        .map(({ x }) => x);
      t.same(
        rows.map((row) => row.cells[0]?.text),
        ordered.map((x) => x.id),
        'every target, problems first',
      );
      ordered.forEach((target, i) => {
        const row = rows[i] as TableRow;
        t.equal(row.tags[0], target.verdict, `${target.id}: verdict`);
        t.equal(row.tags.includes('problem'), ['blocked', 'unknown', 'warning'].includes(target.verdict));
        t.equal(row.cells[3]?.text, target.reason ?? '', `${target.id}: reason`);
        t.equal(row.cells[4]?.text, target.phase ?? '', `${target.id}: phase`);
        t.match(row.cells[5]?.text, target.detail);
        // A UDP column only in a report with UDP targets.
        const phases = report.targets.some((x) => x.timings.udp !== undefined) ? (['dns', 'tcp', 'tls', 'http', 'udp', 'total'] as const) : (['dns', 'tcp', 'tls', 'http', 'total'] as const);
        const timings = phases.map((p) => target.timings[p]);
        t.same(
          row.cells.slice(6, 6 + phases.length).map((c) => c.sort),
          timings.map((ms) => (ms === undefined ? '' : String(ms))),
          `${target.id}: timings`,
        );
        t.same(
          row.cells.slice(6, 6 + phases.length).map((c) => c.text),
          timings.map((ms) => (ms === undefined ? '—' : String(ms))),
        );
        t.equal(row.cells[7 + phases.length]?.text, target.via);
      });

      // Each fix once, with every blocked target it opens.
      const fixes = [...page.matchAll(/<li class="card [^"]*"><div class="fix">([^<]*)<\/div>\n<div class="muted">([\s\S]*?)<\/div><\/li>/g)].map((m) => ({ fix: text(m[1] as string), for: text(m[2] as string) }));
      const blocked = report.targets.filter((x) => x.verdict === 'blocked');
      t.same(fixes.map((f) => f.fix).sort(), [...new Set(blocked.flatMap((x) => x.fix))].sort(), 'each fix of a blocked target, once');
      for (const target of blocked) for (const fix of target.fix) t.match(fixes.find((f) => f.fix === fix)?.for, target.id, `the fix names ${target.id}`);
    });
  }
});

t.test('a TLS-broken path: the three broken features on top, the slow handshake timed', async (t) => {
  const report = recorded.find((r) => r.name.startsWith('firewall-tls-broken'))?.report as CheckReport;
  const page = renderCheckHtml(report);
  const matrix = tableRows(page, 'feature-matrix');
  t.same(
    matrix.slice(0, 3).map((row) => row.cells[1]?.text),
    ['BROKEN', 'BROKEN', 'BROKEN'],
  );
  t.match(matrix[0]?.cells[0]?.text, /Azure AD sign-in.*Users see: Nobody can sign in/);
  const slow = tableRows(page, 'target-table').find((row) => row.cells[0]?.text === 'st1.file.core.windows.net:443');
  t.same(
    slow?.cells.slice(2, 5).map((c) => c.text),
    ['BLOCKED', 'tls-timeout', 'tls'],
  );
  t.same(
    slow?.cells.slice(6, 11).map((c) => c.text),
    ['17', '66', '2001', '—', '2084'],
  );
  t.match(page, /<title>aml-netcheck: 3 features broken: 5 required endpoints blocked \(Azure public · westus2 · 0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11\)<\/title>/);
});

t.test('text from outside stays text: no markup, no script, no control character gets through', async (t) => {
  const base = sampleReport();
  const hostile = `"'><script>alert(1)</script><img src=x onerror=alert(2)> ]]> <!-- \u001b[2J \u202eevil`;
  const report: CheckReport = {
    ...base,
    facts: { ...base.facts, workspaceName: hostile },
    settings: { ...base.settings, proxy: hostile },
    targets: base.targets.map((x) => (x.id === 'pypi.org:443' ? { ...x, warnings: [hostile], fix: [...x.fix, hostile] } : x)),
    features: base.features.map((f) => (f.status === 'broken' ? { ...f, impact: hostile } : f)),
  };
  const page = renderCheckHtml(report);
  t.equal(page.match(/<script\b/gi)?.length, 1, 'only our own script element');
  t.notMatch(page, /<img|<!-- /i);
  const tags = page.match(/<[a-z][^>]*>/gi) ?? [];
  t.same(
    tags.filter((tag) => /\son[a-z]+\s*=/i.test(tag)),
    [],
    'no event handler attribute in any tag',
  );
  t.notMatch(page, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/, 'no control character or bidi override');
  const shown = '&quot;&#39;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt; ]]&gt; &lt;!-- \\x1b[2J \\u202eevil';
  t.match(page, `<title>aml-netcheck: 3 features broken: 2 required endpoints blocked (Azure public · westus2 · ${shown})</title>`);
  t.match(page, `<div class="fix">${shown}</div>`);
  t.match(page, `<div class="note">${shown}</div>`);
  t.match(page, `<span>Users see:</span> ${shown}</div>`);
  t.match(page, `<dd>${shown}</dd>`, 'the proxy, as a setting');
  t.match(page, 'Action: Deny | &lt;script&gt;alert(1)&lt;/script&gt; ]]&gt; \\x1b[2J', 'server text in a detail');
});

t.test('the sample report: cut short, a feature without a verdict, an optional block that only degrades', async (t) => {
  const report = sampleReport();
  const page = renderCheckHtml(report);
  t.match(page, '<strong>Incomplete:</strong> the --deadline ended the run; 1 target did not finish and is not proven reachable.');
  t.match(page, 'Exit code 1: a required endpoint is blocked.');
  const rows = tableRows(page, 'target-table');
  t.same(
    rows.map((r) => r.cells[2]?.text),
    ['BLOCKED', 'BLOCKED', 'BLOCKED optional', 'UNFINISHED', 'WARNING', 'reachable', 'skipped'],
  );
  t.same(
    rows.map((r) => r.cells[2]?.sort),
    ['0', '0', '1', '2', '3', '4', '5'],
    'the verdict column sorts by severity',
  );
  t.match(page, '<tr data-tags="blocked problem optional" class="tone-warn"><td><code>download.<wbr>pytorch.<wbr>org:<wbr>443</code></td>', 'an optional block is painted as a warning');
  t.match(page, /<option value="problem">problems \(5\)<\/option>/);
  t.equal(renderCheckHtml(report), page, 'the same report renders to the same bytes');
});
