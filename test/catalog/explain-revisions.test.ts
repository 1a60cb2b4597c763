import t from 'tap';
import { explainHost, hostChanges, standings } from '../../src/catalog/explain.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { renderExplainJson, renderExplainText } from '../../src/render/lists/explain.js';

const builtinDir = 'test/fixtures/catalog/changes';
const all = loadCatalog({ builtinDir, revision: 'all' });

function explain(host: string, catalog = all) {
  const matches = explainHost(catalog, host);
  const revisions = standings(catalog, matches);
  return { matches, revisions, changes: hostChanges(revisions) };
}

const statuses = (host: string, catalog = all): string[] => explain(host, catalog).revisions.map((r) => `${r.revision} ${r.status}`);
const changes = (host: string): string[] => explain(host).changes.map((c) => `${c.from}>${c.to} ${c.kind} ${c.items.join(',')}`.trim());

t.test('each revision says whether it requires the host, and what changed to the next', async (t) => {
  t.same(statuses('new.example.com'), ['2023-01 not-covered', '2024-06 required']);
  t.same(changes('new.example.com'), ['2023-01>2024-06 newly-listed required']);
  t.same(statuses('legacy.example.com'), ['2023-01 required', '2024-06 not-covered']);
  t.same(changes('legacy.example.com'), ['2023-01>2024-06 no-longer-listed']);
  t.same(changes('svc.example.com'), ['2023-01>2024-06 ports-added TCP 5001 outbound', '2023-01>2024-06 ports-removed TCP 5000 outbound']);
  t.same(changes('web.example.com'), ['2023-01>2024-06 ports-added ANY 443 outbound', '2023-01>2024-06 ports-removed TCP 443 outbound'], 'tcp to any');
  t.same(changes('turn.example.com'), ['2023-01>2024-06 ports-added UDP 5831 outbound']);
  t.same(changes('shared.example.com'), ['2023-01>2024-06 features-added telemetry']);
  t.same(changes('optional.example.com'), ['2023-01>2024-06 became-required']);
  t.same(statuses('images.example.com'), ['2023-01 required', '2024-06 conditional']);
  t.same(changes('images.example.com'), ['2023-01>2024-06 became-conditional needed only when you use custom Docker images, even small changes to Microsoft base images']);
  t.same(changes('api.example.com'), [], 'the same in both');
});

t.test('each match names its revisions and where each states it', async (t) => {
  const { matches } = explain('new.example.com');
  t.same(
    matches.map((m) => [m.revisions, m.provenance]),
    [[['2024-06'], [{ revision: '2024-06', url: 'https://example.com/second#streaming' }]]],
  );
  const api = explain('api.example.com').matches[0];
  t.same(
    api?.provenance,
    [
      { revision: '2023-01', url: 'https://example.com/first#hosts' },
      { revision: '2024-06', url: 'https://example.com/second#outbound-hosts' },
    ],
    'the section anchor of each revision',
  );
});

t.test('narrowed to one revision, only that one is explained', async (t) => {
  const older = loadCatalog({ builtinDir, revision: '2023-01' });
  t.same(statuses('legacy.example.com', older), ['2023-01 required']);
  t.same(explain('new.example.com', older).matches, []);
  t.same(explain('legacy.example.com', older).changes, []);
  t.equal(renderExplainText('new.example.com', [], { revisions: standings(older, []), changes: [] }), 'No requirement in revision 2023-01 of the catalog covers new.example.com.\n');
});

t.test('the text and JSON carry the revisions and the changes', async (t) => {
  const { matches, revisions, changes: found } = explain('images.example.com');
  const text = renderExplainText('images.example.com', matches, { revisions, changes: found });
  t.match(text, /^Revisions: 2023-01 required; 2024-06 required under a condition\.\n  2023-01 -> 2024-06: now needed only when you use custom Docker images/m);
  t.match(text, /revisions: +2024-06\n +source: +2024-06 https:\/\/example\.com\/second#outbound-hosts\n/);
  const json = JSON.parse(renderExplainJson('images.example.com', matches, { revisions, changes: found })) as { query: string; matches: unknown[]; revisions: Array<{ revision: string; status: string }>; changes: Array<{ kind: string }> };
  t.equal(json.query, 'images.example.com');
  t.equal(json.matches.length, 2);
  t.same(
    json.revisions.map((r) => r.status),
    ['required', 'conditional'],
  );
  t.same(
    json.changes.map((c) => c.kind),
    ['became-conditional'],
  );
});

t.test('a catalog without revisions explains as before', async (t) => {
  const plain = loadCatalog({ builtinDir: 'test/fixtures/catalog/plain' });
  const host = plain.entries.find((e) => e.kind === 'host' && !e.pattern.text.includes('<') && !e.pattern.text.includes('*'));
  t.ok(host);
  const query = host?.kind === 'host' ? host.pattern.text : '';
  const { matches, revisions, changes: found } = explain(query, plain);
  t.ok(matches.length > 0);
  t.same([revisions, found, matches[0]?.revisions, matches[0]?.provenance], [[], [], [], []]);
  t.notMatch(renderExplainText(query, matches, { revisions, changes: found }), /revisions:|Revisions:/);
});
